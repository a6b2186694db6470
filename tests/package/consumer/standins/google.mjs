// Google's OAuth 2.0 for web server applications, shared by every Google
// service in the catalog (one authorization server, one token endpoint).
// https://developers.google.com/identity/protocols/oauth2/web-server
//   Step 1/2: authorization at accounts.google.com/o/oauth2/v2/auth with
//   client_id, redirect_uri, response_type=code and space-delimited scope
//   required; access_type=offline for a refresh token; PKCE S256 optional.
//   Step 5: POST oauth2.googleapis.com/token, form body client_id,
//   client_secret, code, code_verifier, grant_type, redirect_uri; the answer
//   has access_token, expires_in (3599), refresh_token, scope, token_type.
//   "Refreshing an access token": client_id, client_secret, grant_type,
//   refresh_token; the answer has no new refresh token (it is reused).
//   A revoked or expired refresh token answers 400 invalid_grant
//   ("Token has been expired or revoked.").
//   "Revoking a token": POST oauth2.googleapis.com/revoke, form `token`, no
//   client authentication; revoking either token revokes the grant.
// https://accounts.google.com/.well-known/openid-configuration: the token
// endpoint takes client_secret_post and client_secret_basic.
import { oauth2 } from './kit.mjs';

const SCOPES = {
  gmail: ['https://www.googleapis.com/auth/gmail.readonly'],
  googleads: ['https://www.googleapis.com/auth/adwords'],
  google_analytics: ['https://www.googleapis.com/auth/analytics.readonly'],
  googlebigquery: ['https://www.googleapis.com/auth/bigquery.readonly'],
  googlecalendar: ['https://www.googleapis.com/auth/calendar.readonly', 'https://www.googleapis.com/auth/calendar.events'],
  google_classroom: ['https://www.googleapis.com/auth/classroom.courses.readonly'],
  googledocs: ['https://www.googleapis.com/auth/documents'],
  googledrive: ['https://www.googleapis.com/auth/drive.file'],
  googlemeet: ['https://www.googleapis.com/auth/meetings.space.created'],
  google_search_console: ['https://www.googleapis.com/auth/webmasters.readonly'],
  googlesheets: ['https://www.googleapis.com/auth/spreadsheets'],
  googleslides: ['https://www.googleapis.com/auth/presentations'],
  googletasks: ['https://www.googleapis.com/auth/tasks'],
};

export const types = Object.keys(SCOPES);

export function create(type) {
  return oauth2({
    type,
    docs: ['https://developers.google.com/identity/protocols/oauth2/web-server'],
    scopes: SCOPES[type],
    authorize: {
      url: 'https://accounts.google.com/o/oauth2/v2/auth',
      params: { access_type: 'offline' },
      scopesRequired: true,
    },
    token: {
      url: 'https://oauth2.googleapis.com/token',
      clientAuth: 'either',
      format: 'form',
      answer: (tokens) => ({ ...tokens, expires_in: 3599 }),
      error: (code, kind, description) => ({
        status: code === 'invalid_client' ? 401 : 400,
        body: { error: code, error_description: code === 'invalid_grant' && kind === 'refresh' ? 'Token has been expired or revoked.' : description },
      }),
    },
    lifetime: 3599,
    refresh: 'reused',
    revoke: { url: 'https://oauth2.googleapis.com/revoke', clientAuth: 'none', scope: 'grant' },
    accessPrefix: 'ya29.a0',
    refreshPrefix: '1//0g',
  });
}
