// postgresStore against a real PostgreSQL 15 (started here, see
// postgres-server.mjs), through `pg` (Pool and Client) and postgres.js.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import pg from 'pg';
import postgres from 'postgres';
import { ConnectorsError, memoryStore, postgresStore, postgresStoreSchema, storeConformance } from 'oauth-connectors';
import { startPostgres } from './postgres-server.mjs';

/** What `list(prefix, options)` rejects with, as `CODE: message` (null when it answers). */
const listRefusal = (store, prefix, options) => Promise.resolve().then(() => store.list(prefix, options)).then(() => null, (e) => `${e.code}: ${e.message}`);

let server;
const opened = [];
const pool = (url = server.url) => {
  const p = new pg.Pool({ connectionString: url, max: 10 });
  p.on('error', () => {}); // idle connections dropped by a stopped server
  opened.push(() => p.end());
  return p;
};
const sqlOf = (url = server.url) => {
  const sql = postgres(url, { max: 10, onnotice: () => {} });
  opened.push(() => sql.end({ timeout: 1 }));
  return sql;
};

before(async () => {
  server = await startPostgres();
});
after(async () => {
  for (const close of opened.splice(0)) await close().catch(() => {});
  server?.close();
});

/** `fn` rejects a ConnectorsError with `code` whose message, stack and inspection hold no secret. */
async function rejects(fn, code, secrets = []) {
  let thrown;
  try {
    await fn();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof ConnectorsError, `expected a ConnectorsError ${code}, got ${thrown === undefined ? 'no error' : inspect(thrown)}`);
  assert.equal(thrown.code, code, thrown.message);
  const shown = [thrown.message, thrown.stack, inspect(thrown, { depth: 10, showHidden: true }), JSON.stringify(thrown)].join('\n');
  for (const secret of secrets) assert.ok(!shown.includes(secret), `the error shows ${JSON.stringify(secret)}: ${shown}`);
  return thrown;
}

const clients = [
  ['pg Pool', () => pool()],
  [
    'pg Client',
    async () => {
      const client = new pg.Client({ connectionString: server.url });
      client.on('error', () => {});
      await client.connect();
      opened.push(() => client.end());
      return client;
    },
  ],
  ['postgres.js sql', () => sqlOf()],
];

for (const [name, connect] of clients) {
  describe(`postgresStore over ${name}`, () => {
    let db;
    let table;
    before(async () => {
      db = await connect();
      // Each client its own table: the default name for pg Pool (created on first use), schema.table for the others.
      table = name === 'pg Pool' ? undefined : `conformance.${name.replace(/\W+/g, '_').toLowerCase()}`;
      if (table !== undefined) await pool().query('CREATE SCHEMA IF NOT EXISTS conformance');
    });
    const store = () => postgresStore(db, table === undefined ? undefined : { table });

    for (const c of storeConformance(() => store())) test(c.name, c.run);

    test('list: pages in key order, prefix taken literally (%, _ and \\ escaped), expired entries left out', async () => {
      const s = store();
      const base = `list:${name}:${Date.now()}:`;
      const keys = ['a', 'b', 'c', 'd', 'e'].map((k) => `${base}p:${k}`);
      for (const k of keys) await s.set(k, `v-${k}`);
      // Look-alikes that LIKE without escapes would match.
      await s.set(`${base}pX${'a'}`, 'no');
      await s.set(`${base}%:a`, 'percent');
      await s.set(`${base}_:a`, 'underscore');
      await s.set(`${base}\\:a`, 'backslash');
      await s.set(`${base}p:zz-expired`, 'gone', { ttlMs: 50 });
      await s.set(`${base}p:zz-live`, 'kept', { ttlMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 150));

      const seen = [];
      let cursor = null;
      let pages = 0;
      do {
        const page = await s.list(`${base}p:`, { cursor, limit: 2 });
        assert.ok(page.entries.length <= 2);
        seen.push(...page.entries);
        cursor = page.cursor;
        pages++;
      } while (cursor !== null && pages < 10);
      assert.deepEqual(
        seen.map((e) => e.key),
        [...keys, `${base}p:zz-live`],
      );
      assert.deepEqual(seen[0], { key: keys[0], value: `v-${keys[0]}` });
      assert.equal(pages, 3, 'six entries, two a page, and the last page says it is the last');

      for (const [special, value] of [['%', 'percent'], ['_', 'underscore'], ['\\', 'backslash']]) {
        const { entries, cursor: end } = await s.list(`${base}${special}`);
        assert.deepEqual(entries, [{ key: `${base}${special}:a`, value }], `prefix ending in ${special}`);
        assert.equal(end, null);
      }
      assert.deepEqual(await s.list(`${base}nothing`), { entries: [], cursor: null });
      const all = await s.list(base, { limit: 1000 });
      assert.equal(all.entries.length, 10);
      assert.equal(all.cursor, null);
    });

    test("list's argument errors say what memoryStore's say, word for word", async () => {
      const s = store();
      for (const [prefix, options] of [[7, undefined], ['p', { limit: 0 }], ['p', { limit: 1001 }], ['p', { limit: '10' }], ['p', { cursor: 5 }], ['p', { after: 'x' }], ['p', 'x']]) {
        const said = await listRefusal(memoryStore(), prefix, options);
        assert.match(said, /^INVALID_INPUT: /);
        assert.equal(await listRefusal(s, prefix, options), said, inspect([prefix, options]));
      }
    });

    test('bad arguments reject INVALID_INPUT before any query', async () => {
      const s = store();
      await rejects(() => s.get(42), 'INVALID_INPUT');
      await rejects(() => s.set('k', null), 'INVALID_INPUT');
      await rejects(() => s.set('k\u0000', 'v'), 'INVALID_INPUT');
      await rejects(() => s.set('k', 'v\ud800'), 'INVALID_INPUT');
      await rejects(() => s.set('k', 'v', { ttlMs: 0 }), 'INVALID_INPUT');
      await rejects(() => s.set('k', 'v', { ttlMs: 1.5 }), 'INVALID_INPUT');
      await rejects(() => s.set('k', 'v', { ttl: 10 }), 'INVALID_INPUT');
      await rejects(() => s.setIfAbsent('k', 'v', 'fast'), 'INVALID_INPUT');
      await rejects(() => s.compareAndSet('k', undefined, 'v'), 'INVALID_INPUT');
      await rejects(() => s.compareAndSet('k', null, 7), 'INVALID_INPUT');
      await rejects(() => s.delete(undefined), 'INVALID_INPUT');
      for (const limit of [0, 1001, 2.5, '10', null]) await rejects(() => s.list('p', { limit }), 'INVALID_INPUT');
      await rejects(() => s.list('p', { cursor: 5 }), 'INVALID_INPUT');
      await rejects(() => s.list('p', { after: 'x' }), 'INVALID_INPUT');
      await rejects(() => s.list(null), 'INVALID_INPUT');
    });
  });
}

describe('postgresStore: table, clock, failures', () => {
  test('the table name: a plain identifier or schema.identifier, anything else INVALID_INPUT without a query', async () => {
    const queries = [];
    const spy = { query: async (text) => (queries.push(text), { rows: [] }) };
    for (const table of ['', 'a.b.c', 'x; DROP TABLE users', '"quoted"', 'a-b', '1abc', 'a.', '.a', 'a'.repeat(64), 'tab le', 'ünï', 42, null]) {
      assert.throws(() => postgresStore(spy, { table }), (error) => error instanceof ConnectorsError && error.code === 'INVALID_INPUT', String(table));
    }
    assert.throws(() => postgresStoreSchema('x;y'), (error) => error.code === 'INVALID_INPUT');
    for (const db of [undefined, null, {}, { query: 1 }, () => {}, 'postgres://u:p@h/db']) {
      assert.throws(() => postgresStore(db), (error) => error instanceof ConnectorsError && error.code === 'INVALID_INPUT');
    }
    assert.throws(() => postgresStore(spy, { tabel: 'x' }), /Unknown option "tabel"/);
    assert.throws(() => postgresStore(spy, { create: 'yes' }), (error) => error.code === 'INVALID_INPUT');
    assert.deepEqual(queries, []);
    postgresStore(spy, { table: 'Vault.Store_2' });
    postgresStore(spy, { table: 'a'.repeat(63) });
  });

  test('the README shows the statement postgresStore runs, and create: false uses a table made by it', async () => {
    const require = createRequire(import.meta.url);
    const readme = readFileSync(require.resolve('oauth-connectors/package.json').replace(/package\.json$/, 'README.md'), 'utf8');
    const schema = postgresStoreSchema();
    assert.equal(
      schema,
      'CREATE TABLE IF NOT EXISTS "oauth_connectors_store" (\n  key text COLLATE "C" PRIMARY KEY,\n  value text NOT NULL,\n  expires_at timestamptz\n)',
    );
    assert.ok(readme.includes(`${schema};`), 'README.md holds postgresStoreSchema() as it is');

    const db = pool();
    await rejects(() => postgresStore(db, { table: 'made_by_hand', create: false }).get('k'), 'STORE_UNAVAILABLE');
    const missing = await rejects(() => postgresStore(db, { table: 'made_by_hand', create: false }).get('k'), 'STORE_UNAVAILABLE');
    assert.equal(missing.message, 'postgresStore: get failed (SQLSTATE 42P01)');
    await db.query(postgresStoreSchema('made_by_hand'));
    const s = postgresStore(db, { table: 'made_by_hand', create: false });
    assert.equal(await s.setIfAbsent('k', 'v'), true);
    assert.equal(await s.get('k'), 'v');
  });

  test('ten stores on a missing table at once: each creates it or sees it, none fails', async () => {
    // Eight rounds, a new table each: the losers' errors vary (23505, 42P07, 42710; one CI run saw 42710).
    const [a, b] = [pool(), sqlOf()];
    for (let round = 0; round < 8; round++) {
      const stores = Array.from({ length: 10 }, (_, i) => postgresStore(i % 2 ? a : b, { table: `created_concurrently_${round}` }));
      assert.deepEqual(await Promise.all(stores.map((s, i) => s.setIfAbsent(`k${i}`, 'v'))), Array(10).fill(true), `round ${round}`);
    }
  });

  test("expiry is the database's clock: expires_at is statement time + ttlMs", async () => {
    const db = pool();
    const s = postgresStore(db, { table: 'clock' });
    await s.set('k', 'v', { ttlMs: 60_000 });
    await s.set('forever', 'v');
    const { rows } = await db.query(
      `SELECT key, extract(epoch from expires_at - statement_timestamp()) * 1000 AS left_ms FROM clock ORDER BY key`,
    );
    assert.equal(rows[0].key, 'forever');
    assert.equal(rows[0].left_ms, null);
    assert.ok(Number(rows[1].left_ms) > 59_000 && Number(rows[1].left_ms) <= 60_000, `ms left: ${rows[1].left_ms}`);
    // A row whose expiry has passed is invisible to get and list, and a setIfAbsent takes it over.
    await db.query(`UPDATE clock SET expires_at = statement_timestamp() - interval '1 second' WHERE key = 'k'`);
    assert.equal(await s.get('k'), null);
    assert.deepEqual((await s.list('')).entries.map((e) => e.key), ['forever']);
    assert.equal(await s.compareAndSet('k', 'v', 'w'), false);
    assert.equal(await s.setIfAbsent('k', 'new'), true);
    assert.equal(await s.get('k'), 'new');
  });

  test('a wrong password: STORE_UNAVAILABLE (SQLSTATE 28P01) that shows neither password', async () => {
    const wrong = 'wrong-' + server.password.slice(3);
    const url = server.url.replace(server.password, wrong);
    for (const db of [pool(url), sqlOf(url)]) {
      const error = await rejects(() => postgresStore(db).get('k'), 'STORE_UNAVAILABLE', [wrong, server.password, url]);
      assert.equal(error.message, 'postgresStore: get failed (SQLSTATE 28P01)');
    }
  });

  test('PostgreSQL stopped mid-test: every method rejects STORE_UNAVAILABLE without the password, and works again after a restart', async () => {
    const stores = [
      ['pg Pool', postgresStore(pool(), { table: 'restart' })],
      ['postgres.js', postgresStore(sqlOf(), { table: 'restart' })],
    ];
    for (const [name, s] of stores) {
      await s.set(`${name}:before`, 'v');
      assert.equal(await s.get(`${name}:before`), 'v');
    }
    await server.stop();
    try {
      for (const [name, s] of stores) {
        const secrets = [server.password, server.url];
        const calls = [
          ['get', () => s.get(`${name}:before`)],
          ['set', () => s.set('k', 'v')],
          ['delete', () => s.delete('k')],
          ['setIfAbsent', () => s.setIfAbsent('k', 'v')],
          ['compareAndSet', () => s.compareAndSet('k', 'v', 'w')],
          ['list', () => s.list('')],
        ];
        for (const [operation, call] of calls) {
          const error = await rejects(call, 'STORE_UNAVAILABLE', secrets);
          assert.match(error.message, new RegExp(`^postgresStore: ${operation} failed`), `${name} ${operation}`);
        }
      }
      // A store whose table check has not run yet fails the same way (and tries again later).
      await rejects(() => postgresStore(pool(), { table: 'restart_later' }).get('k'), 'STORE_UNAVAILABLE', [server.password]);
    } finally {
      await server.start();
    }
    for (const [name, s] of stores) {
      assert.equal(await s.get(`${name}:before`), 'v', `${name} after the restart`);
      assert.equal(await s.compareAndSet(`${name}:before`, 'v', 'w'), true);
      assert.equal(await s.setIfAbsent(`${name}:new`, 'v'), true);
      assert.deepEqual((await s.list(`${name}:`)).entries.map((e) => e.key), [`${name}:before`, `${name}:new`]);
    }
  });
});
