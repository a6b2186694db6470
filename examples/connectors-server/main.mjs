// The connectors server, offline, against a real authorization server
// (oidc-provider on 127.0.0.1): a builder connects a shared connector through
// the management calls (as `base44 connectors push` does), an app user
// connects their own account with the @base44/sdk-compatible client, a backend
// function reads each token, and disconnecting revokes at the provider.
// The server answers standard Requests: here in-process, with no network hop;
// `serveNode(server)`, `Deno.serve(server.fetch)` or a Worker serve it over HTTP.
//   node examples/connectors-server/main.mjs   (after scripts/build.sh; scripts/demo.sh does both)
import { createClient, createConnectorsServer, issueUserToken, memoryStore } from 'oauth-connectors';
// The local provider for development (oidc-provider, which you install: npm install -D oidc-provider).
import { signIn, startLocalProvider } from 'oauth-connectors/dev-provider';

const appId = 'demo-app';
const publicUrl = 'http://127.0.0.1:8787';
const callbacks = {
  shared: `${publicUrl}/api/apps/${appId}/external-auth/callback/localoidc`,
  appUser: `${publicUrl}/api/apps/${appId}/app-user-auth/connectors/calendar/callback`,
};
const app = { clientId: 'demo-app', clientSecret: 'demo-app-secret-0123456789abcdef' };
const op = await startLocalProvider({ clients: [{ ...app, redirectUris: Object.values(callbacks) }] });

const SERVICE_TOKEN = 'demo-service-token-0123456789';
const users = { secret: 'demo-user-token-secret-0123456789abcdef', issuer: 'https://demo.example', audience: appId };
const scopes = ['openid', 'offline_access', 'email'];
const server = createConnectorsServer({
  appId,
  publicUrl,
  secret: 'demo-server-secret-0123456789abcdef', // >= 32 random bytes in real use
  store: memoryStore(),                           // denoKvStore(kv) to share across instances
  providers: [op.entry],                          // the local provider as a custom catalog entry
  connectors: [{ type: 'localoidc', scopes }],    // or the JSONC texts of base44/connectors/*.jsonc
  credentials: { localoidc: app },                // the shared connector's OAuth app
  appUserConnectors: { calendar: { type: 'localoidc', ...app, scopes } },
  serviceTokens: [SERVICE_TOKEN],
  users,                                          // HS256 user tokens (or { verifyUser })
  allowedReturnUrls: ['http://127.0.0.1:5173'],
});

const api = (path, { method = 'GET', token = SERVICE_TOKEN, headers = {}, body } = {}) =>
  server.fetch(new Request(`${publicUrl}/api/apps/${appId}/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  }));
const json = async (response) => {
  const body = await response.json();
  if (!response.ok) throw new Error(`${response.status} ${body.error.code}: ${body.error.message}`);
  return body;
};
const userinfo = (token) => fetch(op.userinfoUrl, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());

/**
 * What a browser does with a consent URL: it opens the server's start route
 * (from the app's page, which it names in Referer), keeps the binding cookie
 * that route sets, and goes on to the provider. The callback needs that cookie.
 */
async function openConsent(url) {
  const start = await server.fetch(new Request(url, { headers: { referer: 'http://127.0.0.1:5173/settings' } }));
  if (start.status !== 303) throw new Error(`the start route answered ${start.status}`);
  return { url: start.headers.get('location'), cookie: start.headers.get('set-cookie').split(';')[0] };
}

/** An HS256 user token, as the app's own sign-in would issue: the server's `users` settings and the user. */
const userToken = (userId) => issueUserToken({ ...users, userId, expiresInSeconds: 600 });

try {
  console.log('1. The builder connects the shared connector (PUT, consent, callback, status poll):');
  const put = await json(await api('external-auth/integrations/localoidc', { method: 'PUT', body: { scopes } }));
  const builder = await openConsent(put.redirect_url);
  const sharedCallback = await signIn(builder.url, { login: 'builder', redirectUri: callbacks.shared });
  const page = await server.fetch(new Request(sharedCallback, { headers: { cookie: builder.cookie } }));
  const { status } = await json(await api(`external-auth/status?integration_type=localoidc&connection_id=${put.connection_id}`));
  console.log(`   callback page: HTTP ${page.status}; status: ${status}`);

  const shared = await json(await api('external-auth/tokens/localoidc'));
  console.log(`   getConnection('localoidc') -> a token for ${(await userinfo(shared.access_token)).sub}\n`);

  console.log('2. Alice connects her own account with the SDK client (connectAppUser, consent, callback):');
  // The @base44/sdk-compatible client, bound to the server in-process (fetch: server.fetch).
  const alice = userToken('alice');
  const base44 = createClient({ appId, serverUrl: publicUrl, token: alice, serviceToken: SERVICE_TOKEN, fetch: server.fetch });
  const consentUrl = await base44.connectors.connectAppUser('calendar'); // a browser would navigate there
  const browser = await openConsent(consentUrl);
  const callback = await signIn(browser.url, { login: 'alice', redirectUri: callbacks.appUser });
  const back = await server.fetch(new Request(callback, { headers: { cookie: browser.cookie } }));
  console.log(`   callback: HTTP ${back.status} (no return URL here: a page says "connected")`);

  const mine = await base44.asServiceRole.connectors.getCurrentAppUserConnection('calendar');
  console.log(`   getCurrentAppUserConnection('calendar') on behalf of Alice -> a token for ${(await userinfo(mine.accessToken)).sub}`);
  const forBob = createClient({ appId, serverUrl: publicUrl, token: userToken('bob'), serviceToken: SERVICE_TOKEN, fetch: server.fetch });
  const bob = await forBob.asServiceRole.connectors.getCurrentAppUserConnection('calendar').catch((e) => e);
  console.log(`   the same on behalf of Bob -> ${bob.status} ${bob.code}\n`);

  console.log('3. Alice disconnects: the server revokes her tokens at the provider:');
  await base44.connectors.disconnectAppUser('calendar');
  const after = await fetch(op.userinfoUrl, { headers: { authorization: `Bearer ${mine.accessToken}` } });
  if (after.status !== 401) throw new Error(`the revoked token still works (${after.status})`);
  console.log(`   the provider now answers ${after.status} to her old token`);
} finally {
  await op.close();
}
