// Stores for the token vault's sealed records: the host store interface
// (`ConnectorsStore` in index.d.ts), two adapters, and a conformance suite
// for custom adapters. Plain ESM, no dependencies: Node 18+, Deno, browsers, workerd.
import { ConnectorsError } from './errors.js';

// Adapters over the user's own client, one file each in ./stores/.
export { postgresStore, postgresStoreSchema } from './stores/postgres.js';
export { redisStore } from './stores/redis.js';

const invalid = (message) => new ConnectorsError('INVALID_INPUT', message);
const describe = (value) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

function checkString(what, value) {
  if (typeof value !== 'string') throw invalid(`${what} must be a string, got ${describe(value)}`);
}

function checkStringOrNull(what, value) {
  if (value !== null && typeof value !== 'string') throw invalid(`${what} must be a string or null, got ${describe(value)}`);
}

function checkOptions(what, options, names) {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(`${what} must be an object, got ${describe(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!names.includes(name)) throw invalid(`Unknown option "${name}" in ${what}; the options are: ${names.join(', ')}`);
  }
  return options;
}

/** The `ttlMs` of a write's options: a positive safe integer, or null for no expiry. */
function ttlOf(options) {
  const { ttlMs } = checkOptions('store write options', options, ['ttlMs']);
  if (ttlMs === undefined) return null;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw invalid(`ttlMs must be a positive whole number of milliseconds, got ${typeof ttlMs === 'number' ? ttlMs : describe(ttlMs)}`);
  }
  return ttlMs;
}

/**
 * An in-process store: a Map with expiry times. Expired entries read as
 * absent and are dropped when next touched. Each method runs to completion
 * without awaiting, so setIfAbsent and compareAndSet are atomic. Data lives
 * as long as the process (or isolate) does.
 */
export function memoryStore(options) {
  const { now = Date.now } = checkOptions('memoryStore options', options, ['now']);
  if (typeof now !== 'function') throw invalid(`memoryStore option now must be a function, got ${describe(now)}`);
  const entries = new Map(); // key -> { value, expiresAt: number | null }

  const read = (key) => {
    const entry = entries.get(key);
    if (entry === undefined) return null;
    if (entry.expiresAt !== null && entry.expiresAt <= now()) {
      entries.delete(key);
      return null;
    }
    return entry.value;
  };
  const write = (key, value, ttlMs) => {
    if (value === null) entries.delete(key);
    else entries.set(key, { value, expiresAt: ttlMs === null ? null : now() + ttlMs });
  };

  return {
    async get(key) {
      checkString('The store key', key);
      return read(key);
    },
    async set(key, value, options) {
      checkString('The store key', key);
      checkString('The store value', value);
      write(key, value, ttlOf(options));
    },
    async delete(key) {
      checkString('The store key', key);
      entries.delete(key);
    },
    async setIfAbsent(key, value, options) {
      checkString('The store key', key);
      checkString('The store value', value);
      const ttlMs = ttlOf(options);
      if (read(key) !== null) return false;
      write(key, value, ttlMs);
      return true;
    },
    async compareAndSet(key, expected, value, options) {
      checkString('The store key', key);
      checkStringOrNull('compareAndSet expected', expected);
      checkStringOrNull('compareAndSet value', value);
      const ttlMs = ttlOf(options);
      if (read(key) !== expected) return false;
      write(key, value, ttlMs);
      return true;
    },
  };
}

// A Deno KV value is at most 65536 bytes once serialized; `{ v, e }` costs
// about 24 of them. Strings with a character above U+00FF take 2 bytes each.
const DENO_KV_MAX_VALUE_BYTES = 65500;
// A failed version check means another writer changed the key in between;
// the next read almost always settles it. This only bounds a pathological case.
const DENO_KV_ATTEMPTS = 20;
// Deno KV over SQLite (a local file): a checked commit racing a commit made
// through another handle (another process) can throw "database is locked"
// instead of answering { ok: false }. Nothing was written then: read again.
const lockedOut = (error) => error instanceof Error && error.message.includes('database is locked');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A store over Deno KV (`await Deno.openKv()`), shared by every process that
 * opens the same database. String key `k` is the KV key `[...prefix, k]`;
 * the KV value is `{ v: value, e: expiresAtMs | null }`. Deno KV removes
 * expired keys only eventually, so `e` is checked on every read, and
 * `expireIn` is passed so that Deno cleans up.
 */
export function denoKvStore(kv, options) {
  if (kv === null || typeof kv !== 'object' || !['get', 'set', 'delete', 'atomic'].every((m) => typeof kv[m] === 'function')) {
    throw invalid('denoKvStore takes a Deno.Kv (from await Deno.openKv()), with get, set, delete and atomic methods');
  }
  const { prefix = ['oauth-connectors'] } = checkOptions('denoKvStore options', options, ['prefix']);
  if (!Array.isArray(prefix)) throw invalid(`denoKvStore option prefix must be a Deno KV key (an array), got ${describe(prefix)}`);
  const keyOf = (key) => {
    checkString('The store key', key);
    return [...prefix, key];
  };
  const recordOf = (value, ttlMs) => {
    if (value === null) return null;
    const bytes = /[^\x00-\xff]/.test(value) ? 2 * value.length : value.length;
    if (bytes > DENO_KV_MAX_VALUE_BYTES) {
      throw invalid(`denoKvStore: the value takes ${bytes} bytes; a Deno KV entry holds at most ${DENO_KV_MAX_VALUE_BYTES}`);
    }
    return { v: value, e: ttlMs === null ? null : Date.now() + ttlMs };
  };
  const live = (entry) => {
    const record = entry.value;
    return record !== null && (record.e === null || record.e > Date.now()) ? record.v : null;
  };
  // Reads, compares, and commits only if the entry is still the one read.
  const swap = async (key, accept, record, ttlMs) => {
    for (let attempt = 0; attempt < DENO_KV_ATTEMPTS; attempt++) {
      const entry = await kv.get(key);
      if (!accept(live(entry))) return false;
      const op = kv.atomic().check({ key, versionstamp: entry.versionstamp });
      if (record === null) op.delete(key);
      else op.set(key, record, ttlMs === null ? undefined : { expireIn: ttlMs });
      try {
        if ((await op.commit()).ok) return true;
      } catch (error) {
        if (!lockedOut(error)) throw error;
        await sleep(Math.random() * 10);
      }
    }
    throw new Error(`denoKvStore: ${JSON.stringify(key)} kept changing (or the database stayed locked) during ${DENO_KV_ATTEMPTS} attempts to update it`);
  };

  return {
    async get(key) {
      return live(await kv.get(keyOf(key)));
    },
    async set(key, value, options) {
      checkString('The store value', value);
      const ttlMs = ttlOf(options);
      await kv.set(keyOf(key), recordOf(value, ttlMs), ttlMs === null ? undefined : { expireIn: ttlMs });
    },
    async delete(key) {
      await kv.delete(keyOf(key));
    },
    async setIfAbsent(key, value, options) {
      checkString('The store value', value);
      const ttlMs = ttlOf(options);
      return swap(keyOf(key), (current) => current === null, recordOf(value, ttlMs), ttlMs);
    },
    async compareAndSet(key, expected, value, options) {
      checkStringOrNull('compareAndSet expected', expected);
      checkStringOrNull('compareAndSet value', value);
      const ttlMs = ttlOf(options);
      return swap(keyOf(key), (current) => current === expected, recordOf(value, ttlMs), ttlMs);
    },
  };
}

const show = (value) => (typeof value === 'string' && value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value) ?? String(value));

function expectEqual(what, actual, expected) {
  if (actual !== expected) throw new Error(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

async function expectOneWinner(what, store, key, results, values) {
  const winners = results.flatMap((won, i) => (won === true ? [i] : []));
  if (winners.length !== 1 || results.some((r) => r !== true && r !== false)) {
    throw new Error(`${what}: expected exactly one true, got ${JSON.stringify(results)}`);
  }
  expectEqual(`${what}: the stored value`, await store.get(key), values[winners[0]]);
}

const TTL_MS = 50;
const PAST_TTL_MS = 150;

// [name, needs expiry, async (store, key) => void]; `key(name)` gives a key
// unique to this run, so stores that share a backend do not see each other's runs.
const cases = [
  ['get of a missing key is null', false, async (store, key) => {
    expectEqual('get of a key never set', await store.get(key('missing')), null);
  }],
  ['set then get round-trips keys with ":" and "%", and a 60 KiB value', false, async (store, key) => {
    const big = 'x'.repeat(60 * 1024 - 1) + 'y';
    for (const [k, v] of [[key('plain'), 'value'], [key('tenant:42:slack%3Auser'), 'v:1%2F'], [key('big'), big]]) {
      await store.set(k, v);
      expectEqual(`get(${JSON.stringify(k)}) after set`, await store.get(k), v);
    }
  }],
  ['set overwrites', false, async (store, key) => {
    await store.set(key('k'), 'first');
    await store.set(key('k'), 'second');
    expectEqual('get after two sets', await store.get(key('k')), 'second');
  }],
  ['delete removes the key, and deleting a missing key is fine', false, async (store, key) => {
    await store.set(key('k'), 'value');
    await store.delete(key('k'));
    expectEqual('get after delete', await store.get(key('k')), null);
    await store.delete(key('k'));
    await store.delete(key('never-set'));
  }],
  ['keys are independent: "a", "a:b" and "a%3Ab" do not collide', false, async (store, key) => {
    const [a, ab, encoded] = [key('a'), key('a:b'), key('a%3Ab')];
    await store.set(a, '1');
    await store.set(ab, '2');
    await store.set(encoded, '3');
    expectEqual('get "a"', await store.get(a), '1');
    expectEqual('get "a:b"', await store.get(ab), '2');
    expectEqual('get "a%3Ab"', await store.get(encoded), '3');
    await store.delete(a);
    expectEqual('get "a:b" after deleting "a"', await store.get(ab), '2');
    await store.delete(ab);
    expectEqual('get "a%3Ab" after deleting "a:b"', await store.get(encoded), '3');
  }],
  ['entries written with ttlMs expire (set, setIfAbsent, compareAndSet), longer ones do not', true, async (store, key) => {
    await store.set(key('set'), 'v', { ttlMs: TTL_MS });
    await store.setIfAbsent(key('setIfAbsent'), 'v', { ttlMs: TTL_MS });
    await store.compareAndSet(key('compareAndSet'), null, 'v', { ttlMs: TTL_MS });
    await store.set(key('long'), 'v', { ttlMs: 60_000 });
    await sleep(PAST_TTL_MS);
    for (const name of ['set', 'setIfAbsent', 'compareAndSet']) {
      expectEqual(`get ${PAST_TTL_MS} ms after ${name} with ttlMs ${TTL_MS}`, await store.get(key(name)), null);
    }
    expectEqual('get of an entry with ttlMs 60000', await store.get(key('long')), 'v');
  }],
  ['set without ttlMs clears an earlier ttl', true, async (store, key) => {
    await store.set(key('k'), 'short', { ttlMs: TTL_MS });
    await store.set(key('k'), 'kept');
    await sleep(PAST_TTL_MS);
    expectEqual('get after set without ttlMs replaced an entry with ttlMs', await store.get(key('k')), 'kept');
  }],
  ['setIfAbsent writes only when the key is absent', false, async (store, key) => {
    expectEqual('setIfAbsent on an absent key', await store.setIfAbsent(key('k'), 'first'), true);
    expectEqual('setIfAbsent on a present key', await store.setIfAbsent(key('k'), 'second'), false);
    expectEqual('get after the refused setIfAbsent', await store.get(key('k')), 'first');
  }],
  ['an expired entry counts as absent for setIfAbsent and compareAndSet', true, async (store, key) => {
    for (const name of ['a', 'b', 'c']) await store.set(key(name), `old-${name}`, { ttlMs: TTL_MS });
    await sleep(PAST_TTL_MS);
    expectEqual('setIfAbsent on an expired key', await store.setIfAbsent(key('a'), 'new'), true);
    expectEqual('get after it', await store.get(key('a')), 'new');
    expectEqual('compareAndSet(expected null) on an expired key', await store.compareAndSet(key('b'), null, 'new'), true);
    expectEqual('get after it', await store.get(key('b')), 'new');
    expectEqual('compareAndSet(expected = the expired value)', await store.compareAndSet(key('c'), 'old-c', 'new'), false);
    expectEqual('get after it', await store.get(key('c')), null);
  }],
  ['20 concurrent setIfAbsent on one key: exactly one wins', false, async (store, key) => {
    const values = Array.from({ length: 20 }, (_, i) => `writer-${i}`);
    const results = await Promise.all(values.map((v) => store.setIfAbsent(key('k'), v)));
    await expectOneWinner('20 concurrent setIfAbsent', store, key('k'), results, values);
  }],
  ['compareAndSet with the current value replaces it', false, async (store, key) => {
    await store.set(key('k'), 'v1');
    expectEqual('compareAndSet(k, "v1", "v2")', await store.compareAndSet(key('k'), 'v1', 'v2'), true);
    expectEqual('get after it', await store.get(key('k')), 'v2');
  }],
  ['compareAndSet with another expected value changes nothing', false, async (store, key) => {
    await store.set(key('k'), 'v1');
    expectEqual('compareAndSet(k, "other", "v2")', await store.compareAndSet(key('k'), 'other', 'v2'), false);
    expectEqual('compareAndSet(k, "other", null)', await store.compareAndSet(key('k'), 'other', null), false);
    expectEqual('compareAndSet(k, "v1 " (one more space), "v2")', await store.compareAndSet(key('k'), 'v1 ', 'v2'), false);
    expectEqual('get after them', await store.get(key('k')), 'v1');
  }],
  ['compareAndSet with expected null: false on a present key, creates an absent one', false, async (store, key) => {
    await store.set(key('present'), 'v1');
    expectEqual('compareAndSet(present, null, "v2")', await store.compareAndSet(key('present'), null, 'v2'), false);
    expectEqual('get after it', await store.get(key('present')), 'v1');
    expectEqual('compareAndSet(absent, null, "v")', await store.compareAndSet(key('absent'), null, 'v'), true);
    expectEqual('get after it', await store.get(key('absent')), 'v');
  }],
  ['compareAndSet with value null deletes the key', false, async (store, key) => {
    await store.set(key('k'), 'v1');
    expectEqual('compareAndSet(k, "v1", null)', await store.compareAndSet(key('k'), 'v1', null), true);
    expectEqual('get after it', await store.get(key('k')), null);
    expectEqual('setIfAbsent after it', await store.setIfAbsent(key('k'), 'v2'), true);
  }],
  ['20 concurrent compareAndSet from one value: exactly one wins', false, async (store, key) => {
    await store.set(key('k'), 'v0');
    const values = Array.from({ length: 20 }, (_, i) => `writer-${i}`);
    const results = await Promise.all(values.map((v) => store.compareAndSet(key('k'), 'v0', v)));
    await expectOneWinner('20 concurrent compareAndSet', store, key('k'), results, values);
  }],
];

/**
 * The conformance suite for a `ConnectorsStore`: `[{ name, run }]`, where
 * each `run()` makes a fresh store with `await createStore()`, runs one case,
 * and throws an Error naming what went wrong. `{ ttl: false }` leaves out the
 * cases that need expiry. Use it with any test runner:
 *   for (const c of storeConformance(() => myStore())) test(c.name, c.run);
 */
export function storeConformance(createStore, options) {
  if (typeof createStore !== 'function') {
    throw invalid(`storeConformance takes a function that returns a store (or a Promise of one), got ${describe(createStore)}`);
  }
  const { ttl = true } = checkOptions('storeConformance options', options, ['ttl']);
  if (typeof ttl !== 'boolean') throw invalid(`storeConformance option ttl must be true or false, got ${describe(ttl)}`);
  return cases
    .filter(([, needsExpiry]) => ttl || !needsExpiry)
    .map(([name, , test]) => ({
      name,
      run: async () => {
        const store = await createStore();
        const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
        await test(store, (k) => `store-conformance:${run}:${k}`);
      },
    }));
}
