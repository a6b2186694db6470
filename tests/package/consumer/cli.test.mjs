// The command line (`oauth-connectors`, the package's bin) driven as a
// subprocess against a real server over HTTP (serveNode) and oidc-provider:
// validate with bad files, push with the consent completed by the HTTP
// sign-in driver from the URL the CLI printed (the server's start route,
// opened with its binding cookie as a browser does) while the CLI polls, a
// second push synced, upstream connections with no file kept or removed,
// list (and its fallback on a store without `list`), pull, types generate,
// remove; each with --json and without; errors as one line with the
// server's code; exit codes; no secret in any output.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from 'oauth-connectors';
import { signIn, startLocalProvider } from 'oauth-connectors/dev-provider';
import { APP, SERVICE, USER_SECRET, ISS, userJwt } from './server-checks.mjs';
import { claimStripe, openStart } from './consent.mjs';

const BIN = fileURLToPath(new URL('./node_modules/.bin/oauth-connectors', import.meta.url));
const SCOPES = ['openid', 'offline_access', 'email'];
const client = { clientId: 'cli-app', clientSecret: 'cli-app-secret-SENTINEL_CLIENT-0123456789' };
const SECRET = 'cli-test-server-secret-SENTINEL_SEAL-0123456789abcdef';
const RETURN = 'http://127.0.0.1:5173';
// Stripe keys (the server keeps them on their shape: `stripe: { verifyKey: false }`).
const STRIPE_KEY = 'sk_test_51SENTINELstripeCliKey0123456789';
const STRIPE_CLAIMED = 'sk_live_51SENTINELstripeClaimed98765';
const SECRETS = [SERVICE, client.clientSecret, SECRET, USER_SECRET, STRIPE_KEY, STRIPE_CLAIMED];

// Everything every run printed: checked for secrets at the end.
const printed = [];

/** Runs the CLI; `onLine(line)` sees each stdout line as it comes (it may return a promise, awaited before the answer). */
function cli(args, { cwd, env = {}, onLine } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, BROWSER: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const pending = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    stdout += `${line}\n`;
    if (onLine) pending.push(Promise.resolve().then(() => onLine(line)));
  });
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', async (code) => {
      // readline may still hold the last line.
      await new Promise((r) => setImmediate(r));
      printed.push(stdout, stderr);
      try {
        await Promise.all(pending);
      } catch (error) {
        reject(error);
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

const jsonLines = (text) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

describe('oauth-connectors (the CLI) against a server over HTTP and oidc-provider', () => {
  let op;
  let served;
  let servedNoList;
  let base;
  let env;
  let project;
  const holder = {};
  const holderNoList = {};

  /** The builder's consent, as a browser: the start route with its cookie, the sign-in, the callback. */
  async function consent(url, login = 'builder') {
    const opened = await openStart(url);
    const redirectUri = new URL(opened.url).searchParams.get('redirect_uri');
    const callback = await signIn(opened.url, { login, redirectUri });
    const page = await fetch(callback.href, { headers: { cookie: opened.cookie }, redirect: 'manual' });
    assert.equal(page.status, 200, await page.text());
  }
  const call = async (method, path, { auth = SERVICE, json } = {}) => {
    const response = await fetch(`${base}/api/apps/${APP}/${path}`, {
      method,
      headers: { authorization: `Bearer ${auth}`, ...(json ? { 'content-type': 'application/json' } : {}) },
      body: json ? JSON.stringify(json) : undefined,
    });
    const body = await response.json();
    assert.ok(response.ok, JSON.stringify(body));
    return body;
  };
  const upstream = async () => (await call('GET', 'external-auth/list')).integrations.map((i) => i.integration_type).sort();
  const files = async (dir, map) => {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const [name, text] of Object.entries(map)) await writeFile(join(dir, name), text);
  };
  const connectorFile = (type, scopes = SCOPES) => `// ${type}\n${JSON.stringify({ type, scopes }, null, 2)}\n`;

  before(async () => {
    served = await api.serveNode({ fetch: (r) => holder.server.fetch(r) });
    servedNoList = await api.serveNode({ fetch: (r) => holderNoList.server.fetch(r) });
    base = served.url;
    const callbacks = (b) => [
      `${b}/api/apps/${APP}/external-auth/callback/github`,
      `${b}/api/apps/${APP}/external-auth/callback/gitlab`,
      `${b}/api/apps/${APP}/external-auth/callback/local_oidc`,
      `${b}/api/apps/${APP}/app-user-auth/connectors/calendar/callback`,
    ];
    op = await startLocalProvider({ clients: [{ ...client, redirectUris: [...callbacks(base), ...callbacks(servedNoList.url)] }] });
    const store = api.memoryStore();
    const options = (publicUrl, s) => ({
      appId: APP,
      publicUrl,
      secret: SECRET,
      store: s,
      // github and gitlab are catalog types (so the files validate offline)
      // served by the local provider; local_oidc is a custom one.
      providers: ['github', 'gitlab', 'local_oidc'].map((type) => ({ ...op.entry, type })),
      credentials: { github: client, gitlab: client, local_oidc: client },
      appUserConnectors: { calendar: { type: 'github', ...client, scopes: SCOPES } },
      serviceTokens: [SERVICE],
      users: { secret: USER_SECRET, issuer: ISS, audience: APP },
      allowedReturnUrls: [RETURN],
      stripe: { verifyKey: false },
    });
    holder.server = api.createConnectorsServer(options(base, store));
    // The same connections over a store without `list`.
    const { list: _list, ...noList } = store;
    holderNoList.server = api.createConnectorsServer(options(servedNoList.url, noList));
    env = { OAUTH_CONNECTORS_URL: base, OAUTH_CONNECTORS_APP_ID: APP, OAUTH_CONNECTORS_SERVICE_TOKEN: SERVICE };
    project = await mkdtemp(join(tmpdir(), 'oauth-connectors-cli-'));
  });
  after(async () => {
    await served?.close();
    await servedNoList?.close();
    await op?.close();
    if (project) await rm(project, { recursive: true, force: true });
  });

  test('validate: every bad file as file:line:column with the did-you-mean, exit 1; offline; --json', async () => {
    const cwd = join(project, 'validate');
    await files(join(cwd, 'base44/connectors'), {
      'a.jsonc': '{\n  "type": "github",\n  "scope": []\n}',
      'b.jsonc': '{"type": "slack"}',
      'c.jsonc': '{\n  "type": "githb"\n}',
      'd.json': '{"type": "notion", "scopes": ["a b"]}',
    });
    // No server anywhere in its environment: validate needs none.
    const human = await cli(['connectors', 'validate'], { cwd });
    assert.equal(human.code, 1, show(human));
    const lines = human.stderr.trim().split('\n');
    assert.match(lines[0], /^base44\/connectors\/a\.jsonc:3:3: Unknown field "scope"/);
    assert.match(lines[1], /^base44\/connectors\/c\.jsonc:2:11: Unknown connector type "githb"\. Did you mean "github"\?/);
    assert.match(lines[2], /^base44\/connectors\/d\.json:1:31: /);
    assert.equal(lines[3], '3 bad connector files');
    assert.doesNotMatch(human.stderr, /\n\s+at /, 'no stack');

    const json = await cli(['connectors', 'validate', '--json'], { cwd });
    assert.equal(json.code, 1, show(json));
    const [answer] = jsonLines(json.stdout);
    assert.equal(answer.ok, false);
    assert.deepEqual(answer.errors.map(({ code, path, line, column, suggestion }) => ({ code, path, line, column, suggestion })), [
      { code: 'UNKNOWN_FIELD', path: 'base44/connectors/a.jsonc', line: 3, column: 3, suggestion: undefined },
      { code: 'UNKNOWN_PROVIDER', path: 'base44/connectors/c.jsonc', line: 2, column: 11, suggestion: 'github' },
      { code: 'INVALID_SCOPE', path: 'base44/connectors/d.json', line: 1, column: 31, suggestion: undefined },
    ]);

    // --dir, and good files.
    await files(join(cwd, 'other'), { 'github.jsonc': connectorFile('github'), 'stripe.jsonc': '{"type": "stripe", "scopes": ["x"]}' });
    const good = await cli(['connectors', 'validate', '--dir', 'other'], { cwd });
    assert.equal(good.code, 0, show(good));
    assert.match(good.stdout, /2 connector files valid in other: github, stripe/);
    assert.match(good.stderr, /warning SCOPES_IGNORED: other\/stripe\.jsonc: /);
    const goodJson = await cli(['connectors', 'validate', '--dir', 'other', '--json'], { cwd });
    assert.equal(goodJson.code, 0);
    const ok = jsonLines(goodJson.stdout)[0];
    assert.equal(ok.ok, true);
    assert.deepEqual(ok.connectors.map((c) => c.type), ['github', 'stripe']);
    assert.equal(ok.warnings[0].code, 'SCOPES_IGNORED');
    // The project file names the folder.
    await writeFile(join(cwd, 'oauth-connectors.json'), '{ "connectorsDir": "other" }');
    assert.equal((await cli(['connectors', 'validate'], { cwd })).code, 0);
  });

  test('list-available: the server\'s catalog as a table, and --json', async () => {
    const human = await cli(['connectors', 'list-available'], { env });
    assert.equal(human.code, 0, show(human));
    assert.match(human.stdout, /^TYPE\s+NAME\s+CONNECTION CONFIG\n/);
    assert.match(human.stdout, /\nlocal_oidc\s+/);
    assert.match(human.stdout, /\nsalesforce\s+Salesforce\s+login_host\n/);
    const json = await cli(['connectors', 'list-available', '--json'], { env });
    assert.equal(json.code, 0);
    const { integrations } = jsonLines(json.stdout)[0];
    assert.ok(integrations.some((i) => i.integration_type === 'github'));
    assert.ok(integrations.every((i) => typeof i.display_name === 'string' && Array.isArray(i.connection_config_fields)));
  });

  test('push: prints the consent URL, the sign-in completes it while the CLI polls; the redirect URI to register; a second push is synced', { timeout: 90_000 }, async () => {
    const cwd = join(project, 'app');
    await files(join(cwd, 'base44/connectors'), { 'github.jsonc': connectorFile('github') });
    let consented = 0;
    const first = await cli(['connectors', 'push'], {
      cwd,
      env,
      onLine: async (line) => {
        const url = line.trim();
        if (/^https?:\/\/\S+\/external-auth\/start\/github\?ticket=/.test(url)) {
          consented++;
          await consent(url);
        }
      },
    });
    assert.equal(first.code, 0, show(first));
    assert.equal(consented, 1, show(first));
    const redirectUri = `${base}/api/apps/${APP}/external-auth/callback/github`;
    assert.match(first.stdout, /✓ github: connected/);
    assert.match(first.stdout, /\nCONNECTOR\s+RESULT\s+DETAIL\n-+\s+-+\s+-+\ngithub\s+connected\n/);
    assert.ok(first.stdout.includes('Each new connector needs this redirect URI registered at its provider:'), first.stdout);
    assert.match(first.stdout, new RegExp(`\\ngithub\\s+${redirectUri.replace(/[.]/g, '\\.')}\\n`));
    assert.deepEqual(await upstream(), ['github']);

    // --json: one object per event. A custom provider's type (the server's catalog has it) is pushed too.
    await writeFile(join(cwd, 'base44/connectors/local_oidc.jsonc'), connectorFile('local_oidc'));
    const second = await cli(['connectors', 'push', '--json'], {
      cwd,
      env,
      onLine: async (line) => {
        const event = JSON.parse(line);
        if (event.event === 'consent') await consent(event.url);
      },
    });
    assert.equal(second.code, 0, show(second));
    const events = jsonLines(second.stdout);
    assert.deepEqual(events.map((e) => [e.event, e.type]), [
      ['synced', 'github'],
      ['consent', 'local_oidc'],
      ['connected', 'local_oidc'],
      ['summary', undefined],
    ]);
    assert.match(events[1].url, /\/api\/apps\/app1\/external-auth\/start\/local_oidc\?ticket=/);
    assert.equal(typeof events[1].connection_id, 'string');
    assert.equal(events[1].redirect_uri, `${base}/api/apps/${APP}/external-auth/callback/local_oidc`);
    assert.deepEqual(events[3], {
      event: 'summary', ok: true,
      results: [{ type: 'github', result: 'synced' }, { type: 'local_oidc', result: 'connected' }],
      redirect_uris: [{ type: 'local_oidc', redirect_uri: events[1].redirect_uri }],
    });
    assert.equal(second.stderr, '');

    // Everything is in place: synced, nothing to consent to.
    const third = await cli(['connectors', 'push'], { cwd, env });
    assert.equal(third.code, 0, show(third));
    assert.match(third.stdout, /✓ github: synced/);
    assert.match(third.stdout, /✓ local_oidc: synced/);
    assert.doesNotMatch(third.stdout, /redirect URI|ticket=/);
  });

  test('push: an upstream connection with no local file is kept without --yes (and says so), removed with --yes', { timeout: 60_000 }, async () => {
    const cwd = join(project, 'app');
    // gitlab connected at the server by someone else: no file for it here.
    const put = await call('PUT', 'external-auth/integrations/gitlab', { json: { scopes: SCOPES } });
    await consent(put.redirect_url);
    assert.deepEqual(await upstream(), ['github', 'gitlab', 'local_oidc']);

    const kept = await cli(['connectors', 'push'], { cwd, env });
    assert.equal(kept.code, 0, show(kept));
    assert.match(kept.stderr, /Not removed: gitlab \(connected on the server, no local file\)\. Run again with --yes to remove them\./);
    assert.match(kept.stdout, /\ngitlab\s+kept\s+connected on the server with no local file; not removed/);
    const keptJson = await cli(['connectors', 'push', '--json'], { cwd, env });
    assert.equal(keptJson.code, 0);
    assert.ok(jsonLines(keptJson.stdout).some((e) => e.event === 'kept' && e.type === 'gitlab'));
    assert.deepEqual(await upstream(), ['github', 'gitlab', 'local_oidc']);

    const removed = await cli(['connectors', 'push', '--yes', '--json'], { cwd, env });
    assert.equal(removed.code, 0, show(removed));
    const event = jsonLines(removed.stdout).find((e) => e.event === 'removed');
    assert.equal(event.type, 'gitlab');
    assert.deepEqual(await upstream(), ['github', 'local_oidc']);

    // And without --json.
    const again = await call('PUT', 'external-auth/integrations/gitlab', { json: { scopes: SCOPES } });
    await consent(again.redirect_url);
    const human = await cli(['connectors', 'push', '-y'], { cwd, env });
    assert.equal(human.code, 0, show(human));
    assert.match(human.stdout, /✓ gitlab: removed \(no local file\)/);
    assert.deepEqual(await upstream(), ['github', 'local_oidc']);
  });

  test('push: a connector the server has no credentials for and a consent never given fail: exit 1, the rest still pushed', { timeout: 60_000 }, async () => {
    const cwd = join(project, 'failing');
    await files(join(cwd, 'base44/connectors'), {
      'github.jsonc': connectorFile('github'),
      'gitlab.jsonc': connectorFile('gitlab'),
      'slack.jsonc': '{"type": "slack", "scopes": ["chat:write"]}',
    });
    const human = await cli(['connectors', 'push', '--timeout', '1'], { cwd, env });
    assert.equal(human.code, 1, show(human));
    assert.match(human.stdout, /✗ gitlab: CONSENT_TIMEOUT: No consent for gitlab within 1 s/);
    assert.match(human.stdout, /✗ slack: UNKNOWN_CONNECTOR: This server has no credentials for the integration type "slack"/);
    assert.match(human.stdout, /\ngithub\s+synced\n/);
    assert.match(human.stdout, /\n2 failed\n/);
    // local_oidc is upstream with no file here: not removed without --yes.
    assert.match(human.stdout, /\nlocal_oidc\s+kept/);
    const json = await cli(['connectors', 'push', '--timeout', '1', '--json'], { cwd, env });
    assert.equal(json.code, 1);
    const summary = jsonLines(json.stdout).at(-1);
    assert.equal(summary.ok, false);
    assert.deepEqual(summary.results.filter((r) => r.result === 'failed').map((r) => [r.type, r.code]), [['gitlab', 'CONSENT_TIMEOUT'], ['slack', 'UNKNOWN_CONNECTOR']]);
    // Bad files: nothing is pushed.
    await writeFile(join(cwd, 'base44/connectors/bad.jsonc'), '{"type": "githb"}');
    const bad = await cli(['connectors', 'push'], { cwd, env });
    assert.equal(bad.code, 1, show(bad));
    assert.match(bad.stderr, /^base44\/connectors\/bad\.jsonc:1:10: Unknown connector type "githb"\. Did you mean "github"\?\nerror UNKNOWN_PROVIDER: 1 bad connector file; nothing was pushed\n$/);
    assert.equal(bad.stdout, '');
  });

  test('list: shared connections with their status, app users counted per connector, --users, --json; the external-auth/list fallback', { timeout: 60_000 }, async () => {
    for (const user of ['alice', 'bob']) {
      const jwt = await userJwt(user);
      const init = await call('POST', 'app-user-auth/connectors/calendar/initiate', { auth: jwt, json: { return_url: `${RETURN}/done` } });
      const opened = await openStart(init.redirect_url, { referer: `${RETURN}/settings` });
      const redirectUri = new URL(opened.url).searchParams.get('redirect_uri');
      const callback = await signIn(opened.url, { login: user, redirectUri });
      const back = await fetch(callback.href, { headers: { cookie: opened.cookie }, redirect: 'manual' });
      assert.equal(back.status, 303);
    }
    const human = await cli(['connectors', 'list'], { env });
    assert.equal(human.code, 0, show(human));
    assert.match(human.stdout, /^KIND\s+CONNECTOR\s+STATUS\s+ACCOUNT\s+SCOPES\s+EXPIRES\n/);
    assert.match(human.stdout, /\nshared\s+github\s+active\s+openid offline_access email\s+\d{4}-/);
    assert.match(human.stdout, /\nshared\s+local_oidc\s+active\s+openid offline_access email\s+\d{4}-/);
    assert.match(human.stdout, /\nAPP-USER CONNECTOR\s+USERS\s+ACTIVE\s+EXPIRED\n-+\s+-+\s+-+\s+-+\ncalendar\s+2\s+2\s+0\n/);

    const json = await cli(['connectors', 'list', '--json'], { env });
    assert.equal(json.code, 0);
    const listed = jsonLines(json.stdout)[0];
    assert.equal(listed.source, 'connections');
    assert.deepEqual(listed.connections.map((c) => [c.kind, c.connector, c.status]).sort(), [['shared', 'github', 'active'], ['shared', 'local_oidc', 'active']]);
    assert.deepEqual(listed.app_users, { calendar: { total: 2, active: 2 } });

    const users = await cli(['connectors', 'list', '--users', 'calendar'], { env });
    assert.equal(users.code, 0, show(users));
    assert.match(users.stdout, /^USER\s+STATUS\s+ACCOUNT\s+UPDATED\s+LAST REFRESH\n/);
    assert.match(users.stdout, /\nalice\s+active\s+/);
    assert.match(users.stdout, /\nbob\s+active\s+/);
    assert.match(users.stdout, /\n2 users connected to calendar\n/);
    const usersJson = await cli(['connectors', 'list', '--users', 'calendar', '--json'], { env });
    const answer = jsonLines(usersJson.stdout)[0];
    assert.equal(answer.connector, 'calendar');
    assert.deepEqual(answer.users.map((u) => u.user_id).sort(), ['alice', 'bob']);

    // A store without list: LIST_UNSUPPORTED, so the shared list.
    const noListEnv = { ...env, OAUTH_CONNECTORS_URL: servedNoList.url };
    const fallback = await cli(['connectors', 'list'], { env: noListEnv });
    assert.equal(fallback.code, 0, show(fallback));
    assert.match(fallback.stderr, /LIST_UNSUPPORTED/);
    assert.match(fallback.stdout, /\nshared\s+github\s+active\s+openid offline_access email\n/);
    const fallbackJson = await cli(['connectors', 'list', '--json'], { env: noListEnv });
    const fb = jsonLines(fallbackJson.stdout)[0];
    assert.equal(fb.source, 'external-auth/list');
    assert.deepEqual(fb.connections.map((c) => c.connector).sort(), ['github', 'local_oidc']);
    const noUsers = await cli(['connectors', 'list', '--users', 'calendar'], { env: noListEnv });
    assert.equal(noUsers.code, 1);
    assert.match(noUsers.stderr, /^error LIST_UNSUPPORTED: /);
  });

  test('pull: a {type}.jsonc per upstream connection; a second pull leaves them; --json', async () => {
    const cwd = join(project, 'pulled');
    await mkdir(cwd, { recursive: true });
    const human = await cli(['connectors', 'pull'], { cwd, env });
    assert.equal(human.code, 0, show(human));
    assert.match(human.stdout, /\ngithub\s+base44\/connectors\/github\.jsonc\s+written\s+openid offline_access email\n/);
    for (const type of ['github', 'local_oidc']) {
      const text = await readFile(join(cwd, 'base44/connectors', `${type}.jsonc`), 'utf8');
      assert.deepEqual(api.parseConnectorFile(text), { type, scopes: SCOPES });
    }
    // Pulled files validate and push as synced.
    const pushed = await cli(['connectors', 'push', '--json'], { cwd, env });
    assert.equal(pushed.code, 0, show(pushed));
    assert.deepEqual(jsonLines(pushed.stdout).map((e) => e.event), ['synced', 'synced', 'summary']);
    const json = await cli(['connectors', 'pull', '--json'], { cwd, env });
    assert.equal(json.code, 0);
    assert.deepEqual(jsonLines(json.stdout)[0].pulled.map((p) => [p.type, p.path, p.result]), [
      ['github', 'base44/connectors/github.jsonc', 'unchanged'],
      ['local_oidc', 'base44/connectors/local_oidc.jsonc', 'unchanged'],
    ]);
  });

  test('types generate: the Dynamic Types file, --out, --module-name, --json; bad files fail', async () => {
    const cwd = join(project, 'app');
    const human = await cli(['types', 'generate'], { cwd });
    assert.equal(human.code, 0, show(human));
    assert.match(human.stdout, /^Wrote base44\/\.types\/connectors\.d\.ts: 2 connector types \(github, local_oidc\)\n$/);
    assert.match(human.stderr, /^warning UNKNOWN_PROVIDER: base44\/connectors\/local_oidc\.jsonc:3:11: Unknown connector type "local_oidc".* \(kept: it may be a custom provider of your server\)\n$/);
    const text = await readFile(join(cwd, 'base44/.types/connectors.d.ts'), 'utf8');
    assert.equal(text, api.generateTypes(['github', 'local_oidc']));
    const json = await cli(['types', 'generate', '--out', 'types/c.d.ts', '--module-name', '@base44/sdk', '--json'], { cwd: join(project, 'pulled') });
    assert.equal(json.code, 0, show(json));
    const written = jsonLines(json.stdout)[0];
    assert.deepEqual([written.path, written.types, written.module], ['types/c.d.ts', ['github', 'local_oidc'], '@base44/sdk']);
    // local_oidc is not in the built-in catalog: kept (a custom provider of the server), with a warning.
    assert.deepEqual(written.warnings.map((w) => [w.code, w.path]), [['UNKNOWN_PROVIDER', 'base44/connectors/local_oidc.jsonc']]);
    assert.equal(await readFile(join(project, 'pulled/types/c.d.ts'), 'utf8'), api.generateTypes(['github', 'local_oidc'], { moduleName: '@base44/sdk' }));
    const bad = await cli(['types', 'generate'], { cwd: join(project, 'validate'), env: { OAUTH_CONNECTORS_DIR: 'base44/connectors' } });
    assert.equal(bad.code, 1, show(bad));
    assert.match(bad.stderr, /c\.jsonc:2:11: Unknown connector type "githb"\. Did you mean "github"\?/);
  });

  test('remove: asks (exit 2 without a terminal and --yes), removes with --yes; --json', async () => {
    const refused = await cli(['connectors', 'remove', 'local_oidc'], { env });
    assert.equal(refused.code, 2, show(refused));
    assert.equal(refused.stderr, 'error CONFIRMATION_REQUIRED: Not removed: pass --yes to remove local_oidc without a terminal to confirm in\n');
    assert.deepEqual(await upstream(), ['github', 'local_oidc']);
    const human = await cli(['connectors', 'remove', 'local_oidc', '--yes'], { env });
    assert.equal(human.code, 0, show(human));
    assert.match(human.stdout, /^✓ local_oidc: removed/);
    assert.deepEqual(await upstream(), ['github']);
    const json = await cli(['connectors', 'remove', 'github', '--yes', '--json'], { env });
    assert.equal(json.code, 0, show(json));
    assert.deepEqual(Object.keys(jsonLines(json.stdout)[0]), ['type', 'result', 'revocation']);
    assert.equal(jsonLines(json.stdout)[0].result, 'removed');
    assert.deepEqual(await upstream(), []);
    // A type the server does not serve: the server's code and message.
    const missing = await cli(['connectors', 'remove', 'slack', '--yes'], { env });
    assert.equal(missing.code, 1, show(missing));
    assert.equal(missing.stderr, 'error UNKNOWN_CONNECTOR: This server has no credentials for the integration type "slack"\n');
  });

  test('stripe: push installs it with STRIPE_SECRET_KEY, a second push is synced, list shows its mode, pull writes stripe.jsonc, the claim URL without the variable, removed with --yes', { timeout: 60_000 }, async () => {
    const stripeMode = async () => (await call('GET', 'payments/stripe/status')).stripe_mode;
    const cwd = join(project, 'stripe');
    await files(join(cwd, 'base44/connectors'), { 'stripe.jsonc': '{ "type": "stripe" }\n' });
    assert.equal(await stripeMode(), null);

    const installed = await cli(['connectors', 'push', '--json'], { cwd, env: { ...env, STRIPE_SECRET_KEY: STRIPE_KEY } });
    assert.equal(installed.code, 0, show(installed));
    const events = jsonLines(installed.stdout);
    assert.deepEqual(events.map((e) => [e.event, e.type, e.stripe_mode]), [['connected', 'stripe', 'sandbox'], ['summary', undefined, undefined]]);
    assert.deepEqual(events[1].results, [{ type: 'stripe', result: 'connected', stripe_mode: 'sandbox' }]);
    assert.equal(await stripeMode(), 'sandbox');

    const synced = await cli(['connectors', 'push'], { cwd, env: { ...env, STRIPE_SECRET_KEY: STRIPE_CLAIMED } });
    assert.equal(synced.code, 0, show(synced));
    assert.match(synced.stdout, /^✓ stripe: synced \(installed, sandbox mode\)\n/);
    assert.match(synced.stdout, /\nstripe\s+synced\n/);
    assert.equal(await stripeMode(), 'sandbox', 'a second push keeps the key it has');

    const listed = await cli(['connectors', 'list'], { env });
    assert.equal(listed.code, 0, show(listed));
    assert.match(listed.stdout, /\nshared\s+stripe\s+active\s+\(sandbox mode\)/);
    assert.match(listed.stdout, /\nStripe: installed, sandbox mode\n/);
    assert.equal(jsonLines((await cli(['connectors', 'list', '--json'], { env })).stdout)[0].stripe_mode, 'sandbox');

    const pulledDir = join(project, 'stripe-pulled');
    await mkdir(pulledDir, { recursive: true });
    const pulled = await cli(['connectors', 'pull', '--json'], { cwd: pulledDir, env });
    assert.equal(pulled.code, 0, show(pulled));
    assert.deepEqual(jsonLines(pulled.stdout)[0].pulled, [{ type: 'stripe', path: 'base44/connectors/stripe.jsonc', scopes: [], result: 'written', stripe_mode: 'sandbox' }]);
    const text = await readFile(join(pulledDir, 'base44/connectors/stripe.jsonc'), 'utf8');
    assert.deepEqual(api.parseConnectorFile(text), { type: 'stripe', scopes: [] });
    const again = await cli(['connectors', 'pull'], { cwd: pulledDir, env });
    assert.match(again.stdout, /\nstripe\s+base44\/connectors\/stripe\.jsonc\s+unchanged\s+\(sandbox mode\)\n/);

    // Only the server has it: kept without --yes, removed with it.
    const bare = join(project, 'stripe-bare');
    await files(join(bare, 'base44/connectors'), {});
    const kept = await cli(['connectors', 'push'], { cwd: bare, env });
    assert.equal(kept.code, 0, show(kept));
    assert.match(kept.stdout, /\nstripe\s+kept\s+/);
    assert.equal(await stripeMode(), 'sandbox');
    const removed = await cli(['connectors', 'push', '--yes', '--json'], { cwd: bare, env });
    assert.equal(removed.code, 0, show(removed));
    assert.deepEqual(jsonLines(removed.stdout).map((e) => [e.event, e.type]), [['removed', 'stripe'], ['summary', undefined]]);
    assert.equal(await stripeMode(), null);
    assert.match((await cli(['connectors', 'list'], { env })).stdout, /\nStripe: not installed\n/);

    // No STRIPE_SECRET_KEY and no terminal: the claim URL (an event), the status polled while a browser gives the key.
    let claims = 0;
    const claimed = await cli(['connectors', 'push', '--json', '--timeout', '20'], {
      cwd,
      env,
      onLine: async (line) => {
        const event = JSON.parse(line);
        if (event.event !== 'claim') return;
        claims++;
        assert.match(event.url, new RegExp(`^${base}/api/apps/${APP}/payments/stripe/claim\\?ticket=`));
        await claimStripe(event.url, STRIPE_CLAIMED);
      },
    });
    assert.equal(claimed.code, 0, show(claimed));
    assert.equal(claims, 1);
    assert.deepEqual(jsonLines(claimed.stdout).map((e) => [e.event, e.type, e.stripe_mode]), [['claim', 'stripe', undefined], ['connected', 'stripe', 'live'], ['summary', undefined, undefined]]);
    assert.equal(await stripeMode(), 'live');
    // A claim never given: CONSENT_TIMEOUT, exit 1; a bad STRIPE_SECRET_KEY: the server's code.
    const human = await cli(['connectors', 'remove', 'stripe', '--yes'], { env });
    assert.equal(human.code, 0, show(human));
    assert.match(human.stdout, /^✓ stripe: removed\n$/);
    const timedOut = await cli(['connectors', 'push', '--timeout', '1'], { cwd, env });
    assert.equal(timedOut.code, 1, show(timedOut));
    assert.match(timedOut.stdout, /→ stripe: open this URL to give the server a Stripe secret key/);
    assert.match(timedOut.stdout, /✗ stripe: CONSENT_TIMEOUT: /);
    const badKey = await cli(['connectors', 'push'], { cwd, env: { ...env, STRIPE_SECRET_KEY: 'pk_test_SENTINELpublishable0123' } });
    assert.equal(badKey.code, 1, show(badKey));
    assert.match(badKey.stdout, /✗ stripe: STRIPE_KEY_INVALID: /);
    assert.doesNotMatch(badKey.stdout + badKey.stderr, /pk_test_SENTINEL/);
    assert.equal(await stripeMode(), null);
  });

  test('errors: one line with the server\'s code and message, no stack; exit 1 for failures, 2 for usage', async () => {
    const wrong = await cli(['connectors', 'list'], { env: { ...env, OAUTH_CONNECTORS_SERVICE_TOKEN: 'not-the-token-0123456789' } });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^error UNAUTHENTICATED: [^\n]+\n$/);
    assert.equal(wrong.stdout, '');
    const wrongJson = await cli(['connectors', 'list', '--json'], { env: { ...env, OAUTH_CONNECTORS_SERVICE_TOKEN: 'not-the-token-0123456789' } });
    assert.equal(wrongJson.code, 1);
    assert.equal(jsonLines(wrongJson.stdout)[0].error.code, 'UNAUTHENTICATED');

    const down = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = await cli(['connectors', 'list-available', '--server', down], { env });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, new RegExp(`^error NETWORK_ERROR: Cannot reach ${down}: [^\\n]+\\n$`));

    // Flags win over env vars, which win over the project file.
    const cwd = join(project, 'configured');
    await mkdir(cwd, { recursive: true });
    // serve's keys in the same file are no error for the other commands.
    await writeFile(join(cwd, 'oauth-connectors.jsonc'), `// the project\n{ "server": "${down}", "appId": "${APP}", "allowedReturnUrls": ["${RETURN}"], "appUserConnectors": {}, }\n`);
    const fromFile = await cli(['connectors', 'list-available', '--json'], { cwd, env: { OAUTH_CONNECTORS_SERVICE_TOKEN: SERVICE } });
    assert.equal(jsonLines(fromFile.stdout)[0].error.code, 'NETWORK_ERROR');
    const fromEnv = await cli(['connectors', 'list-available', '--json'], { cwd, env: { OAUTH_CONNECTORS_SERVICE_TOKEN: SERVICE, OAUTH_CONNECTORS_URL: base } });
    assert.equal(fromEnv.code, 0, show(fromEnv));
    const fromFlag = await cli(['connectors', 'list-available', '--json', '--server', down], { cwd, env: { OAUTH_CONNECTORS_SERVICE_TOKEN: SERVICE, OAUTH_CONNECTORS_URL: base } });
    assert.equal(fromFlag.code, 1);
    const otherApp = await cli(['connectors', 'list-available', '--app-id', 'app2'], { cwd, env: { OAUTH_CONNECTORS_SERVICE_TOKEN: SERVICE, OAUTH_CONNECTORS_URL: base } });
    assert.equal(otherApp.code, 1);
    assert.match(otherApp.stderr, /^error NOT_FOUND: /);

    const usage = [
      [['connectors', 'list'], { OAUTH_CONNECTORS_APP_ID: APP, OAUTH_CONNECTORS_SERVICE_TOKEN: SERVICE }, /^error NOT_CONFIGURED: No server: /],
      [['connectors', 'list'], { OAUTH_CONNECTORS_URL: base, OAUTH_CONNECTORS_SERVICE_TOKEN: SERVICE }, /^error NOT_CONFIGURED: No app id: /],
      [['connectors', 'list'], { OAUTH_CONNECTORS_URL: base, OAUTH_CONNECTORS_APP_ID: APP }, /^error NOT_CONFIGURED: No service token: set OAUTH_CONNECTORS_SERVICE_TOKEN/],
      [['connectors', 'list', '--token', SERVICE], env, /^error USAGE: unknown option '--token'/],
      [['connectors', 'lst'], env, /^error USAGE: unknown command 'lst'/],
      [['connectors', 'remove'], env, /^error USAGE: missing required argument 'type'/],
      [['connectors', 'push', '--timeout', 'soon'], env, /^error USAGE: --timeout takes seconds/],
    ];
    for (const [args, e, pattern] of usage) {
      const r = await cli(args, { env: e });
      assert.equal(r.code, 2, `${args.join(' ')}: ${show(r)}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
    }
    const usageJson = await cli(['connectors', 'lst', '--json'], { env });
    assert.equal(usageJson.code, 2);
    assert.equal(jsonLines(usageJson.stdout)[0].error.code, 'USAGE');
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /connectors/);
  });

  test('no secret in any output', () => {
    const all = printed.join('\n');
    assert.ok(all.length > 1000);
    for (const secret of SECRETS) assert.ok(!all.includes(secret), 'a secret was printed');
    assert.doesNotMatch(all, /SENTINEL/);
  });
});

async function closedPort() {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}
