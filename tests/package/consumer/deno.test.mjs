// The installed package in Deno 2, through its "deno" export.
import * as api from 'oauth-connectors';
import { checks } from './checks.mjs';
import * as lean from 'oauth-connectors/client';
import { APP, SERVICE, expectError, readAnswer, setup, userJwt } from './server-checks.mjs';

for (const [name, fn] of checks) Deno.test(name, () => fn(api));

Deno.test('the connectors server over Deno.serve: a token read over real HTTP on 127.0.0.1', async () => {
  const ctx = setup(api);
  await ctx.connectShared('fakeprov', ['read']);
  const httpServer = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, ctx.server.fetch);
  try {
    const base = `http://127.0.0.1:${httpServer.addr.port}/api/apps/${APP}`;
    const response = await fetch(`${base}/external-auth/tokens/fakeprov`, { headers: { authorization: `Bearer ${SERVICE}` } });
    const body = await response.json();
    if (response.status !== 200 || body.access_token !== ctx.p.issued[0].access_token || body.integration_type !== 'fakeprov') {
      throw new Error(`token read over HTTP: ${response.status} ${JSON.stringify(body)}`);
    }
    if (response.headers.get('cache-control') !== 'no-store') throw new Error(`cache-control ${response.headers.get('cache-control')}`);
    const anonymous = await fetch(`${base}/external-auth/tokens/fakeprov`);
    expectError(await readAnswer(anonymous, 'GET', 'tokens'), 401, 'UNAUTHENTICATED');
  } finally {
    await httpServer.shutdown();
  }
  ctx.canary();
});

Deno.test('the SDK client against the connectors server: in-process, and the lean client over Deno.serve', async () => {
  const ctx = setup(api);
  await ctx.connectShared('fakeprov', ['read']);
  const alice = await userJwt('alice');
  await ctx.connectUser('mine', 'alice');
  const [shared, mine] = [ctx.p.issued[0].access_token, ctx.p.issued[1].access_token];
  const reads = async (client) => {
    const got = [
      (await client.asServiceRole.connectors.getConnection('fakeprov')).accessToken,
      (await client.asServiceRole.connectors.getCurrentAppUserConnection('mine')).accessToken,
    ];
    if (got[0] !== shared || got[1] !== mine) throw new Error(`token reads: ${got}`);
    const error = await client.asServiceRole.connectors.getConnection('nope').then(() => null, (e) => e);
    if (!(error instanceof api.Base44Error || error?.name === 'Base44Error') || error.status !== 404 || error.code !== 'UNKNOWN_CONNECTOR') {
      throw new Error(`expected a 404 UNKNOWN_CONNECTOR Base44Error, got ${error}`);
    }
  };
  await reads(api.createClient({ appId: APP, serverUrl: 'https://connect.app.example', token: alice, serviceToken: SERVICE, fetch: ctx.server.fetch }));
  const httpServer = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, ctx.server.fetch);
  try {
    await reads(lean.createClient({ appId: APP, serverUrl: `http://127.0.0.1:${httpServer.addr.port}`, token: alice, serviceToken: SERVICE }));
  } finally {
    await httpServer.shutdown();
  }
});

Deno.test('loadConnectorsDir reads a folder', async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/notion.jsonc`, '{"type": "notion"}');
  const { connectors } = await api.loadConnectorsDir(dir);
  if (connectors.length !== 1 || connectors[0].type !== 'notion') throw new Error(JSON.stringify(connectors));
});

Deno.test('the wasm was loaded by the deno entry', async () => {
  const resolved = import.meta.resolve('oauth-connectors');
  if (!resolved.endsWith('/entry/deno.js')) throw new Error(`resolved to ${resolved}`);
});

// denoKvStore over real Deno KV databases: a file (what several processes
// share) and ":memory:". Opened once here, so each test's resource check passes.
const kvPath = `${await Deno.makeTempDir()}/kv.sqlite3`;
const kvs = { file: await Deno.openKv(kvPath), ':memory:': await Deno.openKv(':memory:') };
for (const [where, kv] of Object.entries(kvs)) {
  for (const c of api.storeConformance(() => api.denoKvStore(kv))) Deno.test(`denoKvStore (${where}): ${c.name}`, c.run);
}

const expectEqual = (what, actual, expected) => {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
};

Deno.test('denoKvStore: the KV layout is [...prefix, key] -> { v, e }, and prefixes keep stores apart', async () => {
  const kv = kvs[':memory:'];
  await api.denoKvStore(kv).set('layout:k', 'default');
  await api.denoKvStore(kv, { prefix: ['app', 1] }).set('layout:k', 'custom', { ttlMs: 60_000 });
  expectEqual('the default prefix', (await kv.get(['oauth-connectors', 'layout:k'])).value?.v, 'default');
  const custom = (await kv.get(['app', 1, 'layout:k'])).value;
  if (custom?.v !== 'custom' || !(custom.e > Date.now() + 50_000)) throw new Error(`custom prefix: ${JSON.stringify(custom)}`);
  expectEqual('a third prefix', await api.denoKvStore(kv, { prefix: ['other'] }).get('layout:k'), null);
});

Deno.test('denoKvStore.list: only its own keys, past a longer prefix\'s keys, and Deno KV\'s string order', async () => {
  const kv = await Deno.openKv(':memory:');
  try {
    const outer = api.denoKvStore(kv, { prefix: ['lp'] });
    const inner = api.denoKvStore(kv, { prefix: ['lp', 'list:x'] }); // its KV keys are ['lp', 'list:x', k]
    for (const k of ['list:a', 'list:x', 'list:y', 'list:é', 'list:\u{1F600}']) await outer.set(k, k);
    for (let i = 0; i < 7; i++) await inner.set(`k${i}`, 'inner');
    await kv.set(['lp', 'list:b', 'extra'], { v: 'not ours', e: null });
    await kv.set(['lp', 5], { v: 'a number key part', e: null });
    const keys = [];
    let cursor = null;
    let pages = 0;
    do {
      const page = await outer.list('list:', { cursor, limit: 2 });
      keys.push(...page.entries.map((e) => e.key));
      cursor = page.cursor;
      pages++;
    } while (cursor !== null && pages < 50);
    expectEqual('the keys, in UTF-8 byte order', JSON.stringify(keys), JSON.stringify(['list:a', 'list:x', 'list:y', 'list:é', 'list:\u{1F600}']));
    expectEqual('the inner store lists its own', (await inner.list('k', { limit: 1000 })).entries.length, 7);
    const other = api.denoKvStore(kv, { prefix: ['elsewhere'] });
    expectEqual('another prefix lists nothing', (await other.list('')).entries.length, 0);
    // A kv without list: the store has none either.
    const bare = { get: (k) => kv.get(k), set: (k, v, o) => kv.set(k, v, o), delete: (k) => kv.delete(k), atomic: () => kv.atomic() };
    expectEqual('no list without kv.list', api.denoKvStore(bare).list, undefined);
  } finally {
    kv.close();
  }
});

Deno.test('denoKvStore: values up to 65500 bytes fit; a larger one is a clear INVALID_INPUT', async () => {
  const store = api.denoKvStore(kvs.file);
  await store.set('size:max', 'x'.repeat(65500), { ttlMs: 60_000 });
  expectEqual('the longest value', (await store.get('size:max'))?.length, 65500);
  const tooLarge = [
    [() => store.set('size:k', 'x'.repeat(65501)), 'denoKvStore: the value takes 65501 bytes; a Deno KV entry holds at most 65500'],
    [() => store.setIfAbsent('size:k', '€'.repeat(32751)), 'denoKvStore: the value takes 65502 bytes; a Deno KV entry holds at most 65500'],
    [() => store.compareAndSet('size:max', null, 'x'.repeat(70000)), 'denoKvStore: the value takes 70000 bytes; a Deno KV entry holds at most 65500'],
  ];
  for (const [call, message] of tooLarge) {
    const error = await call().then(() => null, (e) => e);
    if (!(error instanceof api.ConnectorsError) || error.code !== 'INVALID_INPUT' || error.message !== message) {
      throw new Error(`expected INVALID_INPUT "${message}", got ${error}`);
    }
  }
  expectEqual('the store key after refused writes', await store.get('size:k'), null);
});

Deno.test('denoKvStore: another process on the same file sees the writes, both ways', async () => {
  const store = api.denoKvStore(kvs.file);
  await store.set('shared:from-test', 'hello from the test');
  const child = `
    import { denoKvStore } from 'oauth-connectors';
    const kv = await Deno.openKv(Deno.args[0]);
    const store = denoKvStore(kv);
    const seen = await store.get('shared:from-test');
    const wrote = await store.setIfAbsent('shared:from-child', 'hello from the child');
    kv.close();
    console.log(JSON.stringify({ seen, wrote }));`;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ['eval', '--unstable-kv', '--ext=js', child, kvPath],
  }).output();
  const decode = (bytes) => new TextDecoder().decode(bytes);
  expectEqual(`the child's exit code (stderr: ${decode(stderr)})`, code, 0);
  expectEqual("the child's view", decode(stdout).trim(), JSON.stringify({ seen: 'hello from the test', wrote: true }));
  expectEqual("the child's write", await store.get('shared:from-child'), 'hello from the child');
});

Deno.test('denoKvStore: two KV handles on one file racing setIfAbsent and compareAndSet: one winner each', async () => {
  const second = await Deno.openKv(kvPath);
  try {
    const stores = [api.denoKvStore(kvs.file), api.denoKvStore(second)];
    // 20 writers, 10 through each handle; every written value is unique.
    const race = async (what, key, write) => {
      const values = Array.from({ length: 20 }, (_, i) => `${what}-writer-${i}`);
      const results = await Promise.all(values.map((v, i) => write(stores[i % 2], v)));
      const winners = values.filter((_, i) => results[i] === true);
      expectEqual(`${what}: how many won`, winners.length, 1);
      for (const store of stores) expectEqual(`${what}: the stored value`, await store.get(key), winners[0]);
      return winners[0];
    };
    for (let round = 0; round < 5; round++) {
      const key = `race:${round}`;
      const won = await race('setIfAbsent', key, (store, v) => store.setIfAbsent(key, v));
      await race('compareAndSet', key, (store, v) => store.compareAndSet(key, won, v));
    }
  } finally {
    second.close();
  }
});
