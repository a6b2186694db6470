// One connectors server process of the scale tests and bench, in Node or
// Deno: createConnectorsServer on the shared store named by SCALE_CONFIG
// (JSON), served on 127.0.0.1 at the given port. It prints one JSON line per
// thing the parent needs: { ready: url }, then { event } for every vault
// event. Its provider requests carry x-scale-instance (the token proxy sees
// who is refreshing). It exits when its parent closes its stdin, so it
// never outlives the test (kill -9 of the parent included).
import * as api from 'oauth-connectors';

const isDeno = typeof globalThis.Deno !== 'undefined';
const env = (name) => (isDeno ? Deno.env.get(name) : process.env[name]);
const config = JSON.parse(env('SCALE_CONFIG'));
const say = (line) => {
  const text = JSON.stringify(line) + '\n';
  if (isDeno) Deno.stdout.writeSync(new TextEncoder().encode(text));
  else process.stdout.write(text);
};

async function openStore() {
  switch (config.store) {
    case 'redis': {
      const { createClient } = await import('redis');
      // No offline queue: while Redis is down a command fails at once
      // (STORE_UNAVAILABLE) instead of waiting for the reconnection.
      const client = createClient({ url: config.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 100, connectTimeout: 1000 } });
      client.on('error', () => {}); // reconnects by itself; each failed command rejects
      // Connected (again): the parent waits for this after restarting Redis.
      client.on('ready', () => say({ storeReady: true }));
      await client.connect();
      return api.redisStore(client, { prefix: config.prefix });
    }
    case 'postgres': {
      const { default: pg } = await import('pg');
      const pool = new pg.Pool({ connectionString: config.url, max: 4, connectionTimeoutMillis: 1000 });
      pool.on('error', () => {}); // an idle client lost with the server: the pool drops it
      return api.postgresStore(pool, { table: config.table });
    }
    case 'denokv':
      // Four processes open one new file at once: SQLite answers "database
      // is locked" to the others while one creates its tables.
      for (let attempt = 1; ; attempt++) {
        try {
          return api.denoKvStore(await Deno.openKv(config.path));
        } catch (error) {
          if (attempt >= 20 || !/database is locked/.test(String(error?.message))) throw error;
          await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
        }
      }
    default:
      throw new Error(`unknown store ${config.store}`);
  }
}

const store = await openStore();
const server = api.createConnectorsServer({
  appId: config.appId,
  publicUrl: config.publicUrl,
  secret: config.secret,
  store,
  providers: [config.entry],
  connectors: [{ type: config.entry.type, scopes: config.scopes }],
  credentials: { [config.entry.type]: config.client },
  serviceTokens: [config.serviceToken],
  timeoutMs: config.timeoutMs,
  maxAttempts: config.maxAttempts,
  leaseWaitMs: config.leaseWaitMs,
  fetch: (request) => {
    const headers = new Headers(request.headers);
    headers.set('x-scale-instance', String(config.id));
    return fetch(new Request(request, { headers }));
  },
  onEvent: (event) => say({ event: { type: event.type, code: event.code, status: event.status } }),
});

let url;
if (isDeno) {
  await new Promise((resolve) => {
    Deno.serve({ hostname: '127.0.0.1', port: config.port, onListen: resolve }, server.fetch);
  });
  url = `http://127.0.0.1:${config.port}`;
  // stdin closed (the parent is gone): exit.
  (async () => {
    const buffer = new Uint8Array(64);
    while ((await Deno.stdin.read(buffer)) !== null);
    Deno.exit(0);
  })();
} else {
  url = (await api.serveNode(server, { port: config.port })).url;
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
say({ ready: url });
