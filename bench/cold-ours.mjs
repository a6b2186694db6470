// One cold start of ours: import, a connectors server over the seeded store,
// a client bound in-process, the first getConnection. Prints
// { ms: import to first answer, phases: [import, server, first read] ms,
// rssKb: peak RSS of the process }.
import { readFileSync } from 'node:fs';
const t0 = performance.now();
const api = await import('oauth-connectors');
const ti = performance.now();
const { APP, SERVICE, TOKEN, serverOptions, seededStore } = await import('./common.mjs');
const server = api.createConnectorsServer(serverOptions(seededStore(api, JSON.parse(readFileSync(process.env.BENCH_STORE, 'utf8')))));
const client = api.createClient({ appId: APP, serviceToken: SERVICE, fetch: server.fetch });
const ts = performance.now();
const { accessToken } = await client.asServiceRole.connectors.getConnection('benchprov');
const t1 = performance.now();
if (accessToken !== TOKEN) throw new Error('wrong token');
const rssKb = Number(readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)[1]);
console.log(JSON.stringify({ ms: t1 - t0, phases: [ti - t0, ts - ti, t1 - ts], rssKb }));
