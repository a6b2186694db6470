// redisStore over real redis-server processes (redis-server.mjs), with both
// clients it supports: node-redis 5 and ioredis. The conformance suite, list
// (paging, glob characters in prefixes), the key layout, bad arguments, a
// server stopped and restarted under a store, and errors that carry no
// password and no value.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createClient } from 'redis';
import Redis from 'ioredis';
import { memoryStore, redisStore, storeConformance, ConnectorsError } from 'oauth-connectors';
import { startRedis } from './redis-server.mjs';

/** What `list(prefix, options)` rejects with, as `CODE: message` (null when it answers). */
const listRefusal = (store, prefix, options) => Promise.resolve().then(() => store.list(prefix, options)).then(() => null, (e) => `${e.code}: ${e.message}`);

const PASSWORD = 'pw-Zq8u3Lr0-do-not-leak';
const VALUE_SECRET = 'value-Vt5k2-do-not-leak';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const servers = [];
const clients = [];
after(async () => {
  for (const close of clients) await close();
  for (const server of servers) await server.close();
});
const server = async (options) => {
  const started = await startRedis(options);
  servers.push(started);
  return started;
};

// Both clients set to fail a command at once while disconnected (instead of
// queueing it until the reconnection), as the README advises.
const connectors = {
  'node-redis': async (url, options = {}) => {
    const client = createClient({ url, disableOfflineQueue: true, ...options });
    client.on('error', () => {}); // without a listener, a dropped connection throws
    clients.push(async () => {
      if (client.isOpen) client.destroy();
    });
    await client.connect();
    return client;
  },
  ioredis: async (url, options = {}) => {
    const client = new Redis(url, { enableOfflineQueue: false, lazyConnect: true, ...options });
    client.on('error', () => {});
    clients.push(async () => client.disconnect());
    await client.connect();
    return client;
  },
};
// A raw command through either client, for looking at the key layout.
const raw = (client, ...args) => (typeof client.call === 'function' ? client.call(...args) : client.sendCommand(args));

function expectCode(error, code, what) {
  assert.ok(error instanceof ConnectorsError, `${what}: expected a ConnectorsError, got ${inspect(error)}`);
  assert.equal(error.code, code, `${what}: ${error.message}`);
  return true;
}

// The error's message, stack, own properties and inspection hold none of the secrets.
function expectNoLeak(error, secrets, what) {
  const shown = [String(error), error.stack ?? '', JSON.stringify({ ...error }), inspect(error, { depth: 10, showHidden: true })].join('\n');
  for (const secret of secrets) assert.ok(!shown.includes(secret), `${what}: the error shows ${JSON.stringify(secret)}:\n${shown}`);
}

async function listAll(store, prefix, limit) {
  const seen = new Map();
  let cursor = null;
  let pages = 0;
  do {
    const page = await store.list(prefix, { cursor, limit });
    assert.ok(page.entries.length <= limit, `a page of ${page.entries.length} entries with limit ${limit}`);
    for (const { key, value } of page.entries) seen.set(key, value);
    cursor = page.cursor;
    assert.ok(++pages < 10_000, 'list never ended');
  } while (cursor !== null);
  return seen;
}

const main = await server({ password: PASSWORD });

for (const [name, connect] of Object.entries(connectors)) {
  describe(`redisStore over ${name}`, async () => {
    const client = await connect(main.url);

    describe('storeConformance', () => {
      for (const c of storeConformance(() => redisStore(client))) test(c.name, c.run);
    });

    test('the key layout: prefix (default none) + key holding the value, ttlMs as Redis PX', async () => {
      const run = Math.random().toString(36).slice(2);
      await redisStore(client).set(`layout:${run}`, 'v1', { ttlMs: 60_000 });
      assert.equal(await raw(client, 'GET', `layout:${run}`), 'v1');
      const pttl = Number(await raw(client, 'PTTL', `layout:${run}`));
      assert.ok(pttl > 50_000 && pttl <= 60_000, `PTTL ${pttl}`);
      await redisStore(client, { prefix: `app-${run}/` }).set('k', 'v2');
      assert.equal(await raw(client, 'GET', `app-${run}/k`), 'v2');
      assert.equal(Number(await raw(client, 'PTTL', `app-${run}/k`)), -1);
      assert.equal(await redisStore(client).get(`app-${run}/k`), 'v2');
    });

    test('list: every key under the prefix, pages of at most limit, nothing else', async () => {
      const run = Math.random().toString(36).slice(2);
      const store = redisStore(client, { prefix: `list-${run}:` });
      const want = new Map(Array.from({ length: 250 }, (_, i) => [`p:${i}`, `value-${i}`]));
      for (const [key, value] of want) await store.set(key, value);
      await store.set('p', 'not under "p:"');
      await store.set('q:1', 'other');
      await redisStore(client, { prefix: `list-${run}-other:` }).set('p:1', 'another prefix');
      for (const limit of [1, 7, 100, 1000]) {
        assert.deepEqual(await listAll(store, 'p:', limit), want, `list with limit ${limit}`);
      }
      const everything = await listAll(store, '', 1000);
      assert.equal(everything.size, 252);
      assert.deepEqual(await listAll(store, 'nothing-here', 10), new Map());
    });

    test('list: glob characters in both prefixes are literal', async () => {
      const run = Math.random().toString(36).slice(2);
      const store = redisStore(client, { prefix: `g*?[${run}]\\:` });
      await store.set('x*[1]?\\a', 'match');
      await store.set('x*[1]?\\', 'match too');
      for (const key of ['xa[1]b\\a', 'x*1?\\a', 'x*[1]?a', 'y*[1]?\\a']) await store.set(key, 'no');
      // Keys that the prefixes would match as globs, under another store prefix.
      await redisStore(client, { prefix: `gX![${run}]\\:` }).set('x*[1]?\\a', 'no');
      await redisStore(client, { prefix: `g*?${run}\\:` }).set('x*[1]?\\a', 'no');
      assert.deepEqual(await listAll(store, 'x*[1]?\\', 5), new Map([['x*[1]?\\a', 'match'], ['x*[1]?\\', 'match too']]));
    });

    test('list: expired and deleted entries are not listed', async () => {
      const store = redisStore(client, { prefix: `expiry-${Math.random().toString(36).slice(2)}:` });
      await store.set('short', 'v', { ttlMs: 50 });
      await store.set('gone', 'v');
      await store.set('kept', 'v', { ttlMs: 60_000 });
      await store.delete('gone');
      await sleep(150);
      assert.deepEqual(await listAll(store, '', 100), new Map([['kept', 'v']]));
    });

    test("list's argument errors say what memoryStore's say, word for word", async () => {
      const store = redisStore(client);
      for (const [prefix, options] of [[7, undefined], ['p', { limit: 0 }], ['p', { limit: 1001 }], ['p', { limit: '10' }], ['p', { cursor: 5 }], ['p', { after: 'x' }], ['p', 'x']]) {
        const said = await listRefusal(memoryStore(), prefix, options);
        assert.match(said, /^INVALID_INPUT: /);
        assert.equal(await listRefusal(store, prefix, options), said, inspect([prefix, options]));
      }
    });

    test('bad arguments reject INVALID_INPUT before any command', async () => {
      assert.throws(() => redisStore(null), (e) => expectCode(e, 'INVALID_INPUT', 'redisStore(null)'));
      assert.throws(() => redisStore({}), (e) => expectCode(e, 'INVALID_INPUT', 'redisStore({})'));
      assert.throws(() => redisStore({ call() {}, nodes() {} }), (e) => expectCode(e, 'INVALID_INPUT', 'a cluster client'));
      assert.throws(() => redisStore(client, { prefix: ['a'] }), (e) => expectCode(e, 'INVALID_INPUT', 'prefix an array'));
      assert.throws(() => redisStore(client, { prefx: 'a' }), (e) => expectCode(e, 'INVALID_INPUT', 'a misspelt option'));
      const store = redisStore(client);
      const calls = [
        ['get(1)', () => store.get(1)],
        ['set(k, 1)', () => store.set('k', 1)],
        ['set(k, v, { ttlMs: 0 })', () => store.set('k', 'v', { ttlMs: 0 })],
        ['set(k, v, { ttlMs: 1.5 })', () => store.set('k', 'v', { ttlMs: 1.5 })],
        ['set(k, v, { ttl: 5 })', () => store.set('k', 'v', { ttl: 5 })],
        ['delete(null)', () => store.delete(null)],
        ['setIfAbsent(k, null)', () => store.setIfAbsent('k', null)],
        ['compareAndSet(k, 1, v)', () => store.compareAndSet('k', 1, 'v')],
        ['compareAndSet(k, null, undefined)', () => store.compareAndSet('k', null, undefined)],
        ['list(1)', () => store.list(1)],
        ['list("", { limit: 0 })', () => store.list('', { limit: 0 })],
        ['list("", { limit: 1001 })', () => store.list('', { limit: 1001 })],
        ['list("", { limit: "10" })', () => store.list('', { limit: '10' })],
        ['list("", { cursor: 5 })', () => store.list('', { cursor: 5 })],
        ['list("", { cursor: "abc" })', () => store.list('', { cursor: 'abc' })],
        ['list("a", { cursor: a pending key outside "a" })', () => store.list('a', { cursor: JSON.stringify(['0', 'oauth-connectors:b']) })],
        ['list("", { after: "x" })', () => store.list('', { after: 'x' })],
      ];
      for (const [what, call] of calls) await assert.rejects(call(), (e) => expectCode(e, 'INVALID_INPUT', what));
    });

    test('a failed command rejects STORE_UNAVAILABLE, showing neither the value nor the command', async () => {
      const run = Math.random().toString(36).slice(2);
      await raw(client, 'HSET', `hash-${run}`, 'field', 'x'); // GET on it: WRONGTYPE
      const store = redisStore(client);
      for (const [what, call] of [
        ['get', () => store.get(`hash-${run}`)],
        ['compareAndSet', () => store.compareAndSet(`hash-${run}`, VALUE_SECRET, VALUE_SECRET)],
      ]) {
        await assert.rejects(call(), (e) => {
          expectCode(e, 'STORE_UNAVAILABLE', what);
          assert.match(e.message, new RegExp(`^redisStore: ${what} failed \\(.*WRONGTYPE\\)$`));
          expectNoLeak(e, [VALUE_SECRET, PASSWORD], what);
          return true;
        });
      }
    });

    test('a client that never connected: STORE_UNAVAILABLE', async () => {
      const idle = name === 'ioredis' ? new Redis(main.url, { lazyConnect: true, enableOfflineQueue: false }) : createClient({ url: main.url });
      await assert.rejects(redisStore(idle).set('k', VALUE_SECRET), (e) => {
        expectCode(e, 'STORE_UNAVAILABLE', 'set on an unconnected client');
        expectNoLeak(e, [VALUE_SECRET, PASSWORD], 'set on an unconnected client');
        return true;
      });
      if (name === 'ioredis') idle.disconnect();
    });

    test('a wrong password in the URL: STORE_UNAVAILABLE, and the password is not shown', async () => {
      const wrong = 'wrong-Xp41-do-not-leak';
      const url = `redis://:${wrong}@127.0.0.1:${main.port}`;
      // node-redis retries a refused AUTH for ever unless told not to reconnect.
      const connecting = connect(url, name === 'node-redis' ? { socket: { reconnectStrategy: false } } : {});
      const connectError = await connecting.then(() => null, (e) => e);
      assert.ok(connectError !== null, 'connecting with a wrong password succeeded');
      const refused = name === 'ioredis' ? new Redis(url, { lazyConnect: true, enableOfflineQueue: false }) : createClient({ url });
      refused.on('error', () => {});
      if (name === 'ioredis') await refused.connect().catch(() => {});
      for (const [what, call] of [
        ['get', (s) => s.get('k')],
        ['set', (s) => s.set('k', VALUE_SECRET)],
        ['list', (s) => s.list('')],
      ]) {
        await assert.rejects(call(redisStore(refused)), (e) => {
          expectCode(e, 'STORE_UNAVAILABLE', what);
          expectNoLeak(e, [wrong, PASSWORD, VALUE_SECRET], what);
          return true;
        });
      }
      if (name === 'ioredis') refused.disconnect();
    });
  });
}

test('node-redis and ioredis stores on one server share the same keys', async () => {
  const [a, b] = [await connectors['node-redis'](main.url), await connectors.ioredis(main.url)];
  const prefix = `shared-${Math.random().toString(36).slice(2)}:`;
  const [viaNodeRedis, viaIoredis] = [redisStore(a, { prefix }), redisStore(b, { prefix })];
  await viaNodeRedis.set('k', 'v1');
  assert.equal(await viaIoredis.get('k'), 'v1');
  assert.equal(await viaIoredis.compareAndSet('k', 'v1', 'v2'), true);
  assert.equal(await viaNodeRedis.compareAndSet('k', 'v1', 'v3'), false);
  assert.equal(await viaNodeRedis.get('k'), 'v2');
  assert.equal(await viaNodeRedis.setIfAbsent('k', 'v4'), false);
  assert.deepEqual(await listAll(viaIoredis, '', 10), new Map([['k', 'v2']]));
});

for (const [name, connect] of Object.entries(connectors)) {
  test(`over ${name}: a Redis stopped mid-test gives STORE_UNAVAILABLE (no password, no value), and works again once restarted`, async () => {
    const flaky = await server({ password: PASSWORD });
    const store = redisStore(await connect(flaky.url));
    await store.set('k', VALUE_SECRET);
    assert.equal(await store.get('k'), VALUE_SECRET);
    await flaky.stop();
    for (const [what, call] of [
      ['get', () => store.get('k')],
      ['set', () => store.set('k', VALUE_SECRET, { ttlMs: 1000 })],
      ['delete', () => store.delete('k')],
      ['setIfAbsent', () => store.setIfAbsent('k', VALUE_SECRET)],
      ['compareAndSet', () => store.compareAndSet('k', VALUE_SECRET, null)],
      ['list', () => store.list('')],
    ]) {
      await assert.rejects(call(), (e) => {
        expectCode(e, 'STORE_UNAVAILABLE', `${what} while Redis is down`);
        assert.match(e.message, new RegExp(`^redisStore: ${what} failed`));
        expectNoLeak(e, [PASSWORD, VALUE_SECRET, flaky.url], what);
        return true;
      });
    }
    await flaky.start(); // empty: nothing was saved
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        assert.equal(await store.get('k'), null);
        break;
      } catch (error) {
        expectCode(error, 'STORE_UNAVAILABLE', 'get while the client reconnects');
        if (Date.now() > deadline) throw error;
        await sleep(100);
      }
    }
    assert.equal(await store.setIfAbsent('k', 'after'), true);
    assert.equal(await store.compareAndSet('k', 'after', 'again'), true);
    assert.deepEqual(await listAll(store, '', 10), new Map([['k', 'again']]));
  });
}
