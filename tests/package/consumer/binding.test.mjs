// The browser binding (on by default) with the page and the server on
// different sites: the page on http://localhost:<port>, the connectors
// server on http://127.0.0.1:<port>, a stand-in provider on another
// 127.0.0.1 port. Headless Chromium drives real browsers (one context per
// person): the normal flow connects; an attacker's consent link, opened by
// a victim, is refused, whether the attacker opened it first or never did.
// Also, in Node: `bindBrowser: false` is warned about once, and a wrong
// value is refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import * as api from 'oauth-connectors';
import { APP, SERVICE, USER_SECRET, ISS, userJwt } from './server-checks.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** An HTTP server on 127.0.0.1, a free port; resolves { port, close }. */
async function listen(handler) {
  const http = createServer(handler);
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: http.address().port,
    close: () => {
      http.closeAllConnections();
      return new Promise((resolve) => http.close(resolve));
    },
  };
}

// First: the warning is once per process, and the Chromium servers include an opt-out.
describe('bindBrowser option', () => {
  const options = {
    appId: APP,
    publicUrl: 'https://connect.app.example',
    secret: 'binding-test-secret-0123456789abcdef',
    serviceTokens: [SERVICE],
  };

  test('bindBrowser: false is warned about once; the default and true are not; other values are refused', () => {
    const warned = [];
    const warn = console.warn;
    console.warn = (...args) => warned.push(args.join(' '));
    try {
      api.createConnectorsServer({ ...options });
      api.createConnectorsServer({ ...options, bindBrowser: true });
      assert.deepEqual(warned, []);
      assert.throws(() => api.createConnectorsServer({ ...options, bindBrowser: 'yes' }), { code: 'INVALID_INPUT', message: /bindBrowser/ });
      assert.throws(() => api.createConnectorsServer({ ...options, bindBrowser: 0 }), { code: 'INVALID_INPUT', message: /bindBrowser/ });
      assert.deepEqual(warned, [], 'a refused option warns about nothing');
      api.createConnectorsServer({ ...options, bindBrowser: false });
      api.createConnectorsServer({ ...options, bindBrowser: false });
      assert.equal(warned.length, 1, warned.join('\n'));
      assert.match(warned[0], /oauth-connectors: bindBrowser is false/);
    } finally {
      console.warn = warn;
    }
  });

  // serveNode calls a server of createConnectorsServer straight (the in-process
  // binding, its answer written with one writeHead) and any other through Requests.
  const IN_PROCESS = Symbol.for('oauth-connectors.in-process');
  for (const straight of [false, true]) test(`over real HTTP (${straight ? 'called straight' : 'through Requests'}): the start route sets the cookie, opens once, and only from the app's page`, async () => {
    let server;
    const handler = (r) => server.fetch(r);
    if (straight) Object.defineProperty(handler, IN_PROCESS, { value: (...args) => server.fetch[IN_PROCESS](...args) });
    const served = await api.serveNode({ fetch: handler });
    server = api.createConnectorsServer({
      ...options,
      publicUrl: served.url,
      users: { secret: USER_SECRET, issuer: ISS, audience: APP },
      allowedReturnUrls: ['http://localhost:5173'],
      appUserConnectors: {
        calendar: { type: 'googlecalendar', clientId: 'cid', clientSecret: 'cs', scopes: ['https://www.googleapis.com/auth/calendar.readonly'] },
      },
    });
    try {
      const init = await fetch(`${served.url}/api/apps/${APP}/app-user-auth/connectors/calendar/initiate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await userJwt('alice')}`, 'x-origin-url': 'http://localhost:5173/settings' },
      });
      assert.equal(init.status, 200);
      assert.equal(init.headers.get('set-cookie'), null);
      const { redirect_url: start } = await init.json();
      const open = (referer) => fetch(start, { redirect: 'manual', headers: referer ? { referer } : {} });
      const elsewhere = await open('http://127.0.0.1:5173/');
      assert.equal(elsewhere.status, 303);
      assert.equal(elsewhere.headers.get('location'), 'http://localhost:5173/settings?connect_error=invalid_state');
      assert.equal(elsewhere.headers.get('set-cookie'), null);
      const first = await open('http://localhost:5173/settings');
      assert.equal(first.status, 303);
      assert.match(first.headers.get('location'), /^https:\/\/accounts\.google\.com\/o\/oauth2\/v2\/auth\?/);
      // Loopback http: no __Host- prefix and no Secure (a browser would refuse both there).
      assert.match(first.headers.get('set-cookie'), /^oauth-connectors-bind-[A-Za-z0-9_-]{12}=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);
      assert.equal(first.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(first.headers.getSetCookie().length, 1);
      assert.equal(first.headers.get('content-length'), String(Buffer.byteLength(await first.text())));
      const again = await open('http://localhost:5173/settings');
      assert.equal(again.headers.get('location'), 'http://localhost:5173/settings?connect_error=invalid_state');
      assert.equal(again.headers.get('set-cookie'), null);
    } finally {
      await served.close();
    }
  });
});

describe('bindBrowser in Chromium, page and server on different sites', () => {
  let pageSite; // http://localhost:<port>: the app's frontend
  let provider; // http://127.0.0.1:<port>: the stand-in provider (and a page elsewhere)
  let servers = {}; // the connectors servers, by name: bound (the default) and unbound (the opt-out)
  let browser;
  const tokenRequests = [];
  const listeners = [];
  const clientJs = readFile(join(here, 'node_modules/oauth-connectors/client.js'));

  /** The app's page for `user`, talking to the connectors server at `server`. */
  const page = (server, token) => `<!doctype html>
<meta charset="utf-8">
<title>app</title>
<script type="importmap">{ "imports": { "oauth-connectors/client": "/client.js" } }</script>
<button id="connect" disabled>Connect</button>
<p id="status"></p>
<script type="module">
  import { createClient } from 'oauth-connectors/client';
  window.client = createClient({ appId: ${JSON.stringify(APP)}, serverUrl: ${JSON.stringify(server)}, token: ${JSON.stringify(token)} });
  const button = document.querySelector('#connect');
  button.onclick = async () => { location.href = await window.client.connectors.connectAppUser('calendar'); };
  button.disabled = false;
  const q = new URLSearchParams(location.search);
  document.querySelector('#status').textContent = q.get('status') ?? q.get('connect_error') ?? '';
</script>`;

  before(async () => {
    // The provider: a consent page for the browser's own account (its
    // "provider-account" cookie), then back to the callback with a code for it.
    provider = await listen((req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      const account = /(?:^|;\s*)provider-account=([a-z]+)/.exec(req.headers.cookie ?? '')?.[1] ?? 'nobody';
      if (url.pathname === '/authorize') {
        const back = new URL(url.searchParams.get('redirect_uri'));
        back.searchParams.set('code', `code-for-${account}`);
        back.searchParams.set('state', url.searchParams.get('state'));
        return res.writeHead(200, { 'content-type': 'text/html' })
          .end(`<!doctype html><title>consent</title><p>Allow the app to read ${account}'s calendar?</p><a id="allow" href="${back.href.replace(/&/g, '&amp;')}">Allow</a>`);
      }
      if (url.pathname === '/elsewhere') {
        // A page on another site (an attacker's) linking to a consent URL.
        return res.writeHead(200, { 'content-type': 'text/html' })
          .end(`<!doctype html><title>win</title><a id="link" href="${url.searchParams.get('to').replace(/&/g, '&amp;')}">You won</a>`);
      }
      res.writeHead(404).end();
    });
    listeners.push(provider);
    const providerUrl = `http://127.0.0.1:${provider.port}`;

    // The frontend, on localhost: another site than 127.0.0.1.
    const frontend = await listen(async (req, res) => {
      const url = new URL(req.url, 'http://localhost');
      if (url.pathname === '/client.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(await clientJs);
      const server = servers[url.searchParams.get('server')];
      if (url.pathname === '/app.html' && server) {
        const token = await userJwt(url.searchParams.get('user'));
        return res.writeHead(200, { 'content-type': 'text/html' }).end(page(server.url, token));
      }
      res.writeHead(404).end();
    });
    listeners.push(frontend);
    pageSite = `http://localhost:${frontend.port}`;

    for (const [name, bindBrowser] of [['bound', undefined], ['unbound', false]]) {
      let handle;
      const http = await listen((req, res) => handle(req, res));
      listeners.push(http);
      const url = `http://127.0.0.1:${http.port}`;
      const server = api.createConnectorsServer({
        appId: APP,
        publicUrl: url,
        secret: 'binding-test-secret-0123456789abcdef',
        serviceTokens: [SERVICE],
        users: { secret: USER_SECRET, issuer: ISS, audience: APP },
        allowedReturnUrls: [pageSite],
        ...(bindBrowser === undefined ? {} : { bindBrowser }),
        appUserConnectors: {
          calendar: {
            clientId: 'page-client',
            clientSecret: 'page-client-secret',
            scopes: ['calendar.read'],
            provider: {
              type: 'pageprov',
              display_name: 'Stand-in provider',
              auth_model: 'oauth',
              authorization_url: `${providerUrl}/authorize`,
              token_url: `${providerUrl}/token`,
            },
          },
        },
        // The provider's token endpoint: a token for the account the code was made for.
        fetch: async (request) => {
          const code = new URLSearchParams(await request.text()).get('code');
          tokenRequests.push({ server: name, code });
          const account = code.replace(/^code-for-/, '');
          const tokens = { access_token: `at-${account}-${tokenRequests.length}`, token_type: 'Bearer', expires_in: 300, scope: 'calendar.read' };
          return new Response(JSON.stringify(tokens), { headers: { 'content-type': 'application/json' } });
        },
      });
      handle = api.toNodeHandler(server);
      servers[name] = { url, server };
    }

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    for (const l of listeners) await l.close();
  });

  /** A person's own browser: signed in at the provider as `account`. */
  async function person(account) {
    const context = await browser.newContext();
    await context.addCookies([{ name: 'provider-account', value: account, url: `http://127.0.0.1:${provider.port}` }]);
    const tab = await context.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(String(e)));
    return { context, tab, errors };
  }

  /** Opens the app's page as `user` against the named connectors server. */
  async function openApp(tab, user, server = 'bound') {
    await tab.goto(`${pageSite}/app.html?server=${server}&user=${user}`);
    await tab.waitForSelector('#connect:not([disabled])', { timeout: 15_000 });
  }

  /** The connection the server holds for `user`: its token, or the error code. */
  async function connectionOf(user, server = 'bound') {
    const backend = api.createClient({ appId: APP, serviceToken: SERVICE, fetch: servers[server].server.fetch });
    return backend.asServiceRole.connectors.getAppUserConnection('calendar', user)
      .then((c) => c.accessToken, (e) => e.code);
  }

  const backOnThePage = (u) => u.origin === pageSite && u.pathname === '/app.html' && (u.searchParams.has('status') || u.searchParams.has('connect_error'));

  test('the normal flow connects: Connect, the start route, consent, the callback, back on the page', { timeout: 60_000 }, async () => {
    const alice = await person('alice');
    try {
      await openApp(alice.tab, 'alice');
      const starts = [];
      alice.tab.on('request', (r) => { if (r.url().includes('/start?')) starts.push(r.url()); });
      await Promise.all([alice.tab.waitForURL((u) => u.pathname === '/authorize', { timeout: 15_000 }), alice.tab.click('#connect')]);
      assert.equal(starts.length, 1);
      assert.ok(starts[0].startsWith(`${servers.bound.url}/api/apps/${APP}/app-user-auth/connectors/calendar/start?ticket=`), starts[0]);
      // The start route set the binding cookie on the server's site (first-party: opened top-level).
      const cookies = await alice.context.cookies(servers.bound.url);
      const binding = cookies.find((c) => c.name.startsWith('oauth-connectors-bind-'));
      assert.ok(binding, JSON.stringify(cookies));
      assert.equal(binding.httpOnly, true);
      assert.equal(binding.sameSite, 'Lax');
      const before = tokenRequests.length;
      await Promise.all([alice.tab.waitForURL(backOnThePage, { timeout: 15_000 }), alice.tab.click('#allow')]);
      const back = new URL(alice.tab.url());
      assert.equal(back.searchParams.get('status'), 'connected', back.href);
      assert.equal(back.searchParams.get('connector'), 'calendar');
      assert.equal(await alice.tab.textContent('#status'), 'connected');
      assert.equal(tokenRequests.length, before + 1);
      assert.match(await connectionOf('alice'), /^at-alice-/);
      // The callback cleared the cookie.
      assert.ok(!(await alice.context.cookies(servers.bound.url)).some((c) => c.name === binding.name));
      assert.deepEqual(alice.errors, []);
    } finally {
      await alice.context.close();
    }
  });

  test('an attacker\'s consent link, never opened by him, is refused when a victim opens it', { timeout: 60_000 }, async () => {
    const mallory = await person('mallory');
    const victim = await person('victim');
    try {
      // Mallory initiates from his own page and keeps the URL instead of following it.
      await openApp(mallory.tab, 'mallory');
      for (const how of ['pasted', 'a link on another site']) {
        const link = await mallory.tab.evaluate(() => window.client.connectors.connectAppUser('calendar'));
        const before = tokenRequests.length;
        const atProvider = (u) => u.pathname === '/authorize';
        if (how === 'pasted') {
          await victim.tab.goto(link);
        } else {
          await victim.tab.goto(`http://127.0.0.1:${provider.port}/elsewhere?to=${encodeURIComponent(link)}`);
          await Promise.all([victim.tab.waitForURL((u) => u.origin === pageSite || atProvider(u), { timeout: 15_000 }), victim.tab.click('#link')]);
        }
        const reachedProvider = atProvider(new URL(victim.tab.url()));
        if (reachedProvider) {
          // Unbound (as before the binding): she consents, as a victim would.
          await Promise.all([victim.tab.waitForURL(backOnThePage, { timeout: 15_000 }), victim.tab.click('#allow')]);
        }
        assert.equal(await connectionOf('mallory'), 'NOT_CONNECTED', `${how}: the attacker's slot holds the victim's account`);
        assert.ok(!reachedProvider, `${how}: the link reached the provider`);
        assert.ok(link.includes('/start?ticket='), link);
        // Refused at the start: back on the page with an error, never at the provider.
        const landed = new URL(victim.tab.url());
        assert.ok(backOnThePage(landed), `${how}: ${landed.href}`);
        assert.equal(landed.searchParams.get('connect_error'), 'invalid_state', `${how}: ${landed.href}`);
        assert.ok(!landed.searchParams.has('status'));
        assert.equal(tokenRequests.length, before, `${how}: no token request`);
        assert.ok(!(await victim.context.cookies(servers.bound.url)).some((c) => c.name.startsWith('oauth-connectors-bind-')), `${how}: no binding cookie`);
      }
      assert.equal(await connectionOf('mallory'), 'NOT_CONNECTED');
    } finally {
      await mallory.context.close();
      await victim.context.close();
    }
  });

  test('an attacker who opened his consent link first gains nothing: the victim can use neither URL', { timeout: 60_000 }, async () => {
    const mallory = await person('mallory');
    const victim = await person('victim');
    try {
      await openApp(mallory.tab, 'mallory');
      const starts = [];
      mallory.tab.on('request', (r) => { if (r.url().includes('/start?')) starts.push(r.url()); });
      await Promise.all([mallory.tab.waitForURL((u) => u.pathname === '/authorize', { timeout: 15_000 }), mallory.tab.click('#connect')]);
      const consentUrl = mallory.tab.url(); // the provider's page, its state bound to Mallory's browser
      const before = tokenRequests.length;
      // The start URL again, in the victim's browser, even from the app's
      // own page (a link posted in the app): used already.
      await openApp(victim.tab, 'victim');
      await Promise.all([
        victim.tab.waitForURL(backOnThePage, { timeout: 15_000 }),
        victim.tab.evaluate((u) => { location.href = u; }, starts[0]),
      ]);
      const replayed = new URL(victim.tab.url());
      assert.equal(replayed.searchParams.get('connect_error'), 'invalid_state', replayed.href);
      // The provider's consent URL: the victim consents, and the callback refuses her browser.
      await victim.tab.goto(consentUrl);
      assert.match(await victim.tab.textContent('p'), /victim's calendar/);
      const [callback] = await Promise.all([
        victim.tab.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/callback'), { timeout: 15_000 }),
        victim.tab.click('#allow'),
      ]);
      // A page, not the return URL: the state is not trusted that far.
      assert.equal(callback.status(), 400);
      assert.match(await victim.tab.textContent('body'), /could not be connected \(invalid_state\)/);
      assert.equal(tokenRequests.length, before, 'no token request');
      assert.equal(await connectionOf('mallory'), 'NOT_CONNECTED');
    } finally {
      await mallory.context.close();
      await victim.context.close();
    }
  });

  test('with the opt-out (bindBrowser: false) the same attack connects the victim\'s account to the attacker\'s slot', { timeout: 60_000 }, async () => {
    const mallory = await person('mallory');
    const victim = await person('victim');
    try {
      await openApp(mallory.tab, 'mallory', 'unbound');
      const link = await mallory.tab.evaluate(() => window.client.connectors.connectAppUser('calendar'));
      assert.ok(link.startsWith(`http://127.0.0.1:${provider.port}/authorize?`), link);
      await victim.tab.goto(link);
      await Promise.all([victim.tab.waitForURL(backOnThePage, { timeout: 15_000 }), victim.tab.click('#allow')]);
      assert.equal(new URL(victim.tab.url()).searchParams.get('status'), 'connected');
      assert.match(await connectionOf('mallory', 'unbound'), /^at-victim-/, 'what the binding prevents');
    } finally {
      await mallory.context.close();
      await victim.context.close();
    }
  });
});
