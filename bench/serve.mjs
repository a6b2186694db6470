// Our server over real HTTP on the seeded store, for the load tests:
// serveNode under Node, Deno.serve(server.fetch) under Deno. Prints its
// URL, runs until killed.
import * as api from 'oauth-connectors';
import { serverOptions, seededStore } from './common.mjs';

const path = globalThis.Deno ? Deno.env.get('BENCH_STORE') : process.env.BENCH_STORE;
const text = globalThis.Deno ? Deno.readTextFileSync(path) : (await import('node:fs')).readFileSync(path, 'utf8');
const server = api.createConnectorsServer(serverOptions(seededStore(api, JSON.parse(text))));
if (globalThis.Deno) {
  Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`http://127.0.0.1:${port}`) }, server.fetch);
} else {
  console.log((await api.serveNode(server)).url);
}
