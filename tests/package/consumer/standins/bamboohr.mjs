// BambooHR's OAuth 2.0, on each company's own host.
// https://documentation.bamboohr.com/docs/getting-started ("OAuth flow")
//   Authorization: GET https://{companyDomain}.bamboohr.com/authorize.php
//   with request=authorize (required), response_type=code, client_id,
//   redirect_uri (must match the one registered), scope (joined with `+`,
//   a form-encoded space) and state. A refresh token comes only with the
//   `offline_access` scope.
//   Token: POST https://{companyDomain}.bamboohr.com/token.php?request=token
//   with a JSON body: client_id, client_secret, code,
//   grant_type=authorization_code, redirect_uri. The answer: access_token,
//   expires_in 3600, token_type Bearer, scope (space-separated),
//   refresh_token, id_token and companyDomain.
// The official PHP SDK (https://packagist.org/packages/bamboohr/api),
// src/Authentication/OAuthAuthentication.php: the refresh is the same JSON
// POST with grant_type=refresh_token, refresh_token, client_id and
// client_secret (no redirect_uri); the token URL and authorize URL as above.
// Not documented, so accepted as a real server likely would: a rotated or
// reused refresh token (this stand-in rotates, the stricter case), PKCE
// (ignored), the error body of a dead refresh token (RFC 6749 §5.2 here),
// revocation (none: the stand-in has no endpoint for it).
import { oauth2 } from './kit.mjs';

export const types = ['bamboohr'];

const DOMAIN = 'acme';

export function create(type) {
  return oauth2({
    type,
    docs: [
      'https://documentation.bamboohr.com/docs/getting-started',
      'https://packagist.org/packages/bamboohr/api',
    ],
    scopes: ['employee.read', 'employee_directory.read'],
    connectionConfig: { companyDomain: DOMAIN },
    expectedConfig: { companyDomain: DOMAIN },
    authorize: {
      url: `https://${DOMAIN}.bamboohr.com/authorize.php?request=authorize`,
      pkce: 'none',
      scopesRequired: true,
    },
    token: {
      url: `https://${DOMAIN}.bamboohr.com/token.php?request=token`,
      clientAuth: 'body',
      format: 'json',
      redirectUri: 'required',
      answer: (tokens, grant, kind) => {
        const offline = grant.scopes.includes('offline_access');
        const { refresh_token: refreshToken, ...rest } = tokens;
        return {
          ...rest,
          ...(offline && refreshToken ? { refresh_token: refreshToken } : {}),
          id_token: `${grant.code}.id`,
          companyDomain: DOMAIN,
        };
      },
    },
    lifetime: 3600,
    refresh: 'rotated',
    revoke: null,
    accessPrefix: '',
    refreshPrefix: '',
  });
}
