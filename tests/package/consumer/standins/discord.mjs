// Discord OAuth2.
// https://discord.com/developers/docs/topics/oauth2
//   "Authorization Code Grant": discord.com/oauth2/authorize with
//   response_type=code, client_id, scope (space-separated, "%20"), state,
//   redirect_uri, prompt. The token URL https://discord.com/api/oauth2/token
//   takes grant_type, code, redirect_uri, with the client's id and secret as
//   HTTP Basic (the docs' example: `auth=(CLIENT_ID, CLIENT_SECRET)`) or in
//   the body; "the token and token revocation URLs will only accept a
//   content type of application/x-www-form-urlencoded. JSON content is not
//   permitted and will return an error". The answer {access_token,
//   token_type "Bearer", expires_in 604800, refresh_token, scope}; a refresh
//   (grant_type=refresh_token, refresh_token) answers a new pair.
//   Revocation: POST https://discord.com/api/oauth2/token/revoke with
//   `token` and an optional token_type_hint, client authenticated the same
//   way; it "will invalidate the access token and refresh token" of the
//   authorization, whichever is passed.
// PKCE is not in Discord's docs: this stand-in ignores a challenge.
// Errors are RFC 6749 §5.2 (400 {error: "invalid_grant", error_description:
// 'Invalid "refresh_token" in request.'}, 401 invalid_client).
import { oauth2 } from './kit.mjs';

export const types = ['discord'];

export function create(type) {
  return oauth2({
    type,
    docs: ['https://discord.com/developers/docs/topics/oauth2'],
    clientId: '157730590492196864',
    clientSecret: 'dQw4w9WgXcQ-discord-secret-0123',
    scopes: ['identify', 'guilds'],
    authorize: { url: 'https://discord.com/oauth2/authorize', scopesRequired: true, pkce: 'none' },
    token: {
      url: 'https://discord.com/api/oauth2/token',
      clientAuth: 'either',
      format: 'form',
      error: (code, kind, description) => ({
        status: code === 'invalid_client' ? 401 : 400,
        body: { error: code, error_description: code === 'invalid_grant' ? `Invalid "${kind === 'refresh' ? 'refresh_token' : 'code'}" in request.` : description },
      }),
    },
    lifetime: 604800,
    refresh: 'rotated',
    revoke: { url: 'https://discord.com/api/oauth2/token/revoke', clientAuth: 'either', format: 'form', scope: 'grant' },
    accessPrefix: 'MTU3NzMw.',
    refreshPrefix: 'D43f5y0ahjqew82jZ4NViEr2YafMKhue',
  });
}
