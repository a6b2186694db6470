// Hugging Face's OAuth / OpenID Connect provider.
// https://huggingface.co/docs/hub/oauth
//   Authorization at huggingface.co/oauth/authorize with client_id,
//   redirect_uri, response_type=code, scope (space-separated: openid
//   profile email read-repos ...), state; PKCE supported (the
//   @huggingface/hub login helper sends S256). Token endpoint
//   huggingface.co/oauth/token; discovery at
//   huggingface.co/.well-known/openid-configuration.
// https://huggingface.co/docs/hub/spaces-oauth
//   Access tokens expire (8 hours by default for Spaces).
// Not documented: client authentication (Basic here, as the catalog sends;
// the form body is also accepted, as the OIDC discovery's usual
// client_secret_post), the refresh grant and its rotation (a new refresh
// token here), the error bodies (RFC 6749 shapes here) and a revocation
// endpoint (none).
import { oauth2 } from './kit.mjs';

export const types = ['hugging_face'];

export function create(type) {
  return oauth2({
    type,
    docs: ['https://huggingface.co/docs/hub/oauth', 'https://huggingface.co/docs/hub/spaces-oauth'],
    scopes: ['openid', 'profile', 'read-repos'],
    authorize: { url: 'https://huggingface.co/oauth/authorize', scopesRequired: true },
    token: {
      url: 'https://huggingface.co/oauth/token',
      clientAuth: 'either',
      format: 'form',
      answer: (tokens) => ({ ...tokens, id_token: 'eyJhbGciOiJSUzI1NiJ9.e30.standin' }),
    },
    lifetime: 28800,
    refresh: 'rotated',
    accessPrefix: 'hf_oauth_',
    refreshPrefix: 'hf_oauth_refresh_',
  });
}
