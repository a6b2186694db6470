// Linear's OAuth 2.0.
// https://linear.app/developers/oauth-2-0-authentication
//   GET linear.app/oauth/authorize: client_id, redirect_uri,
//   response_type=code and scope (required; a comma-separated list, `read`
//   always present); state recommended; prompt=consent and actor optional.
//   PKCE: code_challenge with code_challenge_method plain or S256.
//   POST api.linear.app/oauth/token: "Content-Type must be
//   application/x-www-form-urlencoded". The code exchange requires code,
//   redirect_uri, client_id, client_secret (optional with PKCE),
//   code_verifier (with PKCE) and grant_type as parameters. A refresh takes
//   HTTP Basic or client_id/client_secret parameters (the stand-in takes the
//   parameters only, for both grants: Basic is not listed for the exchange).
//   The answer: access_token, token_type "Bearer", expires_in 86399 (24
//   hours), scope "read write" (space-separated, while the request joins
//   with commas), refresh_token; a refresh returns a new refresh token.
//   "Revoke an access token": POST api.linear.app/oauth/revoke with the
//   token in the `token` form field (+ token_type_hint); the legacy
//   Authorization header and access_token/refresh_token fields must not be
//   combined with `token`. 200 revoked, 400 "unable to revoke token (e.g.
//   token was already revoked)", 401 "unable to authenticate with the
//   token": the token itself authenticates, so client credentials are not
//   required (they are accepted). Whether revoking the refresh token also
//   ends its access token is not documented: the stand-in ends the grant,
//   the stricter case (the access token's revocation then answers 400).
//   Errors: RFC 6749 §5.2 bodies (a refused refresh: 400 invalid_grant).
import { oauth2, Refusal } from './kit.mjs';

export const types = ['linear'];

export function create(type) {
  return oauth2({
    type,
    docs: ['https://linear.app/developers/oauth-2-0-authentication'],
    scopes: ['read', 'issues:create'],
    checksGrantedScopes: true,
    authorize: {
      url: 'https://linear.app/oauth/authorize',
      separator: ',',
      scopesRequired: true,
      pkce: 'optional',
    },
    token: {
      url: 'https://api.linear.app/oauth/token',
      clientAuth: 'body',
      format: 'form',
      answer: (tokens, grant) => ({ ...tokens, scope: grant.scopes.join(' ') }),
    },
    lifetime: 86399,
    refresh: 'rotated',
    revoke: {
      url: 'https://api.linear.app/oauth/revoke',
      check(request, body) {
        if (body.type !== 'application/x-www-form-urlencoded' || !body.params) {
          throw new Refusal(400, { error: 'invalid_request', error_description: 'the token goes in a form body' });
        }
        const { token, access_token, refresh_token } = body.params;
        if (!token) throw new Refusal(400, { error: 'invalid_request', error_description: 'token is required' });
        if (access_token !== undefined || refresh_token !== undefined || request.headers.get('authorization')) {
          throw new Refusal(400, { error: 'invalid_request', error_description: 'token must not be combined with legacy fields' });
        }
        const hint = body.params.token_type_hint;
        if (hint !== undefined && hint !== 'access_token' && hint !== 'refresh_token') {
          throw new Refusal(400, { error: 'invalid_request', error_description: 'token_type_hint is access_token or refresh_token' });
        }
        return token;
      },
      answer: (found, { live }) => {
        if (!live) throw new Refusal(400, { error: 'invalid_request', error_description: 'unable to revoke token' }, { problem: false });
        return new Response(null, { status: 200 });
      },
      scope: 'grant',
    },
  });
}
