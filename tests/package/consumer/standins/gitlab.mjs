// GitLab as an OAuth 2.0 provider (Doorkeeper), on gitlab.com or a
// self-managed host given in the connection config.
// https://docs.gitlab.com/api/oauth2
//   "Authorization code with PKCE": GET https://{host}/oauth/authorize with
//   client_id, redirect_uri, response_type=code, state, scope
//   (space-separated), code_challenge, code_challenge_method (S256).
//   POST https://{host}/oauth/token with client_id, client_secret, code,
//   grant_type=authorization_code, redirect_uri, code_verifier; the answer
//   {access_token, token_type "bearer", expires_in 7200, refresh_token,
//   scope, created_at}. Refresh: grant_type=refresh_token, refresh_token,
//   redirect_uri; the answer carries a new refresh token.
//   "Access tokens expire after two hours"; revoke with POST
//   https://{host}/oauth/revoke (client_id, client_secret, token), which
//   answers 200 and an empty JSON object.
// Doorkeeper (https://doorkeeper.gitbook.io/guides/configuration/other-configurations#client-credentials)
// takes the client's credentials as HTTP Basic or in the body, and its
// errors are RFC 6749 §5.2 (400 invalid_grant, 401 invalid_client). It
// revokes the token record, which holds both the access and the refresh
// token; it takes a form or a JSON body (Rails parses both).
// The docs' refresh example also sends redirect_uri; Doorkeeper does not
// require it on a refresh, so this stand-in does not either.
import { json, oauth2 } from './kit.mjs';

export const types = ['gitlab'];

const HOST = 'gitlab.example.com';

export function create(type) {
  return oauth2({
    type,
    docs: ['https://docs.gitlab.com/api/oauth2'],
    clientId: 'a5b0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8',
    clientSecret: 'gloas-0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
    scopes: ['read_user', 'read_api'],
    connectionConfig: { gitlab_host: HOST },
    expectedConfig: { gitlab_host: HOST },
    authorize: { url: `https://${HOST}/oauth/authorize`, scopesRequired: true, pkce: 'optional' },
    token: {
      url: `https://${HOST}/oauth/token`,
      clientAuth: 'either',
      format: 'either',
      answer: (tokens) => ({ ...tokens, token_type: 'Bearer', created_at: Math.floor(Date.now() / 1000) }),
      error: (code) => ({
        status: code === 'invalid_client' ? 401 : 400,
        body: {
          error: code,
          error_description: code === 'invalid_grant'
            ? 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.'
            : code === 'invalid_client'
              ? 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.'
              : 'The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.',
        },
      }),
    },
    lifetime: 7200,
    refresh: 'rotated',
    revoke: { url: `https://${HOST}/oauth/revoke`, clientAuth: 'either', scope: 'grant', answer: () => json(200, {}) },
    accessPrefix: 'glpat-oauth-',
    refreshPrefix: 'glrt-',
  });
}
