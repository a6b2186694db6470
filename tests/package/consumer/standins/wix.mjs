// Wix apps' legacy "custom authentication" (closed to new apps; existing
// apps keep it).
// https://dev.wix.com/docs/build-apps/develop-your-app/access/authentication/custom-authentication-legacy
//   The installer at www.wix.com/installer/install takes appId, redirectUrl
//   and state (and the `token` Wix put on the app URL, which this flow has
//   no way to pass: not checked here); after consent Wix redirects to
//   redirectUrl with code, state and instanceId. Permissions are set on the
//   app: no scope parameter, no PKCE.
// https://dev.wix.com/docs/rest/app-management/oauth-2/request-an-access-token
//   POST www.wixapis.com/oauth/access, a JSON body {grant_type:
//   "authorization_code", client_id, client_secret, code}, within 10 minutes
//   of the install; the answer has access_token and refresh_token.
// https://dev.wix.com/docs/rest/app-management/oauth-2/refresh-an-access-token
//   The same endpoint with {grant_type: "refresh_token", client_id,
//   client_secret, refresh_token}; the answer again has both tokens.
// Not in the pages read: the access token's lifetime (5 minutes by third
// parties' accounts, and no expires_in in the answer, as here), whether the
// refresh token rotates (the same one comes back here), the error bodies
// (RFC 6749 shapes here), and whether a redirect_uri in the token body is
// refused (accepted here, as JSON servers ignore unknown fields).
import { oauth2 } from './kit.mjs';

export const types = ['wix'];

export function create(type) {
  return oauth2({
    type,
    docs: [
      'https://dev.wix.com/docs/build-apps/develop-your-app/access/authentication/custom-authentication-legacy',
      'https://dev.wix.com/docs/rest/app-management/oauth-2/request-an-access-token',
      'https://dev.wix.com/docs/rest/app-management/oauth-2/refresh-an-access-token',
    ],
    clientId: '5b1c0f3e-standin-wix-app-id',
    authorize: {
      url: 'https://www.wix.com/installer/install',
      clientIdParam: 'appId',
      redirectParam: 'redirectUrl',
      scopeParam: null,
      pkce: 'none',
      noResponseType: true,
      extras: () => ({ instanceId: 'c2a1e8d4-standin-instance' }),
      check(url, refuse) {
        for (const name of ['client_id', 'redirect_uri']) if (url.searchParams.has(name)) refuse(`${name} is not an installer parameter`);
      },
    },
    token: {
      url: 'https://www.wixapis.com/oauth/access',
      clientAuth: 'body',
      format: 'json',
      redirectUri: 'optional',
      answer: (tokens, grant) => ({ access_token: tokens.access_token, refresh_token: grant.refresh }),
    },
    lifetime: 300,
    announces: false,
    refresh: 'reused',
    accessPrefix: 'OauthNG.JWS.',
    refreshPrefix: 'OauthNG.JWS.',
  });
}
