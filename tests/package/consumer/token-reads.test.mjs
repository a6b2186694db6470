// Token reads answered again without the wasm (the package's reads.js): a
// repeated read by service token must answer exactly what the server would
// (a second server on the same store, which has answered nothing yet,
// says what that is), with the TTL header counted down, and nothing stale:
// not after another instance disconnects, reconnects or refreshes, not
// past the refresh time, not for another request (headers with non-ASCII
// and control bytes, a second Authorization), not over a store that
// answers Promises or fails.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'oauth-connectors';
import { APP, PUBLIC, SERVICE, baseOptions, fakeProvider, setup } from './server-checks.mjs';

const IN_PROCESS = Symbol.for('oauth-connectors.in-process');
const TOKENS = `${PUBLIC}/api/apps/${APP}/external-auth/tokens/fakeprov`;
const BEARER = ['authorization', `Bearer ${SERVICE}`];

// The clock of the servers and the memory store (Date.now), moved by the tests.
const realNow = Date.now;
let now = realNow();
Date.now = () => now;
afterEach(() => {
  now = realNow();
});

/** A server of these options that has answered nothing: what any read answers from scratch. */
const fresh = (ctx) => api.createConnectorsServer(ctx.options).fetch[IN_PROCESS];

/** The answer of a read through `call` (the in-process call), awaited. */
async function answer(call, headers = BEARER, url = TOKENS) {
  const [status, pairs, text] = await call('GET', url, headers, undefined);
  return { status, pairs, text };
}

const header = (a, name) => {
  for (let i = 0; i < a.pairs.length; i += 2) if (a.pairs[i] === name) return a.pairs[i + 1];
  return null;
};

test('a repeated read answers what the server would, its TTL counted down, and follows the store: another instance disconnects, reconnects, the token comes due', async () => {
  const p = fakeProvider();
  p.expiresIn = 300; // a 5-minute token: handed out for 2.5 minutes
  const ctx = setup(api, {}, p);
  await ctx.connectShared('fakeprov', ['read']);
  const call = ctx.server.fetch[IN_PROCESS];
  const first = await answer(call);
  assert.equal(first.status, 200);
  assert.equal(JSON.parse(first.text).access_token, p.issued[0].access_token);
  const ttl = Number(header(first, 'x-connectors-token-ttl'));
  assert.ok(ttl > 140_000 && ttl <= 150_000, `ttl ${ttl}`);
  // Repeats, over the clock: each exactly what a server that has read
  // nothing answers then.
  const start = now;
  for (const offset of [0, 1, 1_000, 60_000, ttl - 1]) {
    now = start + offset;
    const again = await answer(call);
    assert.deepStrictEqual(again, await answer(fresh(ctx)), `after ${offset} ms`);
    assert.equal(Number(header(again, 'x-connectors-token-ttl')), ttl - offset);
  }
  // Another instance on the same store disconnects: not connected here too.
  const other = setup(api, { store: ctx.options.store }, p);
  const removed = await other.service('DELETE', 'external-auth/integrations/fakeprov/remove');
  assert.equal(removed.status, 200);
  const gone = await answer(call);
  assert.equal(gone.status, 404);
  assert.equal(JSON.parse(gone.text).error.code, 'NOT_CONNECTED');
  // ... and connects again: the new token at once.
  await other.connectShared('fakeprov', ['read']);
  const back = await answer(call);
  assert.equal(JSON.parse(back.text).access_token, p.issued[1].access_token);
  assert.deepStrictEqual(await answer(call), await answer(fresh(ctx)));
  // Past the refresh time (always due from ~177 s of its 300): the wasm
  // refreshes it, once.
  now += 180_000;
  const refreshes = p.tokenCalls('refresh_token').length;
  const refreshed = await answer(call);
  assert.equal(JSON.parse(refreshed.text).access_token, p.issued[2].access_token);
  assert.equal(p.tokenCalls('refresh_token').length, refreshes + 1);
  assert.deepStrictEqual(await answer(call), refreshed);
  assert.equal(p.tokenCalls('refresh_token').length, refreshes + 1);
});

test('a repeated read is kept per request: other headers (an origin, non-ASCII and control bytes, a wrong or second token) get their own answer', async () => {
  const ctx = setup(api);
  await ctx.connectShared('fakeprov', ['read']);
  const call = ctx.server.fetch[IN_PROCESS];
  const scratch = fresh(ctx);
  const requests = [
    BEARER,
    [...BEARER, 'origin', 'https://app.example'],
    [...BEARER, 'origin', 'https://evil.example'],
    [...BEARER, 'x-note', 'é\u0001\u007f\u2028 \u{1F600}'],
    [...BEARER, 'x-note', 'é\u0001\u007f\u2028 \u{1F600}', 'x-app-id', 'another-app'],
    ['authorization', `Bearer ${SERVICE}x`],
    ['authorization', 'Bearer wrong', ...BEARER],
    // The pairs of the first request, split at other places.
    [`authorization", "Bearer ${SERVICE}`],
    ['authorization', `Bearer ${SERVICE}`, 'x-app-id'],
  ];
  for (const headers of requests) await answer(call, headers); // kept, where it may be
  for (let round = 0; round < 2; round++) {
    for (const headers of requests) {
      assert.deepStrictEqual(await answer(call, headers), await answer(scratch, headers), JSON.stringify(headers));
    }
  }
  const cors = await answer(call, requests[1]);
  assert.equal(header(cors, 'access-control-allow-origin'), 'https://app.example');
  assert.equal(header(await answer(call, requests[2]), 'access-control-allow-origin'), null);
  assert.equal((await answer(call, requests[5])).status, 401);
  assert.equal((await answer(call, requests[4])).status, 404);
  // Over Requests (server.fetch: serveNode without the binding, Deno.serve, Workers) the same.
  const viaFetch = await ctx.server.fetch(new Request(TOKENS, { headers: { authorization: `Bearer ${SERVICE}` } }));
  const again = await ctx.server.fetch(new Request(TOKENS, { headers: { authorization: `Bearer ${SERVICE}` } }));
  assert.equal(viaFetch.status, 200);
  assert.deepStrictEqual([...again.headers].filter(([k]) => k !== 'x-connectors-token-ttl'), [...viaFetch.headers].filter(([k]) => k !== 'x-connectors-token-ttl'));
  assert.equal(await again.text(), await viaFetch.text());
  // Only a GET is kept: a HEAD after it is refused (405), as by a server that has read nothing.
  const head = await call('HEAD', TOKENS, BEARER, undefined);
  assert.deepStrictEqual(head, await scratch('HEAD', TOKENS, BEARER, undefined));
  assert.equal(head[0], 405);
});

test('a repeated read over a store answering Promises, or one that fails, answers what the server would', async () => {
  const backing = api.memoryStore();
  let mode = 'promise';
  const gets = [];
  const store = {
    ...backing,
    get(key) {
      gets.push(key);
      if (mode === 'throws') throw new Error('SENTINEL_STORE_DOWN');
      if (mode === 'rejects') return Promise.reject(new Error('SENTINEL_STORE_DOWN'));
      if (mode === 'other') return Promise.resolve('v1.not-what-was-read');
      return Promise.resolve(backing.get(key));
    },
  };
  const ctx = setup(api, { store });
  await ctx.connectShared('fakeprov', ['read']);
  const call = ctx.server.fetch[IN_PROCESS];
  const first = await answer(call);
  assert.equal(first.status, 200);
  // The store is read on every request, once.
  gets.length = 0;
  const pending = call('GET', TOKENS, BEARER, undefined);
  assert.ok(pending instanceof Promise);
  assert.deepStrictEqual(await pending, [first.status, first.pairs, first.text]);
  assert.equal(gets.length, 1);
  for (const m of ['throws', 'rejects']) {
    mode = m;
    const down = await answer(call);
    assert.equal(down.status, 503, m);
    assert.equal(JSON.parse(down.text).error.code, 'STORE_UNAVAILABLE', m);
    assert.ok(!down.text.includes('SENTINEL'), m);
  }
  mode = 'promise';
  assert.equal((await answer(call)).status, 200);
  // Another string than the one read: the server opens it (and refuses it).
  mode = 'other';
  const changed = await answer(call);
  assert.notEqual(changed.status, 200);
  assert.ok(!changed.text.includes('SENTINEL'));
});

test('a read on behalf of a user token is kept until that token expires; with verifyUser, the host is asked on every read', async () => {
  const ctx = setup(api);
  const { jwt } = await ctx.connectUser('mine', 'alice');
  const path = `${PUBLIC}/api/apps/${APP}/app-user-auth/connectors/mine/token`;
  const headers = [...BEARER, 'on-behalf-of', `Bearer ${jwt}`];
  const call = ctx.server.fetch[IN_PROCESS];
  const first = await answer(call, headers, path);
  assert.equal(first.status, 200);
  const start = now;
  // The JWT lives 600 s, and verifies for 60 s more (the leeway).
  for (const offset of [0, 1_000, 660_000]) {
    now = start + offset;
    assert.deepStrictEqual(await answer(call, headers, path), await answer(fresh(ctx), headers, path), `after ${offset} ms`);
  }
  now = start + 661_000;
  const expired = await answer(call, headers, path);
  assert.equal(expired.status, 401);
  assert.equal(JSON.parse(expired.text).error.code, 'JWT_EXPIRED');
  now = start;

  // The host's verifyUser decides each time: a user it stops accepting is refused at once.
  let accepted = true;
  let asked = 0;
  const hooked = setup(api, { store: ctx.options.store, users: { verifyUser: (token) => {
    asked += 1;
    return accepted && token === 'alice-session' ? { id: 'alice' } : null;
  } } }, ctx.p);
  const byHook = [...BEARER, 'on-behalf-of', 'Bearer alice-session'];
  const hookCall = hooked.server.fetch[IN_PROCESS];
  assert.equal(JSON.parse((await answer(hookCall, byHook, path)).text).access_token, JSON.parse(first.text).access_token);
  assert.equal((await answer(hookCall, byHook, path)).status, 200);
  assert.equal(asked, 2);
  accepted = false;
  assert.equal((await answer(hookCall, byHook, path)).status, 401);
  assert.equal(asked, 3);
});
