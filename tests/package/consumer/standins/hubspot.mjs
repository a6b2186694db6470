// HubSpot's OAuth (the date-versioned 2026-03 endpoints).
// https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide
//   The install URL app.hubspot.com/oauth/authorize carries client_id,
//   redirect_uri and scope (space-separated, each configured on the app),
//   with optional_scope and state optional; response_type is not one of its
//   parameters (ignored). PKCE: the token endpoint takes code_verifier.
// https://developers.hubspot.com/docs/api-reference/2026-03/authentication/oauth-tokens/refresh-oauth-token
//   POST api.hubapi.com/oauth/2026-03/token, form body, every parameter in
//   the body (client_id, client_secret, grant_type, code, redirect_uri,
//   code_verifier, refresh_token), never the query.
// https://developers.hubspot.com/changelog/additional-details-returned-when-generating-oauth-access-tokens
//   The answer: token_type "bearer", refresh_token, hub_id, scopes (an
//   array), access_token, expires_in 1800 (30 minutes), for the code
//   exchange and for a refresh alike. That a refresh answers the same
//   refresh token is the long-standing behaviour (rotation is not
//   documented).
// https://developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses
//   Errors carry RFC 6749 `error`/`error_description` beside the legacy
//   `status` and `message` (a bad refresh token: 400 BAD_REFRESH_TOKEN,
//   invalid_grant).
// https://developers.hubspot.com/docs/api-reference/latest/authentication/oauth-tokens/revoke-token
//   POST api.hubapi.com/oauth/2026-03/token/revoke, form body client_id,
//   client_secret, token, token_type_hint. Revoking the refresh token does
//   not end access tokens already issued (the v1 guide says so of its
//   DELETE; taken to hold here).
import { oauth2, mint } from './kit.mjs';

export const types = ['hubspot'];

const HUB = 62515;

export function create(type) {
  return oauth2({
    type,
    docs: [
      'https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide',
      'https://developers.hubspot.com/docs/api-reference/2026-03/authentication/oauth-tokens/refresh-oauth-token',
      'https://developers.hubspot.com/docs/api-reference/latest/authentication/oauth-tokens/revoke-token',
    ],
    scopes: ['oauth', 'crm.objects.contacts.read'],
    authorize: {
      url: 'https://app.hubspot.com/oauth/authorize',
      noResponseType: true,
      scopesRequired: true,
      pkce: 'optional',
    },
    token: {
      url: 'https://api.hubapi.com/oauth/2026-03/token',
      clientAuth: 'body',
      format: 'form',
      answer: (tokens, grant) => ({
        token_type: 'bearer',
        refresh_token: grant.refresh,
        hub_id: HUB,
        scopes: grant.scopes,
        access_token: tokens.access_token,
        expires_in: tokens.expires_in,
      }),
      error: (code, kind, description) => {
        const status = code === 'invalid_grant' ? (kind === 'refresh' ? 'BAD_REFRESH_TOKEN' : 'BAD_AUTH_CODE') : code === 'invalid_client' ? 'BAD_CLIENT_ID' : 'BAD_REQUEST';
        return {
          status: 400,
          body: { status, message: description, correlationId: mint('', 36), error: code, error_description: description },
        };
      },
    },
    lifetime: 1800,
    refresh: 'reused',
    revoke: { url: 'https://api.hubapi.com/oauth/2026-03/token/revoke', clientAuth: 'body', format: 'form', scope: 'token' },
    accessPrefix: 'CNb',
    refreshPrefix: 'na1-',
  });
}
