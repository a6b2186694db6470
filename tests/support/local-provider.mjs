// A real OAuth 2 / OpenID authorization server for offline tests and the
// demo: oidc-provider (a certified implementation) on 127.0.0.1, with PKCE
// required, refresh-token rotation, revocation and introspection. Its dev
// interactions accept any login; `signIn()` drives them with plain HTTP.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';
import { localProviderEntry } from './local-provider-entry.mjs';

/**
 * Starts the server on a loopback port (a free one by default).
 * @param {{ clients: Array<{ clientId: string, clientSecret: string, redirectUris: string[] }>,
 *           accessTokenTtl?: number | ((ctx, token, client) => number), port?: number }} options (`accessTokenTtl` in seconds, or oidc-provider's ttl function)
 */
export async function startLocalProvider({ clients, accessTokenTtl = 3600, port = 0 }) {
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
    cookies: { keys: ['local-provider-test-key'] },
    // Tokens expire when they say (the default tolerates 15 s of clock skew).
    clockTolerance: 0,
  });
  // Quiet: the dev-only warnings (dev keys, dev interactions) are expected here.
  provider.on('server_error', (_ctx, err) => console.error('local provider:', err));
  // What tests look at: grants by type, and each access token issued (its
  // value is its id: the tokens are opaque).
  const grants = { authorization_code: 0, refresh_token: 0 };
  const accessTokens = [];
  provider.on('grant.success', (ctx) => {
    const type = ctx.oidc.params?.grant_type;
    if (type in grants) grants[type] += 1;
  });
  provider.on('access_token.saved', (token) => accessTokens.push({ value: token.jti, accountId: token.accountId }));
  server.on('request', provider.callback());
  return {
    issuer,
    /** A provider entry for oauth-connectors (registerProvider or `provider:`). */
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
 * pages as `login`, and returns the callback URL the provider redirects to
 * (not requested: nothing needs to listen there).
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
