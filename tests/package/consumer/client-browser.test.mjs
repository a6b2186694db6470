// The SDK client in a real page (headless Chromium): a plain <script
// type="module"> loads `oauth-connectors/client` (no wasm), the user clicks
// "Connect", the page calls connectAppUser and navigates to the consent URL;
// a stand-in provider sends the browser to the server's callback, which
// exchanges the code and sends the browser back to the page, connected.
// The server runs on the page's origin (mounted under /api), with the
// browser binding (the default): the browser that started the flow must be
// the one that ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import * as api from 'oauth-connectors';
import { APP, SERVICE, USER_SECRET, ISS, userJwt } from './server-checks.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const page = (token) => `<!doctype html>
<meta charset="utf-8">
<title>connect</title>
<script type="importmap">{ "imports": { "oauth-connectors/client": "/node_modules/oauth-connectors/client.js" } }</script>
<button id="connect" disabled>Connect</button>
<p id="status"></p>
<script type="module">
  import { createClient } from 'oauth-connectors/client';
  const client = createClient({ appId: ${JSON.stringify(APP)}, serverUrl: location.origin, token: ${JSON.stringify(token)} });
  const button = document.querySelector('#connect');
  button.onclick = async () => { location.href = await client.connectors.connectAppUser('calendar'); };
  button.disabled = false;
  document.querySelector('#status').textContent = new URLSearchParams(location.search).get('status') ?? '';
</script>`;

test('connectAppUser from a real page: consent, callback, back on the page connected', { timeout: 60_000 }, async () => {
  const http = createServer();
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${http.address().port}`;
  const issued = [];
  const server = api.createConnectorsServer({
    appId: APP,
    publicUrl: origin,
    secret: 'browser-test-secret-0123456789abcdef',
    serviceTokens: [SERVICE],
    users: { secret: USER_SECRET, issuer: ISS, audience: APP },
    allowedReturnUrls: [origin],
    appUserConnectors: {
      calendar: {
        clientId: 'page-client',
        clientSecret: 'page-client-secret',
        scopes: ['calendar.read'],
        provider: {
          type: 'pageprov',
          display_name: 'Stand-in provider',
          auth_model: 'oauth',
          authorization_url: `${origin}/provider/authorize`,
          token_url: `${origin}/provider/token`,
        },
      },
    },
    // The provider's token endpoint, answered here (the browser never sees it).
    fetch: async (request) => {
      const form = new URLSearchParams(await request.text());
      assert.equal(form.get('code'), 'page-code');
      const tokens = { access_token: `page-at-${issued.length + 1}`, token_type: 'Bearer', expires_in: 3600, scope: 'calendar.read' };
      issued.push(tokens);
      return new Response(JSON.stringify(tokens), { headers: { 'content-type': 'application/json' } });
    },
  });
  const handle = api.toNodeHandler(server);
  const token = await userJwt('alice');
  const seen = [];
  http.on('request', async (req, res) => {
    const url = new URL(req.url, origin);
    seen.push(url.pathname);
    if (url.pathname.startsWith('/api/')) return handle(req, res);
    if (url.pathname === '/app.html') return res.writeHead(200, { 'content-type': 'text/html' }).end(page(token));
    if (url.pathname === '/provider/authorize') {
      // A provider would ask for consent; this one grants at once.
      const back = new URL(url.searchParams.get('redirect_uri'));
      back.searchParams.set('code', 'page-code');
      back.searchParams.set('state', url.searchParams.get('state'));
      return res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/node_modules/oauth-connectors/client.js') {
      const body = await readFile(join(here, 'node_modules/oauth-connectors/client.js'));
      return res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
    }
    res.writeHead(404).end();
  });

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
  try {
    const tab = await browser.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(String(e)));
    await tab.goto(`${origin}/app.html`);
    await tab.waitForSelector('#connect:not([disabled])', { timeout: 15_000 });
    await Promise.all([
      tab.waitForURL((u) => u.pathname === '/app.html' && u.searchParams.has('status'), { timeout: 15_000 }),
      tab.click('#connect'),
    ]);
    const back = new URL(tab.url());
    assert.deepEqual(Object.fromEntries(back.searchParams), { connector: 'calendar', status: 'connected' }, errors.join('\n'));
    assert.equal(await tab.textContent('#status'), 'connected');
    assert.deepEqual(errors, []);

    // The page downloaded the lean client only: no wasm, no main entry.
    assert.ok(seen.includes('/node_modules/oauth-connectors/client.js'));
    assert.ok(!seen.some((p) => p.endsWith('.wasm') || p.includes('/entry/')), seen.join(' '));
    // The flow went initiate -> start -> provider -> callback, once.
    assert.deepEqual(seen.filter((p) => /initiate|start|authorize|callback/.test(p)).map((p) => p.split('/').pop()), ['initiate', 'start', 'authorize', 'callback']);

    // A backend now reads Alice's connection.
    const backend = api.createClient({ appId: APP, serverUrl: origin, serviceToken: SERVICE, fetch: server.fetch });
    const connection = await backend.asServiceRole.connectors.getAppUserConnection('calendar', 'alice');
    assert.equal(connection.accessToken, issued[0].access_token);
  } finally {
    await browser.close();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  }
});
