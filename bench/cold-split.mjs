// One cold start of ours split finer than cold-ours.mjs: the import, this
// folder's shared module, the store, the first and a second connectors
// server, the client and the first read, in ms. A quick look at where a
// cold start goes, without the whole harness (compare with V8 flags such as
// --no-wasm-lazy-compilation):
//   bash scripts/build.sh && cd bench && node seed.mjs > /tmp/store.json \
//     && BENCH_STORE=/tmp/store.json node cold-split.mjs
// Under --trace-wasm-compilation-times (V8 prints a line per function it
// compiles) it also prints "== end of <phase>" as each phase ends, so the
// functions each phase compiles can be counted:
//   BENCH_STORE=/tmp/store.json node --trace-wasm-compilation-times cold-split.mjs \
//     | awk '/using Liftoff/ { n++; for (i = 1; i < NF; i++) if ($i == "bodysize") b += $(i + 1) }
//            /^== end of/ { print $4, n + 0, "functions,", b + 0, "bytes"; n = b = 0 }'
import { readFileSync } from 'node:fs';
const PHASES = ['import', 'common', 'store', 'server', 'client', 'read', 'server2'];
const tracing = process.execArgv.includes('--trace-wasm-compilation-times');
const T = [performance.now()];
const mark = () => {
  T.push(performance.now());
  if (tracing) console.log(`== end of ${PHASES[T.length - 2]}`);
};
const api = await import('oauth-connectors'); mark();
const { APP, SERVICE, TOKEN, serverOptions, seededStore } = await import('./common.mjs'); mark();
const entries = JSON.parse(readFileSync(process.env.BENCH_STORE, 'utf8'));
const store = seededStore(api, entries); mark();
const opts = serverOptions(store);
const server = api.createConnectorsServer(opts); mark();
const client = api.createClient({ appId: APP, serviceToken: SERVICE, fetch: server.fetch }); mark();
const { accessToken } = await client.asServiceRole.connectors.getConnection('benchprov'); mark();
api.createConnectorsServer(serverOptions(seededStore(api, entries))); mark();
if (accessToken !== TOKEN) throw new Error('wrong token');
console.log(PHASES.map((n, i) => `${n} ${(T[i + 1] - T[i]).toFixed(2)}`).join('  '));
