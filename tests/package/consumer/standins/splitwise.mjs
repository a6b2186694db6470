// Splitwise's OAuth 2.0 (authorization code, no scopes).
// https://dev.splitwise.com/ (source: github.com/splitwise/api-docs,
// splitwise.yaml, components.securitySchemes.OAuth)
//   "Splitwise uses OAuth 2 with the authorization code flow"; the server
//   is https://secure.splitwise.com/api/v3.0 and the flow's
//   authorizationUrl /oauth/authorize and tokenUrl /oauth/token resolve to
//   https://secure.splitwise.com/oauth/authorize and /oauth/token;
//   `scopes: {}` (none).
// Not documented, so accepted as an RFC 6749 server would: response_type,
// client_id, redirect_uri and state on the authorization URL; a form body
// with grant_type, code, redirect_uri and the client credentials in the
// body or as Basic (the Python SDK github.com/namaggarwal/splitwise sends
// them with requests-oauthlib); no PKCE (a challenge is ignored); the
// answer access_token and token_type, no expiry and no refresh token
// (access tokens do not expire). No revocation endpoint is documented.
import { oauth2 } from './kit.mjs';

export const types = ['splitwise'];

export function create(type) {
  return oauth2({
    type,
    docs: ['https://dev.splitwise.com/', 'https://github.com/splitwise/api-docs/blob/main/splitwise.yaml'],
    scopes: [],
    authorize: {
      url: 'https://secure.splitwise.com/oauth/authorize',
      scopeParam: null,
      pkce: 'none',
    },
    token: {
      url: 'https://secure.splitwise.com/oauth/token',
      clientAuth: 'either',
      format: 'form',
      answer: (tokens) => ({ access_token: tokens.access_token, token_type: 'bearer' }),
    },
    lifetime: null,
    refresh: 'none',
    revoke: null,
    accessPrefix: '',
  });
}
