// Supabase's OAuth apps for the Management API.
// https://supabase.com/docs/guides/integrations/build-a-supabase-oauth-integration
//   Authorization: https://api.supabase.com/v1/oauth/authorize with
//   client_id, redirect_uri, response_type=code (required), state,
//   optional organization_slug, PKCE S256 "strongly recommended";
//   `scope` is deprecated (scopes are set on the OAuth app).
//   Token: POST https://api.supabase.com/v1/oauth/token,
//   application/x-www-form-urlencoded: grant_type=authorization_code, code,
//   redirect_uri ("exactly the same URL used in the first step"),
//   code_verifier; "As per OAuth2 spec, provide the client id and client
//   secret as basic auth header". The same endpoint refreshes; after the
//   user revokes the app a refresh fails.
// https://api.supabase.com/api/v1 (the Management API's OpenAPI):
//   POST /v1/oauth/token takes client_id and client_secret in the body too;
//   the answer has access_token, refresh_token, expires_in, token_type.
//   POST /v1/oauth/revoke, application/json { client_id, client_secret,
//   refresh_token }, all required and nothing else ("Revoke oauth app
//   authorization and it's corresponding tokens").
// Not documented: whether a refresh returns a new refresh token (this
// stand-in rotates, the stricter case); the error body of a dead refresh
// token (RFC 6749 §5.2 here); the access token's lifetime (an hour here);
// the revocation's success status (204 here).
import { oauth2, Refusal } from './kit.mjs';

export const types = ['supabase'];

export function create(type) {
  return oauth2({
    type,
    docs: ['https://supabase.com/docs/guides/integrations/build-a-supabase-oauth-integration', 'https://api.supabase.com/api/v1'],
    clientId: '7673bde9-be72-4d75-bd5e-b0dba2c49b38',
    scopes: [],
    authorize: {
      url: 'https://api.supabase.com/v1/oauth/authorize',
      scopeParam: null,
      pkce: 'optional',
    },
    token: {
      url: 'https://api.supabase.com/v1/oauth/token',
      clientAuth: 'either',
      format: 'form',
    },
    lifetime: 3600,
    refresh: 'rotated',
    revoke: {
      url: 'https://api.supabase.com/v1/oauth/revoke',
      scope: 'grant',
      check: (request, body, { clientId, clientSecret }) => {
        if (body.type !== 'application/json' || !body.params) throw new Refusal(400, { message: 'the body must be application/json' });
        const p = body.params;
        const extra = Object.keys(p).filter((k) => !['client_id', 'client_secret', 'refresh_token'].includes(k));
        if (extra.length) throw new Refusal(400, { message: `property ${extra[0]} should not exist` });
        if (typeof p.refresh_token !== 'string') throw new Refusal(400, { message: 'refresh_token must be a string' });
        if (p.client_id !== clientId || p.client_secret !== clientSecret) throw new Refusal(401, { message: 'invalid client' });
        return p.refresh_token;
      },
      answer: () => new Response(null, { status: 204 }),
    },
    accessPrefix: 'sbp_oauth_',
    refreshPrefix: '',
  });
}
