// Wrike's OAuth 2.0.
// https://developers.wrike.com/oauth-20-authorization/
//   Authorization at login.wrike.com/oauth2/authorize/v4 with client_id,
//   response_type=code, and optional redirect_uri, state and scope
//   (comma-separated, e.g. `wsReadOnly,dataExportFull`); no scope gives the
//   default access. The code lives 10 minutes. POST
//   login.wrike.com/oauth2/token, form client_id, client_secret,
//   grant_type=authorization_code, code; the answer has access_token,
//   refresh_token, token_type "bearer", expires_in (3600) and `host`, the
//   account's data-center host the API lives on (https://{host}/api/v4).
//   A refresh: grant_type=refresh_token, refresh_token (scope optional).
// Not documented: PKCE (ignored here), redirect_uri at the token endpoint
// (checked when sent), whether refreshes must go to the returned host
// (taken at login.wrike.com here), the error bodies (RFC 6749 shapes here),
// rotation (third parties report each refresh returns a new refresh token
// and the old one dies, as here) and a revocation endpoint (none).
import { oauth2 } from './kit.mjs';

export const types = ['wrike'];

export function create(type) {
  return oauth2({
    type,
    docs: ['https://developers.wrike.com/oauth-20-authorization/'],
    scopes: ['wsReadOnly', 'amReadOnlyUser'],
    expectedConfig: { host: 'app-eu.wrike.com' },
    authorize: {
      url: 'https://login.wrike.com/oauth2/authorize/v4',
      separator: ',',
      pkce: 'none',
    },
    token: {
      url: 'https://login.wrike.com/oauth2/token',
      clientAuth: 'body',
      format: 'form',
      redirectUri: 'optional',
      answer: (tokens) => ({ ...tokens, token_type: 'bearer', host: 'app-eu.wrike.com' }),
    },
    lifetime: 3600,
    refresh: 'rotated',
    accessPrefix: 'eyJ0dCI6InAi',
    refreshPrefix: 'eyJ0dCI6InAi',
  });
}
