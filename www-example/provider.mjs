// The local OAuth provider of www-example: oidc-provider on 127.0.0.1 with
// the example's client registered (its two callback URLs), rotating refresh
// tokens, revocation, and a protected API: GET /me answers the signed-in
// account's profile to a valid access token only. Its dev login accepts any
// user name and password.
//   APP_ORIGIN=http://127.0.0.1:8787 PROVIDER_PORT=8788 node provider.mjs
import { startLocalProvider } from 'oauth-connectors/dev-provider';

const appOrigin = process.env.APP_ORIGIN ?? 'http://127.0.0.1:8787';
const app = `${appOrigin}/api/apps/www-example`;
const op = await startLocalProvider({
  port: Number(process.env.PROVIDER_PORT ?? 8788),
  accessTokenTtl: Number(process.env.ACCESS_TOKEN_TTL ?? 3600),
  clients: [{
    clientId: process.env.LOCAL_CLIENT_ID ?? 'www-example',
    clientSecret: process.env.LOCAL_CLIENT_SECRET ?? 'www-example-secret-0123456789abcdef',
    redirectUris: [`${app}/app-user-auth/connectors/localoidc/callback`, `${app}/external-auth/callback/localoidc`],
  }],
});
console.log(`local provider: ${op.issuer} (log in with any name and password)`);
const stop = () => op.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
