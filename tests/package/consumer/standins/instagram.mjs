// Instagram API with Instagram Login (Business Login for Instagram).
// https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/business-login
//   Step 1: www.instagram.com/oauth/authorize with client_id, redirect_uri,
//   response_type=code and scope (required; comma-separated or URL-encoded
//   space-separated), state optional. The redirect back carries the code,
//   valid 1 hour and once, and Meta appends `#_` ("not part of the code").
//   Step 2: POST api.instagram.com/oauth/access_token with client_id,
//   client_secret, grant_type=authorization_code, redirect_uri ("This must
//   be the same URI or we will reject the request") and code; the answer:
//   {"data": [{"access_token", "user_id", "permissions"}]}, a short-lived
//   token (one hour: .../reference/access_token) with no expires_in.
//   A rejected request: {"error_type": "OAuthException", "code": 400,
//   "error_message": "Matching code was not found or was already used"}.
//   Step 3 (GET graph.instagram.com/access_token, ig_exchange_token) and
//   refreshes (GET graph.instagram.com/refresh_access_token) work on the
//   token itself: there is no refresh token.
// Not documented: PKCE (a challenge is ignored here), revocation (none),
// and the body encoding beyond the multipart example (a form body is
// taken here).
import { oauth2 } from './kit.mjs';

export const types = ['instagram'];

const USER_ID = '17841400000000042';

export function create(type) {
  const si = oauth2({
    type,
    docs: [
      'https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/business-login',
      'https://developers.facebook.com/docs/instagram-platform/reference/access_token',
    ],
    clientId: '990602627938098',
    scopes: ['instagram_business_basic', 'instagram_business_content_publish'],
    expectedConfig: { user_id: USER_ID },
    authorize: {
      url: 'https://www.instagram.com/oauth/authorize',
      separator: ',',
      pkce: 'none',
      scopesRequired: true,
    },
    token: {
      url: 'https://api.instagram.com/oauth/access_token',
      clientAuth: 'body',
      format: 'form',
      answer: (tokens, grant) => ({
        data: [{ access_token: tokens.access_token, user_id: USER_ID, permissions: grant.scopes.join(',') }],
      }),
      error: (code, kind, description) => ({
        status: 400,
        body: { error_type: 'OAuthException', code: 400, error_message: code === 'invalid_grant' ? 'Matching code was not found or was already used' : description },
      }),
    },
    lifetime: 3600,
    announces: false,
    refresh: 'none',
    accessPrefix: 'IGAA',
  });
  // Meta appends `#_` to the redirect; a browser never sends the fragment.
  const consent = si.consent;
  si.consent = (url) => `${consent(url)}#_`;
  return si;
}

