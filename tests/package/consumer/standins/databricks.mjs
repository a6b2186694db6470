// Databricks user-to-machine (U2M) OAuth, at the workspace's own host.
// https://databrickslabs.github.io/partner-architecture/isv-partners/lakehouse-patterns/access-auth/oauth-u2m
// https://databrickslabs.github.io/partner-architecture/isv-partners/lakehouse-patterns/access-auth/oauth-reference
//   Authorization: https://{workspace-host}/oidc/v1/authorize with
//   client_id, redirect_uri, response_type=code, state, scope
//   (space-separated: `all-apis offline_access`, or `sql offline_access`)
//   and PKCE S256, which the partner guide says always to use for U2M.
//   Token: POST https://{workspace-host}/oidc/v1/token, form body; a
//   refresh token only with `offline_access`.
// https://learn.microsoft.com/azure/databricks/dev-tools/auth/oauth-u2m:
//   access tokens last one hour.
// Not documented, so accepted as a real server likely would: client
// credentials of a confidential app connection as Basic or in the body;
// errors in RFC 6749 §5.2 shape; a refresh token that is rotated (single-use
// refresh tokens are an app-connection option; this stand-in rotates, the
// stricter case). No revocation endpoint is documented.
import { oauth2 } from './kit.mjs';

export const types = ['databricks'];

const HOST = 'dbc-a1b2c3d4-e5f6.cloud.databricks.com';

export function create(type) {
  return oauth2({
    type,
    docs: [
      'https://databrickslabs.github.io/partner-architecture/isv-partners/lakehouse-patterns/access-auth/oauth-u2m',
      'https://databrickslabs.github.io/partner-architecture/isv-partners/lakehouse-patterns/access-auth/oauth-reference',
      'https://learn.microsoft.com/azure/databricks/dev-tools/auth/oauth-u2m',
    ],
    scopes: ['all-apis'],
    connectionConfig: { workspace_host: HOST },
    authorize: {
      url: `https://${HOST}/oidc/v1/authorize`,
      pkce: 'required',
      scopesRequired: true,
    },
    token: {
      url: `https://${HOST}/oidc/v1/token`,
      clientAuth: 'either',
      format: 'form',
      answer: (tokens, grant) => {
        if (grant.scopes.includes('offline_access')) return tokens;
        const { refresh_token: _dropped, ...rest } = tokens;
        return rest;
      },
    },
    lifetime: 3600,
    refresh: 'rotated',
    revoke: null,
    accessPrefix: 'eyJraWQiOi',
    refreshPrefix: 'doau',
  });
}
