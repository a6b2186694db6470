// The low-level OAuthClient against a real authorization server, offline:
// oidc-provider on 127.0.0.1 plays the provider (PKCE required, rotating
// refresh tokens, revocation). The user's login and consent are driven over
// plain HTTP here; in an app, the browser follows the authorization URL.
//   node examples/oauth-client/main.mjs   (after scripts/build.sh; scripts/demo.sh does both)
import { OAuthClient, generateCodeVerifier, generateState } from 'oauth-connectors';
// The local provider for development (oidc-provider, which you install: npm install -D oidc-provider).
import { signIn, startLocalProvider } from 'oauth-connectors/dev-provider';

const redirectUri = 'http://127.0.0.1:8787/callback';
const app = { clientId: 'example-app', clientSecret: 'example-app-secret-0123456789' };
const op = await startLocalProvider({ clients: [{ ...app, redirectUris: [redirectUri] }] });
const short = (token) => `${token.slice(0, 6)}… (${token.length} chars)`;

try {
  // A provider entry: the same shape as the catalog's (getProvider('github')).
  const client = new OAuthClient({ provider: op.entry, ...app, redirectUri });

  const state = generateState();
  const codeVerifier = generateCodeVerifier();
  const url = client.createAuthorizationURL({ scopes: ['openid', 'email', 'offline_access'], state, codeVerifier });
  console.log(`1. Send the user to:\n   ${url}\n`);

  const callback = await signIn(url, { login: 'alice', redirectUri });
  const params = callback.searchParams;
  if (params.get('state') !== state) throw new Error('the state does not match');
  console.log(`2. The provider redirected back to ${callback.origin}${callback.pathname} with code, state and iss=${params.get('iss')}\n`);

  const tokens = await client.validateAuthorizationCode(params.get('code'), codeVerifier, params);
  console.log('3. Tokens (console.log leaves the tokens themselves out):', tokens);
  console.log(`   accessToken ${short(tokens.accessToken)}, refreshToken ${short(tokens.refreshToken)}\n`);

  const me = await fetch(op.userinfoUrl, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
  console.log(`4. The provider's API with the token: HTTP ${me.status}`, await me.json(), '\n');

  const fresh = await client.refreshAccessToken(tokens.refreshToken);
  console.log(`5. Refreshed: new access token ${short(fresh.accessToken)}; the refresh token rotated: ${fresh.refreshToken !== tokens.refreshToken}\n`);

  await client.revokeToken(fresh.refreshToken, 'refresh_token');
  const error = await client.refreshAccessToken(fresh.refreshToken).then(() => null, (e) => e);
  if (error?.code !== 'NEEDS_RECONNECT') throw new Error(`a revoked refresh token still worked: ${error}`);
  console.log(`6. Revoked. Refreshing again fails with ${error.code}: ${error.message}`);
} finally {
  await op.close();
}
