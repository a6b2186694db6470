// Snowflake OAuth for custom clients, at the customer account's own host.
// https://docs.snowflake.com/en/user-guide/oauth-custom
//   Authorization: GET https://{account}.snowflakecomputing.com/oauth/authorize
//   with client_id, response_type=code, redirect_uri (required, as
//   registered on the security integration), optional state, scope
//   (space-separated: `refresh_token`, `session:role:{ROLE}`) and PKCE
//   (code_challenge with code_challenge_method=S256, optional).
//   Token: POST https://{account}.snowflakecomputing.com/oauth/token-request,
//   `Content-type: application/x-www-form-urlencoded`, the client id and
//   secret as `Authorization: Basic`; code exchange: grant_type, code,
//   redirect_uri (and code_verifier); refresh: grant_type=refresh_token,
//   refresh_token and redirect_uri. The answer: access_token, token_type
//   Bearer, expires_in 600, refresh_token, refresh_token_expires_in,
//   username, scope.
//   A bad refresh token: HTTP 400 with { "data": null, "message": "…",
//   "code": null, "success": false, "error": "invalid_grant" }.
// https://docs.snowflake.com/en/user-guide/oauth-snowflake-overview: a
// refresh token lives OAUTH_REFRESH_TOKEN_VALIDITY and keeps working
// (single-use refresh tokens are an option of the integration).
// Not documented here: a revocation endpoint for custom clients (none is
// served); whether a refresh token needs the `refresh_token` scope (the
// stand-in issues one either way, as OAUTH_ISSUE_REFRESH_TOKENS=TRUE does).
import { oauth2 } from './kit.mjs';

export const types = ['snowflake'];

const ACCOUNT = 'myorg-myaccount';

export function create(type) {
  return oauth2({
    type,
    docs: ['https://docs.snowflake.com/en/user-guide/oauth-custom', 'https://docs.snowflake.com/en/user-guide/oauth-snowflake-overview'],
    scopes: ['refresh_token'],
    connectionConfig: { account: ACCOUNT },
    authorize: {
      url: `https://${ACCOUNT}.snowflakecomputing.com/oauth/authorize`,
      pkce: 'optional',
    },
    token: {
      url: `https://${ACCOUNT}.snowflakecomputing.com/oauth/token-request`,
      clientAuth: 'basic',
      format: 'form',
      redirectUri: 'required',
      refreshRedirectUri: 'required',
      answer: (tokens, grant, kind) => ({
        ...tokens,
        ...(tokens.refresh_token ? { refresh_token_expires_in: 7776000 } : {}),
        username: 'JSMITH',
      }),
      error: (code, kind, description) => ({
        status: code === 'invalid_client' ? 401 : 400,
        body: { data: null, message: code === 'invalid_grant' ? 'The provided grant or refresh token is invalid.' : description, code: null, success: false, error: code },
      }),
    },
    lifetime: 600,
    refresh: 'reused',
    revoke: null,
    accessPrefix: 'ver:1-hint:',
    refreshPrefix: 'ver:2-hint:',
  });
}
