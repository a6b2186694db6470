// The low-level OAuthClient of the installed package against a real
// authorization server (oidc-provider on 127.0.0.1, PKCE required, rotating
// refresh tokens): authorization URL, login and consent over plain HTTP,
// code exchange, userinfo, refresh, revocation and introspection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthClient, generateCodeVerifier, generateState } from 'oauth-connectors';
import { signIn, startLocalProvider } from 'oauth-connectors/dev-provider';


const redirectUri = 'http://127.0.0.1:9/callback';
const app = { clientId: 'test-app', clientSecret: 'test-app-secret-0123456789abcdef' };
let op;

before(async () => {
  op = await startLocalProvider({ clients: [{ ...app, redirectUris: [redirectUri] }] });
});
after(() => op?.close());

/** A client counting its provider calls. */
function client(overrides = {}) {
  const calls = [];
  const oauth = new OAuthClient({
    provider: op.entry,
    ...app,
    redirectUri,
    fetch: (request) => {
      calls.push(new URL(request.url).pathname);
      return fetch(request);
    },
    ...overrides,
  });
  return { oauth, calls };
}

/** Authorization URL -> login and consent -> the callback's parameters. */
async function authorize(oauth, login = 'alice') {
  const state = generateState();
  const codeVerifier = generateCodeVerifier();
  const url = new URL(oauth.createAuthorizationURL({ scopes: ['openid', 'offline_access', 'email'], state, codeVerifier }));
  const callback = await signIn(url.href, { login, redirectUri });
  assert.equal(callback.searchParams.get('state'), state, 'the state comes back unchanged');
  return { url, params: callback.searchParams, codeVerifier };
}

const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } });
async function introspect(token) {
  const basic = Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64');
  const response = await fetch(op.introspectionUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  assert.equal(response.status, 200);
  return response.json();
}

test('the whole flow: PKCE code exchange, userinfo, rotated refresh, revocation', async () => {
  const { oauth, calls } = client();
  const { url, params, codeVerifier } = await authorize(oauth);
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(url.searchParams.get('prompt'), 'consent');
  assert.ok(!url.href.includes(codeVerifier), 'the verifier never appears in the URL');
  assert.equal(params.get('iss'), op.issuer, 'the server names itself (RFC 9207)');

  const tokens = await oauth.validateAuthorizationCode(params.get('code'), codeVerifier, params);
  assert.deepEqual(calls, ['/token']);
  assert.equal(typeof tokens.accessToken, 'string');
  assert.equal(typeof tokens.refreshToken, 'string', 'offline_access with consent gives a refresh token');
  assert.equal(tokens.tokenType, 'Bearer');
  assert.ok(tokens.expiresAt instanceof Date && tokens.expiresAt > new Date());
  assert.deepEqual([...tokens.scopes].sort(), ['email', 'offline_access', 'openid']);
  const shown = JSON.stringify(tokens);
  assert.ok(!shown.includes(tokens.accessToken) && !shown.includes(tokens.refreshToken), 'tokens are not serialised or logged');
  assert.equal(tokens.raw.access_token, undefined);

  const me = await fetch(op.userinfoUrl, bearer(tokens.accessToken));
  assert.equal(me.status, 200);
  assert.deepEqual(await me.json(), { sub: 'alice', email: 'alice@example.test', email_verified: true });

  const refreshed = await oauth.refreshAccessToken(tokens.refreshToken);
  assert.notEqual(refreshed.accessToken, tokens.accessToken);
  assert.notEqual(refreshed.refreshToken, tokens.refreshToken, 'the refresh token rotates');
  assert.equal((await fetch(op.userinfoUrl, bearer(refreshed.accessToken))).status, 200);

  assert.equal(await oauth.revokeToken(refreshed.accessToken, 'access_token'), true);
  assert.equal((await introspect(refreshed.accessToken)).active, false);
  assert.equal((await fetch(op.userinfoUrl, bearer(refreshed.accessToken))).status, 401);
  assert.equal(await oauth.revokeToken(refreshed.refreshToken, 'refresh_token'), true);
  assert.equal((await introspect(refreshed.refreshToken)).active, false);

  await assert.rejects(oauth.refreshAccessToken(refreshed.refreshToken), { name: 'ConnectorsError', code: 'NEEDS_RECONNECT' });
  assert.deepEqual(calls, ['/token', '/token', '/token/revocation', '/token/revocation', '/token']);
});

test('a reused rotated refresh token needs a reconnect', async () => {
  const { oauth } = client();
  const { params, codeVerifier } = await authorize(oauth, 'bob');
  const tokens = await oauth.validateAuthorizationCode(params.get('code'), codeVerifier, params);
  await oauth.refreshAccessToken(tokens.refreshToken);
  await assert.rejects(oauth.refreshAccessToken(tokens.refreshToken), { code: 'NEEDS_RECONNECT' });
});

test('the server enforces PKCE: a wrong verifier fails the exchange, and a code works once', async () => {
  const { oauth } = client();
  const { params } = await authorize(oauth);
  await assert.rejects(
    oauth.validateAuthorizationCode(params.get('code'), generateCodeVerifier(), params),
    { code: 'CODE_EXCHANGE_FAILED', message: /invalid_grant/ },
  );
  const again = await authorize(oauth);
  await oauth.validateAuthorizationCode(again.params.get('code'), again.codeVerifier, again.params);
  // Without callbackParams there is no iss to check: the server's answer decides.
  await assert.rejects(oauth.validateAuthorizationCode(again.params.get('code'), again.codeVerifier), { code: 'CODE_EXCHANGE_FAILED' });
  assert.throws(() => oauth.createAuthorizationURL({ state: generateState() }), { code: 'INVALID_INPUT', message: /requires PKCE/ });
});

test('a callback from another issuer is refused before any token request', async () => {
  const { oauth, calls } = client();
  const { params, codeVerifier } = await authorize(oauth);
  params.set('iss', 'http://127.0.0.1:1');
  await assert.rejects(oauth.validateAuthorizationCode(params.get('code'), codeVerifier, params), { code: 'ISSUER_MISMATCH' });
  params.delete('iss');
  await assert.rejects(oauth.validateAuthorizationCode(params.get('code'), codeVerifier, params), { code: 'ISSUER_MISSING' });
  assert.deepEqual(calls, []);
});

test('a wrong client secret is a provider configuration error, not retried', async () => {
  const { oauth: good } = client();
  const { params, codeVerifier } = await authorize(good);
  const { oauth, calls } = client({ clientSecret: 'wrong-secret' });
  await assert.rejects(oauth.validateAuthorizationCode(params.get('code'), codeVerifier, params), { code: 'PROVIDER_CONFIG_ERROR' });
  assert.equal(calls.length, 1);
});

test('an unreachable provider is a network error after bounded retries', async () => {
  const { oauth, calls } = client({
    provider: { ...op.entry, token_url: 'http://127.0.0.1:9/token' },
    maxAttempts: 2,
  });
  await assert.rejects(oauth.refreshAccessToken('any'), { code: 'NETWORK_ERROR' });
  assert.equal(calls.length, 2);
});
