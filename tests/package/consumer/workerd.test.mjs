// The installed package in workerd (Cloudflare's runtime): bundled the way
// wrangler bundles (esbuild, "workerd" condition, .wasm imports kept as
// modules), served on 127.0.0.1, asked to run the shared checks. The Worker
// also exports the Durable Object class of durableObjectStore, bound as the
// wrangler.toml of the README's "Cloudflare Workers: durableObjectStore" binds
// it (a SQLite-backed class), with its storage in a folder on disk.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { APP, SERVICE } from './server-checks.mjs';
import { freePort } from './free-port.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const tools = process.env.PACKAGE_TEST_TOOLS; // tests/package/node_modules/.bin
const out = join(here, 'workerd-out');
const storage = join(out, 'do-storage');

/** The capnp config: the Worker, its Durable Object namespaces and their storage folder. */
const config = (port) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "do-storage", disk = (path = "${storage}", writable = true)),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "bundle/worker.js", esModule = embed "worker.js"),
    (name = "oauth_connectors_bg.wasm", wasm = embed "oauth_connectors_bg.wasm"),
  ],
  compatibilityDate = "2025-01-01",
  bindings = [
    (name = "CONNECTORS_STORE", durableObjectNamespace = "ConnectorsStoreObject"),
    (name = "INSPECTED_STORE", durableObjectNamespace = "InspectedStoreObject"),
    (name = "NOT_A_STORE", durableObjectNamespace = "NotAStoreObject"),
  ],
  durableObjectNamespaces = [
    (className = "ConnectorsStoreObject", uniqueKey = "oauth-connectors-test-ConnectorsStoreObject", enableSql = true),
    (className = "InspectedStoreObject", uniqueKey = "oauth-connectors-test-InspectedStoreObject", enableSql = true),
    (className = "NotAStoreObject", uniqueKey = "oauth-connectors-test-NotAStoreObject", enableSql = true),
  ],
  durableObjectStorage = (localDisk = "do-storage"),
);
`;

let workerd; // { port, stop(), log() }

/** Starts workerd on a free port with the config `makeConfig(port)`, and waits until it answers. */
async function startWorkerd(makeConfig = config, file = 'config.capnp') {
  const port = await freePort();
  writeFileSync(join(out, file), makeConfig(port));
  const child = spawn(join(tools, 'workerd'), ['serve', join(out, file)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const started = {
    port,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/api/`, { signal: AbortSignal.timeout(5_000) });
      return started;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await started.stop();
  throw new Error(`workerd did not answer:\n${log}`);
}

/** GET a path of the Worker: status and parsed JSON (or the text). */
async function get(path, headers = {}, { method = 'GET', body, to = workerd } = {}) {
  // Long enough for a whole run: an aborted run would go on in the isolate,
  // and the next would start in its leftovers.
  const response = await fetch(`http://127.0.0.1:${to.port}${path}`, { method, headers, body, signal: AbortSignal.timeout(120_000) });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, text, body: parsed };
}

before(async () => {
  mkdirSync(out, { recursive: true });
  rmSync(storage, { recursive: true, force: true });
  mkdirSync(storage, { recursive: true });
  const result = await build({
    entryPoints: [join(here, 'worker.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['*.wasm'],
    outfile: join(out, 'worker.js'),
    metafile: true,
    logLevel: 'silent',
  });
  assert.ok(Object.keys(result.metafile.inputs).some((f) => f.endsWith('entry/workerd.js')), 'the workerd entry was chosen');
  copyFileSync(join(here, 'node_modules/oauth-connectors/oauth_connectors_bg.wasm'), join(out, 'oauth_connectors_bg.wasm'));
  workerd = await startWorkerd();
});

after(() => workerd?.stop());

const failures = (results) => results.filter((r) => !r.ok);

test('the shared checks pass in workerd', async () => {
  const answer = await get('/');
  assert.equal(answer.status, 200, `${answer.text}\n${workerd.log()}`);
  assert.deepEqual(failures(answer.body), [], JSON.stringify(failures(answer.body), null, 2));
  assert.ok(answer.body.length >= 7, `${answer.body.length} checks ran`);

  // The connectors server as the Worker's fetch handler, over real HTTP.
  const api = '/api/apps/worker-app/external-auth/available-integrations';
  const listed = await get(api, { authorization: 'Bearer worker-service-token-0123456789' });
  assert.equal(listed.status, 200);
  assert.ok(listed.body.integrations.some((i) => i.integration_type === 'slack'));
  const refused = await get(api);
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('x-base44-connector-error'), 'UNAUTHENTICATED');
});

test('durableObjectStore in workerd: storeConformance and the store\'s own checks against ConnectorsStoreObject', async () => {
  const answer = await get('/do-store/checks');
  assert.equal(answer.status, 200, `${answer.text}\n${workerd.log()}`);
  assert.deepEqual(failures(answer.body), [], JSON.stringify(failures(answer.body), null, 2));
  const conformance = answer.body.filter((r) => r.name.startsWith('durableObjectStore passes storeConformance: '));
  assert.ok(conformance.length >= 15, `${conformance.length} conformance cases ran`);
  assert.ok(answer.body.length >= conformance.length + 6, `${answer.body.length} checks ran`);
});

test('durableObjectStore in workerd: a connectors server on it answers a token read, also after workerd restarts', async () => {
  const connected = await get('/do-server/connect');
  assert.equal(connected.status, 200, `${connected.text}\n${workerd.log()}`);
  const tokenPath = `/api/apps/${APP}/external-auth/tokens/fakeprov`;
  const read = async () => {
    const answer = await get(tokenPath, { authorization: `Bearer ${SERVICE}` });
    assert.equal(answer.status, 200, `${answer.text}\n${workerd.log()}`);
    assert.equal(answer.body.access_token, connected.body.accessToken);
    assert.equal(answer.body.integration_type, 'fakeprov');
  };
  await read();
  // A new process over the same storage folder: the connection is on disk.
  await workerd.stop();
  workerd = await startWorkerd();
  await read();
  const anonymous = await get(tokenPath);
  assert.equal(anonymous.status, 401);
});

// examples/cloudflare-worker: its worker.mjs, bundled as wrangler bundles it,
// served with the bindings its wrangler.toml declares (vars, the Durable
// Object binding, its SQLite-backed class), the secrets as text bindings.
const example = join(here, '../../../../examples/cloudflare-worker');

/** The part of wrangler.toml the example uses: top-level keys, [vars], Durable Object bindings and migrations. */
function wranglerToml(text) {
  const doc = { top: {}, vars: {}, bindings: [], sqliteClasses: [] };
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s*#.*$/, '').trim();
    if (!line) continue;
    let m;
    if ((m = line.match(/^\[\[(.+)\]\]$/))) {
      section = m[1];
      if (section === 'durable_objects.bindings') doc.bindings.push({});
      continue;
    }
    if ((m = line.match(/^\[(.+)\]$/))) {
      section = m[1];
      continue;
    }
    m = line.match(/^([A-Za-z_]+)\s*=\s*(.+)$/);
    assert.ok(m, `wrangler.toml line: ${line}`);
    const value = JSON.parse(m[2]);
    if (section === '') doc.top[m[1]] = value;
    else if (section === 'vars') doc.vars[m[1]] = value;
    else if (section === 'durable_objects.bindings') doc.bindings.at(-1)[m[1]] = value;
    else if (section === 'migrations' && m[1] === 'new_sqlite_classes') doc.sqliteClasses.push(...value);
  }
  return doc;
}

test('examples/cloudflare-worker runs in workerd with its wrangler.toml bindings, its records in the Durable Object', async (t) => {
  const toml = wranglerToml(readFileSync(join(example, 'wrangler.toml'), 'utf8'));
  assert.deepEqual(toml.bindings, [{ name: 'CONNECTORS_STORE', class_name: 'ConnectorsStoreObject' }]);
  assert.deepEqual(toml.sqliteClasses, ['ConnectorsStoreObject']);
  await build({
    entryPoints: [join(example, toml.top.main)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['*.wasm'],
    nodePaths: [join(here, 'node_modules')], // the installed package, not the example's own
    outfile: join(out, 'example.js'),
    logLevel: 'silent',
  });
  const exampleStorage = join(out, 'example-storage');
  rmSync(exampleStorage, { recursive: true, force: true });
  mkdirSync(exampleStorage, { recursive: true });
  const secrets = { CONNECTORS_SECRET: 'example-secret-0123456789abcdef0123456789', SERVICE_TOKEN: 'example-service-token-0123456789', SLACK_CLIENT_SECRET: 'example-slack-secret' };
  const text = Object.entries({ ...toml.vars, ...secrets }).map(([name, value]) => `(name = "${name}", text = ${JSON.stringify(value)})`);
  const objects = toml.bindings.map((b) => `(name = "${b.name}", durableObjectNamespace = "${b.class_name}")`);
  const namespaces = toml.bindings.map((b) =>
    `(className = "${b.class_name}", uniqueKey = "${toml.top.name}-${b.class_name}", enableSql = ${toml.sqliteClasses.includes(b.class_name)})`);
  const exampleConfig = (port) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker), (name = "storage", disk = (path = "${exampleStorage}", writable = true)) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "bundle/example.js", esModule = embed "example.js"),
    (name = "oauth_connectors_bg.wasm", wasm = embed "oauth_connectors_bg.wasm"),
  ],
  compatibilityDate = "${toml.top.compatibility_date}",
  bindings = [ ${[...text, ...objects].join(', ')} ],
  durableObjectNamespaces = [ ${namespaces.join(', ')} ],
  durableObjectStorage = (localDisk = "storage"),
);
`;
  const served = await startWorkerd(exampleConfig, 'example.capnp');
  t.after(() => served.stop());
  const base = `/api/apps/${toml.vars.APP_ID}/external-auth`;
  const service = { authorization: `Bearer ${secrets.SERVICE_TOKEN}` };
  const listed = await get(`${base}/available-integrations`, service, { to: served });
  assert.equal(listed.status, 200, `${listed.text}\n${served.log()}`);
  assert.ok(listed.body.integrations.some((i) => i.integration_type === 'slack'));
  const put = await get(`${base}/integrations/slack`, { ...service, 'content-type': 'application/json' },
    { to: served, method: 'PUT', body: JSON.stringify({ scopes: ['chat:write'] }) });
  assert.equal(put.status, 200, `${put.text}\n${served.log()}`);
  assert.equal(put.body.already_authorized, false);
  const token = await get(`${base}/tokens/slack`, service, { to: served });
  assert.equal(token.status, 404, token.text);
  assert.equal(token.headers.get('x-base44-connector-error'), 'NOT_CONNECTED');
  // The object of the app, under the namespace's uniqueKey, on disk.
  const files = readdirSync(join(exampleStorage, `${toml.top.name}-ConnectorsStoreObject`));
  assert.ok(files.some((f) => f.endsWith('.sqlite')), `storage files: ${files}`);
});
