// The installed package in workerd (Cloudflare's runtime): bundled the way
// wrangler bundles (esbuild, "workerd" condition, .wasm imports kept as
// modules), served on 127.0.0.1, asked to run the shared checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const tools = process.env.PACKAGE_TEST_TOOLS; // tests/package/node_modules/.bin

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

test('the shared checks pass in workerd', async (t) => {
  const out = join(here, 'workerd-out');
  mkdirSync(out, { recursive: true });
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
  const port = await freePort();
  writeFileSync(join(out, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "bundle/worker.js", esModule = embed "worker.js"),
    (name = "oauth_connectors_bg.wasm", wasm = embed "oauth_connectors_bg.wasm"),
  ],
  compatibilityDate = "2025-01-01",
);
`);
  const child = spawn(join(tools, 'workerd'), ['serve', join(out, 'config.capnp')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  t.after(() => child.kill('SIGKILL'));

  let response;
  for (let i = 0; i < 100 && !response; i++) {
    try {
      // Long enough for the whole run: an aborted run would go on in the
      // isolate, and the next would start in its leftovers.
      response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(60_000) });
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.ok(response, `workerd did not answer:\n${log}`);
  const body = await response.text();
  assert.equal(response.status, 200, `${body}\n${log}`);
  const results = JSON.parse(body);
  const failed = results.filter((r) => !r.ok);
  assert.deepEqual(failed, [], JSON.stringify(failed, null, 2));
  assert.ok(results.length >= 7, `${results.length} checks ran`);

  // The connectors server as the Worker's fetch handler, over real HTTP.
  const api = `http://127.0.0.1:${port}/api/apps/worker-app/external-auth/available-integrations`;
  const listed = await fetch(api, { headers: { authorization: 'Bearer worker-service-token-0123456789' } });
  assert.equal(listed.status, 200);
  assert.ok((await listed.json()).integrations.some((i) => i.integration_type === 'slack'));
  const refused = await fetch(api);
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('x-base44-connector-error'), 'UNAUTHENTICATED');
});
