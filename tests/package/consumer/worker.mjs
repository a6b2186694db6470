// A Workers-style module: serves a connectors server under /api/ (as a
// Worker would), and runs the shared checks in workerd on any other path.
// It also exports the Durable Object class of durableObjectStore, as a user's
// Worker does, and runs the store's checks against it (the /do-store/ and
// /do-server/ paths, and the server of app "app1" under /api/apps/app1/).
import * as api from 'oauth-connectors';
import { runChecks } from './checks.mjs';
import { doStoreChecks } from './do-store-checks.mjs';
import { APP, baseOptions, fakeProvider, setup } from './server-checks.mjs';

// What a user's Worker adds for durableObjectStore: the class, exported from its main module.
export { ConnectorsStoreObject } from 'oauth-connectors';

/** The store's object with a route that shows its raw storage (keys and alarm). */
export class InspectedStoreObject extends api.ConnectorsStoreObject {
  async fetch(request) {
    if (new URL(request.url).pathname !== '/raw') return super.fetch(request);
    const keys = [...(await this.ctx.storage.list()).keys()];
    return Response.json({ keys, alarm: await this.ctx.storage.getAlarm() });
  }
}

/** A Durable Object of another class: 404 for most calls, a throw for compareAndSet. */
export class NotAStoreObject {
  async fetch(request) {
    const body = await request.json().catch(() => null);
    if (body?.op === 'compareAndSet') throw new Error('NotAStoreObject does not compare');
    return new Response('no such route', { status: 404 });
  }
}

const server = api.createConnectorsServer({
  appId: 'worker-app',
  publicUrl: 'https://worker.example',
  secret: 'worker-secret-0123456789abcdef0123456789',
  serviceTokens: ['worker-service-token-0123456789'],
});

const json = (body) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
/** The store the connectors server of app "app1" keeps its records in: one object, named by the app. */
const serverStore = (env) => api.durableObjectStore(env.CONNECTORS_STORE, { name: `connectors-${APP}` });
let doServer;

async function storeResults(env) {
  const results = [];
  const run = async (name, fn) => {
    try {
      await fn();
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, error: String(error && error.stack || error) });
    }
  };
  for (const c of api.storeConformance(() => api.durableObjectStore(env.CONNECTORS_STORE, { name: 'conformance' }))) {
    await run(`durableObjectStore passes storeConformance: ${c.name}`, c.run);
  }
  for (const [name, fn] of doStoreChecks) await run(name, () => fn(api, env));
  return results;
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith(`/api/apps/${APP}/`)) {
      // A server of its own (another instance, as after a restart): what it
      // reads comes from the Durable Object.
      doServer ??= api.createConnectorsServer(baseOptions(api, fakeProvider(), { store: serverStore(env) }));
      return doServer.fetch(request);
    }
    if (pathname.startsWith('/api/')) return server.fetch(request);
    if (pathname === '/do-store/checks') return json(await storeResults(env));
    if (pathname === '/do-server/connect') {
      // The OAuth flow (PUT, consent, callback with the fake provider) on the Durable Object store.
      const ctx = setup(api, { store: serverStore(env) });
      await ctx.connectShared('fakeprov', ['read']);
      return json({ accessToken: ctx.p.issued[0].access_token });
    }
    const results = await runChecks(api);
    return json(results);
  },
};
