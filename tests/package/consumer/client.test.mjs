// The SDK client against @base44/sdk, request for request: a recording
// server on 127.0.0.1 answers a script (successes, 401, 403, 404, 500,
// malformed JSON, the x-base44-connector-error header); the same calls run
// through @base44/sdk (test-only) and through ours, and what reached the
// server and what each call returned or threw must be equal. Then the client
// end to end with the connectors server, in-process and over real HTTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import * as ours from 'oauth-connectors';
import * as lean from 'oauth-connectors/client';
import { APP, SERVICE, setup, userJwt } from './server-checks.mjs';

process.env.NODE_ENV = 'production'; // @base44/sdk logs every error otherwise
const base44 = await import('@base44/sdk');

// ------------------------------------------------------------ the recording server

/** The headers both clients send that matter to a server. */
const RELEVANT = ['content-type', 'accept', 'authorization', 'on-behalf-of', 'x-app-id', 'base44-state',
  'x-data-env', 'base44-functions-version', 'x-origin-url', 'x-extra'];

let recorder;
before(async () => {
  const requests = [];
  const answers = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url, 'http://x');
      requests.push({
        method: req.method,
        path: url.pathname,
        query: url.search,
        headers: Object.fromEntries(RELEVANT.filter((h) => req.headers[h] !== undefined).map((h) => [h, req.headers[h]])),
        body: body === '' ? null : JSON.parse(body),
      });
      const answer = answers.shift() ?? { status: 500, body: '{"error":{"message":"unscripted"}}' };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  recorder = {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    answers,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
});
after(() => recorder?.close());

const ok = (body, headers) => ({ status: 200, body: JSON.stringify(body), headers });
const SCRIPT = [
  // [name, call, answer]
  ['getConnection', (c) => c.asServiceRole.connectors.getConnection('googlecalendar'),
    ok({ access_token: 'AT1', integration_type: 'googlecalendar', connection_config: { subdomain: 'acme' } })],
  ['getConnection without connection_config', (c) => c.asServiceRole.connectors.getConnection('slack'),
    ok({ access_token: 'AT2', integration_type: 'slack' })],
  ['getConnection of an id to encode', (c) => c.asServiceRole.connectors.getConnection('a/b c?d'), ok({ access_token: 'AT3' })],
  ['getAccessToken', (c) => c.asServiceRole.connectors.getAccessToken('github'), ok({ access_token: 'AT4' })],
  ['getWorkspaceConnection', (c) => c.asServiceRole.connectors.getWorkspaceConnection('team'),
    ok({ access_token: 'AT5', connection_config: null })],
  ['getCurrentAppUserConnection', (c) => c.asServiceRole.connectors.getCurrentAppUserConnection('mine'),
    ok({ access_token: 'AT6', connection_config: { tenant: 't' } })],
  ['getCurrentAppUserAccessToken', (c) => c.asServiceRole.connectors.getCurrentAppUserAccessToken('mine'), ok({ access_token: 'AT7' })],
  ['callApi GET', (c) => c.asServiceRole.connectors.callApi('github', { path: '/user/repos', query: { per_page: 5 }, headers: { Accept: 'application/vnd.github+json' } }),
    ok({ success: true, phase: 'responded', status_code: 200, data: [{ id: 1 }], data_base64: null, content_type: 'application/json', headers: { etag: 'x' }, credits_charged: 0 })],
  ['callApi POST with host null, upstream 404', (c) => c.asServiceRole.connectors.callApi('slack', { method: 'POST', host: null, path: '/chat.postMessage', body: { text: 'hi' } }),
    ok({ success: false, phase: 'responded', status_code: 404, data: { ok: false } })],
  ['callApi with a host, not sent', (c) => c.asServiceRole.connectors.callApi('dropbox', { method: 'HEAD', host: 'content.dropboxapi.com', path: '/x' }),
    ok({ success: false, phase: 'not_sent' })],
  ['connectAppUser', (c) => c.connectors.connectAppUser('mine'), ok({ redirect_url: 'https://provider.example/authorize?x=1' })],
  ['disconnectAppUser', (c) => c.connectors.disconnectAppUser('mine'), ok({ status: 'disconnected' })],
  ['401 with the error shape and header', (c) => c.asServiceRole.connectors.getConnection('slack'),
    { status: 401, body: JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'No token' } }), headers: { 'x-base44-connector-error': 'UNAUTHENTICATED' } }],
  ['403 with message and code at the top', (c) => c.asServiceRole.connectors.getConnection('slack'),
    { status: 403, body: JSON.stringify({ message: 'Forbidden here', code: 'NOPE' }) }],
  ['404 with detail', (c) => c.asServiceRole.connectors.getWorkspaceConnection('gone'), { status: 404, body: JSON.stringify({ detail: 'Not found' }) }],
  ['500 with malformed JSON', (c) => c.asServiceRole.connectors.getConnection('slack'), { status: 500, body: '{"error": oops' }],
  ['502 with only the header', (c) => c.connectors.connectAppUser('mine'), { status: 502, body: '', headers: { 'x-base44-connector-error': 'PROVIDER_ERROR' } }],
  ['409 error code beats the header', (c) => c.asServiceRole.connectors.getCurrentAppUserConnection('mine'),
    { status: 409, body: JSON.stringify({ error: { code: 'SCOPES_MISSING', message: 'more scopes' } }), headers: { 'x-base44-connector-error': 'OTHER' } }],
  ['200 with malformed JSON', (c) => c.asServiceRole.connectors.getConnection('slack'), { status: 200, body: 'not json' }],
  ['callApi 500', (c) => c.asServiceRole.connectors.callApi('github', { path: '/x' }), { status: 500, body: JSON.stringify({ error: { message: 'proxy down' } }) }],
];

// Calls refused before any request, with @base44/sdk's messages.
const REFUSED = [
  ['getConnection()', (c) => c.asServiceRole.connectors.getConnection()],
  ['getConnection(5)', (c) => c.asServiceRole.connectors.getConnection(5)],
  ['getAccessToken("")', (c) => c.asServiceRole.connectors.getAccessToken('')],
  ['getWorkspaceConnection(null)', (c) => c.asServiceRole.connectors.getWorkspaceConnection(null)],
  ['getCurrentAppUserConnection({})', (c) => c.asServiceRole.connectors.getCurrentAppUserConnection({})],
  ['getCurrentAppUserAccessToken()', (c) => c.asServiceRole.connectors.getCurrentAppUserAccessToken()],
  ['callApi(5, {})', (c) => c.asServiceRole.connectors.callApi(5, { path: '/x' })],
  ['callApi("x")', (c) => c.asServiceRole.connectors.callApi('x')],
  ['callApi("x", "GET /")', (c) => c.asServiceRole.connectors.callApi('x', 'GET /')],
  ['callApi("x", {})', (c) => c.asServiceRole.connectors.callApi('x', {})],
  ['callApi("x", { path: "" })', (c) => c.asServiceRole.connectors.callApi('x', { path: '' })],
  ['callApi("x", TRACE)', (c) => c.asServiceRole.connectors.callApi('x', { path: '/a', method: 'TRACE' })],
  ['callApi("x", get)', (c) => c.asServiceRole.connectors.callApi('x', { path: '/a', method: 'get' })],
  ['connectAppUser()', (c) => c.connectors.connectAppUser()],
  ['disconnectAppUser(1)', (c) => c.connectors.disconnectAppUser(1)],
];

/** What a call gave: its value, or its error's public fields. */
async function outcome(fn) {
  try {
    return { value: await fn() };
  } catch (e) {
    return { error: { name: e.name, message: e.message, status: e.status, code: e.code, data: e.data, isError: e instanceof Error, json: typeof e.toJSON === 'function' ? e.toJSON() : undefined } };
  }
}

/** Runs `calls` through a client; what the server saw and what each call gave. */
async function run(makeClient, calls) {
  recorder.requests.length = 0;
  const results = [];
  for (const [name, call, answer] of calls) {
    if (answer) recorder.answers.push(answer);
    const before = recorder.requests.length;
    const result = await outcome(() => call(makeClient()));
    results.push({ name, result, requests: recorder.requests.slice(before) });
  }
  recorder.answers.length = 0;
  return results;
}

function assertSame(theirs, mine) {
  assert.equal(mine.length, theirs.length);
  for (let i = 0; i < theirs.length; i++) {
    assert.deepStrictEqual(mine[i], theirs[i], `${theirs[i].name}: ours differs from @base44/sdk`);
  }
}

const config = () => ({ appId: APP, serverUrl: recorder.url, token: 'user-token', serviceToken: 'service-token', headers: { 'X-Extra': 'e' } });

test('conformance: every connectors call, request for request and answer for answer, as @base44/sdk', async () => {
  const theirs = await run(() => base44.createClient(config()), SCRIPT);
  const mine = await run(() => ours.createClient(config()), SCRIPT);
  assertSame(theirs, mine);
  // The script reached the server, and the errors are real Base44Errors.
  assert.equal(mine.filter((r) => r.requests.length === 1).length, SCRIPT.length);
  assert.ok(mine.some((r) => r.result.error?.code === 'PROVIDER_ERROR' && r.result.error.status === 502));
  assert.equal(new ours.Base44Error('m', 400, 'C', {}).name, 'Base44Error');
});

test('conformance: bad arguments are refused with the same messages, before any request', async () => {
  const theirs = await run(() => base44.createClient(config()), REFUSED);
  const mine = await run(() => ours.createClient(config()), REFUSED);
  assertSame(theirs, mine);
  assert.ok(mine.every((r) => r.requests.length === 0 && r.result.error));
});

test('conformance: options.onError sees each failed request first', async () => {
  const seen = { theirs: [], mine: [] };
  const withHook = (list) => ({ ...config(), options: { onError: (e) => list.push(e.toJSON()) } });
  const failing = SCRIPT.filter(([name]) => /^(401|403|404|500|502)/.test(name));
  assertSame(await run(() => base44.createClient(withHook(seen.theirs)), failing), await run(() => ours.createClient(withHook(seen.mine)), failing));
  assert.equal(seen.mine.length, failing.length);
  assert.deepStrictEqual(seen.mine, seen.theirs);
});

test('conformance: without a user token, and asServiceRole without a service token', async () => {
  const anonymous = () => ({ appId: APP, serverUrl: recorder.url });
  const calls = [
    ['connectAppUser, no token', (c) => c.connectors.connectAppUser('mine'), ok({ redirect_url: 'https://p.example/' })],
    ['asServiceRole, no service token', (c) => c.asServiceRole.connectors.getConnection('slack')],
  ];
  assertSame(await run(() => base44.createClient(anonymous()), calls), await run(() => ours.createClient(anonymous()), calls));
  const serviceOnly = () => ({ appId: APP, serverUrl: recorder.url, serviceToken: 'svc' });
  const read = [['service role, no user', (c) => c.asServiceRole.connectors.getConnection('slack'), ok({ access_token: 'x' })]];
  assertSame(await run(() => base44.createClient(serviceOnly()), read), await run(() => ours.createClient(serviceOnly()), read));
});

test('conformance: createClientFromRequest reads the same headers, with the same checks', async () => {
  const request = (headers) => new Request('https://fn.example/', { headers: { 'Base44-Api-Url': recorder.url, ...headers } });
  const good = {
    'Base44-App-Id': APP,
    Authorization: 'Bearer user-jwt',
    'Base44-Service-Authorization': 'Bearer svc-token',
    'Base44-State': 'state-1',
    'X-Data-Env': 'dev',
    'Base44-Functions-Version': 'v7',
  };
  const calls = [
    ['service role read', (c) => c.asServiceRole.connectors.getCurrentAppUserConnection('mine'), ok({ access_token: 'x' })],
    ['user connect', (c) => c.connectors.connectAppUser('mine'), ok({ redirect_url: 'https://p.example/' })],
  ];
  for (const headers of [good, { ...good, 'X-Data-Env': 'staging' }]) {
    assertSame(
      await run(() => base44.createClientFromRequest(request(headers)), calls),
      await run(() => ours.createClientFromRequest(request(headers)), calls),
    );
  }
  const bad = [
    { Authorization: 'Bearer x' },
    { 'Base44-App-Id': APP, Authorization: 'Basic x' },
    { 'Base44-App-Id': APP, Authorization: 'Bearer a b' },
    { 'Base44-App-Id': APP, 'Base44-Service-Authorization': 'Bearer' },
    { 'Base44-App-Id': APP, Authorization: '' },
  ];
  for (const headers of bad) {
    const theirs = await outcome(() => base44.createClientFromRequest(request(headers)));
    const mine = await outcome(() => ours.createClientFromRequest(request(headers)));
    assert.deepStrictEqual(mine, theirs, JSON.stringify(headers));
    assert.ok(mine.error, JSON.stringify(headers));
  }
});

test('conformance: a server that cannot be reached', async () => {
  // A port that was free a moment ago (fetch refuses "bad ports" such as 9 itself).
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const closed = () => ({ appId: APP, serverUrl: `http://127.0.0.1:${port}`, serviceToken: 's' });
  const call = (c) => c.asServiceRole.connectors.getConnection('slack');
  const theirs = await outcome(() => call(base44.createClient(closed())));
  const mine = await outcome(() => call(ours.createClient(closed())));
  assert.deepStrictEqual(mine, theirs);
  assert.match(mine.error.message, /ECONNREFUSED/);
});

// ------------------------------------------------------------ end to end with the server

/** The connectors server of the route checks, with a shared and an app user's connection made. */
async function connected() {
  const ctx = setup(ours);
  await ctx.connectShared('fakeprov', ['read']);
  const alice = await userJwt('alice');
  await ctx.connectUser('mine', 'alice');
  return { ctx, alice };
}

/**
 * The calls a backend and a frontend make, through clients from
 * `make(userToken)`; `named`: the client has getAppUserConnection (ours).
 */
async function endToEnd(make, ctx, alice, { named = true } = {}) {
  const client = make(alice);
  const shared = await client.asServiceRole.connectors.getConnection('fakeprov');
  assert.equal(shared.accessToken, ctx.p.issued[0].access_token);
  assert.deepEqual(Object.keys(shared), ['accessToken', 'connectionConfig']);
  const mine = await client.asServiceRole.connectors.getCurrentAppUserConnection('mine');
  assert.equal(mine.accessToken, ctx.p.issued[1].access_token);
  if (named) {
    const job = await client.asServiceRole.connectors.getAppUserConnection('mine', 'alice');
    assert.equal(job.accessToken, mine.accessToken);
  }
  const redirect = await client.connectors.connectAppUser('mine');
  // The server's start route, which binds the browser and sends it to the provider.
  assert.match(redirect, /^https:\/\/connect\.app\.example\/api\/apps\/app1\/app-user-auth\/connectors\/mine\/start\?ticket=[A-Za-z0-9_-]+$/);
  await assert.rejects(client.asServiceRole.connectors.getConnection('nope'), (e) => {
    assert.ok(e instanceof ours.Base44Error || e.name === 'Base44Error');
    assert.deepEqual([e.status, e.code], [404, 'UNKNOWN_CONNECTOR']);
    return true;
  });
  const bob = make(await userJwt('bob'));
  await assert.rejects(bob.asServiceRole.connectors.getCurrentAppUserConnection('mine'), { status: 404, code: 'NOT_CONNECTED' });
  await client.connectors.disconnectAppUser('mine');
  await assert.rejects(client.asServiceRole.connectors.getCurrentAppUserConnection('mine'), { code: 'NOT_CONNECTED' });
}

test('end to end: the client bound in-process to a connectors server (fetch: server.fetch)', async () => {
  const { ctx, alice } = await connected();
  const make = (token) => ours.createClient({ appId: APP, serverUrl: 'https://connect.app.example', token, serviceToken: SERVICE, fetch: ctx.server.fetch });
  await endToEnd(make, ctx, alice);
});

test('end to end: the lean client (oauth-connectors/client) over real HTTP to serveNode', async () => {
  const { ctx, alice } = await connected();
  const served = await ours.serveNode(ctx.server);
  try {
    await endToEnd((token) => lean.createClient({ appId: APP, serverUrl: served.url, token, serviceToken: SERVICE }), ctx, alice);
    // A backend function's request, as a Base44 host forwards it.
    const fn = lean.createClientFromRequest(new Request('https://fn.example/', {
      headers: { 'Base44-App-Id': APP, 'Base44-Api-Url': served.url, 'Base44-Service-Authorization': `Bearer ${SERVICE}` },
    }));
    assert.equal((await fn.asServiceRole.connectors.getConnection('fakeprov')).accessToken, ctx.p.issued[0].access_token);
  } finally {
    await served.close();
  }
});

test('oauth-connectors and oauth-connectors/client share one client module: one Base44Error class, one createClient', async () => {
  assert.equal(ours.Base44Error, lean.Base44Error);
  assert.equal(ours.createClient, lean.createClient);
  assert.equal(ours.createClientFromRequest, lean.createClientFromRequest);
  // An error thrown through the main entry is an instance of the lean entry's class.
  const client = ours.createClient({ appId: APP, serverUrl: 'https://connect.app.example', serviceToken: SERVICE,
    fetch: async () => new Response('{"message":"no"}', { status: 404, headers: { 'content-type': 'application/json' } }) });
  await assert.rejects(client.asServiceRole.connectors.getConnection('x'), (e) => e instanceof lean.Base44Error && e.status === 404);
});

test('end to end: code written for @base44/sdk, unchanged, against the connectors server', async () => {
  const { ctx, alice } = await connected();
  const served = await ours.serveNode(ctx.server);
  try {
    const make = (token) => base44.createClient({ appId: APP, serverUrl: served.url, token, serviceToken: SERVICE });
    await endToEnd(make, ctx, alice, { named: false });
  } finally {
    await served.close();
  }
});

// ------------------------------------------------------------ the token cache

/** A stand-in server: counts requests; answers `answer()` with the TTL header `ttl` (null: none, as Base44). */
function tokenServer() {
  const s = { calls: 0, ttl: '60000', token: 'AT1', status: 200 };
  s.fetch = async (request) => {
    s.calls++;
    await new Promise((resolve) => setTimeout(resolve, 1));
    const headers = { 'content-type': 'application/json', ...(s.ttl === null ? {} : { 'x-connectors-token-ttl': s.ttl }) };
    const body = s.status === 200
      ? { access_token: s.token, integration_type: 'slack', connection_config: { team: 't' }, seen: request.headers.get('on-behalf-of') }
      : { error: { code: 'NOT_CONNECTED', message: 'No connection' } };
    return new Response(JSON.stringify(body), { status: s.status, headers });
  };
  return s;
}
const cachedClient = (s, extra = {}) => ours.createClient({ appId: APP, serverUrl: 'https://c.example', serviceToken: 's', fetch: s.fetch, ...extra });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('token cache: a read is reused while the server says the token is handed out as it is', async () => {
  const s = tokenServer();
  const svc = cachedClient(s).asServiceRole.connectors;
  const first = await svc.getConnection('slack');
  first.connectionConfig.team = 'changed by the caller';
  assert.deepEqual(await svc.getConnection('slack'), { accessToken: 'AT1', connectionConfig: { team: 't' } });
  assert.equal(await svc.getAccessToken('slack'), 'AT1');
  assert.equal(s.calls, 1);
  // Another path is another entry; concurrent reads of one entry share a request.
  const many = await Promise.all(Array.from({ length: 5 }, () => svc.getWorkspaceConnection('team')));
  assert.ok(many.every((c) => c.accessToken === 'AT1'));
  assert.equal(s.calls, 2);
  // Another client of the same fetch shares the entries; another service token does not.
  await cachedClient(s).asServiceRole.connectors.getConnection('slack');
  assert.equal(s.calls, 2);
  await cachedClient(s, { serviceToken: 's2' }).asServiceRole.connectors.getConnection('slack');
  assert.equal(s.calls, 3);
  await cachedClient(s, { headers: { 'X-Data-Env': 'dev' } }).asServiceRole.connectors.getConnection('slack');
  assert.equal(s.calls, 4);
});

test('token cache: never longer than the TTL header or tokenCacheMs, and never without the header', async () => {
  const s = tokenServer();
  s.ttl = '40';
  const svc = cachedClient(s).asServiceRole.connectors;
  await svc.getConnection('slack');
  await svc.getConnection('slack');
  assert.equal(s.calls, 1);
  await sleep(60);
  s.token = 'AT2';
  assert.equal((await svc.getConnection('slack')).accessToken, 'AT2');
  assert.equal(s.calls, 2);
  // tokenCacheMs caps a long TTL; 0 turns the cache off.
  const t = tokenServer();
  const capped = cachedClient(t, { tokenCacheMs: 30 }).asServiceRole.connectors;
  await capped.getConnection('slack');
  await sleep(50);
  await capped.getConnection('slack');
  assert.equal(t.calls, 2);
  const u = tokenServer();
  const none = cachedClient(u, { tokenCacheMs: 0 }).asServiceRole.connectors;
  await none.getConnection('slack');
  await none.getConnection('slack');
  assert.equal(u.calls, 2);
  // Base44 sends no TTL header: every read is a request, as with @base44/sdk.
  const b = tokenServer();
  b.ttl = null;
  const base44Like = cachedClient(b).asServiceRole.connectors;
  await base44Like.getConnection('slack');
  await base44Like.getConnection('slack');
  assert.equal(b.calls, 2);
  assert.throws(() => cachedClient(b, { tokenCacheMs: -1 }), /tokenCacheMs must be a number of milliseconds/);
  assert.throws(() => cachedClient(b, { tokenCacheMs: '60000' }), /tokenCacheMs must be a number of milliseconds/);
});

test('token cache: errors are not kept, each user has their own entry, a disconnect empties it', async () => {
  const s = tokenServer();
  s.status = 404;
  const client = cachedClient(s, { token: 'alice' });
  const svc = client.asServiceRole.connectors;
  await assert.rejects(svc.getCurrentAppUserConnection('mine'), { status: 404, code: 'NOT_CONNECTED' });
  s.status = 200;
  assert.equal((await svc.getCurrentAppUserConnection('mine')).accessToken, 'AT1');
  assert.equal(s.calls, 2);
  client.setToken('bob');
  await svc.getCurrentAppUserConnection('mine');
  assert.equal(s.calls, 3);
  await client.connectors.disconnectAppUser('mine');
  await svc.getCurrentAppUserConnection('mine');
  assert.equal(s.calls, 5);
});

test('token cache: in-process, every change through the server empties it, whoever sends it', async () => {
  let reads = 0;
  const inner = ours.memoryStore();
  const store = {
    get: (k) => ((reads += k.includes(':conn:') ? 1 : 0), inner.get(k)),
    set: (...a) => inner.set(...a),
    delete: (...a) => inner.delete(...a),
    setIfAbsent: (...a) => inner.setIfAbsent(...a),
    compareAndSet: (...a) => inner.compareAndSet(...a),
  };
  const ctx = setup(ours, { store });
  await ctx.connectShared('fakeprov', ['read']);
  await ctx.connectUser('mine', 'alice');
  const alice = await userJwt('alice');
  const client = ours.createClient({ appId: APP, serverUrl: 'https://connect.app.example', token: alice, serviceToken: SERVICE, fetch: ctx.server.fetch });
  const svc = client.asServiceRole.connectors;
  reads = 0;
  const token = (await svc.getCurrentAppUserConnection('mine')).accessToken;
  for (let i = 0; i < 5; i++) assert.equal((await svc.getCurrentAppUserConnection('mine')).accessToken, token);
  assert.equal(reads, 1);
  // Alice disconnects from her browser (a request to the server, not through this client).
  const gone = await ctx.send('DELETE', 'app-user-auth/connectors/mine', { auth: alice });
  assert.equal(gone.status, 200);
  await assert.rejects(svc.getCurrentAppUserConnection('mine'), (e) => {
    assert.deepEqual([e.name, e.status, e.code], ['Base44Error', 404, 'NOT_CONNECTED']);
    // The failed answer is a Response, as over fetch.
    assert.ok(e.originalError instanceof Response);
    assert.equal(e.originalError.headers.get('x-base44-connector-error'), 'NOT_CONNECTED');
    return true;
  });
});

test('in-process: the same answers as through Request and Response objects', async () => {
  const { ctx, alice } = await connected();
  const direct = ours.createClient({ appId: APP, serverUrl: 'https://connect.app.example', token: alice, serviceToken: SERVICE, fetch: ctx.server.fetch, tokenCacheMs: 0 });
  const viaRequest = ours.createClient({ appId: APP, serverUrl: 'https://connect.app.example', token: alice, serviceToken: SERVICE, fetch: (r) => ctx.server.fetch(r), tokenCacheMs: 0 });
  const calls = [
    (c) => c.asServiceRole.connectors.getConnection('fakeprov'),
    (c) => c.asServiceRole.connectors.getCurrentAppUserConnection('mine'),
    (c) => c.asServiceRole.connectors.getConnection('nope'),
    (c) => c.asServiceRole.connectors.callApi('fakeprov', { path: '/../x' }),
    (c) => c.connectors.connectAppUser('nope'),
  ];
  for (const call of calls) {
    const [a, b] = [await outcome(() => call(direct)), await outcome(() => call(viaRequest))];
    assert.deepStrictEqual(a, b);
  }
});

test('in-process: a token read over a store answering in place is ready when the call returns; any other answer is a Promise of the same', async () => {
  const IN_PROCESS = Symbol.for('oauth-connectors.in-process');
  const backing = ours.memoryStore();
  // How the store's get answers: in place, as a Promise, as a thenable, or by throwing.
  let mode = 'in place';
  const store = {
    ...backing,
    get(key) {
      const value = backing.get(key);
      if (mode === 'promise') return Promise.resolve(value);
      if (mode === 'thenable') return { then: (resolve) => resolve(value) };
      if (mode === 'throws') throw new Error('SENTINEL_STORE_DOWN');
      return value;
    },
  };
  const ctx = setup(ours, { store });
  await ctx.connectShared('fakeprov', ['read']);
  const call = ctx.server.fetch[IN_PROCESS];
  const read = () => call('GET', `https://connect.app.example/api/apps/${APP}/external-auth/tokens/fakeprov`, ['authorization', `Bearer ${SERVICE}`], undefined);

  const ready = read();
  assert.ok(Array.isArray(ready), 'ready at once');
  const [status, , text] = ready;
  assert.equal(status, 200);
  assert.equal(JSON.parse(text).access_token, ctx.p.issued[0].access_token);
  for (const m of ['promise', 'thenable']) {
    mode = m;
    const pending = read();
    assert.ok(pending instanceof Promise, m);
    // The same answer; the TTL header counts down with the clock.
    const [s, pairs, t] = await pending;
    assert.deepStrictEqual([s, pairs.filter((_, i) => i % 2 === 0), t], [status, ready[1].filter((_, i) => i % 2 === 0), text], m);
  }
  // A store that throws in place: its error answer, ready at once, without the store's words.
  mode = 'throws';
  const [downStatus, , downText] = read();
  assert.equal(downStatus, 503);
  assert.equal(JSON.parse(downText).error.code, 'STORE_UNAVAILABLE');
  assert.ok(!downText.includes('SENTINEL_STORE_DOWN'));
  // memoryStore's get answers in place; a bad key and a throwing clock still reject.
  assert.equal(backing.get('absent'), null);
  await assert.rejects(backing.get(42), { code: 'INVALID_INPUT' });
  let down = false;
  const timed = ours.memoryStore({ now: () => { if (down) throw new Error('clock down'); return 0; } });
  await timed.set('k', 'v', { ttlMs: 1000 });
  down = true;
  await assert.rejects(timed.get('k'), /clock down/);
});

// ------------------------------------------------------------ no default host for tokens

test('createClientFromRequest without Base44-Api-Url: @base44/sdk\'s errors in its order; where it would go on to https://base44.app, ours throws and sends nothing', async () => {
  const request = (headers) => new Request('https://fn.example/', { headers });
  const full = { 'Base44-App-Id': APP, Authorization: 'Bearer user-jwt', 'Base44-Service-Authorization': 'Bearer svc-token' };
  // Where @base44/sdk throws, ours throws the same error, with or without the header (none, or empty).
  const bad = [
    {},
    { Authorization: 'Bearer x' },
    { 'Base44-Service-Authorization': 'Bearer x', 'Base44-Api-Url': '' },
    { 'Base44-App-Id': APP, Authorization: 'Basic x' },
    { 'Base44-App-Id': APP, Authorization: 'Bearer a b' },
    { 'Base44-App-Id': APP, 'Base44-Service-Authorization': 'Bearer' },
    { 'Base44-App-Id': APP, 'Base44-Service-Authorization': 'Token svc', Authorization: 'Basic x' },
    { 'Base44-App-Id': APP, Authorization: '', 'Base44-Api-Url': '' },
  ];
  for (const headers of bad) {
    const theirs = await outcome(() => base44.createClientFromRequest(request(headers)));
    const mine = await outcome(() => ours.createClientFromRequest(request(headers), { fetch: () => assert.fail('a request was sent') }));
    assert.ok(theirs.error, JSON.stringify(headers));
    assert.deepStrictEqual(mine, theirs, JSON.stringify(headers));
  }
  // Where @base44/sdk makes a client for https://base44.app, ours refuses, naming the fix.
  const sent = [];
  const spy = async (r) => (sent.push(r.url), new Response('{}'));
  const defaulted = [
    full,
    { ...full, 'Base44-Api-Url': '' },
    { 'Base44-App-Id': APP, 'Base44-Service-Authorization': 'Bearer svc-token' },
    { 'Base44-App-Id': APP, Authorization: 'Bearer user-jwt' },
    { 'Base44-App-Id': APP },
  ];
  for (const headers of defaulted) {
    assert.ok((await outcome(() => base44.createClientFromRequest(request(headers)))).value, JSON.stringify(headers));
    for (const make of [ours.createClientFromRequest, lean.createClientFromRequest]) {
      assert.throws(() => make(request(headers), { fetch: spy }), (e) => {
        assert.ok(e instanceof ours.ConnectorsError, `${e}`);
        assert.equal(e.code, 'INVALID_INPUT');
        assert.match(e.message, /no Base44-Api-Url header and no serverUrl option/);
        assert.match(e.message, /createClientFromRequest\(request, \{ serverUrl \}\)/);
        assert.ok(!e.message.includes('svc-token') && !e.message.includes('user-jwt'));
        return true;
      }, JSON.stringify(headers));
    }
  }
  assert.deepEqual(sent, []);
  assert.throws(() => ours.createClientFromRequest(request(full), { serverUrl: 5 }), (e) => e.code === 'INVALID_INPUT' && /serverUrl must be a non-empty string/.test(e.message));

  // With the serverUrl option, the requests are @base44/sdk's with that server in the header.
  const calls = [['service role read', (c) => c.asServiceRole.connectors.getConnection('slack'), ok({ access_token: 'x' })]];
  assertSame(
    await run(() => base44.createClientFromRequest(request({ ...full, 'Base44-Api-Url': recorder.url })), calls),
    await run(() => ours.createClientFromRequest(request(full), { serverUrl: recorder.url }), calls),
  );
  // The option, which the function's author wrote, wins over a header.
  const elsewhere = await outcome(() => ours.createClientFromRequest(request({ ...full, 'Base44-Api-Url': 'https://other.example' }), { serverUrl: recorder.url, fetch: spy })
    .asServiceRole.connectors.getConnection('slack'));
  assert.ok(elsewhere.value);
  assert.deepEqual(sent, [`${recorder.url}/api/apps/${APP}/external-auth/tokens/slack`]);
});

// ------------------------------------------------------------ a short Base44Error in Node

test('Base44Error: util.inspect and an uncaught one print a few lines, with status and code, and no token', async () => {
  const { inspect } = await import('node:util');
  const { execFile } = await import('node:child_process');
  const { ctx, alice } = await connected();
  const client = ours.createClient({ appId: APP, serverUrl: 'https://connect.app.example', token: alice, serviceToken: SERVICE, fetch: (r) => ctx.server.fetch(r) });
  const error = await client.asServiceRole.connectors.getConnection('nope').then(() => assert.fail('resolved'), (e) => e);
  assert.equal(error.name, 'Base44Error');
  // Still there for whoever reads it; left out of what is printed and spread.
  assert.ok(error.originalError instanceof Response);
  assert.ok(!Object.keys(error).includes('originalError'));
  assert.deepEqual(JSON.parse(JSON.stringify(error)), { name: 'Base44Error', message: error.message, status: 404, code: 'UNKNOWN_CONNECTOR', data: error.data });
  const shown = inspect(error);
  const lines = shown.split('\n');
  assert.ok(lines.length <= 15, `util.inspect printed ${lines.length} lines:\n${shown}`);
  assert.match(lines[0], /^Base44Error: /);
  assert.match(shown, /status: 404,\s+code: 'UNKNOWN_CONNECTOR'/);
  for (const secret of [SERVICE, alice, ctx.p.issued[0]?.access_token].filter(Boolean)) assert.ok(!shown.includes(secret), 'a token is shown');
  assert.ok(!/Response \{|originalError/.test(shown), shown);

  // An uncaught one, in a process of its own (a server answering 404 with a token in its request).
  const script = `
    import { createClient } from 'oauth-connectors/client';
    const fetch = async () => new Response(JSON.stringify({ error: { code: 'NOT_CONNECTED', message: 'No connection' } }),
      { status: 404, headers: { 'content-type': 'application/json', 'x-base44-connector-error': 'NOT_CONNECTED' } });
    const c = createClient({ appId: 'a', serverUrl: 'https://connect.example', serviceToken: 'svc-SECRET-0123456789abcdef', fetch });
    await c.asServiceRole.connectors.getConnection('slack');
  `;
  const { code, stderr } = await new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd() }, (e, _out, err) => resolve({ code: e?.code, stderr: err }));
  });
  assert.equal(code, 1);
  const printed = stderr.trim().split('\n');
  assert.ok(printed.length <= 20, `an uncaught Base44Error printed ${printed.length} lines:\n${stderr}`);
  assert.match(stderr, /Base44Error: No connection/);
  assert.match(stderr, /status: 404,\s+code: 'NOT_CONNECTED'/);
  assert.ok(!stderr.includes('svc-SECRET'), stderr);
});
