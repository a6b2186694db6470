// TikTok Login Kit (OAuth v2).
// https://developers.tiktok.com/doc/login-kit-web
//   Authorization at www.tiktok.com/v2/auth/authorize/ with client_key (not
//   client_id), response_type=code, scope (comma-separated), redirect_uri,
//   state; PKCE for mobile and desktop.
// https://developers.tiktok.com/doc/oauth-user-access-token-management
//   POST open.tiktokapis.com/v2/oauth/token/, Content-Type
//   application/x-www-form-urlencoded, body client_key, client_secret,
//   code, grant_type=authorization_code, redirect_uri ("must be the same as
//   the redirect_uri used for requesting code"), code_verifier ("required
//   for mobile and desktop app only"). The answer: open_id, scope
//   (comma-separated), access_token, expires_in, refresh_token,
//   refresh_expires_in, token_type "Bearer".
// https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token
//   Access tokens expire within 2 hours (7200 s); "Refresh tokens are
//   rotated ... The previous refresh token stops working once a new one is
//   issued." Body: client_key, client_secret, grant_type=refresh_token,
//   refresh_token.
// https://developers.tiktok.com/docs/en/oauth-revoke-a-user-access-token
//   POST open.tiktokapis.com/v2/oauth/revoke/, form client_key,
//   client_secret, token (the access token); the answer is empty, and the
//   app is disconnected from the user's account. An extra token_type_hint
//   is not described; accepted, as a form server ignores unknown fields.
// https://developers.tiktok.com/doc/oauth-error-handling
//   Errors: {error, error_description, log_id}, `error` one of the RFC 6749
//   codes (invalid_grant for a revoked or expired refresh token). The HTTP
//   status is not given; 400 here (401 for invalid_client).
import { oauth2, mint, Refusal } from './kit.mjs';

export const types = ['tiktok'];

export function create(type) {
  return oauth2({
    type,
    docs: [
      'https://developers.tiktok.com/doc/login-kit-web',
      'https://developers.tiktok.com/doc/oauth-user-access-token-management',
      'https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token',
      'https://developers.tiktok.com/docs/en/oauth-revoke-a-user-access-token',
      'https://developers.tiktok.com/doc/oauth-error-handling',
    ],
    clientId: 'awstandinclientkey',
    scopes: ['user.info.basic', 'video.list'],
    expectedConfig: { open_id: '-000standin-open-id' },
    authorize: {
      url: 'https://www.tiktok.com/v2/auth/authorize/',
      clientIdParam: 'client_key',
      separator: ',',
      scopesRequired: true,
      check(url, refuse) {
        if (url.searchParams.has('client_id')) refuse('client_key, not client_id');
      },
    },
    token: {
      url: 'https://open.tiktokapis.com/v2/oauth/token/',
      clientAuth: 'body',
      format: 'form',
      names: { client_id: 'client_key' },
      answer: (tokens, grant) => ({
        open_id: '-000standin-open-id',
        scope: grant.scopes.join(','),
        access_token: tokens.access_token,
        expires_in: 7200,
        refresh_token: tokens.refresh_token,
        refresh_expires_in: 15552000,
        token_type: 'Bearer',
      }),
      error: (code, kind, description) => ({
        status: code === 'invalid_client' ? 401 : 400,
        body: { error: code, error_description: description, log_id: mint('', 34) },
      }),
    },
    lifetime: 7200,
    refresh: 'rotated',
    revoke: {
      url: 'https://open.tiktokapis.com/v2/oauth/revoke/',
      clientAuth: 'body',
      format: 'form',
      scope: 'grant',
      check(request, body, { clientId, clientSecret }) {
        const p = body.params;
        if (body.type !== 'application/x-www-form-urlencoded' || !p) throw tiktokError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
        if (p.client_key !== clientId || p.client_secret !== clientSecret) throw tiktokError(401, 'invalid_client', 'client_key and client_secret must be in the body');
        if (!p.token) throw tiktokError(400, 'invalid_request', 'token is required');
        return p.token;
      },
      answer: () => new Response('', { status: 200, headers: { 'content-type': 'application/json' } }),
    },
    accessPrefix: 'act.',
    refreshPrefix: 'rft.',
  });
}

function tiktokError(status, error, description) {
  return new Refusal(status, { error, error_description: description, log_id: mint('', 34) });
}
