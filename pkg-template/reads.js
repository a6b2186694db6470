// Token reads answered again without the wasm. A token read whose answer
// rests only on the request, the stored record and the clock comes out of
// the wasm with what it rests on (`handleParts`' fourth item: the store key,
// the exact sealed string read there, until when the token is handed out
// as it is, and until when the answer holds: that time, or earlier when the
// user token it was read on behalf of expires first). The same request
// (method, URL and every header) is then answered here, with the TTL header
// counted down, for as long as the store still holds that exact string and
// the clock is before that time. The store is still read on every request, and every other string
// (another write: each seal has a fresh nonce) goes to the wasm, so nothing
// stale comes out. Under `wrk`, the wasm's work was the whole gap between a
// token read and the machine's limit (a bare server answering a constant).

/** How long a token is handed out as it is (ms), counted down on each repeat. */
const TTL = 'x-connectors-token-ttl';
/** The most answers kept; past it, the oldest is dropped for each new one. */
const KEPT = 1024;
/** Requests with a longer key (headers, URL) are not kept. */
const LONGEST_KEY = 8192;

const isThenable = (value) =>
  value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';

/**
 * The kept answers of the token reads of one server over `store`.
 * `key(method, url, headers)` names a bodiless request (`headers` as
 * `[name, value, ...]`); `answer(key)` is its answer `[status, pairs, text]`,
 * undefined when the wasm must answer, or a Promise of either when the
 * store's `get` answers with one; `keep(key, parts)` keeps what the wasm
 * answered; `clear()` forgets every answer (before and after any request
 * that may change connections).
 */
export function tokenReads(store) {
  const kept = new Map();
  const forget = (key, entry) => {
    if (kept.get(key) === entry) kept.delete(key);
  };
  const holds = (entry, now) => entry.until === null || now < entry.until;
  // The answer of `entry` if the store still holds its string, now.
  const repeat = (key, entry, value) => {
    const now = Date.now();
    if (value !== entry.sealed || !holds(entry, now)) {
      forget(key, entry);
      return undefined;
    }
    const pairs = entry.pairs.slice();
    if (entry.ttlAt >= 0) pairs[entry.ttlAt] = String(entry.fresh - now);
    return [entry.status, pairs, entry.text];
  };
  return {
    key: (method, url, headers) => (method === 'GET' ? JSON.stringify([url, headers]) : undefined),
    answer(key) {
      const entry = key === undefined ? undefined : kept.get(key);
      if (entry === undefined) return undefined;
      if (!holds(entry, Date.now())) {
        forget(key, entry);
        return undefined;
      }
      let value;
      try {
        value = store.get(entry.storeKey);
      } catch {
        forget(key, entry);
        return undefined;
      }
      if (!isThenable(value)) return repeat(key, entry, value);
      return Promise.resolve(value).then(
        (settled) => repeat(key, entry, settled),
        () => {
          forget(key, entry);
          return undefined;
        },
      );
    },
    keep(key, parts) {
      const reuse = Array.isArray(parts) ? parts[3] : undefined;
      if (key === undefined || !Array.isArray(reuse) || key.length > LONGEST_KEY) return;
      const [storeKey, sealed, fresh, until] = reuse;
      const [status, pairs, text] = parts;
      kept.delete(key);
      if (kept.size >= KEPT) kept.delete(kept.keys().next().value);
      let ttlAt = -1;
      for (let i = 0; fresh !== null && i < pairs.length; i += 2) if (pairs[i] === TTL) ttlAt = i + 1;
      kept.set(key, { storeKey, sealed, fresh, until, status, pairs: pairs.slice(), text, ttlAt });
    },
    clear() {
      kept.clear();
    },
  };
}
