// Slack's OAuth v2 for both catalog types: `slack` (a user token, asked
// with `user_scope`) and `slackbot` (a bot token, asked with `scope`). One
// app, one authorization server, the same token method for both.
// https://docs.slack.dev/authentication/installing-with-oauth
//   Authorization at slack.com/oauth/v2/authorize with client_id, `scope`
//   (bot scopes) and/or `user_scope` (user scopes), comma-separated, and
//   redirect_uri and state; no response_type (Slack ignores one).
// https://docs.slack.dev/reference/methods/oauth.v2.access
//   POST slack.com/api/oauth.v2.access, application/x-www-form-urlencoded or
//   application/json; client_id and client_secret "if possible" as HTTP
//   Basic, else as parameters; code, grant_type, redirect_uri ("must match
//   the originally submitted URI (if one was sent)"), refresh_token,
//   code_verifier (PKCE, an opt-in app setting: the catalog does not use it,
//   so this stand-in ignores a challenge as a non-PKCE app does).
//   The answer: ok, app_id, team {id, name}, enterprise, is_enterprise_install,
//   authed_user {id, ...}; the bot token (xoxb-) at the top level with
//   token_type "bot", scope and bot_user_id; the user token (xoxp-) under
//   authed_user with its scope and token_type "user" (no top-level token
//   when only user scopes were asked for).
//   Errors are HTTP 200 with {ok: false, error}: invalid_code,
//   bad_redirect_uri, invalid_client_id, bad_client_secret,
//   invalid_grant_type, invalid_refresh_token.
// https://docs.slack.dev/authentication/using-token-rotation
//   With token rotation on, access tokens expire every 12 hours: the answer
//   adds expires_in (43200) and a refresh_token (xoxe-1-...); a refresh
//   (grant_type=refresh_token) answers a new access token and a new refresh
//   token, and "the refresh token is then revoked".
//   The refresh answer is at the TOP level for a user token too, with
//   token_type "user" (Slack's SDK, slackapi/node-slack-sdk
//   packages/oauth/src/install-provider.ts, reads a user token's refresh
//   from refreshResp.access_token; its type OAuthV2TokenRefreshResponse:
//   https://docs.slack.dev/tools/node-slack-sdk/reference/oauth/interfaces/OAuthV2TokenRefreshResponse).
// https://docs.slack.dev/reference/methods/auth.revoke
//   "Revokes a token": the token as an HTTP Authorization header or as a
//   POST parameter `token`; answers {ok: true, revoked: true}, errors HTTP
//   200 {ok: false, error: invalid_auth | not_authed | token_revoked ...}.
//   It takes an access token (a refresh token authenticates nothing). Whether
//   revoking a rotated access token also kills its refresh token is not
//   said; this stand-in revokes the grant (the token's authorization).
import { Refusal, bearer, json, oauth2 } from './kit.mjs';

export const types = ['slack', 'slackbot'];

const TEAM = { id: 'T0123ABCD', name: 'Stand-in Workspace' };
const USER = 'U0123USER';
const BOT_USER = 'U0456BOT';

const slackError = (code, kind, description) => {
  let error = 'invalid_arguments';
  if (code === 'invalid_client') error = /secret/.test(description) ? 'bad_client_secret' : 'invalid_client_id';
  else if (code === 'invalid_grant') error = /redirect_uri/.test(description) ? 'bad_redirect_uri' : kind === 'refresh' ? 'invalid_refresh_token' : 'invalid_code';
  else if (code === 'unsupported_grant_type') error = 'invalid_grant_type';
  return { status: 200, body: { ok: false, error }, problem: code !== 'invalid_grant' || /redirect_uri/.test(description) };
};

export function create(type) {
  const user = type === 'slack';
  // Rotating apps' access tokens are xoxe.xoxp- / xoxe.xoxb- (the SDK's
  // token-rotation tests); refresh tokens xoxe-1-.
  const prefix = user ? 'xoxe.xoxp-1-' : 'xoxe.xoxb-1-';
  return oauth2({
    type,
    docs: [
      'https://docs.slack.dev/authentication/installing-with-oauth',
      'https://docs.slack.dev/reference/methods/oauth.v2.access',
      'https://docs.slack.dev/authentication/using-token-rotation',
      'https://docs.slack.dev/reference/methods/auth.revoke',
    ],
    clientId: '2141029472.691202649728',
    clientSecret: 'e1b9e11dfcd19c1982d5de12921e17e8c',
    scopes: user ? ['channels:history', 'search:read'] : ['channels:read', 'chat:write'],
    expectedConfig: user ? { team_id: TEAM.id, user_id: USER } : { team_id: TEAM.id, bot_user_id: BOT_USER },
    authorize: {
      url: 'https://slack.com/oauth/v2/authorize',
      scopeParam: user ? 'user_scope' : 'scope',
      separator: ',',
      scopesRequired: true,
      noResponseType: true,
      pkce: 'none',
      check(url, refuse) {
        // The other kind of scopes would install a token the connector did not ask for.
        if (url.searchParams.has(user ? 'scope' : 'user_scope')) refuse(`${user ? 'scope' : 'user_scope'} asks for the other token type`);
      },
    },
    token: {
      url: 'https://slack.com/api/oauth.v2.access',
      clientAuth: 'either',
      format: 'either',
      // "if one was sent": the authorization request always carries it here.
      redirectUri: 'required',
      error: slackError,
      answer(tokens, grant, kind) {
        const issued = {
          access_token: tokens.access_token,
          token_type: user ? 'user' : 'bot',
          scope: grant.scopes.join(','),
          expires_in: tokens.expires_in,
          refresh_token: tokens.refresh_token,
        };
        const common = { ok: true, app_id: 'A0KRD7HC3', team: TEAM, enterprise: null, is_enterprise_install: false };
        if (kind === 'refresh') {
          // A refresh answers the token at the top level, bot or user.
          return { ...common, ...issued, ...(user ? { user_id: USER } : { bot_user_id: BOT_USER }) };
        }
        return user
          ? { ...common, authed_user: { id: USER, ...issued } }
          : { ...common, ...issued, bot_user_id: BOT_USER, authed_user: { id: USER } };
      },
    },
    lifetime: 43200,
    refresh: 'rotated',
    revoke: {
      url: 'https://slack.com/api/auth.revoke',
      method: 'POST',
      scope: 'grant',
      async check(request, body) {
        const token = bearer(request) ?? body.params?.token;
        if (!token) throw new Refusal(200, { ok: false, error: 'not_authed' });
        if (token.startsWith('xoxe-')) throw new Refusal(200, { ok: false, error: 'invalid_auth' });
        if (!token.startsWith(prefix)) throw new Refusal(200, { ok: false, error: 'invalid_auth' });
        return token;
      },
      answer: (found) => (found ? json(200, { ok: true, revoked: true }) : json(200, { ok: false, error: 'invalid_auth' })),
    },
    accessPrefix: prefix,
    refreshPrefix: 'xoxe-1-',
  });
}
