// The proof that the vault scales out: 4 connectors server processes on one
// store and one secret (Node on PostgreSQL, Node on Redis, Deno on one Deno
// KV file), a real authorization server (oidc-provider) whose first access
// token lives FIRST_TTL_S seconds, refreshes counted at the provider
// (grant.success) and at a proxy in front of its token endpoint. The
// instances run with timeoutMs 3000 and maxAttempts 1: a refresh lease then
// lasts LEASE_MS (timeoutMs + 10600), the longest a dead lease holder can
// keep the others waiting. Every process is killed when a test ends, fails
// or times out (scale/world.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'oauth-connectors';
import { signIn, startLocalProvider } from 'oauth-connectors/dev-provider';
import { startWorld, untilExpired, until } from './scale/world.mjs';
import { startPostgres } from './postgres-server.mjs';
import { startRedis } from './redis-server.mjs';

const INSTANCES = 4;
const TIMEOUT_MS = 3000;
const LEASE_MS = TIMEOUT_MS + 10_600;
// The bound no read may pass when the lease holder dies: the lease lapses,
// then one refresh (at most TIMEOUT_MS), then the answer.
const READ_BOUND_MS = LEASE_MS + TIMEOUT_MS + 2000;
const BURST = 40;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const deno = process.env.PACKAGE_TEST_TOOLS ? `${process.env.PACKAGE_TEST_TOOLS}/deno` : 'deno';

function counts(world) {
  return { received: world.proxy.refreshes.length, forwarded: world.proxy.forwarded, granted: world.op.grants.refresh_token };
}
function since(world, before) {
  const now = counts(world);
  return { received: now.received - before.received, forwarded: now.forwarded - before.forwarded, granted: now.granted - before.granted };
}
const summary = (reads) => JSON.stringify(reads.map((r) => `${r.instance}:${r.status}:${r.code ?? r.error ?? 'ok'}:${r.ms}ms`));

function expectSameToken(reads, what) {
  for (const r of reads) assert.equal(r.status, 200, `${what}: every read answered 200: ${summary(reads)}`);
  const tokens = new Set(reads.map((r) => r.token));
  assert.equal(tokens.size, 1, `${what}: every reader got the same token`);
  return reads[0].token;
}

/** A burst when the token is due: one refresh, every read answered, one token. */
async function burstWhenDue(world) {
  await untilExpired(await world.connect());
  const before = counts(world);
  const reads = await world.burst(BURST, { timeoutMs: 20_000 });
  const token = expectSameToken(reads, 'burst');
  assert.deepEqual(since(world, before), { received: 1, forwarded: 1, granted: 1 }, `one refresh for ${BURST} reads over ${INSTANCES} instances`);
  assert.ok(await world.works(token), 'the token works at the provider');
}

/** The token endpoint slower (2 s) than the burst (reads started over 1 s). */
async function slowTokenEndpoint(world) {
  await untilExpired(await world.connect());
  const before = counts(world);
  world.proxy.plan({ delayMs: 2000 });
  const reads = await Promise.all(Array.from({ length: BURST }, async (_, k) => {
    await sleep(k * 25);
    return world.read(k % INSTANCES, { timeoutMs: 20_000 });
  }));
  const token = expectSameToken(reads, 'slow endpoint');
  assert.deepEqual(since(world, before), { received: 1, forwarded: 1, granted: 1 }, 'one refresh however slow the endpoint');
  assert.ok(await world.works(token));
}

/** kill -9 of the lease holder before its refresh reaches the provider. */
async function leaseHolderDiesBeforeSending(world) {
  await untilExpired(await world.connect());
  const before = counts(world);
  world.proxy.plan({ hold: 'before' });
  const holder = world.proxy.received();
  const burst = world.burst(BURST, { timeoutMs: READ_BOUND_MS + 5000 });
  const { instance: victim } = await holder;
  await world.kill(victim);
  const reads = await burst;
  const survivors = reads.filter((r) => r.instance !== victim);
  for (const r of reads.filter((r) => r.instance === victim)) assert.equal(r.status, 0, 'reads on the killed instance get no answer');
  const token = expectSameToken(survivors, 'after the lease holder died');
  const slowest = Math.max(...survivors.map((r) => r.ms));
  assert.ok(slowest <= READ_BOUND_MS, `no read past ${READ_BOUND_MS} ms (the slowest: ${slowest} ms)`);
  assert.deepEqual(since(world, before), { received: 2, forwarded: 1, granted: 1 }, 'the held refresh never reached the provider; one other instance refreshed');
  // The connection stays usable, also from a replacement of the killed instance.
  await world.start(victim);
  const again = await world.burst(INSTANCES * 2, { timeoutMs: 10_000 });
  assert.equal(expectSameToken(again, 'after the replacement started'), token);
  assert.ok(await world.works(token));
  assert.equal(since(world, before).granted, 1, 'no further refresh');
}

/**
 * The case no store can save: the lease holder dies after the provider
 * rotated the refresh token and before the new one was stored. The next
 * refresh presents the old one; the provider refuses it; the connection is
 * marked expired, connection.expired fires, and reads fail NEEDS_RECONNECT
 * until the user reconnects.
 */
async function leaseHolderDiesAfterRotation(world) {
  await untilExpired(await world.connect());
  const before = counts(world);
  const eventsBefore = world.events.length;
  world.proxy.plan({ hold: 'after' });
  const holder = world.proxy.received();
  const burst = world.burst(BURST, { timeoutMs: READ_BOUND_MS + 5000 });
  const { instance: victim } = await holder;
  await until(() => since(world, before).granted === 1, 10_000, 'the provider to rotate the refresh token');
  await world.kill(victim);
  const reads = await burst;
  const survivors = reads.filter((r) => r.instance !== victim);
  for (const r of survivors) assert.equal(r.code, 'NEEDS_RECONNECT', `reported as needing a reconnect, not silently: ${summary(survivors)}`);
  const slowest = Math.max(...survivors.map((r) => r.ms));
  assert.ok(slowest <= READ_BOUND_MS, `no read past ${READ_BOUND_MS} ms (the slowest: ${slowest} ms)`);
  const expired = world.events.slice(eventsBefore).filter((e) => e.type === 'connection.expired');
  assert.equal(expired.length, 1, `one connection.expired event: ${JSON.stringify(world.events.slice(eventsBefore))}`);
  assert.equal(expired[0].code, 'NEEDS_RECONNECT');
  assert.equal(expired[0].status, 'expired');
  assert.deepEqual(since(world, before), { received: 2, forwarded: 2, granted: 1 }, 'the rotated token was presented once more, and refused');
  const listed = (await world.list(victim === 0 ? 1 : 0)).integrations;
  assert.deepEqual(listed.map((c) => c.status), ['expired'], `the management list says expired: ${JSON.stringify(listed)}`);
  // The user reconnects: the same connection is active again.
  await world.start(victim);
  await world.connect();
  assert.ok(world.events.slice(eventsBefore).some((e) => e.type === 'connection.recovered'), 'connection.recovered fires on reconnect');
  const again = await world.burst(INSTANCES * 2, { timeoutMs: 10_000 });
  assert.ok(await world.works(expectSameToken(again, 'after the reconnect')));
}

/**
 * The store stops while the refresh is at the provider and comes back:
 * reads fail STORE_UNAVAILABLE meanwhile, the stored entries are as they
 * were (nothing half-written), and the first reads after it returns get
 * the refreshed token with no second refresh (the lease holder kept it and
 * writes it first).
 */
async function storeStopsMidBurst(world, backend) {
  await untilExpired(await world.connect());
  const before = counts(world);
  const stored = await backend.entries();
  world.proxy.plan({ delayMs: 1500 });
  const holder = world.proxy.received();
  const burst = world.burst(BURST, { timeoutMs: 20_000 });
  await holder;
  await backend.stop();
  const reads = await burst;
  for (const r of reads) assert.equal(r.code, 'STORE_UNAVAILABLE', `every read of the burst: STORE_UNAVAILABLE: ${summary(reads)}`);
  const down = await world.burst(INSTANCES * 2, { timeoutMs: 10_000 });
  for (const r of down) assert.equal(r.code, 'STORE_UNAVAILABLE', `reads while it is down: ${summary(down)}`);
  assert.ok(Math.max(...down.map((r) => r.ms)) < 5000, `while it is down reads fail fast: ${summary(down)}`);
  await backend.start();
  assert.deepEqual(await backend.entries(), stored, 'nothing half-written: the entries (leases aside) are as before the burst');
  const back = await world.burst(BURST, { timeoutMs: 20_000 });
  const token = expectSameToken(back, 'after the store came back');
  assert.ok(await world.works(token));
  assert.deepEqual(since(world, before), { received: 1, forwarded: 1, granted: 1 }, 'no extra refresh');
}

async function scenarios(t, world, backend) {
  const step = (name, fn) => t.test(name, { timeout: 90_000 }, fn);
  await step(`${BURST} concurrent reads over ${INSTANCES} instances when the token is due: one refresh, one token`, () => burstWhenDue(world));
  await step('the token endpoint slower than the burst: one refresh, one token', () => slowTokenEndpoint(world));
  await step(`kill -9 of the lease holder before it sends: another refreshes once the lease lapses, no read past ${READ_BOUND_MS} ms`, () => leaseHolderDiesBeforeSending(world));
  await step('the lease holder dies after the provider rotated the token: expired, connection.expired, NEEDS_RECONNECT, reconnect', () => leaseHolderDiesAfterRotation(world));
  if (backend) await step('the store stops mid-burst and comes back: STORE_UNAVAILABLE, nothing half-written, no extra refresh', () => storeStopsMidBurst(world, backend));
}

test('the server option maxAttempts: 1 to 10, else INVALID_INPUT', () => {
  const options = { appId: 'app1', publicUrl: 'https://connect.example', secret: 'scale-server-secret-0123456789abcdef-0123' };
  for (const maxAttempts of [1, 10, undefined]) api.createConnectorsServer({ ...options, maxAttempts });
  for (const maxAttempts of [0, 11, 1.5, '3']) {
    assert.throws(() => api.createConnectorsServer({ ...options, maxAttempts }), (e) => e.code === 'INVALID_INPUT' && /maxAttempts/.test(e.message), String(maxAttempts));
  }
});

test(`scale: ${INSTANCES} Node processes on one PostgreSQL`, { timeout: 300_000 }, async (t) => {
  const pg = await startPostgres();
  const { default: pgLib } = await import('pg');
  const table = 'scale_test';
  const pool = new pgLib.Pool({ connectionString: pg.url, max: 2, connectionTimeoutMillis: 2000 });
  pool.on('error', () => {});
  let world;
  try {
    world = await startWorld({ store: { kind: 'postgres', url: pg.url, table }, instances: INSTANCES, startLocalProvider, signIn, timeoutMs: TIMEOUT_MS });
    await scenarios(t, world, {
      stop: () => pg.stop(),
      start: () => pg.start(),
      entries: async () => (await pool.query(`SELECT key, value FROM ${table} WHERE key NOT LIKE '%lease%' ORDER BY key`)).rows,
    });
  } finally {
    await world?.close();
    await pool.end().catch(() => {});
    pg.close();
  }
});

test(`scale: ${INSTANCES} Node processes on one Redis`, { timeout: 300_000 }, async (t) => {
  // persist: the append-only file, so that the data outlives the kill -9 of the store.
  const redis = await startRedis({ persist: true });
  const { createClient } = await import('redis');
  const prefix = 'scale:';
  let client;
  const open = async () => {
    client = createClient({ url: redis.url, disableOfflineQueue: true, socket: { reconnectStrategy: false } });
    client.on('error', () => {});
    await client.connect();
  };
  let world;
  try {
    await open();
    world = await startWorld({ store: { kind: 'redis', url: redis.url, prefix }, instances: INSTANCES, startLocalProvider, signIn, timeoutMs: TIMEOUT_MS });
    await scenarios(t, world, {
      stop: async () => {
        await client.destroy?.();
        await redis.stop();
      },
      start: async () => {
        const before = [...world.storeReady];
        await redis.start();
        await open();
        // Each instance's client reconnects by itself (every 100 ms): the first reads are those after it has.
        await until(() => world.storeReady.every((n, i) => n > before[i]), 10_000, 'every instance to reconnect to Redis');
      },
      entries: async () => {
        const keys = (await client.keys(`${prefix}*`)).filter((k) => !k.endsWith(':lease')).sort();
        return Promise.all(keys.map(async (key) => ({ key, value: await client.get(key) })));
      },
    });
  } finally {
    await world?.close();
    await client?.destroy?.();
    await redis.close();
  }
});

test(`scale: ${INSTANCES} Deno processes on one Deno KV file`, { timeout: 300_000 }, async (t) => {
  const world = await startWorld({ store: { kind: 'denokv' }, runtime: 'deno', deno, instances: INSTANCES, startLocalProvider, signIn, timeoutMs: TIMEOUT_MS });
  try {
    await scenarios(t, world, null);
  } finally {
    await world.close();
  }
});

