// The scale harness (tests/package/consumer/scale.test.mjs and the bench):
// N connectors server processes (instance.mjs, Node or Deno) sharing one
// store and one secret, a real authorization server (oidc-provider, through
// oauth-connectors/dev-provider) whose first access token lives FIRST_TTL_S,
// and a counting proxy in front of its token endpoint that can slow, hold or
// swallow a refresh. Every process it starts is killed by close(), and when
// this process exits; instances also exit when their stdin closes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../free-port.mjs';

export const APP = 'scale-app';
export const SERVICE = 'scale-service-token-0123456789abcdef';
export const SECRET = 'scale-server-secret-0123456789abcdef-0123';
export const FIRST_TTL_S = 3;
export const REFRESHED_TTL_S = 600;
const SCOPES = ['openid', 'offline_access', 'email'];
const CLIENT = { clientId: 'scale-app', clientSecret: 'scale-app-secret-0123456789abcdef' };
const CALLBACK = `/api/apps/${APP}/external-auth/callback/localoidc`;
const INSTANCE = fileURLToPath(new URL('./instance.mjs', import.meta.url));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Waits for `check()` to be truthy, up to `ms`; throws `what` otherwise. */
export async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * The proxy in front of the provider's token endpoint. `refreshes` lists
 * each refresh request received ({ instance }); `forwarded` counts those
 * sent on. `plan(next)` sets what happens to the next refresh request only:
 * { delayMs } forwards it late; { hold: 'before' } never forwards it (the
 * sender dies before it is sent, as far as the provider knows); { hold:
 * 'after' } forwards it (the provider rotates the refresh token) and never
 * answers. `received()` resolves the next refresh request's { instance }.
 */
async function startTokenProxy(target) {
  const refreshes = [];
  let forwarded = 0;
  let next = null;
  let waiters = [];
  const held = new Set();
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const isRefresh = body.toString().includes('grant_type=refresh_token');
    const plan = isRefresh ? next : null;
    if (isRefresh) {
      next = null;
      const seen = { instance: Number(req.headers['x-scale-instance']) };
      refreshes.push(seen);
      for (const resolve of waiters) resolve(seen);
      waiters = [];
    }
    if (plan?.hold === 'before') {
      held.add(res);
      return;
    }
    if (plan?.delayMs) await sleep(plan.delayMs);
    const headers = { ...req.headers };
    delete headers.host;
    delete headers['content-length'];
    delete headers['x-scale-instance'];
    if (isRefresh) forwarded += 1;
    let answer;
    try {
      answer = await fetch(target, { method: req.method, headers, body });
    } catch (error) {
      res.writeHead(502).end(String(error));
      return;
    }
    const text = await answer.text();
    if (plan?.hold === 'after') {
      held.add(res);
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/token`,
    refreshes,
    get forwarded() {
      return forwarded;
    },
    plan(p) {
      next = p;
    },
    received: () => new Promise((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

/**
 * Starts a world (`instanceScript`: instance.mjs, or a copy of it where its
 * imports resolve, as the bench does): `store` is { kind: 'redis', url, prefix } | { kind:
 * 'postgres', url, table } | { kind: 'denokv', path }; `runtime` 'node' or
 * 'deno' (needs `deno`, its binary); `instances` processes. `startLocalProvider`
 * is oauth-connectors/dev-provider's (the caller's install).
 */
export async function startWorld({ store, runtime = 'node', deno, instances = 4, startLocalProvider, signIn, timeoutMs = 3000, maxAttempts = 1, leaseWaitMs = 25_000, instanceScript = INSTANCE }) {
  const ports = [];
  for (let i = 0; i < instances; i++) ports.push(await freePort());
  const publicUrl = `http://127.0.0.1:${ports[0]}`;
  const op = await startLocalProvider({
    clients: [{ ...CLIENT, redirectUris: [publicUrl + CALLBACK] }],
    accessTokenTtl: (ctx) => (ctx.oidc.params?.grant_type === 'refresh_token' ? REFRESHED_TTL_S : FIRST_TTL_S),
  });
  const proxy = await startTokenProxy(`${op.issuer}/token`);
  const entry = { ...op.entry, token_url: proxy.url };
  const procs = [];
  // Every process started, ready or not: close() stops them all, also those
  // still starting when another failed (they kept the test process alive).
  const spawned = [];
  const events = [];
  // Per instance: how often its store client said it is connected (Redis).
  const storeReady = [];
  const kvDir = store.kind === 'denokv' && !store.path ? mkdtempSync(join(tmpdir(), 'oauth-connectors-scale-kv-')) : null;
  const storeConfig = { store: store.kind, url: store.url, prefix: store.prefix, table: store.table, path: store.path ?? (kvDir && join(kvDir, 'kv.sqlite3')) };

  const start = async (i) => {
    const config = { ...storeConfig, id: i, port: ports[i], appId: APP, publicUrl, secret: SECRET, entry, scopes: SCOPES, client: CLIENT, serviceToken: SERVICE, timeoutMs, maxAttempts, leaseWaitMs };
    const [command, args] = runtime === 'deno'
      ? [deno, ['run', '--quiet', '--no-check', '--no-prompt', '--unstable-kv', '--allow-env', '--allow-read', '--allow-write', '--allow-net=127.0.0.1', instanceScript]]
      : [process.execPath, [instanceScript]];
    // cwd: where Deno finds the package.json (and node_modules) the script imports from.
    const child = spawn(command, args, { cwd: dirname(instanceScript), env: { ...process.env, SCALE_CONFIG: JSON.stringify(config) }, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    spawned.push(child);
    child.on('exit', () => children.delete(child));
    let output = '';
    let buffered = '';
    const ready = new Promise((resolve, reject) => {
      child.stdout.on('data', (data) => {
        buffered += data;
        let end;
        while ((end = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 1);
          let message;
          try {
            message = JSON.parse(line);
          } catch {
            output += line + '\n';
            continue;
          }
          if (message.ready) resolve(message.ready);
          if (message.event) events.push({ instance: i, ...message.event });
          if (message.storeReady) storeReady[i] = (storeReady[i] ?? 0) + 1;
        }
      });
      child.stderr.on('data', (data) => (output += data));
      child.on('exit', (code, signal) => reject(new Error(`instance ${i} exited (${code ?? signal}) before it was ready:\n${output}`)));
      setTimeout(() => reject(new Error(`instance ${i} not ready within 30 s:\n${output}`)), 30_000).unref();
    });
    const url = await ready;
    procs[i] = { child, url, output: () => output };
  };

  const world = {
    op,
    proxy,
    events,
    storeReady,
    publicUrl,
    get urls() {
      return procs.map((p) => p.url);
    },
    start,
    /** kill -9 of instance i; resolves once it has exited. */
    async kill(i) {
      const { child } = procs[i];
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    /** GET the token on instance i: { status, code, token, ms } (status 0: no answer, `error` says why). */
    async read(i, { timeoutMs: bound = 60_000 } = {}) {
      const started = Date.now();
      try {
        const response = await fetch(`${procs[i].url}/api/apps/${APP}/external-auth/tokens/localoidc`, {
          headers: { authorization: `Bearer ${SERVICE}` },
          signal: AbortSignal.timeout(bound),
        });
        const body = await response.json();
        return { instance: i, status: response.status, code: body.error?.code ?? null, token: body.access_token ?? null, ms: Date.now() - started };
      } catch (error) {
        return { instance: i, status: 0, code: null, token: null, ms: Date.now() - started, error: error.name === 'TimeoutError' ? 'timeout' : String(error.cause?.code ?? error) };
      }
    },
    /** `n` concurrent reads spread over `on` (default: every instance). */
    burst(n, { on = procs.map((_, i) => i), timeoutMs: bound } = {}) {
      return Promise.all(Array.from({ length: n }, (_, k) => world.read(on[k % on.length], { timeoutMs: bound })));
    },
    /** The management list as instance i answers it. */
    async list(i = 0) {
      const response = await fetch(`${procs[i].url}/api/apps/${APP}/external-auth/list`, { headers: { authorization: `Bearer ${SERVICE}` } });
      return response.json();
    },
    /** Connects (or reconnects) the shared connection through instance 0: its first token lives FIRST_TTL_S. */
    async connect() {
      const slot = `${publicUrl}/api/apps/${APP}/external-auth/integrations/localoidc`;
      const auth = { authorization: `Bearer ${SERVICE}` };
      const put = async () => {
        const answer = await fetch(slot, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ scopes: SCOPES }) });
        if (answer.status !== 200) throw new Error(`PUT answered ${answer.status}: ${await answer.text()}`);
        return (await answer.json()).redirect_url;
      };
      let consent = await put();
      if (!consent) {
        // Connected already (an active token): remove it, for a fresh short first token.
        const removed = await fetch(`${slot}/remove`, { method: 'DELETE', headers: auth });
        if (removed.status !== 200) throw new Error(`remove answered ${removed.status}: ${await removed.text()}`);
        consent = await put();
      }
      const start = await fetch(consent, { redirect: 'manual' });
      if (start.status !== 303) throw new Error(`the start route answered ${start.status}`);
      const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0];
      const callback = await signIn(start.headers.get('location'), { login: 'admin', redirectUri: publicUrl + CALLBACK });
      const page = await fetch(callback.href, { headers: { cookie } });
      if (page.status !== 200) throw new Error(`the callback answered ${page.status}: ${await page.text()}`);
      return Date.now();
    },
    /** Whether `token` works at the provider (its userinfo). */
    async works(token) {
      const me = await fetch(op.userinfoUrl, { headers: { authorization: `Bearer ${token}` } });
      return me.status === 200;
    },
    async close() {
      const running = spawned.filter((child) => child.exitCode === null && child.signalCode === null);
      const exited = running.map((child) => new Promise((resolve) => child.once('exit', resolve)));
      for (const child of running) child.kill('SIGKILL');
      await Promise.all(exited);
      await proxy.close();
      await op.close();
      if (kvDir) rmSync(kvDir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(ports.map((_, i) => start(i)));
  } catch (error) {
    await world.close();
    throw error;
  }
  return world;
}

/** Sleeps until the connection's first token (issued at `connectedAt`) has expired. */
export async function untilExpired(connectedAt) {
  const wait = connectedAt + FIRST_TTL_S * 1000 + 200 - Date.now();
  if (wait > 0) await sleep(wait);
}
