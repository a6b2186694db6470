// `oauth-connectors serve` started as a user starts it: the installed
// package's bin as a subprocess, in a project folder with connector files
// and oauth-connectors.json, configured by environment variables, against a
// throwaway Redis or PostgreSQL and oidc-provider (oauth-connectors/dev-provider).
// A shared connector is connected through the management PUT and consent,
// then read with the SDK client; /healthz; SIGTERM while a slow request is in
// flight (it completes, then exit 0); a restart keeps the connection (the
// store); every bad setting is one line `error CODE: ...`, exit 1; every log
// line is JSON and holds no secret.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { createClient } from 'oauth-connectors/client';
import { signIn, startLocalProvider } from 'oauth-connectors/dev-provider';
import { http, openStart } from './consent.mjs';
import { startRedis } from './redis-server.mjs';
import { startPostgres } from './postgres-server.mjs';
import { freePort } from './free-port.mjs';

const BIN = join(process.cwd(), 'node_modules', '.bin', 'oauth-connectors');
const APP = 'app1'; // consent.mjs's http() talks to /api/apps/app1
const SCOPES = ['openid', 'offline_access', 'email'];
const CLIENT = { id: 'serve-app', secret: `client-secret-${randomBytes(12).toString('hex')}` };
const SECRET = `serve-secret-${randomBytes(24).toString('hex')}`;
const SERVICE = `svc-${randomBytes(16).toString('hex')}`;
const USERS_SECRET = `users-secret-${randomBytes(24).toString('hex')}`;

const projects = [];
after(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

/** A project folder (beside the consumer's node_modules, as a user's would be): connector files and oauth-connectors.json. */
function project({ connectors = [], file } = {}) {
  const dir = mkdtempSync(join(process.cwd(), 'serve-project-'));
  projects.push(dir);
  mkdirSync(join(dir, 'base44', 'connectors'), { recursive: true });
  for (const c of connectors) writeFileSync(join(dir, 'base44', 'connectors', `${c.type}.jsonc`), `// ${c.type}\n${JSON.stringify(c, null, 2)}\n`);
  if (file) writeFileSync(join(dir, 'oauth-connectors.json'), JSON.stringify(file, null, 2));
  return dir;
}

/** The bin as a subprocess with exactly `env` (plus PATH); `started` resolves the server.started line, `exited` the exit code. */
function start(cwd, env, argv = []) {
  const child = spawn(BIN, ['serve', ...argv], { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const run = { child, stdout: '', stderr: '', lines: [] };
  let onLine = () => {};
  let pending = '';
  child.stdout.on('data', (chunk) => {
    run.stdout += chunk;
    pending += chunk;
    let i;
    while ((i = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      run.lines.push(line);
      onLine(line);
    }
  });
  child.stderr.on('data', (chunk) => (run.stderr += chunk));
  run.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  run.started = new Promise((resolve, reject) => {
    onLine = (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.event === 'server.started') resolve(entry);
      } catch {}
    };
    run.exited.then((code) => reject(new Error(`serve exited (${code}) before it started:\n${run.stderr}\n${run.stdout}`)));
  });
  run.waitFor = (predicate, ms = 10_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such log line')), ms);
      const check = () => {
        const found = run.lines.map((l) => JSON.parse(l)).find(predicate);
        if (found) {
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve(found);
        }
      };
      child.stdout.on('data', () => setImmediate(check));
      check();
    });
  return run;
}

/** Every stdout line is one JSON object, and no secret appears in stdout or stderr. */
function assertCleanLogs(run, secrets) {
  assert.ok(run.lines.length > 0);
  for (const line of run.lines) {
    const entry = JSON.parse(line);
    assert.equal(typeof entry.event, 'string', line);
    assert.equal(typeof entry.time, 'string', line);
  }
  for (const s of secrets) {
    assert.ok(s && s.length >= 8, 'a secret to look for');
    assert.ok(!run.stdout.includes(s), `a secret in the log: ${s.slice(0, 6)}...`);
    assert.ok(!run.stderr.includes(s), `a secret on stderr: ${s.slice(0, 6)}...`);
  }
}

/** An API that answers after `delayMs`, and says when a request arrived. */
async function slowApi(delayMs) {
  let arrived;
  const server = createServer((req, res) => {
    arrived?.();
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ slow: true, path: req.url }));
    }, delayMs);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    arrival: () => new Promise((resolve) => (arrived = resolve)),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

/** Connects the shared connector `localoidc` as the CLI does: the management PUT, the builder's consent, the callback; returns the values a log must not show. */
async function connectShared(base, redirectUri) {
  const put = await http(base, 'PUT', 'external-auth/integrations/localoidc', { auth: SERVICE, json: { scopes: SCOPES } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.already_authorized, false);
  const opened = await openStart(put.body.redirect_url);
  const callback = await signIn(opened.url, { login: 'builder', redirectUri });
  const page = await http(base, 'GET', callback.href, { headers: { cookie: opened.cookie } });
  assert.equal(page.status, 200, page.text);
  const status = await http(base, 'GET', `external-auth/status?integration_type=localoidc&connection_id=${put.body.connection_id}`, { auth: SERVICE });
  assert.equal(status.body.status, 'ACTIVE', status.text);
  const url = new URL(callback.href);
  return [url.searchParams.get('code'), url.searchParams.get('state'), new URL(put.body.redirect_url).searchParams.get('ticket')];
}

/** A project and environment for the local provider on `port`, with `apiBase` as its API. */
async function setUp(store) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const redirectUri = `${base}/api/apps/${APP}/external-auth/callback/localoidc`;
  const op = await startLocalProvider({ clients: [{ clientId: CLIENT.id, clientSecret: CLIENT.secret, redirectUris: [redirectUri] }] });
  const api = await slowApi(1500);
  const cwd = project({
    connectors: [{ type: 'localoidc', scopes: SCOPES }],
    file: {
      appId: APP,
      // The local provider as a custom catalog entry, its API the slow one.
      providers: [{ ...op.entry, api_base_urls: [api.url] }],
      appUserConnectors: { my_calendar: { type: 'localoidc', scopes: SCOPES } },
    },
  });
  const env = {
    OAUTH_CONNECTORS_SECRET: SECRET,
    OAUTH_CONNECTORS_SERVICE_TOKENS: SERVICE,
    LOCALOIDC_CLIENT_ID: CLIENT.id,
    LOCALOIDC_CLIENT_SECRET: CLIENT.secret,
    OAUTH_CONNECTORS_USERS_SECRET: USERS_SECRET,
    OAUTH_CONNECTORS_USERS_ISSUER: 'https://app.example',
    OAUTH_CONNECTORS_ALLOWED_RETURN_URLS: 'http://127.0.0.1:5173',
    PORT: String(port),
    ...store,
  };
  return { port, base, redirectUri, op, api, cwd, env };
}

describe('oauth-connectors serve on Redis, against oidc-provider', () => {
  let redis;
  let setup;
  let run;
  before(async () => {
    redis = await startRedis({ password: `redis-pw-${randomBytes(8).toString('hex')}` });
    setup = await setUp({ REDIS_URL: redis.url });
  });
  after(async () => {
    if (run && run.child.exitCode === null) run.child.kill('SIGKILL');
    await setup?.op.close();
    await setup?.api.close();
    await redis?.close();
  });

  test('connect through the management PUT, read with the SDK client, /healthz, SIGTERM drains a slow request, logs are clean', { timeout: 90_000 }, async () => {
    const { base, cwd, env, redirectUri, api } = setup;
    run = start(cwd, env);
    const started = await run.started;
    assert.equal(started.url, base);
    assert.equal(started.store, 'redis');
    assert.deepEqual(started.connectors, ['localoidc']);
    assert.deepEqual(started.appUserConnectors, ['my_calendar']);
    assert.ok(started.redirectUris.includes(redirectUri), started.redirectUris.join());
    assert.ok(!run.stderr.includes('warning'), run.stderr);

    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });

    const flowSecrets = await connectShared(base, redirectUri);
    const sdk = createClient({ appId: APP, serverUrl: base, serviceToken: SERVICE });
    const connection = await sdk.asServiceRole.connectors.getConnection('localoidc');
    assert.equal(typeof connection.accessToken, 'string');
    assert.ok(connection.accessToken.length >= 8);
    await run.waitFor((e) => e.event === 'connection.created' && e.kind === 'shared' && e.connector === 'localoidc');

    // A request whose answer takes 1.5 s; SIGTERM arrives while it is in flight.
    const arrived = api.arrival();
    const slow = fetch(`${base}/api/apps/${APP}/connectors/localoidc/call`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SERVICE}`, 'content-type': 'application/json', 'x-request-id': 'slow-1' },
      body: JSON.stringify({ method: 'GET', path: '/slow' }),
    });
    await arrived;
    run.child.kill('SIGTERM');
    const answer = await slow;
    assert.equal(answer.status, 200);
    const body = await answer.json();
    assert.equal(body.success, true, JSON.stringify(body));
    assert.deepEqual(body.data, { slow: true, path: '/slow' });
    assert.equal(answer.headers.get('x-request-id'), 'slow-1');
    assert.equal(await run.exited, 0, run.stderr);

    const entries = run.lines.map((l) => JSON.parse(l));
    const slowLine = entries.find((e) => e.event === 'request' && e.requestId === 'slow-1');
    assert.equal(slowLine.status, 200);
    assert.equal(slowLine.path, `/api/apps/${APP}/connectors/localoidc/call`);
    assert.ok(slowLine.durationMs >= 1000, JSON.stringify(slowLine));
    const events = entries.map((e) => e.event);
    assert.ok(events.indexOf('server.stopping') < events.indexOf('server.stopped'), events.join());
    assert.equal(entries.find((e) => e.event === 'server.stopped').drained, true);
    // The callback's query values are redacted; the status poll's are kept.
    const callbackLine = entries.find((e) => e.event === 'request' && e.path.includes('/external-auth/callback/localoidc'));
    assert.match(callbackLine.path, /code=\[redacted\]/);
    assert.match(callbackLine.path, /state=\[redacted\]/);
    assert.ok(entries.some((e) => e.event === 'request' && /status\?integration_type=localoidc&connection_id=/.test(e.path)));
    assert.ok(entries.some((e) => e.event === 'request' && e.path === '/healthz' && e.status === 200));
    assertCleanLogs(run, [SECRET, SERVICE, CLIENT.secret, USERS_SECRET, connection.accessToken, redis.url, ...flowSecrets]);
  });
});

describe('oauth-connectors serve on PostgreSQL, against oidc-provider', () => {
  let pg;
  let setup;
  const runs = [];
  before(async () => {
    pg = await startPostgres();
    setup = await setUp({ DATABASE_URL: pg.url });
  });
  after(async () => {
    for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    await setup?.op.close();
    await setup?.api.close();
    pg?.close();
  });

  test('a connection made through one process is read after a restart (the store keeps it); logs are clean', { timeout: 90_000 }, async () => {
    const { base, cwd, env, redirectUri } = setup;
    const first = start(cwd, env);
    runs.push(first);
    assert.equal((await first.started).store, 'postgres');
    const flowSecrets = await connectShared(base, redirectUri);
    const sdk = createClient({ appId: APP, serverUrl: base, serviceToken: SERVICE, tokenCacheMs: 0 });
    const before = await sdk.asServiceRole.connectors.getConnection('localoidc');
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.stderr);

    const second = start(cwd, env);
    runs.push(second);
    await second.started;
    const after = await sdk.asServiceRole.connectors.getConnection('localoidc');
    assert.equal(after.accessToken, before.accessToken);
    const list = await http(base, 'GET', 'external-auth/list', { auth: SERVICE });
    assert.deepEqual(list.body.integrations.map((i) => [i.integration_type, i.status]), [['localoidc', 'active']]);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.stderr);
    for (const run of [first, second]) assertCleanLogs(run, [SECRET, SERVICE, CLIENT.secret, USERS_SECRET, before.accessToken, pg.password, ...flowSecrets]);
  });
});

describe('oauth-connectors serve refuses bad settings: one line, a stable code, exit 1, no secret', () => {
  const good = { OAUTH_CONNECTORS_SECRET: SECRET, OAUTH_CONNECTORS_SERVICE_TOKENS: SERVICE, OAUTH_CONNECTORS_APP_ID: APP, PORT: '0', GITHUB_CLIENT_ID: 'gh-id', GITHUB_CLIENT_SECRET: CLIENT.secret };
  const withGithub = () => project({ connectors: [{ type: 'github', scopes: ['read:user'] }] });
  const cases = [
    ['no secret', {}, { OAUTH_CONNECTORS_SECRET: undefined }, 'SECRET_MISSING', /randomBytes\(32\)/],
    ['a short secret', {}, { OAUTH_CONNECTORS_SECRET: 'short-secret' }, 'SECRET_INVALID', /32 characters/],
    ['a secret and a ring', {}, { OAUTH_CONNECTORS_SECRETS: `${SECRET}x,${SECRET}y` }, 'SECRET_CONFLICT', /not both/],
    ['no service token', {}, { OAUTH_CONNECTORS_SERVICE_TOKENS: undefined }, 'SERVICE_TOKEN_MISSING', /OAUTH_CONNECTORS_SERVICE_TOKENS/],
    ['a short service token', {}, { OAUTH_CONNECTORS_SERVICE_TOKENS: 'svc-short' }, 'CONFIG_INVALID', /service token must have at least 16/],
    ['no app id', {}, { OAUTH_CONNECTORS_APP_ID: undefined }, 'APP_ID_MISSING', /OAUTH_CONNECTORS_APP_ID/],
    ['no client id for a connector file', {}, { GITHUB_CLIENT_ID: undefined }, 'CLIENT_ID_MISSING', /GITHUB_CLIENT_ID/],
    ['a bad port', {}, { PORT: 'eighty' }, 'PORT_INVALID', /0 to 65535/],
    ['two stores', {}, { REDIS_URL: 'redis://:pw-SENTINEL@127.0.0.1:1', DATABASE_URL: 'postgres://u:pw-SENTINEL@127.0.0.1:1/db' }, 'STORE_CONFLICT', /only the one/],
    ['an unreachable Redis', {}, { REDIS_URL: 'redis://:pw-SENTINEL@127.0.0.1:1' }, 'STORE_UNAVAILABLE', /Redis at REDIS_URL/],
    ['an unreachable PostgreSQL', {}, { DATABASE_URL: 'postgres://u:pw-SENTINEL@127.0.0.1:1/db' }, 'STORE_UNAVAILABLE', /PostgreSQL at DATABASE_URL/],
    ['not a Redis URL', {}, { REDIS_URL: 'http://pw-SENTINEL@127.0.0.1:1' }, 'REDIS_URL_INVALID', /redis:\/\//],
    ['a public host without a public URL', {}, { HOST: '0.0.0.0' }, 'PUBLIC_URL_MISSING', /OAUTH_CONNECTORS_PUBLIC_URL/],
    ['users without an issuer', {}, { OAUTH_CONNECTORS_USERS_SECRET: USERS_SECRET }, 'USERS_INCOMPLETE', /ISSUER/],
    ['app-user connectors without users', { file: { appUserConnectors: { cal: { type: 'github' } } } }, {}, 'USERS_MISSING', /OAUTH_CONNECTORS_USERS_SECRET/],
    ['a project file that is not JSON', { raw: '{ "appId": ' }, {}, 'PROJECT_FILE_INVALID', /not valid JSON/],
    ['a bad connector file', { bad: true }, {}, 'UNKNOWN_PROVIDER', /githb/],
  ];
  for (const [name, shape, change, code, message] of cases) {
    test(name, { timeout: 30_000 }, async () => {
      let cwd;
      if (shape.bad) cwd = project({ connectors: [{ type: 'githb' }] });
      else if (shape.file) cwd = project({ file: shape.file });
      else cwd = withGithub();
      if (shape.raw) writeFileSync(join(cwd, 'oauth-connectors.json'), shape.raw);
      const env = { ...good, ...change };
      for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
      const run = start(cwd, env);
      run.started.catch(() => {});
      assert.equal(await run.exited, 1, run.stdout + run.stderr);
      const lines = run.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('warning: '));
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], new RegExp(`^error ${code}: `));
      assert.match(lines[0], message);
      for (const s of [SECRET, SERVICE, CLIENT.secret, USERS_SECRET, 'pw-SENTINEL', 'short-secret', 'svc-short']) {
        assert.ok(!run.stderr.includes(s) && !run.stdout.includes(s), `${s} in ${run.stderr}${run.stdout}`);
      }
    });
  }

  test('memory: it starts with a loud warning that connections die with the process', { timeout: 30_000 }, async () => {
    const run = start(withGithub(), good);
    const started = await run.started;
    assert.equal(started.store, 'memory');
    assert.match(run.stderr, /^warning: .*die with this process/m);
    assert.ok(run.lines.some((l) => JSON.parse(l).event === 'store.memory'));
    const health = await fetch(`${started.url}/healthz`);
    assert.equal(health.status, 200);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    assertCleanLogs(run, [SECRET, SERVICE, CLIENT.secret]);
  });

  test('--help prints the usage and exits 0; an unknown flag is a usage error (exit 2)', async () => {
    const help = start(withGithub(), {}, ['--help']);
    help.started.catch(() => {});
    assert.equal(await help.exited, 0);
    assert.match(help.stdout, /^Usage: oauth-connectors serve/);
    const bad = start(withGithub(), good, ['--prot', '1']);
    bad.started.catch(() => {});
    assert.equal(await bad.exited, 2);
    assert.match(bad.stderr, /^error USAGE: /);
  });
});
