// Listing through the installed package in Node: the connectors server's
// `GET connections` route over memoryStore() (every kind, page by page,
// never a token; 501 LIST_UNSUPPORTED over a store without list), and
// memoryStore() staying flat over thousands of connects (its sweep).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'oauth-connectors';
import { APP, expectError, setup, userJwt } from './server-checks.mjs';

const SIZE = Symbol.for('oauth-connectors.memory-store-size');

/** Every page of `GET connections?{query}`, following the cursor. */
async function allConnections(ctx, query = '') {
  const all = [];
  let cursor = null;
  for (let pages = 1; pages < 1000; pages++) {
    const q = new URLSearchParams(query);
    if (cursor !== null) q.set('cursor', cursor);
    const answer = await ctx.service('GET', `connections?${q}`);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.ok(Array.isArray(answer.body.connections), answer.text);
    all.push(...answer.body.connections);
    cursor = answer.body.cursor;
    if (cursor === null) return { all, pages };
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  }
  throw new Error('GET connections did not end');
}

const name = (c) => `${c.kind}:${c.connector}:${c.user_id ?? '-'}`;

test('GET connections pages through shared, workspace and app-user connections over memoryStore, never a token', async () => {
  const ctx = setup(api);
  await ctx.connectShared('fakeprov', ['read']);
  await ctx.connectShared('team', ['read'], { workspace: true });
  await ctx.connectUser('mine', 'alice');
  await ctx.connectUser('mine', 'bob');
  await ctx.connectUser('other', 'alice');

  const { all, pages } = await allConnections(ctx, 'limit=2');
  assert.ok(pages >= 3, `${pages} pages of 2`);
  assert.deepEqual(all.map(name).sort(), [
    'app_user:mine:alice', 'app_user:mine:bob', 'app_user:other:alice', 'shared:fakeprov:-', 'workspace:team:-',
  ]);
  for (const c of all) {
    assert.equal(c.status, 'active');
    assert.ok(Array.isArray(c.scopes) && c.scopes.includes('read'), JSON.stringify(c));
    assert.equal(typeof c.id, 'string');
    assert.ok(Number.isSafeInteger(c.created_at_ms) && Math.abs(c.created_at_ms - Date.now()) < 60_000, JSON.stringify(c));
    assert.ok(c.updated_at_ms >= c.created_at_ms);
    assert.equal(c.last_refresh, null);
    assert.ok('user_email' in c && 'expires_at_ms' in c);
    assert.ok(!JSON.stringify(c).includes('SENTINEL'), JSON.stringify(c));
  }

  const users = await allConnections(ctx, 'kind=app_user&connector=mine&limit=1');
  assert.deepEqual(users.all.map(name).sort(), ['app_user:mine:alice', 'app_user:mine:bob']);
  const workspace = await allConnections(ctx, 'kind=workspace');
  assert.deepEqual(workspace.all.map(name), ['workspace:team:-']);

  // A disconnected connection is gone from the list.
  const jwt = await userJwt('bob');
  const gone = await ctx.send('DELETE', 'app-user-auth/connectors/mine', { auth: jwt });
  assert.equal(gone.status, 200, gone.text);
  assert.deepEqual((await allConnections(ctx, 'kind=app_user')).all.map(name).sort(), ['app_user:mine:alice', 'app_user:other:alice']);

  // Base44's list keeps its shape.
  const list = await ctx.service('GET', 'external-auth/list');
  assert.deepEqual(list.body, { integrations: [{ integration_type: 'fakeprov', status: 'active', scopes: ['read'] }] });

  expectError(await ctx.service('GET', 'connections?limit=0'), 400, 'INVALID_INPUT');
  expectError(await ctx.service('GET', 'connections?kind=users'), 400, 'INVALID_INPUT');
  // A cursor memoryStore did not make (not a key under the listed prefix).
  expectError(await ctx.service('GET', `connections?cursor=${Buffer.from('elsewhere').toString('base64url')}`), 400, 'INVALID_INPUT');
  expectError(await ctx.send('GET', 'connections', { auth: await userJwt('alice') }), 403, 'FORBIDDEN');
  ctx.canary();
});

test('GET connections over a store without list: 501 LIST_UNSUPPORTED, and the rest still works', async () => {
  const { list, ...store } = api.memoryStore();
  assert.equal(typeof list, 'function');
  const ctx = setup(api, { store });
  await ctx.connectUser('mine', 'alice');
  expectError(await ctx.service('GET', 'connections'), 501, 'LIST_UNSUPPORTED');
  assert.equal((await ctx.service('GET', 'external-auth/list')).status, 200);
  // A store whose list is not a function is refused when the server is made.
  assert.throws(() => setup(api, { store: { ...store, list: 'yes' } }), (e) => e.code === 'INVALID_INPUT' && /store\.list must be a function/.test(e.message));
  ctx.canary();
});

test('memoryStore stays flat over thousands of connects: used-state marks and pending statuses are swept', { timeout: 120_000 }, async () => {
  let now = Date.now();
  const store = api.memoryStore({ now: () => now });
  const ctx = setup(api, { store });
  const users = ['alice', 'bob', 'carol'];
  const ROUNDS = 1500;
  let largest = 0;
  for (let i = 0; i < ROUNDS; i++) {
    // An app user reconnects (a start ticket and a state, each marked used),
    // and the builder starts a PUT it never finishes (a pending status).
    await ctx.connectUser('mine', users[i % users.length]);
    const put = await ctx.service('PUT', 'external-auth/connectors/team', { json: { scopes: ['read'] } });
    assert.equal(put.status, 200, put.text);
    // An hour on: every mark and status of this round has expired.
    now += 3_600_000;
    largest = Math.max(largest, store[SIZE]());
  }
  const live = (await store.list(''))?.entries.length;
  assert.equal(live, users.length, 'the live entries are the three connections');
  // Without the sweep the map would hold about 3 entries per round (4500).
  assert.ok(largest <= 30, `the store held up to ${largest} entries over ${ROUNDS} rounds`);
  assert.ok(store[SIZE]() <= 30, `${store[SIZE]()} entries at the end`);
});

test('memoryStore: each write sweeps a few entries, so the map holds at most about twice its live entries', async () => {
  let now = 0;
  const store = api.memoryStore({ now: () => now });
  for (let i = 0; i < 100; i++) await store.set(`keep:${i}`, 'v');
  for (let i = 0; i < 20_000; i++) {
    await store.set(`mark:${i}`, 'v', { ttlMs: 10 });
    now += 5; // each mark lives two writes
    assert.ok(store[SIZE]() <= 2 * 102 + 4, `${store[SIZE]()} entries after ${i + 1} marks`);
  }
  const { entries, cursor } = await store.list('keep:', { limit: 1000 });
  assert.equal(entries.length, 100);
  assert.equal(cursor, null);
  // Nothing live is swept.
  for (let i = 0; i < 100; i++) assert.equal(await store.get(`keep:${i}`), 'v');
  // A store nobody writes to keeps its entries (expired ones read as absent).
  assert.equal(await store.get('mark:19999'), 'v');
  now += 10;
  assert.equal(await store.get('mark:19999'), null);
});

test('memoryStore.list: keys in order, the cursor the last key, clear INVALID_INPUT messages', async () => {
  const store = api.memoryStore();
  for (const k of ['b', 'a:2', 'a:1', 'a:10', 'c']) await store.set(k, `v${k}`);
  assert.deepEqual(await store.list('a:', { limit: 2 }), { entries: [{ key: 'a:1', value: 'va:1' }, { key: 'a:10', value: 'va:10' }], cursor: 'a:10' });
  assert.deepEqual(await store.list('a:', { limit: 2, cursor: 'a:10' }), { entries: [{ key: 'a:2', value: 'va:2' }], cursor: null });
  assert.deepEqual((await store.list('')).entries.map((e) => e.key), ['a:1', 'a:10', 'a:2', 'b', 'c']);
  const rejected = [
    [() => store.list(1), 'The list prefix must be a string, got number'],
    [() => store.list('a', { limit: 0 }), 'The list limit must be a whole number from 1 to 1000, got 0'],
    [() => store.list('a', { limit: '5' }), 'The list limit must be a whole number from 1 to 1000, got string'],
    [() => store.list('a', { cursor: 3 }), 'The list cursor must be a string or null, got number'],
    [() => store.list('a', { cursor: 'b' }), 'The list cursor is not one a listing of this prefix answered'],
    [() => store.list('a', { after: 'a' }), 'Unknown option "after" in list options; the options are: cursor, limit'],
  ];
  for (const [call, message] of rejected) {
    await assert.rejects(call(), (e) => e instanceof api.ConnectorsError && e.code === 'INVALID_INPUT' && e.message === message);
  }
  assert.equal(APP, 'app1');
});
