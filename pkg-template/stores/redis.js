// A store over Redis, through the user's own client: node-redis 5
// (`createClient()`, its `sendCommand(args)`) or ioredis (`new Redis()`, its
// `call(command, ...args)`). Plain ESM, no dependency: it only sends commands.
import { ConnectorsError } from '../errors.js';
import { invalid, describe, checkString, checkStringOrNull, checkOptions, listOptions, ttlOf } from './args.js';



// KEYS[1]: the Redis key. ARGV: expected ('' when expected is null, else
// '=' followed by it), value (same encoding, '' meaning delete), ttl in ms
// ('' for none). GET of a missing (or expired) key is false in Lua.
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if current then return 0 end
elseif current ~= string.sub(ARGV[1], 2) then
  return 0
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
elseif ARGV[3] == '' then
  redis.call('SET', KEYS[1], string.sub(ARGV[2], 2))
else
  redis.call('SET', KEYS[1], string.sub(ARGV[2], 2), 'PX', ARGV[3])
end
return 1
`;

// MATCH takes a glob pattern: a literal prefix needs `* ? [ ] \` escaped.
const globEscape = (text) => text.replace(/[*?[\]\\]/g, '\\$&');

const decoder = new TextDecoder();
const text = (reply) => (reply instanceof Uint8Array ? decoder.decode(reply) : reply);

// Why a command failed, without the client's own message: the message may
// carry whatever the client put there (an address, a URL, an argument). Only
// a socket error's code (ECONNREFUSED), the error's class (ClientClosedError)
// or a Redis error reply's code (NOAUTH, WRONGPASS, READONLY) is kept.
function reasonOf(error) {
  if (error === null || typeof error !== 'object') return 'the client threw a non-Error';
  const code = typeof error.code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(error.code) ? error.code : null;
  // node-redis names its errors "Error"; their classes say more (ClientClosedError).
  const named = [error.name, error.constructor?.name].find((n) => typeof n === 'string' && /^[A-Za-z]{1,60}$/.test(n) && n !== 'Error');
  const name = named ?? null;
  const reply = typeof error.message === 'string' ? /^([A-Z][A-Z0-9]{1,30})(?: |$)/.exec(error.message)?.[1] ?? null : null;
  const parts = [name, code ?? reply].filter((part) => part !== null);
  return parts.length > 0 ? parts.join(' ') : 'an error from the Redis client';
}

/** How to send one command with each client: `(args: string[]) => Promise<reply>`. */
function commandSender(client) {
  const shape = 'redisStore takes a Redis client: node-redis 5 (createClient(), connected) or ioredis (new Redis()), or any object with sendCommand(args: string[]) resolving the raw reply';
  if (client === null || typeof client !== 'object') throw invalid(`${shape}; got ${describe(client)}`);
  // A cluster client: SCAN lists one node's keys, so `list` would miss keys.
  if (typeof client.nodes === 'function' || Array.isArray(client.masters)) {
    throw invalid('redisStore takes a single Redis client, not a cluster client (SCAN would list only one node)');
  }
  // ioredis: call(command, ...args). Its sendCommand takes a Command object instead.
  if (typeof client.call === 'function') return (args) => client.call(...args);
  // node-redis 4 and 5 (and the documented adapter shape): sendCommand(args).
  if (typeof client.sendCommand === 'function') return (args) => client.sendCommand(args);
  throw invalid(shape);
}

/**
 * A store over Redis, shared by every process on the same server. The key
 * `k` is the Redis string `${prefix}${k}` (the prefix is empty by default:
 * the package's keys all start with `oauth-connectors:`), holding the value as it is;
 * `ttlMs` becomes `PX`, so Redis expires entries itself. `setIfAbsent` is
 * `SET NX`, `compareAndSet` one Lua script, `list` SCAN with MATCH on the
 * escaped prefix. Bad arguments reject INVALID_INPUT; a failed command
 * rejects STORE_UNAVAILABLE naming the operation.
 */
export function redisStore(client, options) {
  const send = commandSender(client);
  const { prefix = '' } = checkOptions('redisStore options', options, ['prefix']);
  if (typeof prefix !== 'string') throw invalid(`redisStore option prefix must be a string, got ${describe(prefix)}`);

  const keyOf = (key) => {
    checkString('The store key', key);
    return prefix + key;
  };
  const run = async (operation, args) => {
    try {
      return await send(args);
    } catch (error) {
      throw new ConnectorsError('STORE_UNAVAILABLE', `redisStore: ${operation} failed (${reasonOf(error)})`);
    }
  };
  const px = (ttlMs) => (ttlMs === null ? [] : ['PX', String(ttlMs)]);

  return {
    async get(key) {
      const reply = text(await run('get', ['GET', keyOf(key)]));
      return typeof reply === 'string' ? reply : null;
    },
    async set(key, value, options) {
      const redisKey = keyOf(key);
      checkString('The store value', value);
      await run('set', ['SET', redisKey, value, ...px(ttlOf(options))]);
    },
    async delete(key) {
      await run('delete', ['DEL', keyOf(key)]);
    },
    async setIfAbsent(key, value, options) {
      const redisKey = keyOf(key);
      checkString('The store value', value);
      const reply = text(await run('setIfAbsent', ['SET', redisKey, value, 'NX', ...px(ttlOf(options))]));
      return reply === 'OK';
    },
    async compareAndSet(key, expected, value, options) {
      const redisKey = keyOf(key);
      checkStringOrNull('compareAndSet expected', expected);
      checkStringOrNull('compareAndSet value', value);
      const ttlMs = ttlOf(options);
      const arg = (v) => (v === null ? '' : `=${v}`);
      const reply = await run('compareAndSet', ['EVAL', COMPARE_AND_SET, '1', redisKey, arg(expected), arg(value), ttlMs === null ? '' : String(ttlMs)]);
      return Number(reply) === 1;
    },
    /**
     * The cursor is SCAN's cursor; when SCAN answered more keys than `limit`,
     * the ones not returned yet ride along in it: `[scanCursor, ...keys]` as JSON.
     */
    async list(listPrefix, options) {
      checkString('The list prefix', listPrefix);
      const { cursor, limit } = listOptions(options);
      let scanCursor = '0';
      let pending = [];
      if (cursor !== null) {
        const bad = () => invalid('The list cursor is not one that list returned (pass null, or the cursor of the previous page)');
        if (/^[1-9][0-9]{0,19}$/.test(cursor)) scanCursor = cursor;
        else {
          let parsed;
          try {
            parsed = JSON.parse(cursor);
          } catch {
            throw bad();
          }
          if (!Array.isArray(parsed) || parsed.length < 2 || !/^(0|[1-9][0-9]{0,19})$/.test(parsed[0])) throw bad();
          if (!parsed.slice(1).every((k) => typeof k === 'string' && k.startsWith(prefix + listPrefix))) throw bad();
          [scanCursor, ...pending] = parsed;
        }
      }
      if (pending.length === 0) {
        const reply = await run('list', ['SCAN', scanCursor, 'MATCH', `${globEscape(prefix + listPrefix)}*`, 'COUNT', String(limit)]);
        if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) {
          throw new ConnectorsError('STORE_UNAVAILABLE', 'redisStore: list failed (SCAN answered something other than [cursor, keys])');
        }
        scanCursor = String(text(reply[0]));
        pending = reply[1].map(text);
      }
      const keys = pending.slice(0, limit);
      const rest = pending.slice(limit);
      const values = keys.length === 0 ? [] : await run('list', ['MGET', ...keys]);
      const entries = [];
      keys.forEach((redisKey, i) => {
        const value = text(values[i]);
        // null: expired or deleted since SCAN saw it.
        if (typeof value === 'string') entries.push({ key: redisKey.slice(prefix.length), value });
      });
      const next = rest.length > 0 ? JSON.stringify([scanCursor, ...rest]) : scanCursor === '0' ? null : scanCursor;
      return { entries, cursor: next };
    },
  };
}
