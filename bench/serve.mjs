// Our server over real HTTP (serveNode) on the seeded store, for the load
// test; prints its URL, runs until killed.
import { readFileSync } from 'node:fs';
import * as api from 'oauth-connectors';
import { serverOptions, seededStore } from './common.mjs';

const server = api.createConnectorsServer(serverOptions(seededStore(api, JSON.parse(readFileSync(process.env.BENCH_STORE, 'utf8')))));
const served = await api.serveNode(server);
console.log(served.url);
