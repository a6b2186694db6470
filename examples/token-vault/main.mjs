// The TokenVault against a real authorization server, offline: oidc-provider
// on 127.0.0.1 issues access tokens that live 2 s and rotating refresh
// tokens. The vault stores the connection sealed, refreshes the expired token
// once for 20 concurrent reads, and disconnects with revocation, after which
// the provider reports the token inactive.
//   node examples/token-vault/main.mjs   (after scripts/build.sh; scripts/demo.sh does both)
import { OAuthClient, TokenVault, generateCodeVerifier, generateState, memoryStore } from 'oauth-connectors';
// The local provider for development (oidc-provider, which you install: npm install -D oidc-provider).
import { signIn, startLocalProvider } from 'oauth-connectors/dev-provider';

const redirectUri = 'http://127.0.0.1:8787/callback';
const app = { clientId: 'example-app', clientSecret: 'example-app-secret-0123456789' };
const op = await startLocalProvider({ clients: [{ ...app, redirectUris: [redirectUri] }], accessTokenTtl: 2 });

try {
  let refreshes = 0;
  const countingFetch = async (request) => {
    if ((await request.clone().text()).includes('grant_type=refresh_token')) refreshes += 1;
    return fetch(request);
  };
  const client = new OAuthClient({ provider: op.entry, ...app, redirectUri, fetch: countingFetch });
  const vault = new TokenVault({
    secrets: ['example-vault-secret-0123456789abcdef'], // [current, ...previous] to rotate
    store: memoryStore(),                               // denoKvStore(kv), or your own adapter
    appId: 'example',
    onEvent: (e) => console.log(`   event ${e.type} (${e.kind} ${e.connector}/${e.userId}, ${e.status})`),
  });
  const alice = { kind: 'app_user', connectorId: 'local', userId: 'alice' };

  const state = generateState();
  const codeVerifier = generateCodeVerifier();
  const url = client.createAuthorizationURL({ scopes: ['openid', 'email', 'offline_access'], state, codeVerifier });
  const params = (await signIn(url, { login: 'alice', redirectUri })).searchParams;
  if (params.get('state') !== state) throw new Error('the state does not match');
  console.log('1. Alice connected; the vault stores her tokens sealed:');
  const saved = await vault.save(alice, await client.validateAuthorizationCode(params.get('code'), codeVerifier, params));
  console.log(`   connection ${saved.connectionId}, account ${JSON.stringify(saved.account)}\n`);

  await new Promise((resolve) => setTimeout(resolve, 2100));
  console.log('2. Her access token has expired; 20 backend calls at once read her connection:');
  const reads = await Promise.all(Array.from({ length: 20 }, () => vault.getConnection(alice, client)));
  if (refreshes !== 1 || new Set(reads.map((r) => r.accessToken)).size !== 1) {
    throw new Error(`expected one refresh shared by all, got ${refreshes}`);
  }
  console.log(`   ${refreshes} refresh for 20 readers; version ${reads[0].version}\n`);

  const me = await fetch(op.userinfoUrl, { headers: { authorization: `Bearer ${reads[0].accessToken}` } });
  console.log(`3. The provider's API with the token: HTTP ${me.status}\n`);

  console.log('4. Disconnect: tombstone, revoke the refresh token and the access token, purge:');
  console.log('  ', await vault.disconnect(alice, client));
  const introspection = await fetch(op.introspectionUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`${app.clientId}:${app.clientSecret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: reads[0].accessToken }),
  }).then((r) => r.json());
  if (introspection.active !== false) throw new Error('the revoked token is still active');
  const error = await vault.getConnection(alice, client).then(() => null, (e) => e);
  if (error?.code !== 'NOT_CONNECTED') throw new Error(`expected NOT_CONNECTED, got ${error}`);
  console.log(`   the provider reports the token inactive; reading again fails with ${error.code}`);
} finally {
  await op.close();
}
