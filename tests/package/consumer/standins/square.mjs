// Square's OAuth API (code flow with the application secret; the engine
// also sends PKCE, which makes it Square's PKCE flow for refreshes).
// https://developer.squareup.com/docs/oauth-api/overview
//   Authorization at connect.squareup.com/oauth2/authorize with client_id,
//   scope (space- or `+`-separated permissions), state, and `session=false`
//   for production; codes expire after 5 minutes.
// https://developer.squareup.com/reference/square/o-auth/obtain-token
//   POST /oauth2/token, a JSON body: client_id (always required),
//   client_secret (code flow), code or refresh_token, grant_type,
//   redirect_uri (when the authorization URL had one), code_verifier (PKCE
//   flow). "With the code flow ... The response returns the same refresh
//   token provided in the request. With the PKCE flow ... The response
//   returns a new refresh token." A request with both client_secret and
//   code_verifier is not described; accepted here as a real server would
//   likely accept it.
// https://developer.squareup.com/reference/square/objects/ObtainTokenResponse
//   access_token, token_type "bearer", expires_at (ISO 8601; no
//   expires_in), merchant_id, refresh_token, short_lived,
//   refresh_token_expires_at (PKCE flow). Access tokens expire in 30 days.
// https://developer.squareup.com/reference/square/o-auth/revoke-token
//   POST /oauth2/revoke with `Authorization: Client {application secret}`
//   and a JSON body {client_id, access_token} (or merchant_id); it revokes
//   every token of the seller for the app; the answer is {"success": true}.
// Error bodies are not in the reference: Square answers HTTP 401
//   {"message": "Not Authorized", "type": "service.not_authorized"} for a
//   wrong secret, {"errors": [{"category": "AUTHENTICATION_ERROR", "code":
//   "UNAUTHORIZED", "detail": "Authorization code not found ..."}]} for a bad
//   code and {"message": "Invalid refresh token", "type":
//   "service.not_authorized"} for a revoked refresh token (as third parties
//   record them from the live API).
import { oauth2, Refusal, json } from './kit.mjs';

const THIRTY_DAYS = 30 * 24 * 3600;

export const types = ['square'];

const squareErrors = (category, code, detail) => ({ errors: [{ category, code, detail }] });

export function create(type) {
  const si = oauth2({
    type,
    docs: [
      'https://developer.squareup.com/docs/oauth-api/overview',
      'https://developer.squareup.com/reference/square/o-auth/obtain-token',
      'https://developer.squareup.com/reference/square/objects/ObtainTokenResponse',
      'https://developer.squareup.com/reference/square/o-auth/revoke-token',
    ],
    clientId: 'sq0idp-standin-application-id',
    clientSecret: 'sq0csp-standin-application-secret-0123456789',
    scopes: ['MERCHANT_PROFILE_READ', 'PAYMENTS_READ'],
    expectedConfig: { merchant_id: 'ML0STANDIN42' },
    authorize: {
      url: 'https://connect.squareup.com/oauth2/authorize',
      params: { session: 'false' },
      scopesRequired: true,
    },
    token: {
      url: 'https://connect.squareup.com/oauth2/token',
      clientAuth: 'body',
      format: 'json',
      redirectUri: 'optional',
      answer: (tokens, grant) => ({
        access_token: tokens.access_token,
        token_type: 'bearer',
        expires_at: new Date(grant.access[grant.access.length - 1].expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        merchant_id: 'ML0STANDIN42',
        refresh_token: grant.refresh,
        short_lived: false,
        ...(grant.challenge ? { refresh_token_expires_at: new Date(Date.now() + 90 * 24 * 3600 * 1000).toISOString() } : {}),
      }),
      error: (code, kind, description) => {
        if (code === 'invalid_client') return { status: 401, body: { message: 'Not Authorized', type: 'service.not_authorized' } };
        if (code === 'invalid_grant' && kind === 'refresh') return { status: 401, body: { message: 'Invalid refresh token', type: 'service.not_authorized' } };
        if (code === 'invalid_grant') return { status: 401, body: squareErrors('AUTHENTICATION_ERROR', 'UNAUTHORIZED', `Authorization code not found: ${description}`) };
        return { status: 400, body: squareErrors('INVALID_REQUEST_ERROR', 'BAD_REQUEST', description) };
      },
    },
    lifetime: THIRTY_DAYS,
    // The engine sends PKCE: Square's PKCE flow rotates the refresh token.
    refresh: 'rotated',
    revoke: {
      url: 'https://connect.squareup.com/oauth2/revoke',
      scope: 'grant',
      check(request, body, { clientId, clientSecret }) {
        if (request.headers.get('authorization') !== `Client ${clientSecret}`) {
          throw new Refusal(401, { message: 'Not Authorized', type: 'service.not_authorized' });
        }
        if (body.type !== 'application/json' || !body.params) {
          throw new Refusal(400, squareErrors('INVALID_REQUEST_ERROR', 'BAD_REQUEST', 'the body must be JSON'));
        }
        if (body.params.client_id !== clientId) {
          throw new Refusal(400, squareErrors('INVALID_REQUEST_ERROR', 'INVALID_VALUE', 'client_id is wrong'));
        }
        if (typeof body.params.access_token !== 'string' && typeof body.params.merchant_id !== 'string') {
          throw new Refusal(400, squareErrors('INVALID_REQUEST_ERROR', 'MISSING_REQUIRED_PARAMETER', 'access_token or merchant_id is required'));
        }
        return body.params.access_token;
      },
      answer: () => json(200, { success: true }),
    },
    accessPrefix: 'EAAA',
    refreshPrefix: 'EQAA',
  });
  return si;
}
