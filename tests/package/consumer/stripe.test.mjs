// Stripe through the installed package, over real HTTP (serveNode): the
// calls Base44's CLI makes (status, install, remove), the claim page a
// builder opens with a browser's cookie and posts a key to, the key route,
// `getConnection('stripe')` through the SDK client, bad keys, the
// `api_key` header as a service credential, and a sentinel key that reaches
// no answer but the token read, and no store byte.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'oauth-connectors';
import { freePort } from './free-port.mjs';

const APP = 'app1';
const SERVICE = 'svc-stripe-test-0123456789abcdef';
const TEST_KEY = 'sk_test_51SENTINELabcdefghijklmnop0123';
const LIVE_KEY = 'sk_live_51SENTINELqrstuvwxyz9876543210';
const REFUSED_KEY = 'sk_test_51SENTINELrevokedrevoked0000';

/** A free loopback port, so publicUrl can name the server before it listens. */
let served;
let base;
const stripeCalls = [];
const seen = [];
const entries = new Map();

/** Stands in for Stripe's API: a known key reads its account, others are 401. */
async function fakeStripe(input, init) {
  const request = input instanceof Request ? input : new Request(input, init);
  const url = new URL(request.url);
  assert.equal(url.origin, 'https://api.stripe.com', request.url);
  const auth = request.headers.get('authorization');
  stripeCalls.push({ path: url.pathname, auth });
  if (url.pathname === '/v1/account' && (auth === `Bearer ${TEST_KEY}` || auth === `Bearer ${LIVE_KEY}`)) {
    return Response.json({ id: 'acct_1', object: 'account' });
  }
  // Stripe's 401 names the key (masked); ours would echo it whole.
  return Response.json({ error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${auth}` } }, { status: 401 });
}

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const inner = api.memoryStore();
  // A store that remembers every value written, to look for the key in.
  const store = new Proxy(inner, {
    get(target, name) {
      const value = target[name];
      if (typeof value !== 'function') return value;
      return (...args) => {
        if (name === 'set' || name === 'setIfAbsent') entries.set(args[0], String(args[1]));
        if (name === 'compareAndSet' && typeof args[2] === 'string') entries.set(args[0], args[2]);
        return value.apply(target, args);
      };
    },
  });
  const server = api.createConnectorsServer({
    appId: APP,
    publicUrl: base,
    secret: 'stripe-test-secret-0123456789abcdef0123456789',
    store,
    fetch: fakeStripe,
    serviceTokens: [SERVICE],
  });
  served = await api.serveNode(server, { port });
});

after(() => served?.close());

/** A call to the server; every answer is kept for the sentinel check. */
async function call(method, path, { headers = {}, body, record = true } = {}) {
  const response = await fetch(`${base}/api/apps/${APP}/${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await response.text();
  if (record) seen.push(text, JSON.stringify([...response.headers]));
  let json = null;
  try { json = JSON.parse(text); } catch { /* an HTML page */ }
  return { status: response.status, headers: response.headers, text, json };
}

const service = (method, path, body) => call(method, path, { headers: { authorization: `Bearer ${SERVICE}` }, body });

const status = async () => {
  const r = await service('GET', 'payments/stripe/status');
  assert.equal(r.status, 200, r.text);
  return r.json;
};

/** The browser: opens the claim URL, keeps its cookie, posts the form. */
async function openClaim(claimUrl) {
  const response = await fetch(claimUrl, { redirect: 'manual' });
  const text = await response.text();
  seen.push(text, JSON.stringify([...response.headers]));
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
  const token = /name="token" value="([^"]+)"/.exec(text)?.[1];
  const action = /<form method="post" action="([^"]+)"/.exec(text)?.[1];
  return { response, text, cookie, token, action };
}

async function post(action, cookie, token, key) {
  const response = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams({ token, secret_key: key }).toString(),
    redirect: 'manual',
  });
  const text = await response.text();
  seen.push(text, JSON.stringify([...response.headers]));
  return { status: response.status, headers: response.headers, text };
}

test('install, claim page with the cookie, a test key, status sandbox, getConnection, remove', async () => {
  assert.deepEqual(await status(), { stripe_mode: null, sandbox_claim_url: null });
  const install = await service('POST', 'payments/stripe/install');
  assert.equal(install.status, 200, install.text);
  assert.equal(install.json.already_installed, false);
  assert.ok(install.json.claim_url.startsWith(`${base}/api/apps/${APP}/payments/stripe/claim?ticket=`), install.json.claim_url);

  const page = await openClaim(install.json.claim_url);
  assert.equal(page.response.status, 200, page.text);
  assert.equal(page.response.headers.get('cache-control'), 'no-store');
  assert.match(page.response.headers.get('content-security-policy'), /^default-src 'none'; form-action 'self'/);
  assert.match(page.cookie, /^oauth-connectors-bind-[A-Za-z0-9_-]+=[A-Za-z0-9_-]+$/);
  assert.equal(page.action, `${base}/api/apps/${APP}/payments/stripe/claim`);
  assert.ok(page.token);

  // Without the cookie (another browser), the form is refused.
  const stranger = await post(page.action, '', page.token, TEST_KEY);
  assert.equal(stranger.status, 400);
  assert.match(stranger.text, /STATE_BROWSER_MISMATCH/);

  const done = await post(page.action, page.cookie, page.token, TEST_KEY);
  assert.equal(done.status, 200, done.text);
  assert.match(done.text, /Stripe is connected/);
  assert.deepEqual(stripeCalls.at(-1), { path: '/v1/account', auth: `Bearer ${TEST_KEY}` });
  assert.deepEqual(await status(), { stripe_mode: 'sandbox', sandbox_claim_url: null });

  // The app's backend reads it as Base44's SDK would.
  const client = api.createClient({ appId: APP, serverUrl: base, serviceToken: SERVICE, tokenCacheMs: 0 });
  const connection = await client.asServiceRole.connectors.getConnection('stripe');
  assert.equal(connection.accessToken, TEST_KEY);
  assert.deepEqual(connection.connectionConfig, { stripe_mode: 'sandbox' });

  const again = await service('POST', 'payments/stripe/install');
  assert.deepEqual(again.json, { already_installed: true, claim_url: null });
  // The form token was used: it takes no second key.
  const replay = await post(page.action, page.cookie, page.token, LIVE_KEY);
  assert.match(replay.text, /STATE_REPLAYED/);

  const removed = await service('DELETE', 'payments/stripe');
  assert.deepEqual([removed.status, removed.json], [200, { success: true }]);
  assert.deepEqual(await status(), { stripe_mode: null, sandbox_claim_url: null });
  await assert.rejects(client.asServiceRole.connectors.getConnection('stripe'), (e) => e.status === 404);
});

test('a live key through the key route is live; bad keys are refused with a clear code', async () => {
  const live = await service('PUT', 'payments/stripe/key', { secret_key: LIVE_KEY });
  assert.deepEqual([live.status, live.json], [200, { stripe_mode: 'live' }]);
  assert.equal((await status()).stripe_mode, 'live');

  for (const key of ['pk_live_abcdefghijkl', 'sk_test_', 'whsec_abcdefghijkl', 'sk_prod_abcdefghijkl']) {
    const r = await service('PUT', 'payments/stripe/key', { secret_key: key });
    assert.equal(r.status, 400, key);
    assert.equal(r.json.error.code, 'STRIPE_KEY_INVALID', key);
    assert.equal(r.headers.get('x-base44-connector-error'), 'STRIPE_KEY_INVALID');
  }
  const refused = await service('PUT', 'payments/stripe/key', { secret_key: REFUSED_KEY });
  assert.deepEqual([refused.status, refused.json.error.code], [400, 'STRIPE_KEY_REFUSED']);
  const body = await service('PUT', 'payments/stripe/key', { key: TEST_KEY });
  assert.equal(body.json.error.code, 'INVALID_INPUT');
  // Nothing refused replaced the live key.
  assert.equal((await status()).stripe_mode, 'live');

  // On the claim page a bad key shows the form again, without the key.
  const removed = await service('DELETE', 'payments/stripe');
  assert.equal(removed.status, 200);
  const install = await service('POST', 'payments/stripe/install');
  const page = await openClaim(install.json.claim_url);
  const bad = await post(page.action, page.cookie, page.token, REFUSED_KEY);
  assert.equal(bad.status, 400);
  assert.match(bad.text, /STRIPE_KEY_REFUSED/);
  assert.match(bad.text, new RegExp(`value="${page.token}"`));
  const good = await post(page.action, page.cookie, page.token, TEST_KEY);
  assert.equal(good.status, 200, good.text);
  assert.equal((await status()).stripe_mode, 'sandbox');
});

test("Base44's CLI headers: api_key is a service credential", async () => {
  const cli = { api_key: SERVICE, 'user-agent': 'Base44 CLI', 'x-request-id': 'req-1' };
  const r = await call('GET', 'payments/stripe/status', { headers: cli });
  assert.equal(r.status, 200, r.text);
  assert.ok('stripe_mode' in r.json);
  const list = await call('GET', 'external-auth/list', { headers: cli });
  assert.equal(list.status, 200, list.text);
  assert.ok(Array.isArray(list.json.integrations));
  const available = await call('GET', 'external-auth/available-integrations', { headers: cli });
  assert.ok(available.json.integrations.some((i) => i.integration_type === 'stripe'));
  const wrong = await call('GET', 'payments/stripe/status', { headers: { ...cli, api_key: 'not-the-service-token' } });
  assert.deepEqual([wrong.status, wrong.json.error.code], [401, 'UNAUTHENTICATED']);
  const none = await call('POST', 'payments/stripe/install', { headers: { 'user-agent': 'Base44 CLI' } });
  assert.deepEqual([none.status, none.json.error.code], [401, 'UNAUTHENTICATED']);
});

test('the key is in no answer but the token read, and in no store value', async () => {
  const read = await call('GET', 'external-auth/tokens/stripe', { headers: { authorization: `Bearer ${SERVICE}` }, record: false });
  assert.equal(read.json.access_token, TEST_KEY);
  const all = seen.join('\n');
  assert.ok(!all.includes('SENTINEL'), 'a key reached an answer');
  assert.ok(entries.size > 0);
  for (const [key, value] of entries) assert.ok(!value.includes('SENTINEL') && !key.includes('SENTINEL'), key);
});

test('the stripe option: off, verifyKey: false, and bad values; credentials.stripe is refused', async () => {
  const make = (extra) => api.createConnectorsServer({
    appId: APP, publicUrl: 'https://connect.app.example', secret: 'stripe-test-secret-0123456789abcdef0123456789',
    store: api.memoryStore(), serviceTokens: [SERVICE], fetch: async () => { throw new Error('no network'); }, ...extra,
  });
  const ask = (server, method, path, body) => server.fetch(new Request(`https://connect.app.example/api/apps/${APP}/${path}`, {
    method, headers: { authorization: `Bearer ${SERVICE}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  }));
  const off = make({ stripe: false });
  const r = await ask(off, 'GET', 'payments/stripe/status');
  assert.deepEqual([r.status, (await r.json()).error.code], [404, 'UNKNOWN_CONNECTOR']);
  const trusting = make({ stripe: { verifyKey: false } });
  const put = await ask(trusting, 'PUT', 'payments/stripe/key', { secret_key: TEST_KEY });
  assert.deepEqual(await put.json(), { stripe_mode: 'sandbox' });
  // The default checks the key with Stripe: here the network is down.
  const checking = make({ stripe: true });
  const down = await ask(checking, 'PUT', 'payments/stripe/key', { secret_key: TEST_KEY });
  assert.equal((await down.json()).error.code, 'NETWORK_ERROR');
  for (const stripe of [1, 'yes', { verify: false }, { verifyKey: 'no' }]) {
    assert.throws(() => make({ stripe }), (e) => e.code === 'INVALID_INPUT', JSON.stringify(stripe));
  }
  assert.throws(() => make({ stripe: { verifykey: false } }), /Did you mean "verifyKey"/);
  assert.throws(() => make({ credentials: { stripe: { clientId: 'x', clientSecret: 'y' } } }),
    (e) => e.code === 'CONFIG_INVALID' && /payments\/stripe\/install/.test(e.message));
});
