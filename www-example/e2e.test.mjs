// www-example end to end, in a real browser (playwright-core driving
// Debian's Chromium, headless): the app under Deno on Deno KV, the local
// oidc-provider, and a user who signs in, connects, sees their data, keeps
// seeing it after the access token expired (the server refreshed it), is not
// seen by another user, and disconnects, after which the provider rejects the
// old token. On failure, a screenshot of each step is written to
// www-example/.e2e-screenshots/ (E2E_SCREENSHOTS=always: also on success).
//   node --test www-example/e2e.test.mjs   (after scripts/build.sh and npm install in www-example)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startLocalProvider } from 'oauth-connectors/dev-provider';

const here = dirname(fileURLToPath(import.meta.url));
const deno = join(here, '../node_modules/.bin/deno');
const ACCESS_TOKEN_TTL = 10; // seconds: short, so the test sees one expire

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** Starts app.ts under Deno; resolves once it listens (or with its exit code and output if it stops). */
function startApp(env) {
  const child = spawn(deno, ['run', '--quiet', '--unstable-kv', '--allow-net', '--allow-read', '--allow-write=.data', '--allow-env', 'app.ts'], {
    cwd: here,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ child, output, timedOut: true }), 30_000);
    const done = (value) => {
      clearTimeout(timer);
      resolve(value);
    };
    child.stdout.on('data', (d) => {
      output += d;
      if (/www-example: http/.test(output)) done({ child, output });
    });
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => done({ child, output, code }));
  });
}

let op;
let app;
let origin;
const kvFile = `.data/e2e-${process.pid}.sqlite3`;

before(async () => {
  const [appPort, providerPort] = [await freePort(), await freePort()];
  origin = `http://127.0.0.1:${appPort}`;
  const base = `${origin}/api/apps/www-example`;
  op = await startLocalProvider({
    port: providerPort,
    accessTokenTtl: ACCESS_TOKEN_TTL,
    clients: [{
      clientId: 'www-example',
      clientSecret: 'www-example-secret-0123456789abcdef',
      redirectUris: [`${base}/app-user-auth/connectors/localoidc/callback`, `${base}/external-auth/callback/localoidc`],
    }],
  });
  app = await startApp({ PORT: String(appPort), PROVIDER_ISSUER: op.issuer, KV_PATH: join(here, kvFile) });
  assert.ok(!app.timedOut && app.code === undefined, `the app did not start:\n${app.output}`);
});

after(async () => {
  app?.child.kill('SIGTERM');
  await op?.close();
  for (const suffix of ['', '-shm', '-wal']) rmSync(join(here, kvFile + suffix), { force: true });
});

/** Writes the steps' screenshots to www-example/.e2e-screenshots/; returns the folder. */
function writeShots(shots) {
  const dir = join(here, '.e2e-screenshots');
  mkdirSync(dir, { recursive: true });
  for (const [name, png] of shots) writeFileSync(join(dir, `${name}.png`), png);
  return dir;
}

const me = (token) => fetch(op.userinfoUrl, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
const latestToken = (user) => op.accessTokens.filter((t) => t.accountId === user).at(-1)?.value;

test('sign in, connect, see your data, survive expiry, stay private, disconnect', { timeout: 120_000 }, async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
  const shots = [];
  let page;
  const step = async (name, fn) => {
    await fn();
    shots.push([name, await page.screenshot({ fullPage: true })]);
  };
  try {
    page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const ready = () => page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    const statusOf = () => page.textContent('#status-localoidc');
    const signInAs = async (user) => {
      await page.click(`#signin-${user}`);
      await page.waitForFunction((u) => document.querySelector('#who')?.textContent === `Signed in as ${u}.`, user);
      await ready();
    };

    await step('01-start', async () => {
      await page.goto(origin);
      await ready();
      assert.equal(await page.textContent('#who'), 'Not signed in.');
    });

    await step('02-signed-in-as-alice', async () => {
      await signInAs('alice');
      assert.equal(await statusOf(), 'not connected');
    });

    await step('03-provider-login', async () => {
      await page.click('[data-connect="localoidc"]');
      await page.waitForURL((u) => u.origin === op.issuer);
      await page.fill('input[name="login"]', 'alice');
      await page.fill('input[name="password"]', 'any password');
    });

    await step('04-provider-consent', async () => {
      await page.click('button[type="submit"]');
      await page.waitForSelector('button[type="submit"]');
    });

    await step('05-connected-with-data', async () => {
      await page.click('button[type="submit"]');
      await page.waitForURL((u) => u.origin === origin);
      await ready();
      assert.match(await page.textContent('#notice'), /localoidc is connected/);
      assert.equal(await statusOf(), 'connected');
      const data = JSON.parse(await page.textContent('#data-localoidc'));
      assert.equal(data.sub, 'alice');
      assert.equal(data.email, 'alice@example.test');
      assert.ok(!page.url().includes('code='), 'the address bar holds no code');
    });

    await step('05b-builder-authorizes-the-shared-connection', async () => {
      await page.click('#authorize-shared');
      await page.waitForURL((u) => u.origin === op.issuer);
      // The provider still knows this browser (Alice): consent only.
      if (await page.$('input[name="login"]')) {
        await page.fill('input[name="login"]', 'builder');
        await page.fill('input[name="password"]', 'any password');
        await page.click('button[type="submit"]');
      }
      await page.click('button[type="submit"]');
      await page.waitForURL((u) => u.origin === origin);
      await ready();
      const shared = JSON.parse(await page.textContent('#shared'));
      assert.deepEqual(shared.integrations.map((i) => [i.integration_type, i.status]), [['localoidc', 'active']]);
      assert.match(await page.textContent('#shared-data'), /"sub":"alice"/, 'getConnection in a backend function reads the shared account');
    });

    await step('06-data-after-the-token-expired', async () => {
      const old = latestToken('alice');
      await new Promise((r) => setTimeout(r, (ACCESS_TOKEN_TTL + 1) * 1000));
      assert.equal(await me(old), 401, 'the earlier access token has expired at the provider');
      const refreshes = op.grants.refresh_token;
      await page.click('[data-reload="localoidc"]');
      await page.waitForFunction((t) => Number(document.querySelector('#data-localoidc').dataset.loadedAt) > t, Date.now() - 1);
      assert.equal(await statusOf(), 'connected', 'no reconnect needed');
      assert.equal(JSON.parse(await page.textContent('#data-localoidc')).sub, 'alice');
      assert.ok(op.grants.refresh_token > refreshes, 'the server refreshed the token');
    });

    await step('07-bob-sees-nothing-of-alice', async () => {
      await page.click('#signout');
      await ready();
      await signInAs('bob');
      assert.equal(await statusOf(), 'not connected');
      assert.equal(await page.textContent('#data-localoidc'), '');
    });

    await step('08-alice-disconnects', async () => {
      await page.click('#signout');
      await ready();
      await signInAs('alice');
      assert.equal(await statusOf(), 'connected');
      const token = latestToken('alice');
      assert.equal(await me(token), 200, 'her current token works');
      await page.click('[data-disconnect="localoidc"]');
      await page.waitForFunction(() => document.querySelector('#status-localoidc').textContent === 'not connected');
      assert.equal(await me(token), 401, 'the provider rejects her old token');
    });
    assert.deepEqual(errors, []);
    if (process.env.E2E_SCREENSHOTS === 'always') writeShots(shots);
  } catch (error) {
    const dir = writeShots(shots);
    if (page) writeFileSync(join(dir, 'failure.png'), await page.screenshot({ fullPage: true }).catch(() => Buffer.alloc(0)));
    throw new Error(`${error.message}\nScreenshots of each step: ${dir}\nApp output:\n${app.output}`, { cause: error });
  } finally {
    await browser.close();
  }
});

test('a bad connector file stops the start with its file:line:column', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'www-connectors-'));
  try {
    writeFileSync(join(dir, 'bad.jsonc'), '{\n  "type": "localoidc",\n  "scope": ["openid"],\n}\n');
    const started = await startApp({ PORT: String(await freePort()), PROVIDER_ISSUER: op.issuer, CONNECTORS_DIR: dir });
    assert.equal(started.code, 1, started.output);
    assert.match(started.output, /bad\.jsonc:3:3: .*scope/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
