// The CLI's interactive paths in a real terminal: each run is a tmux pane
// (a tmux server on its own socket, killed in `after`), keys go in with
// send-keys, and what a person would see is read with capture-pane. Against
// a real server over HTTP (serveNode) and oidc-provider: the confirmation
// before a removal (no: nothing removed; yes: removed), the hidden Stripe
// key prompt (the typed key never appears in the pane), and a push whose
// consent the test completes while the spinner runs, ending in the summary.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from 'oauth-connectors';
import { signIn, startLocalProvider } from 'oauth-connectors/dev-provider';
import { APP, SERVICE } from './server-checks.mjs';
import { openStart } from './consent.mjs';

const BIN = fileURLToPath(new URL('./node_modules/.bin/oauth-connectors', import.meta.url));
const SCOPES = ['openid', 'offline_access', 'email'];
const client = { clientId: 'tty-app', clientSecret: 'tty-app-secret-SENTINEL_CLIENT-0123456789' };
const SECRET = 'cli-tty-server-secret-SENTINEL_SEAL-0123456789abcdef';
const STRIPE_KEY = 'sk_test_51SENTINELtypedInTheTerminal0123';
// Its own socket (under run.sh's TMUX_TMPDIR, whose trap kills what a killed run left).
const SOCKET = `oauth-connectors-tty-${process.pid}-${randomBytes(4).toString('hex')}`;

let tmuxStarted = false;
const tmux = (...args) => execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });

/** Everything the pane showed, its scrollback included, wrapped lines joined. */
const capture = (name) => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', `main:=${name}`);

/** Waits until the pane shows `pattern`; answers the whole capture. */
async function waitFor(name, pattern, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = capture(name);
    if (pattern.test(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the pane never showed ${pattern}:\n${text}`);
}

let windows = 0;
/** Runs the CLI in a new window's pane, in `cwd` with `env`; the pane stays, showing `[exit N]` after it. */
function run(args, { cwd, env }) {
  const name = `w${++windows}`;
  const vars = Object.entries({ BROWSER: 'none', ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // remain-on-exit keeps the pane's text after the command ends, with no process left behind.
  tmux('new-window', '-d', '-t', 'main:', '-n', name, '-c', cwd, ...vars, `${quoted}; echo "[exit $?]"`);
  return name;
}
const keys = (name, ...k) => tmux('send-keys', '-t', `main:=${name}`, ...k);
const typed = (name, text) => tmux('send-keys', '-t', `main:=${name}`, '-l', text);

describe('oauth-connectors in a terminal (tmux)', () => {
  let op;
  let served;
  let base;
  let env;
  let project;
  const holder = {};

  const call = async (method, path, json) => {
    const response = await fetch(`${base}/api/apps/${APP}/${path}`, {
      method,
      headers: { authorization: `Bearer ${SERVICE}`, ...(json ? { 'content-type': 'application/json' } : {}) },
      body: json ? JSON.stringify(json) : undefined,
    });
    const body = await response.json();
    assert.ok(response.ok, JSON.stringify(body));
    return body;
  };
  const upstream = async () => (await call('GET', 'external-auth/list')).integrations.map((i) => i.integration_type).sort();
  async function consent(url) {
    const opened = await openStart(url);
    const redirectUri = new URL(opened.url).searchParams.get('redirect_uri');
    const callback = await signIn(opened.url, { login: 'builder', redirectUri });
    const page = await fetch(callback.href, { headers: { cookie: opened.cookie }, redirect: 'manual' });
    assert.equal(page.status, 200, await page.text());
  }
  const folder = async (name, files) => {
    const cwd = join(project, name);
    await mkdir(join(cwd, 'base44/connectors'), { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(join(cwd, 'base44/connectors', file), text);
    return cwd;
  };

  before(async () => {
    served = await api.serveNode({ fetch: (r) => holder.server.fetch(r) });
    base = served.url;
    const callbacks = ['github', 'gitlab'].map((t) => `${base}/api/apps/${APP}/external-auth/callback/${t}`);
    op = await startLocalProvider({ clients: [{ ...client, redirectUris: callbacks }] });
    holder.server = api.createConnectorsServer({
      appId: APP,
      publicUrl: base,
      secret: SECRET,
      store: api.memoryStore(),
      providers: ['github', 'gitlab'].map((type) => ({ ...op.entry, type })),
      credentials: { github: client, gitlab: client },
      serviceTokens: [SERVICE],
      stripe: { verifyKey: false },
    });
    env = { OAUTH_CONNECTORS_URL: base, OAUTH_CONNECTORS_APP_ID: APP, OAUTH_CONNECTORS_SERVICE_TOKEN: SERVICE };
    project = await mkdtemp(join(tmpdir(), 'oauth-connectors-cli-tty-'));
    tmux('new-session', '-d', '-s', 'main', '-x', '220', '-y', '50');
    tmuxStarted = true;
    tmux('set-option', '-g', 'remain-on-exit', 'on');
  });
  after(async () => {
    if (tmuxStarted) {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    }
    await served?.close();
    await op?.close();
    if (project) await rm(project, { recursive: true, force: true });
  });

  test('push: the consent completed while the spinner runs, then the summary table', { timeout: 60_000 }, async () => {
    const cwd = await folder('spinner', { 'github.jsonc': JSON.stringify({ type: 'github', scopes: SCOPES }) });
    const pane = run(['connectors', 'push'], { cwd, env });
    const shown = await waitFor(pane, /Waiting for the consent for github/);
    const url = /(https?:\/\/\S+\/external-auth\/start\/github\?ticket=\S+)/.exec(shown)?.[1];
    assert.ok(url, shown);
    // clack's spinner (its frames before the text) runs while the CLI polls.
    assert.match(shown, /[◒◐◓◑•oO0]\s+Waiting for the consent for github \(up to 120 s\)/);
    await new Promise((r) => setTimeout(r, 500));
    assert.doesNotMatch(capture(pane), /\[exit/);
    await consent(url);
    const done = await waitFor(pane, /\[exit \d+\]/);
    assert.match(done, /\[exit 0\]/, done);
    assert.match(done, /github: connected/);
    assert.match(done, /CONNECTOR\s+RESULT\s+DETAIL\n-+\s+-+\s+-+\ngithub\s+connected\n/);
    assert.match(done, /Each new connector needs this redirect URI registered at its provider:/);
    assert.deepEqual(await upstream(), ['github']);
  });

  test('removal: the confirmation, answered no (nothing removed) and yes (removed)', { timeout: 60_000 }, async () => {
    const put = await call('PUT', 'external-auth/integrations/gitlab', { scopes: SCOPES });
    await consent(put.redirect_url);
    assert.deepEqual(await upstream(), ['github', 'gitlab']);

    // `connectors remove`, declined.
    const declined = run(['connectors', 'remove', 'gitlab'], { cwd: project, env });
    await waitFor(declined, /Remove gitlab from the server \(its token is revoked at the provider\)\?/);
    keys(declined, 'n');
    const no = await waitFor(declined, /\[exit \d+\]/);
    assert.match(no, /Not removed/);
    assert.match(no, /\[exit 1\]/);
    assert.deepEqual(await upstream(), ['github', 'gitlab']);

    // `connectors push` with only github.jsonc: gitlab has no file; declined, then accepted.
    const cwd = await folder('removal', { 'github.jsonc': JSON.stringify({ type: 'github', scopes: SCOPES }) });
    const kept = run(['connectors', 'push'], { cwd, env });
    await waitFor(kept, /Remove gitlab from the server \(connected there, no local file\)\?/);
    keys(kept, 'n');
    const keptDone = await waitFor(kept, /\[exit \d+\]/);
    assert.match(keptDone, /\ngitlab\s+kept\s+/);
    assert.match(keptDone, /\[exit 0\]/);
    assert.deepEqual(await upstream(), ['github', 'gitlab']);

    const removed = run(['connectors', 'push'], { cwd, env });
    await waitFor(removed, /Remove gitlab from the server \(connected there, no local file\)\?/);
    keys(removed, 'y');
    const removedDone = await waitFor(removed, /\[exit \d+\]/);
    assert.match(removedDone, /gitlab: removed \(no local file\)/);
    assert.match(removedDone, /\ngithub\s+synced\ngitlab\s+removed\n/);
    assert.match(removedDone, /\[exit 0\]/);
    assert.deepEqual(await upstream(), ['github']);
  });

  test('stripe: the hidden key prompt; the typed key never appears in the pane', { timeout: 60_000 }, async () => {
    const cwd = await folder('stripe', { 'github.jsonc': JSON.stringify({ type: 'github', scopes: SCOPES }), 'stripe.jsonc': '{ "type": "stripe" }' });
    const pane = run(['connectors', 'push'], { cwd, env });
    const prompt = await waitFor(pane, /Stripe secret key \(hidden; empty: use the URL above\)/);
    assert.match(prompt, /payments\/stripe\/claim\?ticket=/, 'the claim URL is offered as the other way');
    typed(pane, STRIPE_KEY);
    // Typed, not yet submitted: masked.
    const masked = await waitFor(pane, /▪{10,}/);
    assert.ok(!masked.includes(STRIPE_KEY) && !masked.includes('SENTINEL'), masked);
    keys(pane, 'Enter');
    const done = await waitFor(pane, /\[exit \d+\]/);
    assert.match(done, /\[exit 0\]/, done);
    assert.match(done, /stripe: installed \(sandbox mode\)/);
    assert.match(done, /\ngithub\s+synced\nstripe\s+connected\n/);
    assert.ok(!done.includes(STRIPE_KEY) && !done.includes('SENTINEL'), done);
    assert.equal((await call('GET', 'payments/stripe/status')).stripe_mode, 'sandbox');
  });

  test('no secret in any pane', () => {
    const all = Array.from({ length: windows }, (_, i) => capture(`w${i + 1}`)).join('\n');
    assert.ok(all.length > 1000);
    for (const secret of [SERVICE, client.clientSecret, SECRET, STRIPE_KEY]) assert.ok(!all.includes(secret), 'a secret was shown');
    assert.doesNotMatch(all, /SENTINEL/);
  });
});
