// Stores for the token vault's sealed records: the host store interface
// (`ConnectorsStore` in index.d.ts), the in-process and Deno KV stores, the
// adapters of stores/ (PostgreSQL, Redis, Durable Objects), and a conformance suite
// for custom adapters. Plain ESM, no dependencies: Node 18+, Deno, browsers, workerd.
import { invalid, describe, checkString, checkStringOrNull, checkOptions, listOptions, ttlOf } from './stores/args.js';

// Adapters over the user's own client, one file each in stores/.
export { postgresStore, postgresStoreSchema } from './stores/postgres.js';
export { redisStore } from './stores/redis.js';
// Cloudflare Workers: a Durable Object as the store's single writer.
export { durableObjectStore, ConnectorsStoreObject } from './stores/durable-object.js';


// --- list (optional in the store interface) ---

/** The checked arguments of memory's and Deno KV's `list(prefix, { cursor, limit })`. */
function listArgs(prefix, options) {
  checkString('The list prefix', prefix);
  const { cursor, limit } = listOptions(options);
  // Memory's and Deno KV's cursor is the last key a page went up to: one of this prefix.
  if (cursor !== null && !cursor.startsWith(prefix)) throw invalid('The list cursor is not one a listing of this prefix answered');
  return { cursor, limit };
}

/** A symbol-keyed method of memoryStore() for tests: how many entries it holds, expired ones included. Not public API. */
const MEMORY_SIZE = Symbol.for('oauth-connectors.memory-store-size');
// Each write looks at this many entries for expired ones (see memoryStore).
const SWEEP_PER_WRITE = 4;

/**
 * An in-process store: a Map with expiry times. Expired entries read as
 * absent and are dropped when next touched; besides, each write sweeps the
 * next few entries (SWEEP_PER_WRITE, going round the Map in insertion
 * order), so keys that are never touched again (used-state marks, pending
 * statuses) do not pile up: with 4 per write, the Map holds at most about
 * twice its live entries. Each method runs to completion without awaiting,
 * so setIfAbsent and compareAndSet are atomic. Data lives as long as the
 * process (or isolate) does.
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
  // A Map iterator is live: it sees entries added after it started and
  // skips deleted ones, so going round needs no copy.
  let sweeper = entries.keys();
  const sweep = (at) => {
    for (let i = 0; i < SWEEP_PER_WRITE; i++) {
      let next = sweeper.next();
      if (next.done) {
        sweeper = entries.keys();
        next = sweeper.next();
        if (next.done) return;
      }
      const entry = entries.get(next.value);
      if (entry !== undefined && entry.expiresAt !== null && entry.expiresAt <= at) entries.delete(next.value);
    }
  };
  const write = (key, value, ttlMs) => {
    const at = now();
    if (value === null) entries.delete(key);
    else entries.set(key, { value, expiresAt: ttlMs === null ? null : at + ttlMs });
    sweep(at);
  };

  return {
    // Answers in place (a string or null; a bad key, or a clock that
    // throws, still rejects): the store interface allows it, and a token
    // read then completes in the call that started it, without a Promise
    // round trip.
    get(key) {
      try {
        checkString('The store key', key);
        return read(key);
      } catch (error) {
        return Promise.reject(error);
      }
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
    // Keys in code-unit order; the cursor is the last key of the page. Each
    // page looks at every key once (a Map has no order to seek in).
    async list(prefix, options) {
      const { cursor, limit } = listArgs(prefix, options);
      const at = now();
      const keys = [];
      for (const [key, entry] of entries) {
        if (key.startsWith(prefix) && (cursor === null || key > cursor) && (entry.expiresAt === null || entry.expiresAt > at)) keys.push(key);
      }
      keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const page = keys.slice(0, limit);
      return {
        entries: page.map((key) => ({ key, value: entries.get(key).value })),
        cursor: keys.length > limit ? page[page.length - 1] : null,
      };
    },
    [MEMORY_SIZE]() {
      return entries.size;
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
    // The string keys under `prefix` are one range of KV keys (Deno KV
    // orders strings by their UTF-8 bytes, so every string that starts
    // with `prefix` sorts together): read it from `[...prefix, start]`,
    // `limit` KV entries a page, and stop at the first key past it. The
    // cursor is the last key read; the next page starts just after it
    // (`cursor + "\0"` is the smallest string greater than it).
    ...(typeof kv.list === 'function' && {
      async list(listPrefix, options) {
        const { cursor, limit } = listArgs(listPrefix, options);
        const start = cursor === null ? listPrefix : `${cursor}\0`;
        const found = [];
        let read = 0;
        let last = null;
        for await (const entry of kv.list({ prefix, start: [...prefix, start] }, { limit })) {
          read++;
          const part = entry.key[prefix.length];
          if (typeof part !== 'string' || !part.startsWith(listPrefix)) return { entries: found, cursor: null };
          last = part;
          // A longer Deno KV key (a store whose prefix is longer) is not ours;
          // the next page starts after all of them (`[...prefix, part, x]` < `[...prefix, part + "\0"]`).
          if (entry.key.length !== prefix.length + 1) continue;
          const value = live(entry);
          if (value !== null) found.push({ key: part, value });
        }
        return { entries: found, cursor: read < limit ? null : last ?? null };
      },
    }),
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

// The optional `list`: [name, needs expiry, async (store, key) => void],
// run only on a store that has `list`.
const LIST_MAX_PAGES = 10_000;

/** Every entry under `prefix`, page by page (`limit` each): checks each page and de-duplicates keys. */
async function listAll(store, prefix, limit) {
  const seen = new Map();
  let cursor = null;
  for (let pages = 0; pages < LIST_MAX_PAGES; pages++) {
    const page = await store.list(prefix, limit === undefined ? (cursor === null ? undefined : { cursor }) : { cursor, limit });
    if (page === null || typeof page !== 'object' || !Array.isArray(page.entries)) throw new Error(`list(${JSON.stringify(prefix)}) answered ${show(page)}, not { entries: [...], cursor }`);
    if (page.cursor !== null && typeof page.cursor !== 'string') throw new Error(`list: the cursor must be a string or null, got ${show(page.cursor)}`);
    if (page.entries.length > (limit ?? 100)) throw new Error(`list with limit ${limit ?? 'unset (default 100)'} answered ${page.entries.length} entries`);
    for (const entry of page.entries) {
      if (entry === null || typeof entry !== 'object' || typeof entry.key !== 'string' || typeof entry.value !== 'string') throw new Error(`list: an entry must be { key, value } strings, got ${show(entry)}`);
      if (!entry.key.startsWith(prefix)) throw new Error(`list(${JSON.stringify(prefix)}) answered the key ${JSON.stringify(entry.key)}`);
      if (seen.has(entry.key) && seen.get(entry.key) !== entry.value) throw new Error(`list: ${JSON.stringify(entry.key)} came twice with two values`);
      seen.set(entry.key, entry.value);
    }
    if (page.cursor === null) return seen;
    cursor = page.cursor;
  }
  throw new Error(`list(${JSON.stringify(prefix)}) did not end within ${LIST_MAX_PAGES} pages`);
}

function expectKeys(what, seen, expected) {
  const got = [...seen.keys()].sort();
  const want = [...expected].sort();
  if (got.length !== want.length || got.some((k, i) => k !== want[i])) throw new Error(`${what}: expected the keys ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
}

const listCases = [
  ['list: pages of at most limit entries, and the cursor leads to the end', false, async (store, key) => {
    const keys = Array.from({ length: 25 }, (_, i) => key(`pages:${String(i).padStart(2, '0')}`));
    for (const k of keys) await store.set(k, `value of ${k}`);
    for (const limit of [1, 7, 10, 1000, undefined]) {
      const seen = await listAll(store, key('pages:'), limit);
      expectKeys(`every key, pages of ${limit ?? 'the default'}`, seen, keys);
      for (const k of keys) expectEqual(`the listed value of ${k}`, seen.get(k), `value of ${k}`);
    }
    const first = await store.list(key('pages:'), { limit: 10 });
    if (first.entries.length > 10) throw new Error(`list with limit 10 answered ${first.entries.length} entries`);
    if (first.cursor === null) throw new Error('list with limit 10 of 25 keys answered cursor null on the first page');
  }],
  ['list: an empty prefix range ends, with no entries; deleted keys are gone', false, async (store, key) => {
    expectKeys('a prefix nothing was written under', await listAll(store, key('none:'), 10), []);
    await store.set(key('gone:a'), '1');
    await store.set(key('gone:b'), '2');
    await store.delete(key('gone:a'));
    await store.compareAndSet(key('gone:b'), '2', null);
    await store.set(key('gone:c'), '3');
    expectKeys('after deleting two of three', await listAll(store, key('gone:'), 10), [key('gone:c')]);
  }],
  ['list: a prefix is a plain string prefix ("%", ":", "_", "*", "?", "[" and "\\" are not patterns)', false, async (store, key) => {
    const names = ['a', 'a:b', 'a:b:c', 'a%3Ab', 'a%', 'a_b', 'axb', 'ab', 'a*', 'a*b', 'a?', 'a[b]', 'ab]', 'a\\b', 'b', 'B:a'];
    for (const n of names) await store.set(key(`iso:${n}`), n);
    await store.set(key('iso'), 'shorter');
    const under = (p) => names.filter((n) => n.startsWith(p)).map((n) => key(`iso:${n}`));
    for (const p of ['a:', 'a%', 'a%3A', 'a_', 'a*', 'a?', 'a[', 'a\\', 'a', 'b', 'a:b:', 'B', 'z']) {
      expectKeys(`list(${JSON.stringify(key(`iso:${p}`))})`, await listAll(store, key(`iso:${p}`), 3), under(p));
    }
    expectKeys('list of the whole run', await listAll(store, key('iso'), 5), [key('iso'), ...under('')]);
  }],
  ['list: expired entries are left out', true, async (store, key) => {
    await store.set(key('ttl:short'), 'v', { ttlMs: TTL_MS });
    await store.setIfAbsent(key('ttl:short2'), 'v', { ttlMs: TTL_MS });
    await store.set(key('ttl:long'), 'v', { ttlMs: 60_000 });
    await store.set(key('ttl:forever'), 'v');
    expectKeys('before they expire', await listAll(store, key('ttl:'), 10), [key('ttl:short'), key('ttl:short2'), key('ttl:long'), key('ttl:forever')]);
    await sleep(PAST_TTL_MS);
    expectKeys(`${PAST_TTL_MS} ms later`, await listAll(store, key('ttl:'), 10), [key('ttl:long'), key('ttl:forever')]);
  }],
  ['list: bad arguments reject INVALID_INPUT', false, async (store, key) => {
    await store.set(key('bad:k'), 'v');
    const bad = [
      ['a number prefix', () => store.list(5)],
      ['no prefix', () => store.list()],
      ['limit 0', () => store.list(key('bad:'), { limit: 0 })],
      ['limit 1001', () => store.list(key('bad:'), { limit: 1001 })],
      ['limit 2.5', () => store.list(key('bad:'), { limit: 2.5 })],
      ['limit "10"', () => store.list(key('bad:'), { limit: '10' })],
      ['limit -1', () => store.list(key('bad:'), { limit: -1 })],
      ['a number cursor', () => store.list(key('bad:'), { cursor: 5 })],
      ['an unknown option', () => store.list(key('bad:'), { limt: 10 })],
      ['options a string', () => store.list(key('bad:'), 'limit=10')],
    ];
    for (const [what, call] of bad) {
      let error = null;
      try {
        await call();
      } catch (e) {
        error = e;
      }
      if (error === null) throw new Error(`list with ${what}: expected INVALID_INPUT, it answered`);
      if (error.code !== 'INVALID_INPUT') throw new Error(`list with ${what}: expected code INVALID_INPUT, got ${error.code ?? error}`);
    }
  }],
];

/**
 * The conformance suite for a `ConnectorsStore`: `[{ name, run }]`, where
 * each `run()` makes a fresh store with `await createStore()`, runs one case,
 * and throws an Error naming what went wrong. `{ ttl: false }` leaves out the
 * cases that need expiry. The `list: ...` cases check the optional `list`
 * and pass at once on a store without it. Use it with any test runner:
 *   for (const c of storeConformance(() => myStore())) test(c.name, c.run);
 */
export function storeConformance(createStore, options) {
  if (typeof createStore !== 'function') {
    throw invalid(`storeConformance takes a function that returns a store (or a Promise of one), got ${describe(createStore)}`);
  }
  const { ttl = true } = checkOptions('storeConformance options', options, ['ttl']);
  if (typeof ttl !== 'boolean') throw invalid(`storeConformance option ttl must be true or false, got ${describe(ttl)}`);
  const suite = (list, lists) => list
    .filter(([, needsExpiry]) => ttl || !needsExpiry)
    .map(([name, , test]) => ({
      name,
      run: async () => {
        const store = await createStore();
        if (lists) {
          // `list` is optional: a store without it has nothing to check here.
          if (store.list === undefined) return;
          if (typeof store.list !== 'function') throw new Error(`store.list must be a function when present, got ${describe(store.list)}`);
        }
        const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
        await test(store, (k) => `store-conformance:${run}:${k}`);
      },
    }));
  return [...suite(cases, false), ...suite(listCases, true)];
}
