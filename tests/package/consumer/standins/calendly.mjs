// Calendly's OAuth 2.0.
// https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/get-oauth-authorize
//   GET auth.calendly.com/oauth/authorize with client_id, response_type=code,
//   redirect_uri (required); code_challenge_method=S256 and code_challenge
//   recommended for every app (optional: the plain code flow still works).
// https://developer.calendly.com/docs/authentication/scopes
//   Scopes (since 2026-03) go in `scope`; that they are space-separated is
//   our reading (not stated).
// https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-token
// https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-refresh-token
//   POST auth.calendly.com/oauth/token, form body; web clients authenticate
//   with HTTP Basic (client_id:client_secret), native clients send client_id
//   alone. The code exchange sends grant_type, code, redirect_uri,
//   code_verifier; the refresh grant_type and refresh_token. The answer has
//   token_type, access_token, refresh_token, scope, created_at, expires_in
//   (7200: two hours), owner (the user URI) and organization (the
//   organization URI).
// https://developer.calendly.com/refresh-token-rotation-guide
//   Refresh tokens are single-use: a successful refresh revokes the old one
//   and returns a new one.
//   Errors are RFC 6749 §5.2 bodies; a used or revoked refresh token answers
//   400 invalid_grant.
// https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-revoke
//   POST auth.calendly.com/oauth/revoke, form body client_id, client_secret
//   and token, all three required (not HTTP Basic); 200.
import { oauth2, Refusal } from './kit.mjs';

export const types = ['calendly'];

const USER = 'https://api.calendly.com/users/EBHAAFHDCAEQTSEZ';
const ORG = 'https://api.calendly.com/organizations/EBHAAFHDCAEQTSEZ';

export function create(type) {
  return oauth2({
    type,
    docs: [
      'https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/get-oauth-authorize',
      'https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-refresh-token',
      'https://developer.calendly.com/refresh-token-rotation-guide',
      'https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-revoke',
    ],
    scopes: ['event_types:read', 'availability:read'],
    checksGrantedScopes: true,
    expectedConfig: { owner: USER, organization: ORG },
    authorize: { url: 'https://auth.calendly.com/oauth/authorize', pkce: 'optional' },
    token: {
      url: 'https://auth.calendly.com/oauth/token',
      clientAuth: 'basic',
      format: 'form',
      answer: (tokens) => ({ ...tokens, created_at: Math.floor(Date.now() / 1000), owner: USER, organization: ORG }),
      error: (code, kind, description) => ({
        status: code === 'invalid_client' ? 401 : 400,
        body: {
          error: code,
          error_description: code === 'invalid_grant'
            ? 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.'
            : description,
        },
      }),
    },
    lifetime: 7200,
    refresh: 'rotated',
    revoke: {
      url: 'https://auth.calendly.com/oauth/revoke',
      check(request, body, { clientId, clientSecret }) {
        if (body.type !== 'application/x-www-form-urlencoded' || !body.params) {
          throw new Refusal(400, { error: 'invalid_request', error_description: 'the body must be application/x-www-form-urlencoded' });
        }
        const { client_id, client_secret, token } = body.params;
        if (!client_id || !client_secret || !token) {
          throw new Refusal(400, { error: 'invalid_request', error_description: 'client_id, client_secret and token are required in the body' });
        }
        if (client_id !== clientId || client_secret !== clientSecret) {
          throw new Refusal(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
        }
        return token;
      },
      answer: () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }),
      scope: 'grant',
    },
  });
}
