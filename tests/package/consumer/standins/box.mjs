// Box's OAuth 2.0 (client-side "OAuth 2.0 with user authentication").
// https://developer.box.com/reference/get-authorize/
//   GET account.box.com/api/oauth2/authorize with response_type=code and
//   client_id (required), redirect_uri (optional when the app has one),
//   state, scope (optional: space-separated, narrows the app's scopes).
//   PKCE is not documented (a challenge is ignored).
// https://developer.box.com/reference/post-oauth2-token/
//   POST api.box.com/oauth2/token, form body: client_id, client_secret
//   (body parameters, no HTTP Basic documented), code, grant_type; a refresh
//   sends grant_type=refresh_token and refresh_token. redirect_uri is not a
//   documented parameter (accepted when it matches). The answer has
//   access_token, expires_in, issued_token_type, refresh_token,
//   restricted_to and token_type "bearer"; no scope.
// https://developer.box.com/guides/authentication/tokens/refresh/
//   Access tokens last 60 minutes; a refresh token lasts 60 days and can be
//   used once: a refresh returns a new pair (rotation).
// https://developer.box.com/reference/resources/oauth2-error/
//   Errors: { error, error_description }, e.g. 400 invalid_grant
//   "Invalid refresh token".
// https://developer.box.com/reference/post-oauth2-revoke/
//   POST api.box.com/oauth2/revoke, form body client_id, client_secret and
//   token (an access or refresh token); 200 with an empty body. That
//   revoking one token of the pair ends the other too is our reading of
//   "effectively logging a user out".
import { oauth2 } from './kit.mjs';

export const types = ['box'];

export function create(type) {
  return oauth2({
    type,
    docs: [
      'https://developer.box.com/reference/get-authorize/',
      'https://developer.box.com/reference/post-oauth2-token/',
      'https://developer.box.com/guides/authentication/tokens/refresh/',
      'https://developer.box.com/reference/post-oauth2-revoke/',
    ],
    scopes: ['root_readonly'],
    authorize: {
      url: 'https://account.box.com/api/oauth2/authorize',
      pkce: 'none',
    },
    token: {
      url: 'https://api.box.com/oauth2/token',
      clientAuth: 'body',
      format: 'form',
      redirectUri: 'optional',
      answer: ({ access_token, refresh_token, expires_in }) => ({
        access_token,
        expires_in,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        ...(refresh_token ? { refresh_token } : {}),
        restricted_to: [],
        token_type: 'bearer',
      }),
      error: (code, kind, description) => ({
        status: 400,
        body: { error: code, error_description: code === 'invalid_grant' && kind === 'refresh' ? 'Invalid refresh token' : description },
      }),
    },
    lifetime: 3600,
    refresh: 'rotated',
    revoke: { url: 'https://api.box.com/oauth2/revoke', clientAuth: 'body', format: 'form', scope: 'grant' },
  });
}
