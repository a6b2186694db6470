// Hostile requests against the connectors server of the installed package,
// over real HTTP (serveNode on 127.0.0.1) and through server.fetch: each one
// gets a coded answer, nothing escapes as an uncaught exception (which ends
// Node), and the request after it is answered. Also callApi paths that the
// URL parser of fetch would resolve outside the connector's API base.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'oauth-connectors';
import { json } from './helpers.mjs';
import { APP, PUBLIC, SERVICE, readAnswer, setup } from './server-checks.mjs';

// Any exception that escapes the wasm is recorded here instead of ending
// the process; every test checks that none did.
const uncaught = [];
const record = (error) => uncaught.push(error);
before(() => {
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
});
after(() => {
  process.off('uncaughtException', record);
  process.off('unhandledRejection', record);
});

const noneEscaped = () => assert.deepEqual(uncaught.map(String), [], 'an exception escaped the wasm');

/** A request over HTTP that must be answered within 5 s (a hung request fails here). */
async function http(served, method, path, { json: body, headers = {} } = {}) {
  try {
    const response = await fetch(`${served.url}/api/apps/${APP}/${path}`, {
      method,
      headers: { authorization: `Bearer ${SERVICE}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(5000),
    });
    return await readAnswer(response, method, path);
  } catch (error) {
    const why = error?.name === 'TimeoutError' ? 'no answer within 5 s' : String(error?.cause ?? error);
    throw new Error(`${method} ${path} ${JSON.stringify(body ?? null)}: ${why}; escaped: ${uncaught.map(String).join(' | ')}`);
  }
}

const call = (served, request) => http(served, 'POST', 'connectors/fakeprov/call', { json: request });

function expectCode(answer, status, code, what) {
  assert.equal(answer.status, status, `${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
  assert.equal(answer.body?.error?.code, code, `${what}: ${answer.text.slice(0, 300)}`);
  assert.equal(answer.headers.get('x-base44-connector-error'), code, what);
}

/** The server still serves: a normal proxied call is answered. */
async function stillServing(served, what) {
  const next = await call(served, { path: '/json' });
  assert.equal(next.status, 200, `the request after ${what}: ${next.status} ${next.text.slice(0, 300)}`);
  assert.equal(next.body.data.hello, 'world', `the request after ${what}`);
  noneEscaped();
}

async function connected(overrides = {}) {
  const ctx = setup(api, overrides);
  await ctx.connectShared('fakeprov', ['read']);
  const served = await api.serveNode(ctx.server);
  return { ctx, served };
}

describe('hostile callApi headers', () => {
  // Each was, on the first try, an uncaught TypeError from Headers.set:
  // Node ended (memoryStore and every connection with it).
  const variants = {
    'a non-Latin-1 value (accept: €)': { accept: '€' },
    'a Latin-1 value (accept: café), sent as one byte no receiver reads as UTF-8': { accept: 'caf\u00e9' },
    'a NUL in a value': { accept: 'application/json\u0000' },
    'a tab in a value': { accept: 'a\tb' },
    'a control character in a value': { 'notion-version': '2022-06-28\u0001' },
    'DEL in a value': { accept: '\u007f' },
    'a -version name with a space': { 'x api-version': '1' },
    'a -version name with a colon': { 'x:api-version': '1' },
    'a -version name with a non-ASCII letter': { 'x-ü-version': '1' },
    'a -version name with a NUL': { '\u0000-version': '1' },
  };

  test('each is 400 INVALID_INPUT, nothing is sent upstream, and the next request is answered', { timeout: 60_000 }, async () => {
    const { ctx, served } = await connected();
    try {
      for (const [what, headers] of Object.entries(variants)) {
        const before = ctx.p.apiCalls().length;
        const answer = await call(served, { path: '/json', headers });
        expectCode(answer, 400, 'INVALID_INPUT', what);
        assert.equal(ctx.p.apiCalls().length, before, `${what}: nothing was sent`);
        await stillServing(served, what);
      }
      // The same through server.fetch (Deno.serve, Workers): Request objects.
      const response = await ctx.server.fetch(new Request(`${PUBLIC}/api/apps/${APP}/connectors/fakeprov/call`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SERVICE}`, 'content-type': 'application/json' },
        body: JSON.stringify({ path: '/json', headers: { accept: '€' } }),
      }));
      expectCode(await readAnswer(response, 'POST', 'call'), 400, 'INVALID_INPUT', 'server.fetch, accept: €');
      await stillServing(served, 'server.fetch with accept: €');
    } finally {
      await served.close();
    }
  });
});

describe('a provider token that cannot go into a header', () => {
  test('from the code exchange: the connection fails with provider_error, nothing is stored, and the server serves', { timeout: 30_000 }, async () => {
    const ctx = setup(api);
    const served = await api.serveNode(ctx.server);
    try {
      ctx.p.next.token.push(() => json({ access_token: 'SENTINEL_AT_€', refresh_token: 'SENTINEL_RT_x', expires_in: 3600, token_type: 'Bearer' }));
      const put = await http(served, 'PUT', 'external-auth/integrations/fakeprov', { json: { scopes: ['read'] } });
      assert.equal(put.status, 200, put.text);
      const { answer } = await ctx.callback(put.body.redirect_url);
      assert.match(answer.text, /provider_error/, `callback: ${answer.status} ${answer.text.slice(0, 300)}`);
      const read = await http(served, 'GET', 'external-auth/tokens/fakeprov');
      expectCode(read, 404, 'NOT_CONNECTED', 'a read after the refused exchange');
      const proxied = await call(served, { path: '/json' });
      expectCode(proxied, 404, 'NOT_CONNECTED', 'callApi after the refused exchange');
      noneEscaped();
      // A good consent afterwards connects.
      await ctx.connectShared('fakeprov', ['read']);
      await stillServing(served, 'the refused exchange');
    } finally {
      await served.close();
    }
  });

  test('from a refresh: the read and callApi are 502 PROVIDER_ERROR, and the server serves', { timeout: 30_000 }, async () => {
    const ctx = setup(api);
    ctx.p.expiresIn = 1; // the first token lives one second
    await ctx.connectShared('fakeprov', ['read']);
    const served = await api.serveNode(ctx.server);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1200));
      for (let i = 0; i < 2; i++) {
        ctx.p.next.refresh.push(() => json({ access_token: 'SENTINEL_AT_\u20ac', refresh_token: 'SENTINEL_RT_y', expires_in: 3600 }));
      }
      const proxied = await call(served, { path: '/json' });
      expectCode(proxied, 502, 'PROVIDER_ERROR', 'callApi when the refresh brings an unsendable token');
      assert.ok(!proxied.text.includes('SENTINEL'), proxied.text);
      const read = await http(served, 'GET', 'external-auth/tokens/fakeprov');
      expectCode(read, 502, 'PROVIDER_ERROR', 'a read when the refresh brings an unsendable token');
      assert.ok(!read.text.includes('SENTINEL'), read.text);
      noneEscaped();
      // The next refresh brings a good token: served again.
      ctx.p.expiresIn = 3600;
      await stillServing(served, 'the refused refresh');
    } finally {
      await served.close();
    }
  });
});

describe('host functions that throw in odd ways', () => {
  // A thenable whose `then` getter throws makes Promise.resolve throw.
  const hostile = () => ({ get then() { throw new Error('SENTINEL_THEN'); } });

  test('a fetch answering a throwing thenable, a store and verifyUser doing the same: coded answers, the server serves', { timeout: 30_000 }, async () => {
    const { ctx, served } = await connected();
    try {
      const odd = setup(api, { fetch: () => hostile() });
      const put = await odd.service('PUT', 'external-auth/integrations/fakeprov', { json: { scopes: ['read'] } });
      assert.equal(put.status, 200, put.text);
      const { answer } = await odd.callback(put.body.redirect_url);
      assert.match(answer.text, /provider_error|try_again/, `callback with a hostile fetch: ${answer.text.slice(0, 300)}`);
      noneEscaped();

      const store = api.memoryStore();
      const badStore = { ...store, get: () => hostile(), set: store.set, delete: store.delete, setIfAbsent: store.setIfAbsent, compareAndSet: store.compareAndSet };
      const s = setup(api, { store: badStore });
      const read = await s.service('GET', 'external-auth/tokens/fakeprov');
      expectCode(read, 503, 'STORE_UNAVAILABLE', 'a store answering a throwing thenable');
      noneEscaped();

      const u = setup(api, { users: { verifyUser: () => hostile() } });
      const init = await u.send('POST', 'app-user-auth/connectors/mine/initiate', { auth: 'some.user.token' });
      expectCode(init, 401, 'UNAUTHENTICATED', 'verifyUser answering a throwing thenable');
      noneEscaped();
      await stillServing(served, 'the hostile host functions');
    } finally {
      await served.close();
    }
  });

  test('whatever escapes the wasm is a bare 500 INTERNAL, never a rejection or a hang', { timeout: 30_000 }, async () => {
    const ctx = setup(api);
    const url = `${PUBLIC}/api/apps/${APP}/external-auth/list`;
    // The global Response is what the wasm builds answers with: make it throw.
    const Native = globalThis.Response;
    globalThis.Response = class { constructor() { throw new Error('SENTINEL_RESPONSE'); } };
    let response;
    try {
      response = await ctx.server.fetch(new Request(url, { headers: { authorization: `Bearer ${SERVICE}` } }));
    } finally {
      globalThis.Response = Native;
    }
    assert.equal(response.status, 500);
    assert.equal(response.headers.get('x-base44-connector-error'), 'INTERNAL');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await response.json(), { error: { code: 'INTERNAL', message: 'Internal server error' } });
    // In-process calls (serveNode, createClient({ fetch: server.fetch })): the same.
    const direct = ctx.server.fetch[Symbol.for('oauth-connectors.in-process')];
    const [status, headers, text] = await direct('GET', url, [1, 2], undefined);
    assert.equal(status, 500);
    assert.equal(JSON.parse(text).error.code, 'INTERNAL');
    assert.ok(headers.includes('x-base44-connector-error'));
    // Not a Request still rejects, as documented.
    await assert.rejects(ctx.server.fetch({}), (e) => e instanceof api.ConnectorsError && e.code === 'INVALID_INPUT');
    const list = await ctx.server.fetch(new Request(url, { headers: { authorization: `Bearer ${SERVICE}` } }));
    assert.equal(list.status, 200);
    noneEscaped();
  });
});

describe('callApi paths outside the API base', () => {
  // files.provider.test's base is https://files.provider.test/v2: each of
  // these reached /json at the root, outside /v2, with the token.
  const paths = [
    '/.%2e/json', '/%2e./json', '/.%2E/json', '/%2E./json', '/a/.%2e/.%2e/json', '/%2e%2e/json', '/%2E%2e/json',
    '/%2e/json', '/a/%252e%252e/json', '/..;/json', '/%2e%2e%3b/json', '/a%2f..%2fjson', '/a%5c..%5cjson',
    '/.\t./json', '/.%00./json', '/%u002e%u002e/json', '/..%20/json',
  ];

  test('each is 400 PROXY_NOT_ALLOWED and nothing is sent; paths under the base still go', { timeout: 60_000 }, async () => {
    const { ctx, served } = await connected();
    try {
      for (const path of paths) {
        const before = ctx.p.apiCalls().length;
        const answer = await call(served, { host: 'files.provider.test', path });
        expectCode(answer, 400, 'PROXY_NOT_ALLOWED', `path ${JSON.stringify(path)}`);
        assert.equal(ctx.p.apiCalls().length, before, `path ${JSON.stringify(path)}: nothing was sent`);
      }
      const ok = await call(served, { host: 'files.provider.test', path: '/json' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.data.path, '/v2/json');
      const dots = await call(served, { host: 'files.provider.test', path: '/a..b/..c/json' });
      assert.equal(dots.status, 200, dots.text);
      assert.equal(ctx.p.apiCalls().at(-1).path, '/v2/a..b/..c/json');
      noneEscaped();
    } finally {
      await served.close();
    }
  });
});
