// Airtable's OAuth 2.0 (authorization code with PKCE).
// https://airtable.com/developers/web/api/oauth-reference
//   Authorization request: GET airtable.com/oauth2/v1/authorize with
//   client_id, redirect_uri, response_type=code, scope (space-separated, at
//   least one, each enabled on the integration), state, and PKCE:
//   code_challenge and code_challenge_method=S256 are required (S256 only).
//   Token request: POST airtable.com/oauth2/v1/token with Content-Type
//   application/x-www-form-urlencoded; an integration with a client secret
//   authenticates with HTTP Basic (client_id in the body is then optional);
//   code, code_verifier, grant_type, redirect_uri. The answer has
//   access_token, refresh_token, token_type, scope, expires_in (60 minutes)
//   and refresh_expires_in (60 days).
//   Refresh: grant_type=refresh_token, refresh_token, Basic; the answer has a
//   new refresh token (the old one stops working: rotation).
//   Errors are RFC 6749 §5.2 bodies ({ error, error_description }).
//   No revocation endpoint is documented.
import { oauth2 } from './kit.mjs';

export const types = ['airtable'];

export function create(type) {
  return oauth2({
    type,
    docs: ['https://airtable.com/developers/web/api/oauth-reference'],
    scopes: ['data.records:read', 'schema.bases:read'],
    checksGrantedScopes: true,
    authorize: {
      url: 'https://airtable.com/oauth2/v1/authorize',
      pkce: 'required',
      scopesRequired: true,
      check: (u, refuse) => {
        if (!u.searchParams.get('state')) refuse('state is required');
      },
    },
    token: {
      url: 'https://airtable.com/oauth2/v1/token',
      clientAuth: 'basic',
      format: 'form',
      answer: (tokens) => ({ ...tokens, refresh_expires_in: 60 * 24 * 3600 }),
    },
    lifetime: 3600,
    refresh: 'rotated',
    revoke: null,
    accessPrefix: 'oaa',
    refreshPrefix: 'oaar',
  });
}
