// durableObjectStore against real Durable Objects in workerd (worker.mjs
// runs these; workerd.test.mjs reads the results). `env` holds the bindings
// of workerd.test.mjs's config: CONNECTORS_STORE (ConnectorsStoreObject, as a
// user binds it), INSPECTED_STORE (the same class with a route that shows its
// raw storage) and NOT_A_STORE (a Durable Object of another class).
import { ok, rejectsCode, throwsCode } from './helpers.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

/** Every page of `store.list(prefix)`, with the number of pages. */
async function listAll(store, prefix, limit) {
  const entries = [];
  let cursor = null;
  let pages = 0;
  do {
    const page = await store.list(prefix, limit === undefined ? { cursor } : { cursor, limit });
    ok(Array.isArray(page.entries) && (page.cursor === null || typeof page.cursor === 'string'), `list page: ${JSON.stringify(page)}`);
    entries.push(...page.entries);
    cursor = page.cursor;
    pages += 1;
    ok(pages < 100, 'list ended');
  } while (cursor !== null);
  return { entries, pages };
}

export const doStoreChecks = [
  ['durableObjectStore: list pages through a prefix in key order, leaves out other prefixes and expired entries', async (api, env) => {
    const store = api.durableObjectStore(env.CONNECTORS_STORE, { name: `list-${unique()}` });
    const keys = Array.from({ length: 25 }, (_, i) => `app:tenant%3A1:${String(i).padStart(2, '0')}`);
    for (const key of keys) await store.set(key, `value-${key}`);
    await store.set('app:tenant%3A10', 'a sibling prefix');
    await store.set('app:tenant%3A1', 'the prefix itself, without the colon');
    await store.set('other:tenant%3A1:00', 'another prefix');
    await store.set('app:tenant%3A1:short', 'expires', { ttlMs: 30 });
    await store.set('app:tenant%3A1:zz-long', 'stays', { ttlMs: 60_000 });
    await sleep(100);
    const all = await listAll(store, 'app:tenant%3A1:', 10);
    const expected = [...keys, 'app:tenant%3A1:zz-long'];
    ok(JSON.stringify(all.entries.map((e) => e.key)) === JSON.stringify(expected), `keys listed: ${all.entries.map((e) => e.key)}`);
    ok(all.entries.every((e) => e.value === (e.key.endsWith('zz-long') ? 'stays' : `value-${e.key}`)), 'values listed');
    ok(all.pages === 3, `pages of 10: ${all.pages}`);
    const whole = await store.list('app:tenant%3A1:');
    ok(whole.entries.length === 26 && whole.cursor === null, `one page of the default 100: ${whole.entries.length}, ${whole.cursor}`);
    const wider = await listAll(store, 'app:', 1000);
    ok(wider.entries.length === 28, `under "app:": ${wider.entries.length}`);
    const none = await store.list('nothing-here:');
    ok(none.entries.length === 0 && none.cursor === null, `an empty prefix: ${JSON.stringify(none)}`);
    const exact = await store.list('app:tenant%3A1:07', { limit: 1 });
    ok(exact.entries.length === 1 && exact.entries[0].key === 'app:tenant%3A1:07', `a prefix that is a whole key: ${JSON.stringify(exact)}`);
    const rest = await store.list('app:tenant%3A1:07', { cursor: exact.cursor, limit: 1 });
    ok(rest.entries.length === 0 && rest.cursor === null, `after it: ${JSON.stringify(rest)}`);
  }],
  ['durableObjectStore: bad arguments reject INVALID_INPUT before the object is called', async (api, env) => {
    let calls = 0;
    const counting = { idFromName: (n) => env.CONNECTORS_STORE.idFromName(n), get: (id) => (calls++, env.CONNECTORS_STORE.get(id)) };
    const store = api.durableObjectStore(counting, { name: `bad-${unique()}` });
    const cases = [
      [() => store.get(5), 'The store key must be a string, got number'],
      [() => store.set('k', null), 'The store value must be a string, got null'],
      [() => store.set('k', 'v', { ttlMs: 0 }), 'ttlMs must be a positive whole number of milliseconds, got 0'],
      [() => store.set('k', 'v', { ttl: 5 }), 'Unknown option "ttl" in store write options; the options are: ttlMs'],
      [() => store.setIfAbsent('k', 'v', { ttlMs: 1.5 }), 'ttlMs must be a positive whole number of milliseconds, got 1.5'],
      [() => store.compareAndSet('k', 7, 'v'), 'compareAndSet expected must be a string or null, got number'],
      [() => store.compareAndSet('k', null, ['v']), 'compareAndSet value must be a string or null, got an array'],
      [() => store.delete(undefined), 'The store key must be a string, got undefined'],
      [() => store.set('k'.repeat(2001), 'v'), 'durableObjectStore: The store key takes 2001 bytes; a Durable Object key holds at most 2000 here'],
      [() => store.set('k', 'v'.repeat(131_001)), 'durableObjectStore: The store value takes 131001 bytes; a Durable Object value holds at most 131000 here'],
      [() => store.list(5), 'The list prefix must be a string, got number'],
      [() => store.list('p', { limit: 0 }), 'The list limit must be a whole number from 1 to 1000, got 0'],
      [() => store.list('p', { limit: 1001 }), 'The list limit must be a whole number from 1 to 1000, got 1001'],
      [() => store.list('p', { limit: '10' }), 'The list limit must be a whole number from 1 to 1000, got string'],
      [() => store.list('p', { cursor: 3 }), 'The list cursor must be a string or null, got number'],
      [() => store.list('p', { after: 'x' }), 'Unknown option "after" in list options; the options are: cursor, limit'],
      [() => store.list('p', 'x'), 'list options must be an object, got string'],
    ];
    for (const [fn, message] of cases) {
      const error = await rejectsCode(fn(), 'INVALID_INPUT');
      ok(error.message === message && error instanceof api.ConnectorsError, `${message}: got ${error.message}`);
    }
    ok(calls === 0, `the object was called ${calls} times`);
    const thrown = [
      [() => api.durableObjectStore(), 'durableObjectStore takes a Durable Object namespace (the binding of ConnectorsStoreObject in env), with idFromName and get methods'],
      [() => api.durableObjectStore({ get() {} }), 'durableObjectStore takes a Durable Object namespace (the binding of ConnectorsStoreObject in env), with idFromName and get methods'],
      [() => api.durableObjectStore(env.CONNECTORS_STORE, { name: '' }), 'durableObjectStore option name must be a string of 1 to 256 characters, got an empty string'],
      [() => api.durableObjectStore(env.CONNECTORS_STORE, { name: 5 }), 'durableObjectStore option name must be a string of 1 to 256 characters, got number'],
      [() => api.durableObjectStore(env.CONNECTORS_STORE, { prefix: 'x' }), 'Unknown option "prefix" in durableObjectStore options; the options are: name'],
    ];
    for (const [fn, message] of thrown) {
      const error = throwsCode(fn, 'INVALID_INPUT');
      ok(error.message === message, `${message}: got ${error.message}`);
    }
  }],
  ['durableObjectStore: the object checks what it is sent too (INVALID_INPUT answers)', async (api, env) => {
    const stub = env.CONNECTORS_STORE.get(env.CONNECTORS_STORE.idFromName(`raw-${unique()}`));
    for (const [body, message] of [
      ['not json', 'the request is not a durableObjectStore call (a JSON body)'],
      [JSON.stringify({ op: 'drop' }), 'Unknown store operation "drop"'],
      [JSON.stringify({ op: 'set', key: 'k', value: 5, ttlMs: null }), 'The store value must be a string, got number'],
      [JSON.stringify({ op: 'set', key: 'k', value: 'v', ttlMs: -1 }), 'ttlMs must be a positive whole number of milliseconds, got -1'],
    ]) {
      const response = await stub.fetch('https://x/', { method: 'POST', body });
      const answer = await response.json();
      ok(response.status === 400 && answer.error.code === 'INVALID_INPUT' && answer.error.message === message, `${body}: ${response.status} ${JSON.stringify(answer)}`);
    }
  }],
  ['durableObjectStore: a failing object or binding is STORE_UNAVAILABLE, naming the operation and not the value', async (api, env) => {
    const secret = 'SENTINEL_SEALED_RECORD_0123456789';
    const wrong = api.durableObjectStore(env.NOT_A_STORE);
    const error = await rejectsCode(wrong.set('k', secret), 'STORE_UNAVAILABLE');
    ok(error.message === 'durableObjectStore: set failed: the Durable Object answered HTTP 404 outside the store\'s protocol (is the binding\'s class ConnectorsStoreObject?)', error.message);
    const throwing = api.durableObjectStore(env.NOT_A_STORE, { name: 'throws' });
    const thrown = await rejectsCode(throwing.compareAndSet('k', secret, secret), 'STORE_UNAVAILABLE');
    ok(thrown.message.startsWith('durableObjectStore: compareAndSet failed: the Durable Object did not answer ('), thrown.message);
    const down = api.durableObjectStore({ idFromName: (n) => n, get: () => ({ fetch: async () => { throw new Error('Network connection lost.'); } }) });
    const lost = await rejectsCode(down.setIfAbsent('k', secret, { ttlMs: 1000 }), 'STORE_UNAVAILABLE');
    ok(lost.message === 'durableObjectStore: setIfAbsent failed: the Durable Object did not answer (Network connection lost.)', lost.message);
    for (const e of [error, thrown, lost]) ok(!e.message.includes(secret) && !String(e.stack).includes(secret), `the value in: ${e.message}`);
    // A vault over a failing store: its own STORE_UNAVAILABLE, no secret either.
    const vault = new api.TokenVault({ secrets: 'vault-secret-SENTINEL_VAULT-0123456789abcdef', store: down });
    const read = await rejectsCode(vault.status({ kind: 'shared', integrationType: 'slack' }), 'STORE_UNAVAILABLE');
    ok(!read.message.includes('SENTINEL'), read.message);
  }],
  ['durableObjectStore: the alarm removes expired entries from storage, the index with them', async (api, env) => {
    const name = `sweep-${unique()}`;
    const store = api.durableObjectStore(env.INSPECTED_STORE, { name });
    const stub = env.INSPECTED_STORE.get(env.INSPECTED_STORE.idFromName(name));
    const raw = async () => (await stub.fetch('https://x/raw')).json();
    await store.set('short', 'a', { ttlMs: 40 });
    await store.setIfAbsent('short2', 'b', { ttlMs: 60 });
    await store.compareAndSet('replaced', null, 'c', { ttlMs: 50 });
    await store.set('replaced', 'd'); // no longer expires: its index entry goes
    await store.set('long', 'e', { ttlMs: 60_000 });
    await store.set('forever', 'f');
    const before = await raw();
    ok(before.keys.filter((k) => k.startsWith('e:')).length === 3, `index before: ${before.keys}`);
    let after;
    for (let i = 0; i < 40; i++) {
      await sleep(50);
      after = await raw();
      if (!after.keys.includes('v:short') && !after.keys.includes('v:short2')) break;
    }
    ok(JSON.stringify(after.keys.filter((k) => k.startsWith('v:'))) === JSON.stringify(['v:forever', 'v:long', 'v:replaced']), `data after the alarm: ${after.keys}`);
    const index = after.keys.filter((k) => k.startsWith('e:'));
    ok(index.length === 1 && index[0].endsWith(':long'), `index after the alarm: ${index}`);
    ok(typeof after.alarm === 'number' && after.alarm > Date.now() + 50_000, `the next alarm: ${after.alarm}`);
    ok((await store.get('replaced')) === 'd' && (await store.get('long')) === 'e', 'the others stay');
  }],
  ['durableObjectStore: one object per name: stores of one name share keys, other names do not see them', async (api, env) => {
    const name = `shared-${unique()}`;
    const a = api.durableObjectStore(env.CONNECTORS_STORE, { name });
    const b = api.durableObjectStore(env.CONNECTORS_STORE, { name });
    const other = api.durableObjectStore(env.CONNECTORS_STORE, { name: `${name}-other` });
    await a.set('k', 'from a');
    ok((await b.get('k')) === 'from a', 'the same name reads it');
    ok((await other.get('k')) === null, 'another name does not');
    ok((await other.setIfAbsent('k', 'other')) === true, 'another name writes its own');
    ok((await a.compareAndSet('k', 'from a', 'again')) === true && (await b.get('k')) === 'again', 'compareAndSet across handles');
    // Concurrent writers through different handles (and stubs): one winner.
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).setIfAbsent('race', `w${i}`)));
    ok(results.filter((r) => r === true).length === 1, `setIfAbsent winners: ${results}`);
  }],
];
