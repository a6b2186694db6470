// One cold start of @base44/sdk: import, createClient, the first
// getConnection against the local HTTP server at BENCH_URL. Same output as cold-ours.mjs.
import { readFileSync } from 'node:fs';
const t0 = performance.now();
const { createClient } = await import('@base44/sdk');
const { APP, SERVICE, TOKEN } = await import('./common.mjs');
const client = createClient({ appId: APP, serverUrl: process.env.BENCH_URL, serviceToken: SERVICE });
const { accessToken } = await client.asServiceRole.connectors.getConnection('benchprov');
const t1 = performance.now();
if (accessToken !== TOKEN) throw new Error('wrong token');
const rssKb = Number(readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)[1]);
console.log(JSON.stringify({ ms: t1 - t0, rssKb }));
