// LinkedIn's 3-legged OAuth (Authorization Code Flow).
// https://learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow
//   GET www.linkedin.com/oauth/v2/authorization with response_type=code,
//   client_id, redirect_uri, state, scope (space-delimited, URL-encoded),
//   all but state required. POST www.linkedin.com/oauth/v2/accessToken,
//   Content-Type application/x-www-form-urlencoded, grant_type, code,
//   client_id, client_secret, redirect_uri (the same as in the
//   authorization request) all required in the body. The answer
//   {access_token, expires_in (60 days: 5184000), scope}, and for approved
//   partners refresh_token and refresh_token_expires_in.
//   Errors are JSON {error, error_description} with HTTP 400 (a code that
//   is expired or used, a redirect_uri that does not match) or 401.
// https://learn.microsoft.com/linkedin/shared/authentication/programmatic-refresh-tokens
//   Refresh tokens are only for approved Marketing Developer Platform
//   partners: this stand-in is a standard app, with no refresh token.
// https://learn.microsoft.com/linkedin/shared/authentication/token-introspection
//   Granted scopes are comma-joined ("r_liteprofile,r_emailaddress,w_member_social");
//   the OpenID Connect sign-in's token answer joins them so too
//   (https://learn.microsoft.com/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2).
// PKCE is a separate native-app flow LinkedIn must enable: a web app's
// challenge is ignored here. No revocation endpoint is documented.
import { oauth2 } from './kit.mjs';

export const types = ['linkedin'];

export function create(type) {
  return oauth2({
    type,
    docs: [
      'https://learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow',
      'https://learn.microsoft.com/linkedin/shared/authentication/programmatic-refresh-tokens',
    ],
    clientId: '77abcdef012345',
    clientSecret: 'WPL_AP1.abcdefghij012345.ZYXW==',
    scopes: ['openid', 'profile', 'w_member_social'],
    authorize: { url: 'https://www.linkedin.com/oauth/v2/authorization', scopesRequired: true, pkce: 'none' },
    token: {
      url: 'https://www.linkedin.com/oauth/v2/accessToken',
      clientAuth: 'body',
      format: 'form',
      answer: (tokens, grant) => ({ access_token: tokens.access_token, expires_in: tokens.expires_in, scope: grant.scopes.join(','), token_type: 'Bearer' }),
    },
    lifetime: 5184000,
    refresh: 'none',
    revoke: null,
    accessPrefix: 'AQV',
  });
}
