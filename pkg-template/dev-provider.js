// oauth-connectors/dev-provider: a real OAuth 2 / OpenID authorization
// server for development and tests, offline: oidc-provider (a certified
// implementation, which you install yourself: `npm install -D oidc-provider`)
// on 127.0.0.1 only, with PKCE required, refresh-token rotation, revocation
// and introspection. Its dev login accepts any user name and password.
// Never for production: its keys and cookies are development ones.
// Node only for startLocalProvider and signIn; localProviderEntry runs anywhere.

/**
 * The catalog entry (for `registerProvider` or a connector's `provider`) of
 * the local provider at `issuer`. Its type id is `localoidc`.
 */
export function localProviderEntry(issuer) {
  if (typeof issuer !== 'string' || !/^http:\/\/127\.0\.0\.1:\d+$/.test(issuer)) {
    throw new TypeError(`localProviderEntry takes the local provider's issuer (http://127.0.0.1:<port>), got ${JSON.stringify(issuer)}`);
  }
  return {
    type: 'localoidc',
    display_name: 'Local OpenID provider',
    description: 'oidc-provider on 127.0.0.1',
    auth_model: 'oauth',
    authorization_url: `${issuer}/auth`,
    token_url: `${issuer}/token`,
    revocation: { url: `${issuer}/token/revocation`, style: 'rfc7009' },
    issuer,
    pkce: 'required',
    // oidc-provider issues a refresh token for offline_access only after consent.
    authorization_params: { prompt: 'consent' },
    client_auth: 'basic',
    refresh_tokens: 'rotated',
    api_base_urls: [issuer],
  };
}

const OPTIONS = ['clients', 'accessTokenTtl', 'port'];
const MISSING = 'oauth-connectors/dev-provider needs the oidc-provider package, which it does not install: ' +
  'run `npm install --save-dev oidc-provider` in your app';

/** oidc-provider's Provider class, or a clear error when the package is not installed. */
async function loadProvider() {
  try {
    return (await import('oidc-provider')).default;
  } catch (error) {
    const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && /oidc-provider/.test(String(error?.message));
    if (missing) throw Object.assign(new Error(MISSING, { cause: error }), { code: 'ERR_MODULE_NOT_FOUND' });
    throw error;
  }
}

/**
 * Starts the provider on 127.0.0.1 (`port`, default 0: a free one).
 * - `clients`: the OAuth apps it knows, `{ clientId, clientSecret, redirectUris }`
 *   each (the connectors server's callback URLs; client_secret_basic).
 * - `accessTokenTtl`: seconds an access token lives (default 3600), or
 *   oidc-provider's `(ctx, token, client) => seconds` to vary it (for example
 *   a short first token and longer refreshed ones).
 * Resolves `{ issuer, entry, userinfoUrl, introspectionUrl, grants, accessTokens, close() }`:
 * `entry` is `localProviderEntry(issuer)`; `GET ${issuer}/me` answers the
 * account's claims to a valid access token (an API to call); `grants` counts
 * the grants made by type and `accessTokens` lists each one issued, for tests.
 */
export async function startLocalProvider(options) {
  if (options === null || typeof options !== 'object') throw new TypeError('startLocalProvider takes { clients, accessTokenTtl?, port? }');
  for (const key of Object.keys(options)) {
    if (!OPTIONS.includes(key)) throw new TypeError(`Unknown startLocalProvider option "${key}" (it takes ${OPTIONS.join(', ')})`);
  }
  const { clients, accessTokenTtl = 3600, port = 0 } = options;
  if (!Array.isArray(clients) || clients.length === 0) throw new TypeError('startLocalProvider: clients must be a non-empty array of { clientId, clientSecret, redirectUris }');
  if (typeof accessTokenTtl !== 'function' && (!Number.isSafeInteger(accessTokenTtl) || accessTokenTtl < 1)) {
    throw new TypeError('startLocalProvider: accessTokenTtl must be a whole number of seconds, or a function (ctx, token, client) => seconds');
  }
  const Provider = await loadProvider();
  const { createServer } = await import('node:http');
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    pkce: { required: () => true },
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: true },
      // Any client may revoke its own tokens (the default policy, stated to keep the server quiet).
      revocation: { enabled: true, allowedPolicy: () => true },
      introspection: { enabled: true },
    },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, email: `${sub}@example.test`, email_verified: true, name: sub }),
    }),
    ttl: { AccessToken: accessTokenTtl, IdToken: 3600, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 3600, RefreshToken: 86400 },
    cookies: { keys: ['local-provider-dev-key'] },
    // Tokens expire when they say (the default tolerates 15 s of clock skew).
    clockTolerance: 0,
  });
  provider.on('server_error', (_ctx, err) => console.error('local provider:', err));
  const grants = { authorization_code: 0, refresh_token: 0 };
  const accessTokens = [];
  provider.on('grant.success', (ctx) => {
    const type = ctx.oidc.params?.grant_type;
    if (type in grants) grants[type] += 1;
  });
  // The tokens are opaque: an access token's value is its id.
  provider.on('access_token.saved', (token) => accessTokens.push({ value: token.jti, accountId: token.accountId }));
  server.on('request', provider.callback());
  return {
    issuer,
    entry: localProviderEntry(issuer),
    userinfoUrl: `${issuer}/me`,
    grants,
    accessTokens,
    introspectionUrl: `${issuer}/token/introspection`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

/**
 * Follows an authorization URL through the provider's login and consent
 * pages as `login` (any name; any password is accepted), over plain HTTP
 * with no browser, and resolves the callback URL the provider redirects to
 * (not requested: nothing needs to listen there). For tests and scripts.
 */
export async function signIn(authorizationUrl, { login, redirectUri }) {
  const jar = new Map();
  const send = async (url, init = {}) => {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie } });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\b/i.test(a));
      if (expired) jar.delete(name.trim());
      else jar.set(name.trim(), value);
    }
    return response;
  };
  let url = authorizationUrl;
  for (let step = 0; step < 12; step++) {
    const response = await send(url);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location'), url).href;
      if (url.startsWith(redirectUri)) return new URL(url);
      continue;
    }
    const page = await response.text();
    if (response.status !== 200) throw new Error(`provider answered ${response.status}: ${page.slice(0, 300)}`);
    const action = page.match(/<form[^>]*action="([^"]+)"/)?.[1];
    const prompt = page.match(/name="prompt" value="([^"]+)"/)?.[1];
    if (!action || !prompt) throw new Error(`no interaction form at ${url}`);
    const body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
    const submitted = await send(new URL(action, url).href, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    if (submitted.status < 300 || submitted.status >= 400) {
      throw new Error(`submitting ${prompt} answered ${submitted.status}: ${(await submitted.text()).slice(0, 300)}`);
    }
    url = new URL(submitted.headers.get('location'), url).href;
    if (url.startsWith(redirectUri)) return new URL(url);
  }
  throw new Error('the provider never redirected back to the app');
}
