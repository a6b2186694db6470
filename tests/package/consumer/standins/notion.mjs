// Notion's OAuth for public connections.
// https://developers.notion.com/guides/get-started/authorization
//   GET api.notion.com/v1/oauth/authorize with client_id, response_type=code,
//   owner=user (required), redirect_uri, state. No scopes: capabilities are
//   set on the connection and the user picks pages. PKCE is not documented
//   (a challenge is ignored).
// https://developers.notion.com/reference/create-a-token
//   POST api.notion.com/v1/oauth/token, HTTP Basic client_id:client_secret,
//   a JSON body: grant_type, code, redirect_uri (required when the
//   authorization URL carried one). The answer: access_token, token_type,
//   refresh_token, bot_id, workspace_icon, workspace_name, workspace_id,
//   owner, duplicated_template_id, request_id; no expires_in and no scope.
// https://developers.notion.com/reference/refresh-a-token
//   The same endpoint with grant_type=refresh_token and refresh_token
//   "generat[es] a new access token and new refresh token" (rotation).
// https://developers.notion.com/reference/versioning
//   "The Notion-Version header must be included in all REST API requests"
//   (a request without it: 400 missing_version); the token endpoint is
//   taken to be one of them (Notion's own SDK sends it there too).
// https://developers.notion.com/reference/revoke-token
//   POST api.notion.com/v1/oauth/revoke, HTTP Basic, a JSON body {"token"},
//   Notion-Version; 200 {}. The connection ends: every token of it dies.
//   Errors of the token endpoint are RFC 6749 §5.2 bodies (invalid_grant for
//   a revoked refresh token).
// Access tokens: the answer gives no lifetime and none is documented, so
// they do not lapse here; the server then never needs to refresh (the flow
// test's `refresh: 'none'`), though Notion issues refresh tokens and the
// stand-in answers refreshes with rotation.
import { oauth2, Refusal, basicAuth } from './kit.mjs';
import { randomUUID } from 'node:crypto';

export const types = ['notion'];

const WORKSPACE = '3c90c3cc-0d44-4b50-8888-8dd25736052a';
const BOT = '9b1f2a57-3f3d-4a43-9a4b-0c0f4ae1c8a2';
const VERSION = /^\d{4}-\d{2}-\d{2}$/;

export function create(type) {
  const standIn = oauth2({
    type,
    docs: [
      'https://developers.notion.com/guides/get-started/authorization',
      'https://developers.notion.com/reference/create-a-token',
      'https://developers.notion.com/reference/refresh-a-token',
      'https://developers.notion.com/reference/versioning',
      'https://developers.notion.com/reference/revoke-token',
    ],
    expectedConfig: { workspace_id: WORKSPACE, workspace_name: 'Acme HQ', bot_id: BOT },
    authorize: {
      url: 'https://api.notion.com/v1/oauth/authorize',
      params: { owner: 'user' },
      scopeParam: null,
      pkce: 'none',
    },
    token: {
      url: 'https://api.notion.com/v1/oauth/token',
      clientAuth: 'basic',
      format: 'json',
      headers: { 'notion-version': VERSION },
      answer: ({ access_token, refresh_token }, grant) => ({
        access_token,
        token_type: 'bearer',
        refresh_token: refresh_token ?? grant.refresh,
        bot_id: BOT,
        workspace_icon: null,
        workspace_name: 'Acme HQ',
        workspace_id: WORKSPACE,
        owner: { type: 'user', user: { object: 'user', id: randomUUID() } },
        duplicated_template_id: null,
        request_id: randomUUID(),
      }),
    },
    lifetime: null,
    refresh: 'rotated',
    revoke: {
      url: 'https://api.notion.com/v1/oauth/revoke',
      headers: { 'notion-version': VERSION },
      check(request, body, { clientId, clientSecret }) {
        const basic = basicAuth(request);
        if (!basic || basic.id !== clientId || basic.secret !== clientSecret) {
          throw new Refusal(401, { object: 'error', status: 401, code: 'unauthorized', message: 'API token is invalid.' });
        }
        if (body.type !== 'application/json' || !body.params?.token) {
          throw new Refusal(400, { object: 'error', status: 400, code: 'validation_error', message: 'body.token should be defined, instead was `undefined`.' });
        }
        return body.params.token;
      },
      answer: () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }),
      scope: 'grant',
    },
    accessPrefix: 'ntn_',
    refreshPrefix: 'nrt_',
  });
  return { ...standIn, refresh: 'none' };
}
