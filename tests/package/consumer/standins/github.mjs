// GitHub OAuth Apps.
// https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
//   1. GET github.com/login/oauth/authorize with client_id (required),
//   redirect_uri, scope (space-separated), state, code_challenge and
//   code_challenge_method (S256; "strongly recommended", not required),
//   login, allow_signup, prompt; no response_type.
//   2. POST github.com/login/oauth/access_token with client_id,
//   client_secret, code (all required), redirect_uri, code_verifier. "By
//   default, the response takes the following form:
//   access_token=...&scope=repo%2Cgist&token_type=bearer"; with
//   `Accept: application/json` it is JSON {access_token, scope, token_type}.
//   The granted scope is comma-joined. OAuth App tokens do not expire and
//   come with no refresh token.
// https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
//   Errors answer HTTP 200 with {error, error_description, error_uri}:
//   incorrect_client_credentials, redirect_uri_mismatch,
//   bad_verification_code (a wrong or used code), unverified_user_email.
// https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-token
//   DELETE api.github.com/applications/{client_id}/token, "You must use
//   Basic Authentication when accessing this endpoint, using the client_id
//   and client_secret of the GitHub App as the username and password", JSON
//   body {access_token} (required); answers 204, 422 on a bad body.
// https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent
//   "All REST API requests must include a valid User-Agent header.
//   Requests with no User-Agent header will be rejected."
// The docs are silent on Basic at the token endpoint: GitHub takes it (Arctic
// sends it), so either is accepted here. PKCE:
// https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication
// GitHub App user tokens (expiring, refreshed with rotation; a bad refresh
// token answers HTTP 200 {error: "bad_refresh_token"}:
// https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens)
// are not this catalog entry (refresh_tokens "none"); see the engine's
// classify_error for that error.
import { Refusal, basicAuth, form, json, oauth2 } from './kit.mjs';

export const types = ['github'];

const ERRORS = {
  invalid_client: ['incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.'],
  invalid_grant: ['bad_verification_code', 'The code passed is incorrect or expired.'],
};

export function create(type) {
  const clientId = 'Iv1.8a61f9b3a7aba766';
  const clientSecret = '1b2c3d4e5f60718293a4b5c6d7e8f90123456789';
  let accept = '';
  const si = oauth2({
    type,
    docs: [
      'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps',
      'https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-token',
    ],
    clientId,
    clientSecret,
    scopes: ['repo', 'read:user'],
    authorize: {
      url: 'https://github.com/login/oauth/authorize',
      noResponseType: true,
      pkce: 'optional',
    },
    token: {
      url: 'https://github.com/login/oauth/access_token',
      clientAuth: 'either',
      format: 'either',
      redirectUri: 'optional',
      answer: (tokens, grant) => ({ access_token: tokens.access_token, scope: grant.scopes.join(','), token_type: 'bearer' }),
      error(code, kind, description) {
        const [error, text] = /redirect_uri/.test(description)
          ? ['redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.']
          : ERRORS[code] ?? [code, description];
        return {
          status: 200,
          body: { error, error_description: text, error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors' },
          problem: error !== 'bad_verification_code',
        };
      },
      // Form-encoded unless the request asked for JSON.
      respond: (status, body) => (/application\/json/.test(accept) ? json(status, body) : form(status, body)),
    },
    lifetime: null,
    refresh: 'none',
    revoke: {
      url: /^https:\/\/api\.github\.com\/applications\/[^/]+\/token$/,
      method: 'DELETE',
      scope: 'token',
      headers: { 'user-agent': /\S/ },
      async check(request, body) {
        const path = new URL(request.url).pathname.split('/');
        const credentials = basicAuth(request);
        if (!credentials || credentials.id !== clientId || credentials.secret !== clientSecret) {
          throw new Refusal(401, { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest' });
        }
        if (decodeURIComponent(path[2]) !== clientId) throw new Refusal(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
        if (body.type !== 'application/json' || typeof body.params?.access_token !== 'string') {
          throw new Refusal(422, { message: 'Invalid request.\n\n"access_token" wasn\'t supplied.', documentation_url: 'https://docs.github.com/rest' });
        }
        return body.params.access_token;
      },
      answer: (found) => (found ? new Response(null, { status: 204 }) : json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })),
    },
    accessPrefix: 'gho_',
  });
  // The answer's encoding follows the request's Accept header.
  const fetch = si.fetch;
  si.fetch = (request) => {
    accept = request.headers.get('accept') ?? '';
    return fetch(request);
  };
  return si;
}
