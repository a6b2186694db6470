// A provider that echoes every secret it knows (the refresh and access
// tokens it issued, the client secret and the code it was sent) into
// `error`, `error_description`, `error_uri`, `message` and `detail`, on
// every path: the code exchange (app user and shared), its own error
// redirect, the refresh, the revocation and the API behind callApi. The
// provider is a real HTTP server on 127.0.0.1, the connectors server runs
// behind serveNode; no sentinel may reach an HTTP answer (body or header),
// an error, or an event.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import * as api from 'oauth-connectors';
import { APP, SERVICE, USER_SECRET, ISS, userJwt } from './server-checks.mjs';
import { openStart } from './consent.mjs';

const AT = 'SNTL_AT_9f8e7d6c5b4a';
const RT = 'SNTL_RT_0a1b2c3d4e5f';
const CS = 'SNTL_CS_client-secret-0123456789';
const CODE = 'SNTL_CODE_77aa88bb';
const SENTINELS = [AT, RT, CS, CODE, 'SNTL'];
const RETURN = 'http://127.0.0.1:5173';

/** What the provider answers: `tokens` (a good token response) or `echo`. */
let mode = 'tokens';
let status = 400;
let expiresIn = 3600;
const everything = [RT, AT, CS, CODE].join(' ');
// What callApi's API can echo back: the code was spent (and forgotten) at connect time.
const held = [RT, AT, CS].join(' ');
let echoed = everything;
const echo = (value) => ({ error: value, error_description: value, error_uri: value, message: value, detail: value });
const bodies = [
  ...[RT, AT, CS, CODE, everything].map(echo),
  { error: RT },
  { error: { message: everything, detail: everything } },
];
let body = bodies[0];

let provider;
let served;
let connectors;
const events = [];
const seen = [];

function answer(res, code, value, type = 'application/json') {
  res.writeHead(code, {
    'content-type': type,
    'www-authenticate': `Bearer error="invalid_token", error_description="${AT} ${RT}"`,
    'x-echo': echoed,
  });
  res.end(typeof value === 'string' ? value : JSON.stringify(value));
}

before(async () => {
  provider = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => { text += chunk; });
    req.on('end', () => {
      if (mode === 'tokens' && req.url === '/token') {
        return answer(res, 200, { access_token: AT, refresh_token: RT, expires_in: expiresIn, token_type: 'Bearer', scope: 'read' });
      }
      if (mode === 'tokens') return answer(res, 200, {});
      if (req.url.startsWith('/api/text')) return answer(res, 401, `token=${AT} refresh=${RT} secret=${CS}`, 'text/plain');
      return answer(res, status, body);
    });
  });
  await new Promise((resolve) => provider.listen(0, '127.0.0.1', resolve));
  const p = `http://127.0.0.1:${provider.address().port}`;
  const entry = {
    type: 'echoprov',
    display_name: 'Echoing provider',
    description: 'Echoes every secret it knows into its errors',
    auth_model: 'oauth',
    authorization_url: `${p}/authorize`,
    token_url: `${p}/token`,
    revocation: { url: `${p}/revoke`, style: 'rfc7009' },
    pkce: 'required',
    client_auth: 'body',
    refresh_tokens: 'rotated',
    api_base_urls: [`${p}/api`],
  };
  const holder = { fetch: (request) => connectors.fetch(request) };
  served = await api.serveNode(holder);
  const credentials = { clientId: 'echo-client', clientSecret: CS };
  connectors = api.createConnectorsServer({
    appId: APP,
    publicUrl: served.url,
    secret: 'echo-test-server-secret-0123456789abcdef',
    providers: [entry],
    credentials: { echoprov: credentials },
    appUserConnectors: { mine: { type: 'echoprov', ...credentials, scopes: ['read'] } },
    serviceTokens: [SERVICE],
    users: { secret: USER_SECRET, issuer: ISS, audience: APP },
    allowedReturnUrls: [RETURN],
    onEvent: (event) => events.push(JSON.stringify(event)),
  });
});

after(async () => {
  await served?.close();
  await new Promise((resolve) => provider?.close(resolve) ?? resolve());
});

/** One request to the served connectors server; recorded for the canary. */
async function send(method, path, { auth, onBehalfOf, json, cookie } = {}) {
  const headers = {};
  if (cookie) headers.cookie = cookie;
  if (auth) headers.authorization = `Bearer ${auth}`;
  if (onBehalfOf) headers['on-behalf-of'] = `Bearer ${onBehalfOf}`;
  if (json !== undefined) headers['content-type'] = 'application/json';
  const url = path.startsWith('http') ? path : `${served.url}/api/apps/${APP}/${path}`;
  const response = await fetch(url, { method, headers, body: json === undefined ? undefined : JSON.stringify(json), redirect: 'manual' });
  const text = await response.text();
  const record = { status: response.status, text, headers: [...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n') };
  // The answer only (the request's own URL may carry what the test sent).
  seen.push(`${record.status}\n${record.headers}\n${text}`);
  let parsed = null;
  try { parsed = JSON.parse(text); } catch { parsed = null; }
  return { ...record, body: parsed, location: response.headers.get('location') };
}

/** The callback for a consent URL, with `extra` query parameters. */
function callbackUrl(consent, extra) {
  const url = new URL(consent);
  const back = new URL(url.searchParams.get('redirect_uri'));
  back.searchParams.set('state', url.searchParams.get('state'));
  for (const [k, v] of Object.entries(extra)) back.searchParams.set(k, v);
  return back.href;
}

/** The callback of a consent URL (the server's start route, opened from the app's page first), with `extra`. */
async function callback(consent, extra) {
  const opened = await openStart(consent, { referer: `${RETURN}/settings` });
  return send('GET', callbackUrl(opened.url, extra), { cookie: opened.cookie });
}

async function connectUser(user) {
  const init = await send('POST', 'app-user-auth/connectors/mine/initiate', { auth: await userJwt(user), json: { return_url: `${RETURN}/done` } });
  assert.equal(init.status, 200, init.text);
  return callback(init.body.redirect_url, { code: CODE });
}

test('a provider echoing every secret on every path: no sentinel reaches an answer or an event (over serveNode)', { timeout: 60_000 }, async () => {
  // The code exchange, for an app user and for the shared connection.
  mode = 'echo';
  for (body of bodies) {
    for (status of [400, 200, 401]) {
      const back = await connectUser('alice');
      assert.equal(back.status, 303, back.text);
      assert.match(back.location, /connect_error=provider_error$/);
      const put = await send('PUT', 'external-auth/integrations/echoprov', { auth: SERVICE, json: { scopes: ['read'] } });
      assert.equal(put.status, 200, put.text);
      const page = await callback(put.body.redirect_url, { code: CODE });
      assert.equal(page.status, 400, page.text);
      const poll = await send('GET', `external-auth/status?integration_type=echoprov&connection_id=${encodeURIComponent(put.body.connection_id)}`, { auth: SERVICE });
      assert.equal(poll.body.status, 'FAILED');
    }
  }
  // The provider's own error redirect.
  for (const value of [RT, AT, CS, CODE]) {
    const init = await send('POST', 'app-user-auth/connectors/mine/initiate', { auth: await userJwt('alice'), json: { return_url: `${RETURN}/done` } });
    const back = await callback(init.body.redirect_url, { error: value, error_description: value, error_uri: value });
    assert.equal(back.status, 303);
  }

  // Refresh: bob's token lives 1 s; then every refresh fails, echoing.
  mode = 'tokens';
  expiresIn = 1;
  assert.equal((await connectUser('bob')).status, 303);
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  mode = 'echo';
  const bob = await userJwt('bob');
  for (body of bodies) {
    for (status of [400, 200, 401]) {
      const read = await send('GET', 'app-user-auth/connectors/mine/token', { auth: SERVICE, onBehalfOf: bob });
      assert.equal(read.status, 502, read.text);
    }
  }

  // callApi: a fresh shared connection, an API that echoes every secret the
  // server holds for it (the code was spent at connect time and is not kept).
  mode = 'tokens';
  expiresIn = 3600;
  const put = await send('PUT', 'external-auth/integrations/echoprov', { auth: SERVICE, json: { scopes: ['read'] } });
  assert.equal((await callback(put.body.redirect_url, { code: CODE })).status, 200);
  mode = 'echo';
  status = 401;
  body = echo(held);
  echoed = held;
  for (const path of ['/me', '/text']) {
    const call = await send('POST', 'connectors/echoprov/call', { auth: SERVICE, json: { path } });
    assert.equal(call.status, 200, call.text);
    assert.equal(call.body.status_code, 401);
    assert.ok(call.text.includes('[redacted]'), call.text);
  }

  // Revocation: bob's and the shared connection's, refused with echoes.
  status = 400;
  const gone = await send('DELETE', 'app-user-auth/connectors/mine', { auth: bob });
  assert.equal(gone.body.revocation, 'failed', gone.text);
  const removed = await send('DELETE', 'external-auth/integrations/echoprov/remove', { auth: SERVICE });
  assert.equal(removed.body.revocation, 'failed', removed.text);

  assert.ok(events.some((e) => e.includes('connection.refresh_failed')), events.join('\n'));
  const all = `${seen.join('\n\n')}\n${events.join('\n')}`;
  for (const sentinel of SENTINELS) assert.ok(!all.includes(sentinel), `${sentinel} leaked:\n${all}`);
});
