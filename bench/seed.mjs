// Connects the shared connector once (management PUT, then the callback with
// the stand-in provider) and prints the store's entries as JSON: the sealed
// connection every cold start and load test reads.
import * as api from 'oauth-connectors';
import { APP, SERVICE, serverOptions } from './common.mjs';

const entries = {};
const inner = api.memoryStore();
const store = {
  get: (k) => inner.get(k),
  delete: (k) => inner.delete(k),
  set: (k, v, o) => ((entries[k] = v), inner.set(k, v, o)),
  setIfAbsent: async (k, v, o) => (await inner.setIfAbsent(k, v, o)) && ((entries[k] = v), true),
  compareAndSet: async (k, e, v, o) => (await inner.compareAndSet(k, e, v, o)) && ((v === null ? delete entries[k] : (entries[k] = v)), true),
};
const server = api.createConnectorsServer(serverOptions(store));
const put = await server.fetch(new Request(`http://127.0.0.1:1/api/apps/${APP}/external-auth/integrations/benchprov`, {
  method: 'PUT', headers: { authorization: `Bearer ${SERVICE}` }, body: '{"scopes":["read"]}',
}));
// The consent URL is the server's start route: it binds the browser (a cookie), then sends it to the provider.
const start = await server.fetch(new Request((await put.json()).redirect_url));
const consent = new URL(start.headers.get('location'));
const cookie = start.headers.get('set-cookie').split(';')[0];
const callback = new URL(consent.searchParams.get('redirect_uri'));
callback.searchParams.set('code', 'bench-code');
callback.searchParams.set('state', consent.searchParams.get('state'));
const done = await server.fetch(new Request(callback, { headers: { cookie } }));
if (done.status !== 200) throw new Error(`seeding failed: ${done.status}`);
// Only the connection: used-state marks and pending status are not needed.
console.log(JSON.stringify(Object.fromEntries(Object.entries(entries).filter(([k]) => k.includes(':conn:')))));
