// Salesforce's OAuth 2.0 web server flow, on a partitioned My Domain login
// host (a Developer Edition org: <name>-dev-ed.develop.my.salesforce.com).
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_understanding_web_server_oauth_flow.htm
// https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_web_server_flow.htm&type=5
//   GET https://{login host}/services/oauth2/authorize with
//   response_type=code, client_id, redirect_uri (required), scope
//   (space-separated; a refresh token only with `refresh_token` or
//   `offline_access`), state, and PKCE code_challenge (S256; optional unless
//   the app requires it).
//   POST https://{login host}/services/oauth2/token, form body:
//   grant_type=authorization_code, code, client_id, client_secret,
//   redirect_uri, code_verifier (with PKCE). The answer: access_token,
//   refresh_token, signature, scope, id_token (with openid), instance_url,
//   id, token_type "Bearer", issued_at; no expires_in.
// https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_refresh_token_flow.htm&type=5
//   A refresh: grant_type=refresh_token, refresh_token, client_id,
//   client_secret; the answer has a new access token and no refresh token
//   (the same one keeps working, unless rotation is enabled on the app).
//   An expired or revoked refresh token: 400 {"error":"invalid_grant",
//   "error_description":"expired access/refresh token"}.
// https://help.salesforce.com/s/articleView?id=xcloud.admin_sessions.htm&type=5
//   The access token is a session: it lives for the org's session timeout
//   ("Timeout value", 15 minutes to 24 hours, two hours by default). The
//   stand-in's sessions last the shortest, 15 minutes, unannounced.
// https://developer.salesforce.com/docs/platform/mobile-sdk/guide/oauth-revoking-tokens.html
//   POST https://{login host}/services/oauth2/revoke, form `token`; an access
//   token is revoked; a refresh token is revoked with every access token
//   issued from it. 200 on success; "for all error conditions" 400 with
//   unsupported_token_type or invalid_token (an already revoked token is
//   invalid). No client authentication is required.
import { oauth2, Refusal, mint } from './kit.mjs';

export const types = ['salesforce'];

const HOST = 'acme-dev-ed.develop.my.salesforce.com';
const SESSION = 15 * 60;

export function create(type) {
  const base = `https://${HOST}/services/oauth2`;
  return oauth2({
    type,
    docs: [
      'https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_understanding_web_server_oauth_flow.htm',
      'https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_refresh_token_flow.htm&type=5',
      'https://help.salesforce.com/s/articleView?id=xcloud.admin_sessions.htm&type=5',
      'https://developer.salesforce.com/docs/platform/mobile-sdk/guide/oauth-revoking-tokens.html',
    ],
    scopes: ['api'],
    checksGrantedScopes: true,
    connectionConfig: { login_host: HOST },
    expectedConfig: { instance_url: `https://${HOST}` },
    authorize: { url: `${base}/authorize`, pkce: 'optional' },
    token: {
      url: `${base}/token`,
      clientAuth: 'either',
      format: 'form',
      answer: ({ access_token, refresh_token }, grant) => {
        const offline = grant.scopes.includes('refresh_token') || grant.scopes.includes('offline_access');
        return {
          access_token,
          ...(refresh_token && offline ? { refresh_token } : {}),
          signature: mint('', 44),
          scope: grant.scopes.join(' '),
          instance_url: `https://${HOST}`,
          id: `https://${HOST}/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS`,
          token_type: 'Bearer',
          issued_at: String(Date.now()),
        };
      },
      error: (code, kind, description) => ({
        status: 400,
        body: { error: code, error_description: code === 'invalid_grant' ? (kind === 'refresh' ? 'expired access/refresh token' : 'authentication failure') : description },
      }),
    },
    lifetime: SESSION,
    announces: false,
    refresh: 'reused',
    revoke: {
      url: `${base}/revoke`,
      clientAuth: 'none',
      format: 'form',
      scope: 'refresh',
      answer: (found, { live }) => {
        if (!live) throw new Refusal(400, { error: 'invalid_token', error_description: 'invalid token' }, { problem: false });
        return new Response(null, { status: 200 });
      },
    },
    accessPrefix: '00Dxx0000001gPL!',
    refreshPrefix: '5Aep861',
  });
}
