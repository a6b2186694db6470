// Contentful's OAuth apps.
// https://www.contentful.com/developers/docs/extensibility/oauth/
//   Authorization: https://be.contentful.com/oauth/authorize with client_id,
//   redirect_uri, scope (content_management_read or
//   content_management_manage, space-separated); Contentful documents only
//   response_type=token (the implicit grant). Tokens do not expire on their
//   own (an app's tokens live until revoked), and no refresh token exists.
// The code flow modelled here (response_type=code, then POST
// https://be.contentful.com/oauth/token, form body grant_type, code,
// redirect_uri, client_id, client_secret) is the one third parties use
// (Nango's providers.yaml `contentful`); Contentful's docs do not describe
// it, so the stand-in accepts what an RFC 6749 server would: client
// credentials in the body or as Basic, no PKCE (a challenge is ignored). No
// revocation endpoint is documented for the code flow.
import { oauth2 } from './kit.mjs';

export const types = ['contentful'];

export function create(type) {
  return oauth2({
    type,
    docs: ['https://www.contentful.com/developers/docs/extensibility/oauth/'],
    scopes: ['content_management_read'],
    authorize: {
      url: 'https://be.contentful.com/oauth/authorize',
      pkce: 'none',
      scopesRequired: true,
      check: (url, refuse) => {
        const scopes = (url.searchParams.get('scope') ?? '').split(' ');
        if (!scopes.every((s) => ['content_management_read', 'content_management_manage'].includes(s))) refuse('unknown scope');
      },
    },
    token: {
      url: 'https://be.contentful.com/oauth/token',
      clientAuth: 'either',
      format: 'form',
    },
    lifetime: null,
    refresh: 'none',
    revoke: null,
    accessPrefix: 'CFPAT-',
  });
}
