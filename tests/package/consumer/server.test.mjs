// The connectors server of the installed package in Node (its route checks,
// server-checks.mjs, run with the shared checks in every runtime): the Node adapter
// (serveNode / toNodeHandler) over real HTTP on 127.0.0.1, and full OAuth
// flows against a real authorization server (oidc-provider on 127.0.0.1):
// consent, callback, token reads, refresh, disconnect with revocation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import * as api from 'oauth-connectors';
import { APP, SERVICE, USER_SECRET, ISS, expectError, readAnswer, setup, userJwt } from './server-checks.mjs';
import { signIn, startLocalProvider } from 'oauth-connectors/dev-provider';
import { openStart } from './consent.mjs';


const bearer = (token) => `Bearer ${token}`;

/** A fetch over real HTTP to `${base}/api/apps/${APP}/${path}`, read whole. */
async function http(base, method, path, { auth, onBehalfOf, json, body, headers = {}, redirect = 'manual' } = {}) {
  const h = { ...headers };
  if (auth) h.authorization = bearer(auth);
  if (onBehalfOf) h['on-behalf-of'] = bearer(onBehalfOf);
  if (json !== undefined) h['content-type'] = 'application/json';
  const url = /^https?:/.test(path) ? path : `${base}/api/apps/${APP}/${path}`;
  const response = await fetch(url, { method, headers: h, body: json !== undefined ? JSON.stringify(json) : body, redirect });
  return readAnswer(response, method, path);
}

describe('serveNode / toNodeHandler', () => {
  // A server of createConnectorsServer is called straight (its fetch carries
  // this symbol); any other { fetch } gets Request objects. Both, counted.
  const IN_PROCESS = Symbol.for('oauth-connectors.in-process');
  const variants = {
    'a { fetch } object (Request and Response objects)': (server, count) => ({ fetch: (request) => (count(), server.fetch(request)) }),
    'a server of createConnectorsServer (called straight)': (server, count) => {
      const fetch = (request) => server.fetch(request);
      Object.defineProperty(fetch, IN_PROCESS, { value: (...args) => (count(), server.fetch[IN_PROCESS](...args)) });
      return { fetch };
    },
  };
  for (const [variant, wrap] of Object.entries(variants)) test(`serveNode, ${variant}: a token read over real HTTP on 127.0.0.1, errors with the code header, 413 for a large body, close() ends it`, { timeout: 30_000 }, async () => {
    const ctx = setup(api);
    await ctx.connectShared('fakeprov', ['read']);
    let calls = 0;
    const counted = wrap(ctx.server, () => calls++);
    const served = await api.serveNode(counted);
    try {
      assert.equal(served.hostname, '127.0.0.1');
      assert.ok(served.port > 0);
      assert.equal(served.url, `http://127.0.0.1:${served.port}`);
      const read = await http(served.url, 'GET', 'external-auth/tokens/fakeprov', { auth: SERVICE });
      assert.equal(read.status, 200, read.text);
      assert.equal(read.body.access_token, ctx.p.issued[0].access_token);
      assert.equal(read.body.integration_type, 'fakeprov');
      assert.equal(read.headers.get('cache-control'), 'no-store');
      assert.match(read.headers.get('content-type'), /^application\/json/);
      assert.match(read.headers.get('x-connectors-token-ttl'), /^\d+$/);
      // Called straight, the answer is written whole, with its length (a Response is streamed).
      if (variant.includes('straight')) assert.equal(read.headers.get('content-length'), String(Buffer.byteLength(read.text)));
      assert.equal(calls, 1);
      // HEAD (no route takes it): the answer server.fetch gives a HEAD Request, without its body.
      const tokenUrl = `${served.url}/api/apps/${APP}/external-auth/tokens/fakeprov`;
      const headers = { authorization: bearer(SERVICE) };
      const head = await fetch(tokenUrl, { method: 'HEAD', headers });
      const expected = await ctx.server.fetch(new Request(tokenUrl, { method: 'HEAD', headers }));
      assert.equal(head.status, expected.status);
      assert.equal(await head.text(), '');
      const shown = (h) => [...h].filter(([name]) => !['date', 'content-length', 'connection', 'keep-alive', 'transfer-encoding'].includes(name));
      assert.deepEqual(shown(head.headers), shown(expected.headers));
      assert.ok(head.headers.get('x-base44-connector-error'), 'a HEAD answer keeps its error code header');

      const anonymous = await http(served.url, 'GET', 'external-auth/tokens/fakeprov');
      expectError(anonymous, 401, 'UNAUTHENTICATED');
      const unknown = await http(served.url, 'GET', `${served.url}/nope`, { auth: SERVICE });
      expectError(unknown, 404, 'NOT_FOUND');

      // A JSON body through the adapter (PUT), and the proxy (POST).
      const put = await http(served.url, 'PUT', 'external-auth/integrations/fakeprov', { auth: SERVICE, json: { scopes: ['read'] } });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.already_authorized, true);
      const proxied = await http(served.url, 'POST', 'connectors/fakeprov/call', { auth: SERVICE, json: { path: '/json' } });
      assert.equal(proxied.status, 200, proxied.text);
      assert.equal(proxied.body.data.hello, 'world');

      const before = calls;
      const big = await http(served.url, 'PUT', 'external-auth/integrations/fakeprov', {
        auth: SERVICE, body: JSON.stringify({ scopes: ['read'], pad: 'x'.repeat(2 * 1024 * 1024) }), headers: { 'content-type': 'application/json' },
      });
      expectError(big, 413, 'BODY_TOO_LARGE');
      // Streamed, with no content-length.
      const stream = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 20; i++) controller.enqueue(new Uint8Array(128 * 1024).fill(32));
          controller.close();
        },
      });
      const streamed = await fetch(`${served.url}/api/apps/${APP}/connectors/fakeprov/call`, {
        method: 'POST', body: stream, duplex: 'half', headers: { authorization: bearer(SERVICE), 'content-type': 'application/json' },
      });
      assert.equal(streamed.status, 413);
      assert.equal((await streamed.json()).error.code, 'BODY_TOO_LARGE');
      assert.equal(calls, before, 'server.fetch is not called for a body over the limit');
    } finally {
      const started = Date.now();
      await served.close();
      assert.ok(Date.now() - started < 2000, 'close() does not wait for idle keep-alive connections');
    }
    await assert.rejects(fetch(`${served.url}/api/apps/${APP}/external-auth/list`), (e) => e.cause?.code === 'ECONNREFUSED');
  });

  test('toNodeHandler: a throwing server is a bare 500 INTERNAL; set-cookie headers stay separate; HEAD has no body', { timeout: 30_000 }, async () => {
    const seen = [];
    const fake = {
      async fetch(request) {
        seen.push({ method: request.method, url: request.url, body: request.body ? await request.text() : null, xa: request.headers.get('x-a') });
        const path = new URL(request.url).pathname;
        if (path === '/throw') throw new Error('SENTINEL_DETAIL stack and all');
        if (path === '/reject') return Promise.reject(new TypeError('SENTINEL_DETAIL'));
        const headers = new Headers({ 'content-type': 'text/plain' });
        headers.append('set-cookie', 'a=1; Path=/; HttpOnly');
        headers.append('set-cookie', 'b=2; Path=/');
        return new Response(`ok ${request.method}`, { status: 202, headers });
      },
    };
    const listener = createServer(api.toNodeHandler(fake, { maxBodyBytes: 10 }));
    await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${listener.address().port}`;
    try {
      for (const path of ['/throw', '/reject']) {
        const r = await fetch(`${base}${path}`);
        assert.equal(r.status, 500);
        assert.equal(r.headers.get('x-base44-connector-error'), 'INTERNAL');
        const text = await r.text();
        assert.equal(JSON.parse(text).error.code, 'INTERNAL');
        assert.equal(typeof JSON.parse(text).error.message, 'string');
        assert.ok(!text.includes('SENTINEL') && !text.includes('stack'), text);
      }
      const r = await fetch(`${base}/ok?x=1`, { method: 'POST', body: '0123456789', headers: { 'x-a': 'v' } });
      assert.equal(r.status, 202);
      assert.deepEqual(r.headers.getSetCookie(), ['a=1; Path=/; HttpOnly', 'b=2; Path=/']);
      assert.equal(await r.text(), 'ok POST');
      assert.deepEqual(seen.at(-1), { method: 'POST', url: `${base}/ok?x=1`, body: '0123456789', xa: 'v' });
      const tooBig = await fetch(`${base}/ok`, { method: 'POST', body: '01234567890' });
      assert.equal(tooBig.status, 413);
      assert.equal((await tooBig.json()).error.code, 'BODY_TOO_LARGE');
      assert.equal(seen.length, 3, 'not called for the large body');
      const head = await fetch(`${base}/ok`, { method: 'HEAD' });
      assert.equal(head.status, 202);
      assert.equal(await head.text(), '');
      const get = await fetch(`${base}/ok`);
      assert.equal(seen.at(-1).body, null, 'a GET has no body');
      await get.text();
    } finally {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
    }
  });
});

// Full flows: the connectors server (behind serveNode) and oidc-provider, both on 127.0.0.1.
const SCOPES = ['openid', 'offline_access', 'email'];
const client = { clientId: 'connectors-app', clientSecret: 'connectors-app-secret-0123456789abcdef' };
const RETURN = 'http://127.0.0.1:5173';
const serverSecret = 'full-flow-server-secret-0123456789abcdef';
const callbackPaths = {
  shared: `/api/apps/${APP}/external-auth/callback/localoidc`,
  mine: `/api/apps/${APP}/app-user-auth/connectors/mine/callback`,
  team: `/api/apps/${APP}/external-auth/connectors/team/callback`,
};

function serverFor(op, publicUrl, fetch = globalThis.fetch) {
  return api.createConnectorsServer({
    appId: APP,
    publicUrl,
    secret: serverSecret,
    fetch,
    providers: [op.entry],
    connectors: [{ type: 'localoidc', scopes: SCOPES }],
    credentials: { localoidc: { ...client } },
    workspaceConnectors: { team: { type: 'localoidc', ...client, scopes: SCOPES } },
    appUserConnectors: { mine: { type: 'localoidc', ...client, scopes: SCOPES } },
    serviceTokens: [SERVICE],
    users: { secret: USER_SECRET, issuer: ISS, audience: APP },
    allowedReturnUrls: [RETURN],
  });
}

/**
 * Opens a start URL as a browser does from the app's page (over `open`, a
 * fetch): resolves the provider's consent URL and the binding cookie pair.
 */
async function start(url, open = fetch) {
  const opened = await openStart(url, { referer: `${RETURN}/settings`, open });
  assert.match(opened.cookie, /^oauth-connectors-bind-[A-Za-z0-9_-]{12}=[A-Za-z0-9_-]{43}$/);
  return opened;
}

async function introspect(op, token) {
  const response = await fetch(op.introspectionUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`${client.clientId}:${client.clientSecret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  assert.equal(response.status, 200);
  return response.json();
}

async function userinfo(op, token) {
  const response = await fetch(op.userinfoUrl, { headers: { authorization: bearer(token) } });
  return { status: response.status, body: response.status === 200 ? await response.json() : await response.text() };
}

describe('full flows against oidc-provider', () => {
  let op;
  let served;
  let server;
  let base;
  const holder = { fetch: (request) => server.fetch(request) };

  before(async () => {
    served = await api.serveNode(holder);
    base = served.url;
    op = await startLocalProvider({ clients: [{ ...client, redirectUris: Object.values(callbackPaths).map((p) => base + p) }] });
    server = serverFor(op, base);
  });
  after(async () => {
    await served?.close();
    await op?.close();
  });

  /** An app user connects "mine" through the browser steps; resolves the Location. */
  async function connectUser(login) {
    const jwt = await userJwt(login);
    const init = await http(base, 'POST', 'app-user-auth/connectors/mine/initiate', { auth: jwt, json: { return_url: `${RETURN}/after?x=1` } });
    assert.equal(init.status, 200, init.text);
    assert.ok(init.body.redirect_url.startsWith(`${base}/api/apps/${APP}/app-user-auth/connectors/mine/start?ticket=`), init.body.redirect_url);
    const opened = await start(init.body.redirect_url);
    const consent = new URL(opened.url);
    assert.equal(consent.origin, op.issuer);
    assert.equal(consent.searchParams.get('redirect_uri'), base + callbackPaths.mine);
    const callback = await signIn(opened.url, { login, redirectUri: base + callbackPaths.mine });
    assert.ok(callback.searchParams.get('code'), 'the provider sent a code');
    const back = await http(base, 'GET', callback.href, { headers: { cookie: opened.cookie } });
    assert.equal(back.status, 303, back.text);
    assert.equal(back.headers.get('referrer-policy'), 'no-referrer');
    const location = new URL(back.location);
    assert.equal(location.origin + location.pathname, `${RETURN}/after`);
    assert.equal(location.searchParams.get('x'), '1');
    assert.equal(location.searchParams.get('connector'), 'mine');
    assert.equal(location.searchParams.get('status'), 'connected');
    for (const p of ['code', 'state', 'iss']) assert.ok(!location.searchParams.has(p), `Location has ${p}`);
    return jwt;
  }

  test('shared connector: management PUT, sign-in, callback, status ACTIVE, token read, userinfo, remove revokes', { timeout: 60_000 }, async () => {
    const put = await http(base, 'PUT', 'external-auth/integrations/localoidc', { auth: SERVICE, json: { scopes: SCOPES } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.already_authorized, false);
    assert.equal(typeof put.body.connection_id, 'string');
    const status = async () => (await http(base, 'GET', `external-auth/status?integration_type=localoidc&connection_id=${encodeURIComponent(put.body.connection_id)}`, { auth: SERVICE })).body.status;
    assert.equal(await status(), 'PENDING');
    const opened = await start(put.body.redirect_url);
    const consent = new URL(opened.url);
    assert.equal(consent.searchParams.get('code_challenge_method'), 'S256');
    assert.deepEqual(consent.searchParams.get('scope').split(' ').sort(), [...SCOPES].sort());

    const callback = await signIn(opened.url, { login: 'admin', redirectUri: base + callbackPaths.shared });
    assert.equal(callback.searchParams.get('iss'), op.issuer);
    const page = await http(base, 'GET', callback.href, { headers: { cookie: opened.cookie } });
    assert.equal(page.status, 200, page.text);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.equal(await status(), 'ACTIVE');

    const read = await http(base, 'GET', 'external-auth/tokens/localoidc', { auth: SERVICE });
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.integration_type, 'localoidc');
    const me = await userinfo(op, read.body.access_token);
    assert.equal(me.status, 200);
    assert.equal(me.body.sub, 'admin');

    const list = await http(base, 'GET', 'external-auth/list', { auth: SERVICE });
    const entry = list.body.integrations.find((i) => i.integration_type === 'localoidc');
    assert.equal(entry?.status, 'active', list.text);
    assert.deepEqual([...entry.scopes].sort(), [...SCOPES].sort());
    const again = await http(base, 'PUT', 'external-auth/integrations/localoidc', { auth: SERVICE, json: { scopes: SCOPES } });
    assert.equal(again.body.already_authorized, true, again.text);

    // The proxy against the provider's declared API base (its issuer): userinfo.
    const proxied = await http(base, 'POST', 'connectors/localoidc/call', { auth: SERVICE, json: { path: '/me' } });
    assert.equal(proxied.status, 200, proxied.text);
    assert.equal(proxied.body.success, true, proxied.text);
    assert.equal(proxied.body.data.sub, 'admin');
    assert.ok(!proxied.text.includes(read.body.access_token), 'the token is not in the proxy answer');

    const removed = await http(base, 'DELETE', 'external-auth/integrations/localoidc/remove', { auth: SERVICE });
    assert.equal(removed.status, 200, removed.text);
    assert.equal(removed.body.status, 'removed', removed.text);
    assert.equal(removed.body.integration_type, 'localoidc', removed.text);
    assert.equal((await introspect(op, read.body.access_token)).active, false, 'the provider reports the token inactive');
    expectError(await http(base, 'GET', 'external-auth/tokens/localoidc', { auth: SERVICE }), 404, 'NOT_CONNECTED');
  });

  test('app-user connector: alice and bob each get their own token; neither reaches the other', { timeout: 60_000 }, async () => {
    const jwts = { alice: await connectUser('alice'), bob: await connectUser('bob') };
    const tokens = {};
    for (const user of ['alice', 'bob']) {
      const read = await http(base, 'GET', 'app-user-auth/connectors/mine/token', { auth: SERVICE, onBehalfOf: jwts[user] });
      assert.equal(read.status, 200, read.text);
      tokens[user] = read.body.access_token;
      const me = await userinfo(op, read.body.access_token);
      assert.equal(me.status, 200);
      assert.equal(me.body.sub, user, `${user}'s token belongs to ${me.body.sub}`);
      const named = await http(base, 'GET', `app-user-auth/connectors/mine/users/${user}/token`, { auth: SERVICE });
      assert.equal(named.status, 200, named.text);
      assert.equal((await userinfo(op, named.body.access_token)).body.sub, user);
    }
    assert.notEqual(tokens.alice, tokens.bob);
    // Alice's JWT cannot reach bob's connection.
    expectError(await http(base, 'GET', 'app-user-auth/connectors/mine/users/bob/token', { auth: jwts.alice }), 403, 'FORBIDDEN');
    expectError(await http(base, 'GET', 'app-user-auth/connectors/mine/token', { auth: jwts.alice }), 403, 'FORBIDDEN');
    const spoofed = await http(base, 'GET', 'app-user-auth/connectors/mine/token', { auth: SERVICE, onBehalfOf: jwts.alice, headers: { 'x-user-id': 'bob' } });
    assert.equal(spoofed.status, 200, spoofed.text);
    assert.equal((await userinfo(op, spoofed.body.access_token)).body.sub, 'alice');
    const carol = await userJwt('carol');
    expectError(await http(base, 'GET', 'app-user-auth/connectors/mine/token', { auth: SERVICE, onBehalfOf: carol }), 404, 'NOT_CONNECTED');
  });

  test('disconnect revokes at the provider: introspection reports the old token inactive; the other user keeps theirs', { timeout: 60_000 }, async () => {
    const dave = await connectUser('dave');
    const erin = await connectUser('erin');
    const read = await http(base, 'GET', 'app-user-auth/connectors/mine/token', { auth: SERVICE, onBehalfOf: dave });
    assert.equal(read.status, 200, read.text);
    const old = read.body.access_token;
    assert.equal((await introspect(op, old)).active, true);
    const gone = await http(base, 'DELETE', 'app-user-auth/connectors/mine', { auth: dave });
    assert.equal(gone.status, 200, gone.text);
    assert.deepEqual(gone.body, { status: 'disconnected', revocation: 'revoked' });
    assert.equal((await introspect(op, old)).active, false, 'the provider reports the old token inactive');
    assert.equal((await userinfo(op, old)).status, 401);
    expectError(await http(base, 'GET', 'app-user-auth/connectors/mine/token', { auth: SERVICE, onBehalfOf: dave }), 404, 'NOT_CONNECTED');
    const kept = await http(base, 'GET', 'app-user-auth/connectors/mine/token', { auth: SERVICE, onBehalfOf: erin });
    assert.equal(kept.status, 200, kept.text);
    assert.equal((await userinfo(op, kept.body.access_token)).body.sub, 'erin');
  });

  test('workspace connector: PUT, sign-in, callback, token read', { timeout: 60_000 }, async () => {
    const put = await http(base, 'PUT', 'external-auth/connectors/team', { auth: SERVICE, json: {} });
    assert.equal(put.status, 200, put.text);
    const opened = await start(put.body.redirect_url);
    const callback = await signIn(opened.url, { login: 'teamadmin', redirectUri: base + callbackPaths.team });
    const page = await http(base, 'GET', callback.href, { headers: { cookie: opened.cookie } });
    assert.equal(page.status, 200, page.text);
    const read = await http(base, 'GET', 'external-auth/tokens/connectors/team', { auth: SERVICE });
    assert.equal(read.status, 200, read.text);
    assert.equal((await userinfo(op, read.body.access_token)).body.sub, 'teamadmin');
  });
});

test('full flow: a token inside the refresh margin is refreshed on read, and the new token works', { timeout: 60_000 }, async () => {
  // Nothing listens at publicUrl: the callback URL goes to server.fetch in-process.
  const publicUrl = 'http://127.0.0.1:9';
  const op = await startLocalProvider({
    clients: [{ ...client, redirectUris: [publicUrl + callbackPaths.shared] }],
    accessTokenTtl: 4, // its margin: its last 1.6 to 2 seconds (half its lifetime at most)
  });
  try {
    let refreshes = 0;
    const counting = async (request) => {
      if ((await request.clone().text()).includes('grant_type=refresh_token')) refreshes += 1;
      return fetch(request);
    };
    const server = serverFor(op, publicUrl, counting);
    const send = async (method, path, init = {}) => {
      const response = await server.fetch(new Request(/^http/.test(path) ? path : `${publicUrl}/api/apps/${APP}/${path}`, {
        method, headers: { authorization: bearer(SERVICE), 'content-type': 'application/json' }, ...init,
      }));
      return { status: response.status, text: await response.clone().text(), body: await response.json().catch(() => null) };
    };
    const put = await send('PUT', 'external-auth/integrations/localoidc', { body: JSON.stringify({ scopes: SCOPES }) });
    assert.equal(put.status, 200, put.text);
    const opened = await start(put.body.redirect_url, server.fetch);
    const callback = await signIn(opened.url, { login: 'frank', redirectUri: publicUrl + callbackPaths.shared });
    const page = await server.fetch(new Request(callback.href, { headers: { cookie: opened.cookie } }));
    assert.equal(page.status, 200, await page.text());
    assert.equal(refreshes, 0);
    const insideTheMargin = () => new Promise((resolve) => setTimeout(resolve, 2500));

    await insideTheMargin();
    const first = await send('GET', 'external-auth/tokens/localoidc');
    assert.equal(first.status, 200, first.text);
    assert.equal(refreshes, 1, 'the first read refreshed the 4-second token');
    assert.equal((await userinfo(op, first.body.access_token)).body.sub, 'frank');
    const again = await send('GET', 'external-auth/tokens/localoidc');
    assert.equal(again.body.access_token, first.body.access_token, 'the refreshed token is handed out as it is');
    assert.equal(refreshes, 1);
    await insideTheMargin();
    const second = await send('GET', 'external-auth/tokens/localoidc');
    assert.equal(second.status, 200, second.text);
    assert.equal(refreshes, 2, 'inside its margin: refreshed again (the rotated refresh token works)');
    assert.notEqual(second.body.access_token, first.body.access_token);
    const me = await userinfo(op, second.body.access_token);
    assert.equal(me.status, 200);
    assert.equal(me.body.sub, 'frank');
  } finally {
    await op.close();
  }
});
