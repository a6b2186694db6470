// The Microsoft identity platform (v2.0 endpoints), shared by every
// Microsoft service in the catalog: one authorization server per tenant.
// https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
//   "Request an authorization code": GET
//   login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize with client_id,
//   response_type=code, redirect_uri, scope (space-separated; required),
//   response_mode (query), state; code_challenge and code_challenge_method
//   (S256 recommended; required only for single-page apps).
//   "Redeem a code for an access token": POST .../{tenant}/oauth2/v2.0/token,
//   application/x-www-form-urlencoded, client_id, scope (optional), code,
//   redirect_uri ("the same redirect_uri value that was used to acquire the
//   authorization_code"), grant_type, code_verifier ("the same
//   code_verifier that was used to obtain the authorization_code"),
//   client_secret (web apps; "can also be sent in the Authorization header"
//   as HTTP Basic, RFC 6749). The answer: token_type Bearer, scope,
//   expires_in, access_token, refresh_token (only with offline_access),
//   id_token (with openid).
//   "Refresh the access token": grant_type=refresh_token, refresh_token,
//   client_id, client_secret, scope (optional); the answer carries a new
//   refresh token.
//   Errors: HTTP 400 {error, error_description "AADSTS...", error_codes,
//   timestamp, trace_id, correlation_id}; an expired or revoked refresh
//   token is invalid_grant; a wrong secret is invalid_client (HTTP 401).
// https://learn.microsoft.com/entra/identity-platform/refresh-tokens
//   Refresh tokens "replace themselves with a fresh token upon every use";
//   the old one is not revoked server-side but must be discarded (this
//   stand-in refuses it, so a client that keeps the old one fails). Access tokens live 60-90 minutes (here 3599 s, as the docs'
//   samples answer); a refresh token dies when the user revokes consent.
// https://learn.microsoft.com/entra/identity-platform/v2-protocols#endpoints
//   {tenant}: common, organizations, consumers, a directory's GUID or domain.
// No token revocation endpoint is documented (sessions are revoked through
// Graph's revokeSignInSessions, not OAuth), so none here.
import { oauth2 } from './kit.mjs';

const SCOPES = {
  microsoft_teams: ['Team.ReadBasic.All', 'Channel.ReadBasic.All'],
  one_drive: ['Files.Read'],
  outlook: ['Mail.Read', 'Calendars.Read'],
  share_point: ['Sites.Read.All'],
};

export const types = Object.keys(SCOPES);

const TENANT = 'contoso.onmicrosoft.com';

export function create(type) {
  const base = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0`;
  return oauth2({
    type,
    docs: [
      'https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow',
      'https://learn.microsoft.com/entra/identity-platform/refresh-tokens',
    ],
    clientId: '6731de76-14a6-49ae-97bc-6eba6914391e',
    clientSecret: 'JqQX2PNo9bpM0uEihUPzyrh',
    scopes: SCOPES[type],
    connectionConfig: { tenant: TENANT },
    expectedConfig: { tenant: TENANT },
    authorize: {
      url: `${base}/authorize`,
      scopesRequired: true,
      params: { response_mode: /^(?:query|form_post)?$/ },
      check(url, refuse) {
        const scopes = (url.searchParams.get('scope') ?? '').split(' ');
        if (!scopes.includes('offline_access')) refuse('offline_access is needed for a refresh token');
      },
    },
    token: {
      url: `${base}/token`,
      clientAuth: 'either',
      format: 'form',
      answer(tokens, grant) {
        const granted = grant.scopes.filter((s) => !['offline_access', 'openid', 'profile', 'email'].includes(s));
        const { refresh_token, ...rest } = tokens;
        const offline = grant.scopes.includes('offline_access');
        return { ...rest, token_type: 'Bearer', scope: granted.join(' '), ext_expires_in: 3599, ...(offline ? { refresh_token } : {}) };
      },
      error: (code, kind, description) => ({
        status: code === 'invalid_client' ? 401 : 400,
        body: {
          error: code,
          error_description: code === 'invalid_grant' && kind === 'refresh'
            ? 'AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.'
            : `AADSTS900144: ${description}`,
          error_codes: [code === 'invalid_grant' ? 70008 : 900144],
          timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
          trace_id: '0000aaaa-11bb-cccc-dd22-eeeeee333333',
          correlation_id: 'aaaa0000-bb11-2222-33cc-444444dddddd',
        },
      }),
    },
    lifetime: 3599,
    refresh: 'rotated',
    revoke: null,
    accessPrefix: 'eyJ0eXAiOiJKV1Qi.',
    refreshPrefix: '0.AAAA',
  });
}
