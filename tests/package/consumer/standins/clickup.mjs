// ClickUp's OAuth 2.0 (authorization code, no scopes, tokens that never expire).
// https://developer.clickup.com/docs/authentication
//   Authorization: https://app.clickup.com/api?client_id=…&redirect_uri=…&state=…;
//   the user picks the Workspaces to authorize. No scopes, no
//   response_type documented (the stand-in ignores one).
//   "Include the token in the Authorization header."
// https://developer.clickup.com/reference/getaccesstoken
//   POST https://api.clickup.com/api/v2/oauth/token with client_id,
//   client_secret and code, all required, listed as query parameters; the
//   answer is { "access_token": "…" } only: no token_type, no expires_in,
//   no refresh token (access tokens do not expire).
// Not documented, so accepted as a real server likely would: the same
// parameters in a form or JSON body (third-party clients send both), extra
// parameters (grant_type, redirect_uri) ignored, no PKCE (a challenge is
// ignored). The error body follows ClickUp's API errors, { err, ECODE }
// (the ECODE values of the OAuth endpoint are not documented). No
// revocation endpoint is documented.
import { oauth2, json } from './kit.mjs';

export const types = ['clickup'];

export function create(type) {
  return oauth2({
    type,
    docs: ['https://developer.clickup.com/docs/authentication', 'https://developer.clickup.com/reference/getaccesstoken'],
    scopes: [],
    authorize: {
      url: 'https://app.clickup.com/api',
      scopeParam: null,
      pkce: 'none',
      noResponseType: true,
    },
    token: {
      url: 'https://api.clickup.com/api/v2/oauth/token',
      clientAuth: 'body',
      format: 'either',
      queryParams: true,
      redirectUri: 'optional',
      answer: (tokens) => ({ access_token: tokens.access_token }),
      error: (code, kind, description) => ({
        status: code === 'invalid_client' ? 401 : 400,
        body: { err: description, ECODE: code === 'invalid_grant' ? 'OAUTH_014' : 'OAUTH_017' },
      }),
      respond: (status, body) => json(status, body),
    },
    lifetime: null,
    refresh: 'none',
    revoke: null,
    accessPrefix: '12345678_',
  });
}
