// Typeform's OAuth 2.0, on both of its authorization servers: api.typeform.com
// (accounts on typeform.com, whatever their responses data center) and
// api.typeform.eu (accounts on typeform.eu, registered there separately).
// https://www.typeform.com/developers/get-started/applications/
//   urlAuthorize https://api.typeform.com/oauth/authorize (client_id,
//   redirect_uri, scope, state); urlAccessToken
//   https://api.typeform.com/oauth/token, a form POST with grant_type, code,
//   client_id, client_secret, redirect_uri; the answer has access_token,
//   token_type, expires_in and, with `offline`, refresh_token. A refresh:
//   grant_type=refresh_token, refresh_token, client_id, client_secret.
// https://www.typeform.com/developers/get-started/scopes/
//   Scopes space-separated (`+` in the URL); "Always add the offline scope to
//   receive a refresh token."
// https://www.typeform.com/developers/get-started/responses-data-center/
//   EU-data-center accounts on typeform.com call the API at
//   api.eu.typeform.com; sign-in stays at api.typeform.com.
// Not documented: the lifetime (7 days by default, per Typeform's
// js-api-client issue 53), whether a refresh rotates the refresh token (a
// new one is returned here, which the engine stores either way), PKCE (the
// stand-in ignores a challenge), the error bodies (RFC 6749 shapes here) and
// a revocation endpoint (none).
import { oauth2 } from './kit.mjs';

const HOSTS = ['api.typeform.com', 'api.typeform.eu'];

export const types = ['typeform'];

function server(type, host) {
  return oauth2({
    type,
    docs: [
      'https://www.typeform.com/developers/get-started/applications/',
      'https://www.typeform.com/developers/get-started/scopes/',
      'https://www.typeform.com/developers/get-started/responses-data-center/',
    ],
    clientId: `typeform-${host}-client-id`,
    scopes: ['forms:read', 'responses:read'],
    authorize: {
      url: `https://${host}/oauth/authorize`,
      pkce: 'none',
      noResponseType: true,
      scopesRequired: true,
      check(url, refuse) {
        if (!(url.searchParams.get('scope') ?? '').split(' ').includes('offline')) refuse('without `offline` there is no refresh token');
      },
    },
    token: { url: `https://${host}/oauth/token`, clientAuth: 'body', format: 'form' },
    lifetime: 7 * 24 * 3600,
    refresh: 'rotated',
    accessPrefix: '',
    refreshPrefix: '',
  });
}

/**
 * One stand-in answering on both sign-in hosts, each with its own client
 * (OAuth clients are per region); `host` picks the one the connection uses.
 */
export function create(type, host = 'api.typeform.com') {
  const servers = Object.fromEntries(HOSTS.map((h) => [h, server(type, h)]));
  const main = servers[host];
  const all = Object.values(servers);
  const hostOf = (url) => new URL(url).host;
  return {
    ...main,
    connectionConfig: host === 'api.typeform.com' ? undefined : { oauth_host: host, api_host: host },
    expectedConfig: {},
    get problems() { return all.flatMap((s) => s.problems); },
    get revocations() { return all.flatMap((s) => s.revocations); },
    get grants() { return all.flatMap((s) => s.grants); },
    fetch(request) {
      const s = servers[hostOf(request.url)];
      if (s) return s.fetch(request);
      main.problems.push(`an unexpected request: ${request.method} ${request.url}`);
      return new Response('{"error":"not_found"}', { status: 404 });
    },
    consent(url) {
      const s = servers[hostOf(url)];
      if (!s) throw new Error(`not a Typeform sign-in host: ${url}`);
      return s.consent(url);
    },
    accepts: (token) => all.some((s) => s.accepts(token)),
    expiresAt: (token) => all.map((s) => s.expiresAt(token)).find((t) => t !== undefined),
    userRevokes: () => all.forEach((s) => s.userRevokes()),
  };
}
