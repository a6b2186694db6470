// A ConnectorsStore over PostgreSQL, through the user's own client: a `pg`
// Pool or Client (`db.query(text, params)`), or a postgres.js `sql`
// (`sql.unsafe(text, params)`). No client library is imported here.
//
// One table (default `oauth_connectors_store`):
//   key text COLLATE "C" PRIMARY KEY, value text NOT NULL, expires_at timestamptz
// Expiry is the database's clock (statement_timestamp()), for writes and
// reads alike, so app instances with skewed clocks agree on every lease.
// Each operation is one statement; setIfAbsent and compareAndSet are atomic
// by PostgreSQL's row locks (INSERT ... ON CONFLICT, UPDATE/DELETE ... WHERE
// re-checked on the latest row version under READ COMMITTED).
import { ConnectorsError } from '../errors.js';
import { invalid, describe, checkOptions, listOptions, ttlOf } from './args.js';


const DEFAULT_TABLE = 'oauth_connectors_store';
// A plain identifier PostgreSQL accepts unquoted (at most 63 bytes), or schema.identifier.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
// PostgreSQL text holds neither NUL nor lone UTF-16 surrogates (they would come back changed).
const UNSTORABLE = /[\u0000\p{Cs}]/u;

function checkText(what, value) {
  if (typeof value !== 'string') throw invalid(`${what} must be a string, got ${describe(value)}`);
  if (UNSTORABLE.test(value)) throw invalid(`${what} holds a NUL character or a lone surrogate, which PostgreSQL text cannot store`);
}

function checkTextOrNull(what, value) {
  if (value !== null && typeof value !== 'string') throw invalid(`${what} must be a string or null, got ${describe(value)}`);
  if (value !== null) checkText(what, value);
}

/** `name` or `schema.name`, each part a plain identifier, as a quoted SQL name. */
function tableName(table) {
  if (typeof table !== 'string') throw invalid(`postgresStore option table must be a string, got ${describe(table)}`);
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw invalid(
      'postgresStore option table must be a plain identifier (letters, digits and _, not starting with a digit, at most 63) ' +
        `or schema.identifier, got ${JSON.stringify(table.slice(0, 80))}`,
    );
  }
  return parts.map((part) => `"${part}"`).join('.');
}

/** The statement that creates the store's table (what `postgresStore` runs on first use unless `create: false`). */
export function postgresStoreSchema(table = DEFAULT_TABLE) {
  const name = tableName(table);
  return `CREATE TABLE IF NOT EXISTS ${name} (\n  key text COLLATE "C" PRIMARY KEY,\n  value text NOT NULL,\n  expires_at timestamptz\n)`;
}

// Not a connection string, a host or a message (PostgreSQL's DETAIL may quote a row): only codes.
function failure(operation, error) {
  const code = error !== null && typeof error === 'object' && typeof error.code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(error.code) ? error.code : null;
  return new ConnectorsError(
    'STORE_UNAVAILABLE',
    `postgresStore: ${operation} failed${code === null ? '' : ` (${/^[0-9A-Z]{5}$/.test(code) ? 'SQLSTATE ' : ''}${code})`}`,
  );
}

/** `(text, params) => Promise<rows>` over a pg Pool/Client or a postgres.js sql. */
function runnerOf(db) {
  if (typeof db === 'function' && typeof db.unsafe === 'function') {
    return async (text, params) => {
      const rows = await db.unsafe(text, params);
      if (!Array.isArray(rows)) throw new TypeError('postgres.js answered something other than rows');
      return rows;
    };
  }
  if (db !== null && typeof db === 'object' && typeof db.query === 'function') {
    return async (text, params) => {
      const result = await db.query(text, params);
      if (result === null || typeof result !== 'object' || !Array.isArray(result.rows)) throw new TypeError('pg answered something other than a result');
      return result.rows;
    };
  }
  throw invalid('postgresStore takes a pg Pool or Client (with a query method) or a postgres.js sql (with an unsafe method)');
}

// Whether `error` is a concurrent CREATE TABLE IF NOT EXISTS that lost the
// race (the table exists now). PostgreSQL reports it as a unique violation
// in its catalog (23505), a duplicate table (42P07) or a duplicate object
// (42710: the table's row type or its primary key's index).
const LOST_CREATE_RACE = new Set(['23505', '42P07', '42710']);
/** Looks and CREATE TABLE tries of a store's first use, while other processes race to create the table. */
const CREATE_ATTEMPTS = 5;
const lostCreateRace = (error) => error !== null && typeof error === 'object' && LOST_CREATE_RACE.has(error.code);

/**
 * A store over PostgreSQL: `postgresStore(db, { table?, create? })`. The
 * table is created on first use (`create: false`: run `postgresStoreSchema()`
 * yourself). Bad arguments reject INVALID_INPUT; every database failure
 * rejects STORE_UNAVAILABLE naming the operation (and the SQLSTATE or
 * socket error code), never a value, host or password.
 */
export function postgresStore(db, options) {
  const query = runnerOf(db);
  const { table = DEFAULT_TABLE, create = true } = checkOptions('postgresStore options', options, ['table', 'create']);
  const t = tableName(table);
  if (typeof create !== 'boolean') throw invalid(`postgresStore option create must be true or false, got ${describe(create)}`);
  const schema = postgresStoreSchema(table);

  const now = 'statement_timestamp()';
  const live = `(${t}.expires_at IS NULL OR ${t}.expires_at > ${now})`;
  // NULL ttl -> NULL expiry.
  const expiry = (param) => `${now} + $${param}::bigint * interval '1 millisecond'`;
  const sql = {
    get: `SELECT value FROM ${t} WHERE key = $1::text AND ${live}`,
    set:
      `INSERT INTO ${t} AS t (key, value, expires_at) VALUES ($1::text, $2::text, ${expiry(3)}) ` +
      'ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at',
    delete: `DELETE FROM ${t} WHERE key = $1::text`,
    // Inserts, or takes over an expired row; RETURNING yields a row only when it wrote.
    setIfAbsent:
      `INSERT INTO ${t} AS t (key, value, expires_at) VALUES ($1::text, $2::text, ${expiry(3)}) ` +
      `ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at ` +
      `WHERE t.expires_at IS NOT NULL AND t.expires_at <= ${now} RETURNING 1 AS wrote`,
    replace: `UPDATE ${t} SET value = $3::text, expires_at = ${expiry(4)} WHERE key = $1::text AND value = $2::text AND ${live} RETURNING 1 AS wrote`,
    remove: `DELETE FROM ${t} WHERE key = $1::text AND value = $2::text AND ${live} RETURNING 1 AS wrote`,
    absent: `SELECT NOT EXISTS (SELECT 1 FROM ${t} WHERE key = $1::text AND ${live}) AS wrote`,
    // Keyset pagination in key order ("C" collation: byte order); one row more than asked tells whether a next page exists.
    listFirst: `SELECT key, value FROM ${t} WHERE key LIKE $1::text ESCAPE E'\\\\' AND ${live} ORDER BY key LIMIT $2::int`,
    listAfter: `SELECT key, value FROM ${t} WHERE key LIKE $1::text ESCAPE E'\\\\' AND key > $3::text AND ${live} ORDER BY key LIMIT $2::int`,
  };

  // Looked up first: no CREATE privilege is needed once the table exists, and
  // no "already exists" NOTICE (postgres.js prints notices by default).
  let ready = create ? null : Promise.resolve();
  const createTable = async () => {
    for (let attempt = 1; ; attempt++) {
      const [{ present }] = await query('SELECT to_regclass($1::text) IS NOT NULL AS present', [t]);
      if (present === true) return;
      try {
        await query(schema, []);
        return;
      } catch (error) {
        // Another process is creating it: look again once its CREATE has
        // committed (a loser can fail before the winner commits).
        if (!lostCreateRace(error) || attempt >= CREATE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
      }
    }
  };
  const ensureTable = () => {
    if (ready === null) {
      ready = createTable().catch((error) => {
        ready = null; // the next call tries again
        throw error;
      });
    }
    return ready;
  };
  const run = async (operation, text, params) => {
    try {
      await ensureTable();
      return await query(text, params);
    } catch (error) {
      throw failure(operation, error);
    }
  };
  const wrote = (rows) => rows.length > 0 && rows[0].wrote !== false;

  return {
    async get(key) {
      checkText('The store key', key);
      const rows = await run('get', sql.get, [key]);
      if (rows.length === 0) return null;
      if (typeof rows[0].value !== 'string') throw failure('get', null);
      return rows[0].value;
    },
    async set(key, value, options) {
      checkText('The store key', key);
      checkText('The store value', value);
      const ttlMs = ttlOf(options);
      await run('set', sql.set, [key, value, ttlMs === null ? null : String(ttlMs)]);
    },
    async delete(key) {
      checkText('The store key', key);
      await run('delete', sql.delete, [key]);
    },
    async setIfAbsent(key, value, options) {
      checkText('The store key', key);
      checkText('The store value', value);
      const ttlMs = ttlOf(options);
      return wrote(await run('setIfAbsent', sql.setIfAbsent, [key, value, ttlMs === null ? null : String(ttlMs)]));
    },
    async compareAndSet(key, expected, value, options) {
      checkText('The store key', key);
      checkTextOrNull('compareAndSet expected', expected);
      checkTextOrNull('compareAndSet value', value);
      const ttl = ttlOf(options);
      const ttlMs = ttl === null ? null : String(ttl);
      if (expected === null && value === null) return wrote(await run('compareAndSet', sql.absent, [key]));
      if (expected === null) return wrote(await run('compareAndSet', sql.setIfAbsent, [key, value, ttlMs]));
      if (value === null) return wrote(await run('compareAndSet', sql.remove, [key, expected]));
      return wrote(await run('compareAndSet', sql.replace, [key, expected, value, ttlMs]));
    },
    async list(prefix, options) {
      checkText('The list prefix', prefix);
      const { cursor, limit } = listOptions(options);
      checkTextOrNull('The list cursor', cursor);
      const pattern = `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
      const rows = await (cursor === null
        ? run('list', sql.listFirst, [pattern, String(limit + 1)])
        : run('list', sql.listAfter, [pattern, String(limit + 1), cursor]));
      const page = rows.slice(0, limit);
      if (page.some((row) => typeof row.key !== 'string' || typeof row.value !== 'string')) throw failure('list', null);
      return {
        entries: page.map(({ key, value }) => ({ key, value })),
        cursor: rows.length > limit ? page[page.length - 1].key : null,
      };
    },
  };
}
