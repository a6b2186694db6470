// Intuit's OAuth 2.0 for QuickBooks Online.
// https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
//   GET appcenter.intuit.com/connect/oauth2 with client_id, scope
//   (space-separated, e.g. com.intuit.quickbooks.accounting),
//   redirect_uri, response_type=code and state (required). The redirect back
//   carries code, state and realmId (the company ID, in no token answer).
//   POST oauth.platform.intuit.com/oauth2/v1/tokens/bearer with
//   Accept: application/json, Authorization: Basic
//   base64(client_id:client_secret), Content-Type
//   application/x-www-form-urlencoded; grant_type, code, redirect_uri (a
//   refresh: grant_type=refresh_token, refresh_token). The answer:
//   token_type "bearer", expires_in 3600, refresh_token,
//   x_refresh_token_expires_in, access_token; no scope. The refresh token
//   "can change" on a refresh: keep the latest (the stand-in rotates).
//   A bad or revoked refresh token: 400 {"error":"invalid_grant"}.
//   PKCE is not documented (a challenge is ignored).
// https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/faq
//   Revocation: POST developer.api.intuit.com/v2/oauth2/tokens/revoke,
//   Basic, Accept: application/json, body {"token": ...} (an access or
//   refresh token; the connection ends); 200. Intuit's own SDK
//   (intuit/oauth-pythonclient, intuitlib/client.py) sends it as JSON;
//   whether a form body is refused is not known, so the stand-in takes both.
import { oauth2, Refusal, basicAuth } from './kit.mjs';

export const types = ['quickbooks'];

const REALM = '9341452398213456';

export function create(type) {
  return oauth2({
    type,
    docs: [
      'https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0',
      'https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/faq',
    ],
    scopes: ['com.intuit.quickbooks.accounting'],
    expectedConfig: { realmId: REALM },
    authorize: {
      url: 'https://appcenter.intuit.com/connect/oauth2',
      pkce: 'none',
      scopesRequired: true,
      extras: () => ({ realmId: REALM }),
      check: (u, refuse) => {
        if (!u.searchParams.get('state')) refuse('state is required');
      },
    },
    token: {
      url: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
      clientAuth: 'basic',
      format: 'form',
      headers: { accept: /^application\/json/ },
      answer: ({ access_token, refresh_token, expires_in }, grant) => ({
        token_type: 'bearer',
        expires_in,
        refresh_token: refresh_token ?? grant.refresh,
        x_refresh_token_expires_in: 8726400,
        access_token,
      }),
      error: (code, kind, description) => ({
        status: code === 'invalid_client' ? 401 : 400,
        body: code === 'invalid_grant' ? { error: 'invalid_grant' } : { error: code, error_description: description },
      }),
    },
    lifetime: 3600,
    refresh: 'rotated',
    revoke: {
      url: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
      headers: { accept: /^application\/json/ },
      check(request, body, { clientId, clientSecret }) {
        const basic = basicAuth(request);
        if (!basic || basic.id !== clientId || basic.secret !== clientSecret) {
          throw new Refusal(401, { error: 'invalid_client' });
        }
        if (!body.params || !['application/json', 'application/x-www-form-urlencoded'].includes(body.type)) {
          throw new Refusal(400, { error: 'invalid_request', error_description: 'the body is {"token": ...}' });
        }
        if (!body.params.token) throw new Refusal(400, { error: 'invalid_request', error_description: 'token is required' });
        return body.params.token;
      },
      scope: 'grant',
    },
    accessPrefix: 'eyJlbmMiOiJBMTI4Q0JDLUhTMjU2',
    refreshPrefix: 'AB11',
  });
}
