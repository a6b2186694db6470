// Dropbox OAuth 2.0.
// https://developers.dropbox.com/oauth-guide
// https://www.dropbox.com/developers/documentation/http/documentation#oauth2-authorize
//   /oauth2/authorize at www.dropbox.com: client_id (the app key),
//   response_type=code, redirect_uri, state, token_access_type (offline:
//   "a short-lived access token and a long-lived refresh token"; online,
//   the default: no refresh token), scope (optional, space-separated),
//   code_challenge with code_challenge_method S256 or plain (PKCE).
//   POST api.dropboxapi.com/oauth2/token: code, grant_type, redirect_uri
//   ("only used to validate that it matches the original"), code_verifier;
//   client_id and client_secret as HTTP Basic or in the body. The answer
//   {access_token "sl.…", expires_in 14400, token_type "bearer", scope,
//   account_id, uid, refresh_token}. A refresh (grant_type=refresh_token,
//   refresh_token) answers only access_token, expires_in, token_type: the
//   refresh token is not rotated and "doesn't expire".
//   Errors: HTTP 400 {error: "invalid_grant", error_description}, 401 for a
//   bad app key or secret.
// https://www.dropbox.com/developers/documentation/http/documentation#auth-token-revoke
//   POST api.dropboxapi.com/2/auth/token/revoke, "Disables the access token
//   used to authenticate the call. If there is a corresponding refresh
//   token for the access token, this disables that refresh token, as well
//   as any other access tokens for that refresh token." Authentication:
//   the access token as `Authorization: Bearer`; no parameters (an RPC
//   endpoint: no body, or `null` with Content-Type application/json).
//   A refresh token or an unknown token is 401 invalid_access_token.
import { Refusal, bearer, json, oauth2 } from './kit.mjs';

export const types = ['dropbox'];

const ACCOUNT = 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc';

const invalidToken = () => new Refusal(401, { error_summary: 'invalid_access_token/..', error: { '.tag': 'invalid_access_token' } });

export function create(type) {
  let si;
  si = oauth2({
    type,
    docs: [
      'https://developers.dropbox.com/oauth-guide',
      'https://www.dropbox.com/developers/documentation/http/documentation#oauth2-authorize',
      'https://www.dropbox.com/developers/documentation/http/documentation#auth-token-revoke',
    ],
    clientId: 'a1b2c3d4e5f6g7h',
    clientSecret: 'z9y8x7w6v5u4t3s',
    scopes: ['account_info.read', 'files.metadata.read', 'files.content.read'],
    expectedConfig: { account_id: ACCOUNT },
    authorize: {
      url: 'https://www.dropbox.com/oauth2/authorize',
      params: { token_access_type: 'offline' },
      pkce: 'optional',
    },
    token: {
      url: 'https://api.dropboxapi.com/oauth2/token',
      clientAuth: 'either',
      format: 'form',
      answer(tokens, grant, kind) {
        const base = { access_token: tokens.access_token, expires_in: tokens.expires_in, token_type: 'bearer' };
        if (kind === 'refresh') return base;
        return { ...base, refresh_token: tokens.refresh_token, scope: tokens.scope, uid: '12345', account_id: ACCOUNT };
      },
      error: (code, kind, description) => ({
        status: code === 'invalid_client' ? 401 : 400,
        body: { error: code, error_description: code === 'invalid_grant' && kind === 'refresh' ? 'refresh token is invalid or revoked' : description },
      }),
    },
    lifetime: 14400,
    refresh: 'reused',
    revoke: {
      url: 'https://api.dropboxapi.com/2/auth/token/revoke',
      scope: 'grant',
      async check(request, body) {
        if (body.text !== '' && !(body.type === 'application/json' && body.text.trim() === 'null')) {
          throw new Refusal(400, 'Error in call to API function "auth/token/revoke": request body: could not decode input as JSON');
        }
        const token = bearer(request);
        if (!token || !si.accepts(token)) throw invalidToken();
        return token;
      },
      answer: () => json(200, null),
    },
    accessPrefix: 'sl.',
  });
  return si;
}
