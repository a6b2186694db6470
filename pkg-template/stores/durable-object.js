// A store for Cloudflare Workers over a Durable Object: `ConnectorsStoreObject`
// (the class the user exports from their Worker and binds in wrangler.toml)
// is the single writer of the store's keys, and `durableObjectStore(namespace)`
// talks to it with `stub.fetch` (JSON in, JSON out), so that the class needs
// no `cloudflare:workers` import and the package still loads in every runtime.
//
// Atomicity comes from the object: it runs one event at a time, and while it
// awaits a storage read no other event is delivered to it (input gates), so a
// read followed by writes with no other I/O in between is a transaction.
import { ConnectorsError } from '../errors.js';
import { invalid, describe, checkOptions, listOptions, ttlOf } from './args.js';

const unavailable = (message) => new ConnectorsError('STORE_UNAVAILABLE', message);

// Durable Object storage takes keys of at most 2048 bytes; the object adds
// "v:" and, for expiring entries, "e:<16 digits>:".
const MAX_KEY_BYTES = 2000;
// A value of the key-value storage API is at most 128 KiB serialized (on a
// SQLite-backed object, 2 MB). Strings with a character above U+00FF take
// 2 bytes a character; `{ v, e }` costs a few dozen bytes more.
const MAX_VALUE_BYTES = 131_000;
// The latest time a Date can hold: expiry times are clamped to it.
const MAX_TIME = 8_640_000_000_000_000;
// How many expired entries one alarm removes before it runs again.
const SWEEP_BATCH = 128;

const utf8 = new TextEncoder();

function checkKey(what, value) {
  if (typeof value !== 'string') throw invalid(`${what} must be a string, got ${describe(value)}`);
  const bytes = utf8.encode(value).length;
  if (bytes > MAX_KEY_BYTES) throw invalid(`durableObjectStore: ${what} takes ${bytes} bytes; a Durable Object key holds at most ${MAX_KEY_BYTES} here`);
}

function checkValue(what, value, nullable) {
  if (nullable && value === null) return;
  if (typeof value !== 'string') throw invalid(`${what} must be a string${nullable ? ' or null' : ''}, got ${describe(value)}`);
  const bytes = /[^\x00-\xff]/.test(value) ? 2 * value.length : value.length;
  if (bytes > MAX_VALUE_BYTES) throw invalid(`durableObjectStore: ${what} takes ${bytes} bytes; a Durable Object value holds at most ${MAX_VALUE_BYTES} here`);
}

/**
 * One call of the protocol, checked: `[op, ...arguments]` as the store's
 * method took them, to the message the object gets. Both sides run it (the
 * object does not trust its callers' versions).
 */
function messageOf(op, args) {
  const [key, a, b, c] = args;
  switch (op) {
    case 'get':
    case 'delete':
      checkKey('The store key', key);
      return { op, key };
    case 'set':
    case 'setIfAbsent':
      checkKey('The store key', key);
      checkValue('The store value', a, false);
      return { op, key, value: a, ttlMs: ttlOf(b) };
    case 'compareAndSet':
      checkKey('The store key', key);
      checkValue('compareAndSet expected', a, true);
      checkValue('compareAndSet value', b, true);
      return { op, key, expected: a, value: b, ttlMs: ttlOf(c) };
    case 'list':
      checkKey('The list prefix', key);
      return { op, prefix: key, ...listOptions(a) };
    default:
      throw invalid(`Unknown store operation ${JSON.stringify(String(op))}`);
  }
}

const argsOf = (m) => {
  switch (m.op) {
    case 'get':
    case 'delete':
      return [m.key];
    case 'set':
    case 'setIfAbsent':
      return [m.key, m.value, m.ttlMs === null ? undefined : { ttlMs: m.ttlMs }];
    case 'compareAndSet':
      return [m.key, m.expected, m.value, m.ttlMs === null ? undefined : { ttlMs: m.ttlMs }];
    case 'list':
      return [m.prefix, { cursor: m.cursor, limit: m.limit }];
    default:
      return [];
  }
};

// The object's storage layout: "v:<key>" holds { v: value, e: expiresAtMs | null };
// "e:<expiresAt, 16 digits>:<key>" indexes the expiring ones for the alarm.
const DATA = 'v:';
const EXPIRY = 'e:';
const dataKey = (key) => DATA + key;
const expiryKey = (expiresAt, key) => `${EXPIRY}${String(expiresAt).padStart(16, '0')}:${key}`;
const live = (record, now) => record !== undefined && record !== null && (record.e === null || record.e > now);

const answer = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * The Durable Object behind `durableObjectStore`: export it from the
 * Worker's main module and bind it (see the README's wrangler.toml). It
 * answers POSTs of the store's JSON protocol and sweeps expired entries
 * from an alarm.
 */
export class ConnectorsStoreObject {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
    this.storage = ctx.storage;
  }

  async fetch(request) {
    let message;
    try {
      const body = await request.json();
      message = messageOf(body?.op, argsOf(body ?? {}));
    } catch (error) {
      const text = error instanceof ConnectorsError ? error.message : 'the request is not a durableObjectStore call (a JSON body)';
      return answer(400, { error: { code: 'INVALID_INPUT', message: text } });
    }
    try {
      return answer(200, { result: await this[`op_${message.op}`](message) });
    } catch (error) {
      // Storage's own messages name limits and states, never stored values.
      const reason = error instanceof Error ? error.message : String(error);
      return answer(503, { error: { code: 'STORE_UNAVAILABLE', message: `the object's storage failed: ${reason}` } });
    }
  }

  // Everything below runs storage reads first and then writes with no await
  // between the writes: the writes commit together, and no other event
  // reaches the object meanwhile.

  async op_get({ key }) {
    const record = await this.storage.get(dataKey(key));
    if (record === undefined) return null;
    if (live(record, Date.now())) return record.v;
    this.#write(key, record, null, null, undefined);
    return null;
  }

  async op_set({ key, value, ttlMs }) {
    const [record, alarm] = await Promise.all([this.storage.get(dataKey(key)), this.storage.getAlarm()]);
    this.#write(key, record, value, ttlMs, alarm);
    return null;
  }

  async op_delete({ key }) {
    const record = await this.storage.get(dataKey(key));
    if (record !== undefined) this.#write(key, record, null, null, undefined);
    return null;
  }

  async op_setIfAbsent({ key, value, ttlMs }) {
    const [record, alarm] = await Promise.all([this.storage.get(dataKey(key)), this.storage.getAlarm()]);
    if (live(record, Date.now())) return false;
    this.#write(key, record, value, ttlMs, alarm);
    return true;
  }

  async op_compareAndSet({ key, expected, value, ttlMs }) {
    const [record, alarm] = await Promise.all([this.storage.get(dataKey(key)), this.storage.getAlarm()]);
    const current = live(record, Date.now()) ? record.v : null;
    if (current !== expected) return false;
    this.#write(key, record, value, ttlMs, alarm);
    return true;
  }

  async op_list({ prefix, cursor, limit }) {
    const page = await this.storage.list({
      prefix: dataKey(prefix),
      ...(cursor === null ? {} : { startAfter: dataKey(cursor) }),
      limit,
    });
    const now = Date.now();
    const entries = [];
    let last = null;
    for (const [stored, record] of page) {
      last = stored.slice(DATA.length);
      if (live(record, now)) entries.push({ key: last, value: record.v });
    }
    return { entries, cursor: page.size === limit ? last : null };
  }

  /** Replaces `key`'s record `old` (or undefined) with `value` (null: deletes); no awaits. */
  #write(key, old, value, ttlMs, alarm) {
    const deletes = [];
    if (old !== undefined && old !== null && old.e !== null) deletes.push(expiryKey(old.e, key));
    if (value === null) {
      deletes.push(dataKey(key));
    } else {
      const e = ttlMs === null ? null : Math.min(Date.now() + ttlMs, MAX_TIME);
      const puts = { [dataKey(key)]: { v: value, e } };
      if (e !== null) {
        const index = expiryKey(e, key);
        puts[index] = 1;
        const at = deletes.indexOf(index);
        if (at >= 0) deletes.splice(at, 1);
        if (alarm === null || alarm > e) this.storage.setAlarm(e);
      }
      this.storage.put(puts);
    }
    if (deletes.length > 0) this.storage.delete(deletes);
  }

  /** Removes the entries that have expired, then wakes again at the next expiry. */
  async alarm() {
    const now = Date.now();
    const due = await this.storage.list({ prefix: EXPIRY, end: expiryKey(now + 1, ''), limit: SWEEP_BATCH });
    const pairs = [...due.keys()].map((index) => {
      const rest = index.slice(EXPIRY.length);
      return [index, Number(rest.slice(0, 16)), rest.slice(17)];
    });
    const records = pairs.length === 0 ? new Map() : await this.storage.get(pairs.map(([, , key]) => dataKey(key)));
    const deletes = [];
    for (const [index, expiresAt, key] of pairs) {
      deletes.push(index);
      const record = records.get(dataKey(key));
      if (record !== undefined && record.e === expiresAt) deletes.push(dataKey(key));
    }
    if (deletes.length > 0) await this.storage.delete(deletes);
    if (pairs.length === SWEEP_BATCH) {
      await this.storage.setAlarm(Date.now());
      return;
    }
    const next = await this.storage.list({ prefix: EXPIRY, limit: 1 });
    for (const index of next.keys()) await this.storage.setAlarm(Number(index.slice(EXPIRY.length, EXPIRY.length + 16)));
  }
}

/**
 * A store whose keys live in one `ConnectorsStoreObject`: the one named
 * `name` in `namespace` (the Durable Object binding from the Worker's env).
 */
export function durableObjectStore(namespace, options) {
  if (namespace === null || typeof namespace !== 'object' || typeof namespace.idFromName !== 'function' || typeof namespace.get !== 'function') {
    throw invalid('durableObjectStore takes a Durable Object namespace (the binding of ConnectorsStoreObject in env), with idFromName and get methods');
  }
  const { name = 'oauth-connectors' } = checkOptions('durableObjectStore options', options, ['name']);
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
    throw invalid(`durableObjectStore option name must be a string of 1 to 256 characters, got ${typeof name === 'string' ? 'an empty string' : describe(name)}`);
  }
  let id;
  // A stub per call: a stub made while serving one request is not to be used
  // by another, and the store may outlive the request that made it.
  const call = async (op, args) => {
    const message = messageOf(op, args);
    let status;
    let body;
    try {
      id ??= namespace.idFromName(name);
      const response = await namespace.get(id).fetch('https://durable-object-store.oauth-connectors/', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
      });
      status = response.status;
      body = await response.text();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw unavailable(`durableObjectStore: ${op} failed: the Durable Object did not answer (${reason})`);
    }
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = null;
    }
    if (status === 200 && parsed !== null && typeof parsed === 'object' && 'result' in parsed) return parsed.result;
    const error = parsed !== null && typeof parsed === 'object' ? parsed.error : undefined;
    if (error && typeof error.message === 'string') {
      if (error.code === 'INVALID_INPUT') throw invalid(`durableObjectStore: ${op}: ${error.message}`);
      throw unavailable(`durableObjectStore: ${op} failed: ${error.message}`);
    }
    throw unavailable(`durableObjectStore: ${op} failed: the Durable Object answered HTTP ${status} outside the store's protocol (is the binding's class ConnectorsStoreObject?)`);
  };
  return {
    get: (key) => call('get', [key]),
    set: async (key, value, options) => void (await call('set', [key, value, options])),
    delete: async (key) => void (await call('delete', [key])),
    setIfAbsent: (key, value, options) => call('setIfAbsent', [key, value, options]),
    compareAndSet: (key, expected, value, options) => call('compareAndSet', [key, expected, value, options]),
    list: (prefix, options) => call('list', [prefix, options]),
  };
}
