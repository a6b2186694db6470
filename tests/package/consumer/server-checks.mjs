// Checks of the connectors server (createConnectorsServer) through the
// installed package, shared by the Node and Deno runs. Each is
// [name, async fn(api)]; they throw on failure. No runtime-specific APIs:
// plain `Request`s go to `server.fetch`, and the provider is a scripted fake
// (a `fetch` function that never touches the network) on made-up https hosts.
//
// Every check ends with the sentinel canary: no access token, refresh token,
// client secret, authorization code, server or JWT secret, user JWT or state
// value appears in any answer where it does not belong (errors, redirects,
// HTML pages, proxy answers).

import { json, ok, throwsCode } from './helpers.mjs';

export const APP = 'app1';
export const PUBLIC = 'https://connect.app.example';
export const SECRET = 'server-secret-SENTINEL_KEY-0123456789abcdef';
export const USER_SECRET = 'user-jwt-secret-SENTINEL_JWTKEY-0123456789abcdef';
export const ISS = 'https://app.example';
export const RETURN_ORIGIN = 'https://app.example';
export const SERVICE = 'svc-SENTINEL_SVC-0123456789abcdef';

/** A provider entry on made-up hosts; the fake fetch below answers for them. */
export const FAKE = {
  type: 'fakeprov',
  display_name: 'Fake provider',
  description: 'A scripted provider for the server checks',
  auth_model: 'oauth',
  authorization_url: 'https://provider.test/authorize',
  token_url: 'https://provider.test/token',
  revocation: { url: 'https://provider.test/revoke', style: 'rfc7009' },
  pkce: 'required',
  client_auth: 'body',
  refresh_tokens: 'rotated',
  api_base_urls: ['https://api.provider.test', 'https://files.provider.test/v2'],
};
/** The same, naming its issuer (RFC 9207: callbacks carry `iss`). */
export const FAKE_ISS = { ...FAKE, type: 'fakeiss', display_name: 'Fake provider with an issuer', issuer: 'https://provider.test' };
/** The same, with no revocation endpoint. */
export const FAKE_NOREV = { ...FAKE, type: 'fakenorev', display_name: 'Fake provider without revocation', revocation: undefined };
delete FAKE_NOREV.revocation;
/** The same, with a tenant in its API URL, filled from connection config. */
export const FAKE_SUB = {
  ...FAKE,
  type: 'fakesub',
  display_name: 'Fake tenant provider',
  api_base_urls: ['https://{subdomain}.provider.test'],
  connection_config_fields: [{
    name: 'subdomain', display_name: 'Subdomain', description: 'Your tenant', placeholder: 'acme', required: true,
    validation_pattern: '^[a-z0-9-]{1,63}$', validation_error: 'Letters, digits and hyphens only',
  }],
};

const te = new TextEncoder();
const b64url = (bytes) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
};
const b64json = (value) => b64url(te.encode(JSON.stringify(value)));
const base64 = (bytes) => btoa(String.fromCharCode(...bytes));

async function hmac(secret, text) {
  const key = await crypto.subtle.importKey('raw', te.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return b64url(new Uint8Array(await crypto.subtle.sign('HMAC', key, te.encode(text))));
}

/**
 * An HS256 user JWT, signed here with WebCrypto. `claims` override the
 * defaults (a value of undefined removes the claim); `header` overrides
 * `{ alg: 'HS256', typ: 'JWT' }`; `signature: ''` leaves it unsigned.
 */
export async function userJwt(sub = 'alice', { claims = {}, header = {}, secret = USER_SECRET, signature } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: ISS, aud: APP, sub, iat: now, exp: now + 600, ...claims };
  for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
  const input = `${b64json({ alg: 'HS256', typ: 'JWT', ...header })}.${b64json(payload)}`;
  return `${input}.${signature ?? (await hmac(secret, input))}`;
}

const connectError = (what) => Object.assign(new TypeError('fetch failed'), {
  cause: Object.assign(new Error(`connect ECONNREFUSED 192.0.2.1:443 (${what})`), { code: 'ECONNREFUSED' }),
});

/**
 * The fake provider: a `fetch` answering the token endpoint (code exchange
 * and refresh, with rotating refresh tokens), revocation, and the API hosts.
 * Every request is recorded in `calls`. `next.token` / `next.refresh` /
 * `next.revoke` queue one-off answers (functions of the form body).
 */
export function fakeProvider() {
  const calls = [];
  const codes = new Map(); // code -> granted scope
  const refreshTokens = new Map(); // refresh token -> scope
  const next = { token: [], refresh: [], revoke: [] };
  const issued = [];
  let counter = 0;
  let expiresIn = 3600;

  const issue = (scope) => {
    counter += 1;
    const tokens = { access_token: `SENTINEL_AT_${counter}`, refresh_token: `SENTINEL_RT_${counter}` };
    issued.push(tokens);
    refreshTokens.set(tokens.refresh_token, scope);
    return json({ ...tokens, expires_in: expiresIn, token_type: 'Bearer', scope });
  };

  const api = (url, call) => {
    const path = url.pathname.replace(/^\/v2(?=\/)/, '');
    if (path === '/refuse') throw connectError('refused');
    if (path === '/json') return json({ hello: 'world', host: url.host, path: url.pathname });
    if (path === '/echo') {
      return json({
        method: call.method, host: url.host, path: url.pathname, query: Object.fromEntries(url.searchParams),
        body: call.body, content_type: call.headers['content-type'] ?? null,
        forwarded: Object.keys(call.headers).filter((h) => h !== 'authorization').sort(),
      });
    }
    if (path === '/text') return new Response('plain text é', { headers: { 'content-type': 'text/plain; charset=utf-8' } });
    if (path === '/bin') return new Response(new Uint8Array([0, 1, 2, 254, 255]), { headers: { 'content-type': 'application/octet-stream' } });
    if (path === '/missing') return json({ message: 'no such thing' }, 404);
    if (path === '/redirect') return new Response(null, { status: 302, headers: { location: 'https://evil.test/stolen' } });
    if (path === '/slow') {
      // Answers only when the request's signal aborts. The timer stands for the
      // open socket of a real fetch: AbortSignal.timeout alone does not keep
      // Node's event loop alive. It fails the call if nothing aborts it.
      return new Promise((_, reject) => {
        const signal = call.signal;
        if (!signal) return reject(new Error('no AbortSignal on the request'));
        const keepAlive = setTimeout(() => reject(new Error('the request was not aborted within 10 s')), 10_000);
        const abort = () => {
          clearTimeout(keepAlive);
          reject(signal.reason ?? new DOMException('The operation timed out.', 'TimeoutError'));
        };
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      });
    }
    return json({ message: `no route ${path}` }, 404);
  };

  const fetch = async (request) => {
    const url = new URL(request.url);
    const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
    const headers = {};
    request.headers.forEach((value, name) => { headers[name] = value; });
    const call = { method: request.method, url: url.href, host: url.host, path: url.pathname, headers, body };
    calls.push(call);
    Object.defineProperty(call, 'signal', { value: request.signal, enumerable: false });
    if (url.host === 'provider.test') {
      const form = new URLSearchParams(body);
      if (url.pathname === '/token') {
        const grant = form.get('grant_type');
        const queued = next[grant === 'refresh_token' ? 'refresh' : 'token'].shift();
        if (queued) return queued(form);
        if (grant === 'authorization_code') {
          const code = form.get('code');
          if (!codes.has(code)) return json({ error: 'invalid_grant', error_description: 'unknown code' }, 400);
          const scope = codes.get(code);
          codes.delete(code);
          return issue(scope);
        }
        if (grant === 'refresh_token') {
          const rt = form.get('refresh_token');
          if (!refreshTokens.has(rt)) return json({ error: 'invalid_grant' }, 400);
          const scope = refreshTokens.get(rt);
          refreshTokens.delete(rt);
          return issue(scope);
        }
        return json({ error: 'unsupported_grant_type' }, 400);
      }
      if (url.pathname === '/revoke') {
        const queued = next.revoke.shift();
        if (queued) return queued(form);
        refreshTokens.delete(form.get('token'));
        return new Response(null, { status: 200 });
      }
      return json({ error: 'not_found' }, 404);
    }
    if (url.hostname.endsWith('.provider.test')) return api(url, call);
    throw connectError(url.host);
  };

  return {
    fetch,
    calls,
    issued,
    next,
    /** An authorization code the token endpoint will exchange for `scope`. */
    code(scope) {
      counter += 1;
      const code = `SENTINEL_CODE_${counter}`;
      codes.set(code, scope ?? '');
      return code;
    },
    set expiresIn(seconds) { expiresIn = seconds; },
    tokenCalls: (grant) => calls.filter((c) => c.path === '/token' && (!grant || new URLSearchParams(c.body).get('grant_type') === grant)),
    revokeCalls: () => calls.filter((c) => c.path === '/revoke'),
    apiCalls: () => calls.filter((c) => c.host !== 'provider.test'),
  };
}

/** The options every check starts from. */
export function baseOptions(api, p, overrides = {}) {
  return {
    appId: APP,
    publicUrl: PUBLIC,
    secret: SECRET,
    store: api.memoryStore(),
    fetch: p.fetch,
    providers: [FAKE, FAKE_ISS, FAKE_SUB, FAKE_NOREV],
    connectors: [
      { type: 'fakeprov', scopes: ['read'] },
      { type: 'fakesub', scopes: [] },
    ],
    credentials: {
      fakeprov: { clientId: 'CID_SHARED', clientSecret: 'SENTINEL_CS_SHARED' },
      fakesub: { clientId: 'CID_SUB', clientSecret: 'SENTINEL_CS_SUB', connectionConfig: { subdomain: 'acme' } },
    },
    workspaceConnectors: {
      team: { type: 'fakeprov', clientId: 'CID_TEAM', clientSecret: 'SENTINEL_CS_TEAM', scopes: ['read'] },
    },
    appUserConnectors: {
      mine: { type: 'fakeprov', clientId: 'CID_MINE', clientSecret: 'SENTINEL_CS_MINE', scopes: ['read', 'write'] },
      other: { type: 'fakeprov', clientId: 'CID_OTHER', clientSecret: 'SENTINEL_CS_OTHER', scopes: ['read'] },
      issy: { type: 'fakeiss', clientId: 'CID_ISS', clientSecret: 'SENTINEL_CS_ISS', scopes: ['read'] },
      norev: { type: 'fakenorev', clientId: 'CID_NOREV', clientSecret: 'SENTINEL_CS_NOREV', scopes: ['read'] },
    },
    serviceTokens: [SERVICE],
    users: { secret: USER_SECRET, issuer: ISS, audience: APP },
    allowedReturnUrls: [RETURN_ORIGIN],
    ...overrides,
  };
}

/** The page of the app a browser opens consent URLs from (its Referer). */
export const APP_PAGE = `${RETURN_ORIGIN}/settings`;

/** The fetch handler's in-process entry: what createClient and serveNode call. */
const IN_PROCESS = Symbol.for('oauth-connectors.in-process');

/** Headers a page cannot put on a Request (browsers drop them): requests with these go in-process. */
const BROWSER_SET = ['cookie', 'referer'];

/** A consent URL that points at the server's start route (it carries a ticket). */
export const isStartUrl = (url) => new URL(url).searchParams.has('ticket');

/** A Response read whole: status, headers, text, the JSON body (or null) and the Location. */
export async function readAnswer(response, method, path) {
  const text = await response.text();
  return answerOf(response.status, response.headers, text, method, path);
}

function answerOf(status, headers, text, method, path) {
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { method, path, status, headers, text, body, location: headers.get('location') };
}

/**
 * A server with the fake provider, and helpers that record every answer
 * for the canary.
 */
export function setup(api, overrides = {}, p = fakeProvider()) {
  const options = baseOptions(api, p, overrides);
  const server = api.createConnectorsServer(options);
  const answers = [];
  const states = new Set();
  const jwts = new Set();

  /** Sends a request to server.fetch: `path` is under /api/apps/{appId}/ unless absolute. */
  async function send(method, path, { auth, onBehalfOf, body, json: jsonBody, headers = {}, srv = server } = {}) {
    const url = /^https?:/.test(path) ? path : `${PUBLIC}/api/apps/${APP}/${path}`;
    const h = new Headers(headers);
    if (auth !== undefined) h.set('authorization', `Bearer ${auth}`);
    if (onBehalfOf !== undefined) h.set('on-behalf-of', `Bearer ${onBehalfOf}`);
    for (const v of [auth, onBehalfOf, h.get('authorization')]) if (typeof v === 'string' && v.includes('.')) jwts.add(v.replace(/^bearer\s+/i, ''));
    let payload = body;
    if (jsonBody !== undefined) {
      payload = JSON.stringify(jsonBody);
      if (!h.has('content-type')) h.set('content-type', 'application/json');
    }
    let answer;
    if (BROWSER_SET.some((name) => h.has(name)) && srv.fetch[IN_PROCESS]) {
      // As a browser's request reaches the server, with its Cookie and Referer.
      const pairs = [];
      for (const [k, v] of h) pairs.push(k, v);
      const bytes = payload === undefined ? undefined : new TextEncoder().encode(payload);
      const [status, flat, text] = await srv.fetch[IN_PROCESS](method, url, pairs, bytes);
      const got = new Headers();
      for (let i = 0; i < flat.length; i += 2) got.append(flat[i], flat[i + 1]);
      answer = answerOf(status, got, text, method, new URL(url).pathname);
    } else {
      const response = await srv.fetch(new Request(url, { method, headers: h, body: payload }));
      ok(response instanceof Response || typeof response?.status === 'number', `${method} ${path}: server.fetch resolved a non-Response`);
      answer = await readAnswer(response, method, new URL(url).pathname);
    }
    answers.push(answer);
    return answer;
  }

  /** Start URLs opened so far: each opens once. */
  const opened = new Map();

  const ctx = {
    api, p, server, options, answers, states, send,
    service: (method, path, init = {}) => send(method, path, { auth: SERVICE, ...init }),
    /**
     * The provider's consent URL of a `redirect_url`, and the binding cookie
     * (a `name=value` pair): a start URL is opened once, as a browser opens
     * it from the app's page; a provider URL (binding off) is as it is.
     */
    async consent(redirectUrl, { referer = APP_PAGE } = {}) {
      if (!isStartUrl(redirectUrl)) return { url: redirectUrl, cookie: undefined };
      if (opened.has(redirectUrl)) return opened.get(redirectUrl);
      const answer = await send('GET', redirectUrl, { headers: { referer } });
      ok(answer.status === 303 && /^https:\/\/provider\.test\//.test(answer.location ?? ''), `start: ${answer.status} ${answer.location} ${answer.text.slice(0, 200)}`);
      const set = answer.headers.get('set-cookie') ?? '';
      ok(/^__Host-oauth-connectors-bind-[A-Za-z0-9_-]{12}=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/.test(set), `start: set-cookie ${set}`);
      const result = { url: answer.location, cookie: set.split(';')[0] };
      opened.set(redirectUrl, result);
      return result;
    },
    /**
     * Follows a consent URL as the browser and the provider would: through
     * the start route, then a callback with a fresh code (and `extra`
     * parameters), from the browser holding the binding cookie unless
     * `headers` say otherwise.
     */
    async callback(redirectUrl, { code, extra = {}, stateOverride, to, headers } = {}) {
      const consent = await ctx.consent(redirectUrl);
      const url = new URL(consent.url);
      const state = url.searchParams.get('state');
      ok(typeof state === 'string' && state.length >= 32, `a state in the consent URL: ${state}`);
      states.add(state);
      const q = new URLSearchParams();
      if (code !== null) q.set('code', code ?? p.code(url.searchParams.get('scope')));
      q.set('state', stateOverride ?? state);
      for (const [k, v] of Object.entries(extra)) q.append(k, v);
      const browser = headers ?? (consent.cookie ? { cookie: `theme=dark; ${consent.cookie}` } : {});
      const answer = await send('GET', `${to ?? url.searchParams.get('redirect_uri')}?${q}`, { headers: browser });
      return { answer, state, redirectUri: url.searchParams.get('redirect_uri'), cookie: consent.cookie };
    },
    /** PUT a shared integration (or workspace connector) and complete its consent. */
    async connectShared(type, scopes = ['read'], { workspace = false } = {}) {
      const path = workspace ? `external-auth/connectors/${type}` : `external-auth/integrations/${type}`;
      const put = await ctx.service('PUT', path, { json: { scopes } });
      expectStatus(put, 200);
      ok(put.body.already_authorized === false && typeof put.body.redirect_url === 'string', `PUT ${path}: ${put.text}`);
      const done = await ctx.callback(put.body.redirect_url);
      return { put: put.body, ...done };
    },
    /** An app user connects an app-user connector (initiate, then the callback). */
    async connectUser(connectorId, user, { returnUrl } = {}) {
      const jwt = await userJwt(user);
      const init = await send('POST', `app-user-auth/connectors/${connectorId}/initiate`, {
        auth: jwt, ...(returnUrl ? { json: { return_url: returnUrl } } : {}),
      });
      expectStatus(init, 200);
      ok(typeof init.body.redirect_url === 'string', `initiate: ${init.text}`);
      const done = await ctx.callback(init.body.redirect_url);
      return { jwt, init: init.body, ...done };
    },
    /** The sentinel canary over every answer so far. */
    canary() {
      const secrets = [...jwts];
      for (const a of answers) {
        const tokenRead = a.status === 200 && /\/(tokens\/|token$)/.test(a.path);
        const started = a.status === 303 && /\/start(\/|$)/.test(a.path);
        const consent = started || (a.status === 200 && (a.path.endsWith('/initiate') || a.method === 'PUT'));
        const shown = [a.text, ...[...a.headers].map(([k, v]) => `${k}: ${v}`)].join('\n');
        const where = `${a.method} ${a.path} -> ${a.status}`;
        // Every answer: no-store; every JSON error: { error: { code, message } } and the code header.
        ok((a.headers.get('cache-control') ?? '').includes('no-store'), `${where}: cache-control ${a.headers.get('cache-control')}`);
        if (a.status >= 400 && (a.headers.get('content-type') ?? '').startsWith('application/json')) {
          const code = a.body?.error?.code;
          ok(typeof code === 'string' && typeof a.body.error.message === 'string', `${where}: error body ${a.text.slice(0, 200)}`);
          ok(a.headers.get('x-base44-connector-error') === code, `${where}: x-base44-connector-error ${a.headers.get('x-base44-connector-error')} for ${code}`);
        } else if (a.status >= 400) {
          ok(/\/(callback|start)(\/|$)/.test(a.path) && (a.headers.get('content-type') ?? '').startsWith('text/html'), `${where}: an error that is neither JSON nor a callback page`);
        }
        if (!tokenRead) {
          const hit = shown.match(/SENTINEL_[A-Z]+(?:_[A-Z0-9]+)?/);
          ok(!hit, `${where} shows ${hit?.[0]}: ${shown.slice(0, 300)}`);
        } else {
          ok(!/SENTINEL_(RT|CS|CODE|KEY|JWTKEY|SVC)/.test(shown), `${where} shows a secret other than the access token`);
        }
        if (!consent) for (const s of states) ok(!shown.includes(s), `${where} shows a state value`);
        for (const j of secrets) ok(!shown.includes(j), `${where} shows a user JWT`);
      }
    },
  };
  return ctx;
}

export function expectStatus(answer, status) {
  ok(answer.status === status, `${answer.method} ${answer.path}: expected HTTP ${status}, got ${answer.status}: ${answer.text.slice(0, 300)}`);
  if (status < 300) {
    ok((answer.headers.get('content-type') ?? '').startsWith('application/json'), `${answer.method} ${answer.path}: content-type ${answer.headers.get('content-type')}`);
    ok(answer.headers.get('cache-control') === 'no-store', `${answer.method} ${answer.path}: cache-control ${answer.headers.get('cache-control')}`);
  }
  return answer.body;
}

/** An error answer: status, JSON `{error:{code,message}}`, the code header, no-store. */
export function expectError(answer, status, code) {
  const where = `${answer.method} ${answer.path}`;
  const codes = Array.isArray(code) ? code : [code];
  ok(answer.status === status, `${where}: expected HTTP ${status} ${codes.join('|')}, got ${answer.status}: ${answer.text.slice(0, 300)}`);
  ok((answer.headers.get('content-type') ?? '').startsWith('application/json'), `${where}: content-type ${answer.headers.get('content-type')}`);
  const error = answer.body?.error;
  ok(error && codes.includes(error.code), `${where}: expected code ${codes.join('|')}, got ${answer.text.slice(0, 300)}`);
  ok(typeof error.message === 'string' && error.message.length > 0, `${where}: a message`);
  ok(Object.keys(answer.body).join() === 'error', `${where}: only "error" in the body: ${answer.text}`);
  ok(answer.headers.get('x-base44-connector-error') === error.code, `${where}: x-base44-connector-error ${answer.headers.get('x-base44-connector-error')}`);
  ok(answer.headers.get('cache-control') === 'no-store', `${where}: cache-control ${answer.headers.get('cache-control')}`);
  return error;
}

function expectCallbackHeaders(answer) {
  ok(answer.headers.get('referrer-policy') === 'no-referrer', `callback: referrer-policy ${answer.headers.get('referrer-policy')}`);
  ok((answer.headers.get('cache-control') ?? '').includes('no-store'), `callback: cache-control ${answer.headers.get('cache-control')}`);
}

/** A callback answered with a 303 to the return URL; resolves its query. */
export function expectRedirect(answer, returnUrl) {
  ok(answer.status === 303, `callback: expected 303, got ${answer.status}: ${answer.text.slice(0, 300)}`);
  expectCallbackHeaders(answer);
  const location = answer.location;
  ok(typeof location === 'string' && location.startsWith(returnUrl.split('?')[0]), `Location ${location} is not the return URL ${returnUrl}`);
  const url = new URL(location);
  for (const p of ['code', 'state', 'iss']) ok(!url.searchParams.has(p) && !location.includes(`${p}=`), `Location carries ${p}=: ${location}`);
  for (const [k, v] of new URL(returnUrl).searchParams) ok(url.searchParams.get(k) === v, `the return URL's ${k} is kept: ${location}`);
  return url.searchParams;
}

function expectPage(answer, status, word) {
  ok(answer.status === status, `callback: expected an HTML page ${status}, got ${answer.status} (Location ${answer.location}): ${answer.text.slice(0, 300)}`);
  expectCallbackHeaders(answer);
  ok((answer.headers.get('content-type') ?? '').startsWith('text/html'), `callback page: content-type ${answer.headers.get('content-type')}`);
  ok(answer.location === null, `callback page with a Location: ${answer.location}`);
  if (word) ok(answer.text.includes(word), `callback page mentions ${word}: ${answer.text.slice(0, 300)}`);
}

/** A failed callback: a 303 with connect_error, or (when the state could not be opened) a 400 page. */
function expectCallbackFailure(answer, coarse, { redirect } = {}) {
  if (redirect || answer.status === 303) {
    const q = expectRedirect(answer, redirect ?? `${RETURN_ORIGIN}/`);
    ok(q.get('connect_error') === coarse, `connect_error=${coarse} expected: ${answer.location}`);
    ok(!q.has('status') || q.get('status') !== 'connected', `a failure says connected: ${answer.location}`);
  } else {
    expectPage(answer, 400, coarse);
  }
}

const scopesOf = (redirectUrl) => (new URL(redirectUrl).searchParams.get('scope') ?? '').split(' ').filter(Boolean).sort();
const threw = (fn) => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return null;
};

const check = (name, fn) => [name, async (api) => {
  const seen = [];
  await fn(api, (ctx) => (seen.push(ctx), ctx));
  for (const ctx of seen) ctx.canary();
}];

export const serverChecks = [
  check('server: bad options throw a coded ConnectorsError', async (api) => {
    const p = fakeProvider();
    const good = baseOptions(api, p);
    ok(typeof api.createConnectorsServer === 'function', 'createConnectorsServer is exported');
    ok(typeof api.createConnectorsServer(good).fetch === 'function', 'the good options make a server with fetch');
    const cases = [
      ['missing appId', { ...good, appId: undefined }, ['INVALID_INPUT', 'CONFIG_INVALID']],
      ['short secret', { ...good, secret: 'short' }, ['CONFIG_INVALID']],
      ['bad publicUrl', { ...good, publicUrl: 'not a url' }, ['CONFIG_INVALID']],
      ['misspelt option', { ...good, serviceToken: [SERVICE] }, ['INVALID_INPUT']],
      ['unknown provider type', { ...good, connectors: [{ type: 'githb', scopes: [] }] }, ['UNKNOWN_PROVIDER']],
      ['short users.secret', { ...good, users: { secret: 'short', issuer: ISS, audience: APP } }, ['CONFIG_INVALID']],
      ['not an object', 'secret', ['INVALID_INPUT']],
    ];
    for (const [what, options, codes] of cases) {
      if (options.appId === undefined) delete options.appId;
      const error = threw(() => api.createConnectorsServer(options));
      ok(error !== null, `${what}: nothing was thrown`);
      ok(error instanceof api.ConnectorsError, `${what}: not a ConnectorsError: ${error}`);
      ok(codes.includes(error.code), `${what}: expected ${codes.join('|')}, got ${error.code}: ${error.message}`);
      ok(!error.message.includes('SENTINEL'), `${what}: the message shows a secret`);
    }
    const typo = threw(() => api.createConnectorsServer({ ...good, serviceToken: [SERVICE] }));
    ok(/did you mean/i.test(typo.message) && typo.message.includes('serviceTokens'), `misspelt option: ${typo.message}`);
  }),

  check('server: a bodiless Request is answered through handleParts exactly as the wasm reads a Request', async (api, track) => {
    const ctx = track(setup(api));
    // Not a Request instance: the wasm reads it (method, url, headers, body).
    const duck = (request) => ({ method: request.method, url: request.url, headers: request.headers, body: null });
    const both = async (method, path, headers = {}) => {
      const url = /^https?:/.test(path) ? path : `${PUBLIC}/api/apps/${APP}/${path}`;
      const make = () => new Request(url, { method, headers: { authorization: `Bearer ${SERVICE}`, 'x-request-id': 'r\u00e9q-1', ...headers } });
      const fast = await ctx.server.fetch(make());
      const read = await ctx.server.fetch(duck(make()));
      return [fast, read].map(async (r) => ({ status: r.status, headers: [...r.headers], text: await r.text() }));
    };
    for (const [method, path, headers] of [
      ['GET', 'external-auth/list'],
      ['HEAD', 'external-auth/list'],
      ['GET', 'external-auth/tokens/fakeprov'],
      ['GET', 'external-auth/tokens/fake.prov-2_x'],
      ['GET', 'nope'],
      ['GET', `${PUBLIC}/api/apps/other-app/external-auth/list`],
      ['GET', 'external-auth/list', { authorization: 'Bearer wrong\u00ff' }],
      ['DELETE', 'external-auth/integrations/fakeprov/remove'],
    ]) {
      const [fast, read] = await Promise.all(await both(method, path, headers));
      ok(JSON.stringify(fast) === JSON.stringify(read), `${method} ${path}: ${JSON.stringify(fast)} vs ${JSON.stringify(read)}`);
    }
    // The start route (each ticket opens once): the same shape, a cookie
    // each (a browser's Response drops Set-Cookie: then neither has one).
    const put = async () => (await ctx.service('PUT', 'external-auth/integrations/fakeprov', { json: { scopes: ['read'] } })).body.redirect_url;
    const answers = [await ctx.server.fetch(new Request(await put())), await ctx.server.fetch(duck(new Request(await put())))];
    const cookies = answers.map((r) => r.headers.get('set-cookie'));
    for (const [i, r] of answers.entries()) {
      ok(r.status === 303 && (cookies[i] === null || /^__Host-oauth-connectors-bind-/.test(cookies[i])), `start: ${r.status} ${cookies[i]}`);
    }
    ok((cookies[0] === null) === (cookies[1] === null), `start: a cookie on one path only: ${cookies}`);
    ok(JSON.stringify([...answers[0].headers.keys()]) === JSON.stringify([...answers[1].headers.keys()]), 'start: the same headers');
  }),

  check('server: unknown paths, wrong appId, wrong methods, JSON errors with the code header', async (api, track) => {
    const ctx = track(setup(api));
    expectError(await ctx.service('GET', 'nope'), 404, 'NOT_FOUND');
    expectError(await ctx.service('GET', `${PUBLIC}/elsewhere`), 404, 'NOT_FOUND');
    expectError(await ctx.service('GET', `${PUBLIC}/api/apps/other-app/external-auth/list`), 404, 'NOT_FOUND');
    expectError(await ctx.service('GET', `${PUBLIC}/api/apps/other-app/external-auth/tokens/fakeprov`), 404, 'NOT_FOUND');
    expectError(await ctx.service('POST', 'external-auth/list'), 405, 'METHOD_NOT_ALLOWED');
    expectError(await ctx.service('GET', 'app-user-auth/connectors/mine/initiate'), 405, 'METHOD_NOT_ALLOWED');
    expectError(await ctx.service('POST', 'external-auth/tokens/fakeprov'), 405, 'METHOD_NOT_ALLOWED');
    expectError(await ctx.service('GET', 'connectors/fakeprov/call'), 405, 'METHOD_NOT_ALLOWED');
    // Known paths work for the control.
    expectStatus(await ctx.service('GET', 'external-auth/list'), 200);
    // Not JSON where JSON is read; a body over 1 MiB.
    expectError(await ctx.service('PUT', 'external-auth/integrations/fakeprov', { body: '{"scopes": [', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_INPUT');
    expectError(await ctx.service('PUT', 'external-auth/integrations/fakeprov', { json: { scopes: ['read'], pad: 'x'.repeat(1024 * 1024) } }), 413, 'BODY_TOO_LARGE');
    expectError(await ctx.service('POST', 'connectors/fakeprov/call', { body: 'x'.repeat(1024 * 1024 + 1), headers: { 'content-type': 'application/json' } }), 413, 'BODY_TOO_LARGE');
    ok(ctx.p.calls.length === 0, 'no provider call');
  }),

  check('server: identity: service tokens, user JWTs, on-behalf-of, FORBIDDEN and UNAUTHENTICATED', async (api, track) => {
    const ctx = track(setup(api));
    const alice = await userJwt('alice');
    const list = 'external-auth/list';
    expectError(await ctx.send('GET', list), 401, 'UNAUTHENTICATED');
    expectError(await ctx.send('GET', list, { headers: { authorization: `Basic ${btoa('a:b')}` } }), 401, 'UNAUTHENTICATED');
    expectError(await ctx.send('GET', list, { headers: { authorization: SERVICE } }), 401, 'UNAUTHENTICATED');
    expectError(await ctx.send('GET', list, { auth: 'svc-not-a-known-token' }), 401, 'UNAUTHENTICATED');
    expectError(await ctx.send('GET', list, { auth: `${SERVICE}x` }), 401, 'UNAUTHENTICATED');
    // The scheme is case-insensitive.
    expectStatus(await ctx.send('GET', list, { headers: { authorization: `bearer ${SERVICE}` } }), 200);
    expectStatus(await ctx.send('GET', list, { headers: { authorization: `BEARER ${SERVICE}` } }), 200);
    // A user JWT on service-role routes.
    for (const [method, path] of [
      ['GET', list], ['GET', 'external-auth/tokens/fakeprov'], ['GET', 'external-auth/tokens/connectors/team'],
      ['GET', 'app-user-auth/connectors/mine/token'], ['GET', 'app-user-auth/connectors/mine/users/alice/token'],
      ['GET', 'external-auth/available-integrations'], ['DELETE', 'external-auth/integrations/fakeprov/remove'],
    ]) {
      expectError(await ctx.send(method, path, { auth: alice }), 403, 'FORBIDDEN');
    }
    expectError(await ctx.send('PUT', 'external-auth/integrations/fakeprov', { auth: alice, json: { scopes: ['read'] } }), 403, 'FORBIDDEN');
    expectError(await ctx.send('POST', 'connectors/fakeprov/call', { auth: alice, json: { path: '/json' } }), 403, 'FORBIDDEN');
    // A user route with no user.
    expectError(await ctx.send('POST', 'app-user-auth/connectors/mine/initiate'), 401, 'UNAUTHENTICATED');
    expectError(await ctx.send('DELETE', 'app-user-auth/connectors/mine'), 401, 'UNAUTHENTICATED');
    // The current-user token route needs on-behalf-of.
    expectError(await ctx.service('GET', 'app-user-auth/connectors/mine/token'), 401, 'UNAUTHENTICATED');
    expectError(await ctx.service('GET', 'app-user-auth/connectors/mine/token', { onBehalfOf: 'not-a-jwt' }), 401, ['UNAUTHENTICATED', 'JWT_INVALID']);
    ok(ctx.p.calls.length === 0, 'no provider call');
  }),

  check('server: users.verifyUser decides who the user is; a throw or no string id is UNAUTHENTICATED', async (api, track) => {
    const ctx = track(setup(api, {
      users: {
        verifyUser: async (token) => {
          if (token === 'opaque-alice') return { id: 'alice', email: 'alice@app.example' };
          if (token === 'numeric') return { id: 42 };
          if (token === 'sync-throw') throw new Error('SENTINEL_VERIFY bad token');
          throw new Error('nope');
        },
      },
    }));
    const initiate = 'app-user-auth/connectors/mine/initiate';
    expectStatus(await ctx.send('POST', initiate, { auth: 'opaque-alice' }), 200);
    expectError(await ctx.send('POST', initiate, { auth: 'numeric' }), 401, 'UNAUTHENTICATED');
    expectError(await ctx.send('POST', initiate, { auth: 'sync-throw' }), 401, 'UNAUTHENTICATED');
    expectError(await ctx.send('POST', initiate, { auth: 'other' }), 401, 'UNAUTHENTICATED');
    expectError(await ctx.send('POST', initiate), 401, 'UNAUTHENTICATED');
  }),

  check('server: HS256 user JWTs: algorithm pinned, claims, leeway, size', async (api, track) => {
    const ctx = track(setup(api));
    const now = Math.floor(Date.now() / 1000);
    const initiate = (jwt) => ctx.send('POST', 'app-user-auth/connectors/mine/initiate', { auth: jwt });
    expectStatus(await initiate(await userJwt('alice')), 200);
    const rejected = [
      ['alg none, unsigned', await userJwt('alice', { header: { alg: 'none' }, signature: '' }), 'JWT_ALG_NOT_ALLOWED'],
      ['alg None, unsigned', await userJwt('alice', { header: { alg: 'None' }, signature: '' }), 'JWT_ALG_NOT_ALLOWED'],
      ['alg NONE, unsigned', await userJwt('alice', { header: { alg: 'NONE' }, signature: '' }), 'JWT_ALG_NOT_ALLOWED'],
      ['alg none, HMAC-signed', await userJwt('alice', { header: { alg: 'none' } }), 'JWT_ALG_NOT_ALLOWED'],
      ['alg RS256 (signed with the HMAC secret)', await userJwt('alice', { header: { alg: 'RS256' } }), 'JWT_ALG_NOT_ALLOWED'],
      ['alg HS512', await userJwt('alice', { header: { alg: 'HS512' } }), 'JWT_ALG_NOT_ALLOWED'],
      ['exp now-61s', await userJwt('alice', { claims: { exp: now - 61 } }), 'JWT_EXPIRED'],
      ['exp now-3600s', await userJwt('alice', { claims: { exp: now - 3600 } }), 'JWT_EXPIRED'],
      ['no exp', await userJwt('alice', { claims: { exp: undefined } }), 'JWT_INVALID'],
      ['nbf now+120s', await userJwt('alice', { claims: { nbf: now + 120 } }), 'JWT_INVALID'],
      ['wrong aud', await userJwt('alice', { claims: { aud: 'other' } }), 'JWT_INVALID'],
      ['aud array without ours', await userJwt('alice', { claims: { aud: ['other', 'another'] } }), 'JWT_INVALID'],
      ['no aud', await userJwt('alice', { claims: { aud: undefined } }), 'JWT_INVALID'],
      ['iss with a trailing slash', await userJwt('alice', { claims: { iss: `${ISS}/` } }), 'JWT_INVALID'],
      ['no iss', await userJwt('alice', { claims: { iss: undefined } }), 'JWT_INVALID'],
      ['empty sub', await userJwt('', {}), 'JWT_INVALID'],
      ['no sub', await userJwt('alice', { claims: { sub: undefined } }), 'JWT_INVALID'],
      ['sub a number', await userJwt('alice', { claims: { sub: 42 } }), 'JWT_INVALID'],
      ['exp a string', await userJwt('alice', { claims: { exp: String(now + 600) } }), 'JWT_INVALID'],
      ['payload not JSON', `${b64json({ alg: 'HS256', typ: 'JWT' })}.${b64url(te.encode('not json'))}.x`, 'JWT_INVALID'],
      ['crit header', await userJwt('alice', { header: { crit: ['exp'] } }), 'JWT_INVALID'],
      ['wrong secret', await userJwt('alice', { secret: 'another-secret-0123456789abcdef0123456789' }), 'JWT_INVALID'],
      ['no signature', await userJwt('alice', { signature: '' }), 'JWT_INVALID'],
      ['two parts', (await userJwt('alice')).split('.').slice(0, 2).join('.'), 'JWT_INVALID'],
    ];
    // A flipped payload byte (the signature is the original's).
    const good = await userJwt('alice');
    const [h, payload, sig] = good.split('.');
    const i = Math.floor(payload.length / 2);
    const flipped = payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1);
    rejected.push(['a flipped payload byte', `${h}.${flipped}.${sig}`, 'JWT_INVALID']);
    // The payload of another user, with alice's signature.
    rejected.push(['a swapped payload', `${h}.${(await userJwt('mallory')).split('.')[1]}.${sig}`, 'JWT_INVALID']);
    // 100 KB.
    const big = await userJwt('alice', { claims: { pad: 'x'.repeat(100 * 1024) } });
    rejected.push(['100 KB token', big, 'JWT_TOO_LARGE']);
    for (const [what, jwt, code] of rejected) {
      const answer = await initiate(jwt);
      ok(answer.status === 401, `${what}: expected 401 ${code}, got ${answer.status} ${answer.text.slice(0, 200)}`);
      expectError(answer, 401, code);
    }
    // Accepted: exp within the 60 s leeway, aud as an array containing ours, nbf in the past.
    for (const [what, jwt] of [
      ['exp now-30s', await userJwt('alice', { claims: { exp: now - 30 } })],
      ['aud array', await userJwt('alice', { claims: { aud: ['other', APP] } })],
      ['nbf in the past', await userJwt('alice', { claims: { nbf: now - 10 } })],
    ]) {
      const answer = await initiate(jwt);
      ok(answer.status === 200, `${what}: expected 200, got ${answer.status} ${answer.text.slice(0, 200)}`);
    }
    // The same rules through on-behalf-of.
    expectError(await ctx.service('GET', 'app-user-auth/connectors/mine/token', { onBehalfOf: await userJwt('alice', { claims: { exp: now - 61 } }) }), 401, 'JWT_EXPIRED');
    expectError(await ctx.service('GET', 'app-user-auth/connectors/mine/token', { onBehalfOf: await userJwt('alice', { header: { alg: 'none' }, signature: '' }) }), 401, 'JWT_ALG_NOT_ALLOWED');
    ok(ctx.p.calls.length === 0, 'no provider call');
  }),

  check('server: initiate: consent URL with PKCE; return URL from the body or X-Origin-URL; 303 back with connector/status', async (api, track) => {
    const ctx = track(setup(api));
    const alice = await userJwt('alice');
    const init = expectStatus(await ctx.send('POST', 'app-user-auth/connectors/mine/initiate', {
      auth: alice, json: { return_url: `${RETURN_ORIGIN}/settings?tab=connections` },
    }), 200);
    ok(init.redirect_url.startsWith(`${PUBLIC}/api/apps/${APP}/app-user-auth/connectors/mine/start?ticket=`), `start URL ${init.redirect_url}`);
    const url = new URL((await ctx.consent(init.redirect_url)).url);
    ok(url.origin === 'https://provider.test' && url.pathname === '/authorize', `consent URL ${url.origin}${url.pathname}`);
    const q = url.searchParams;
    const callbackUri = `${PUBLIC}/api/apps/${APP}/app-user-auth/connectors/mine/callback`;
    ok(q.get('client_id') === 'CID_MINE', `client_id ${q.get('client_id')}`);
    ok(q.get('redirect_uri') === callbackUri, `redirect_uri ${q.get('redirect_uri')}`);
    ok(q.get('response_type') === 'code', 'response_type');
    ok(q.get('code_challenge_method') === 'S256' && /^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') ?? ''), 'PKCE S256');
    ok(scopesOf(url.href).join() === 'read,write', `scopes ${q.get('scope')}`);
    ok(!init.redirect_url.includes('SENTINEL') && !url.href.includes('SENTINEL'), 'no secret in the consent URL');

    const { answer } = await ctx.callback(init.redirect_url);
    const back = expectRedirect(answer, `${RETURN_ORIGIN}/settings?tab=connections`);
    ok(back.get('connector') === 'mine' && back.get('status') === 'connected', `Location ${answer.location}`);
    const exchange = ctx.p.tokenCalls('authorization_code');
    ok(exchange.length === 1, `one code exchange, got ${exchange.length}`);
    const form = new URLSearchParams(exchange[0].body);
    ok(form.get('redirect_uri') === callbackUri, 'the same redirect_uri in the token request');
    ok(/^[A-Za-z0-9_-]{43,128}$/.test(form.get('code_verifier') ?? ''), 'a code_verifier');
    ok(form.get('client_id') === 'CID_MINE' && form.get('client_secret') === 'SENTINEL_CS_MINE', 'client_auth body');

    // X-Origin-URL when there is no body.
    const bob = await userJwt('bob');
    const viaHeader = expectStatus(await ctx.send('POST', 'app-user-auth/connectors/mine/initiate', {
      auth: bob, headers: { 'x-origin-url': `${RETURN_ORIGIN}/from-header` },
    }), 200);
    const second = await ctx.callback(viaHeader.redirect_url);
    const back2 = expectRedirect(second.answer, `${RETURN_ORIGIN}/from-header`);
    ok(back2.get('connector') === 'mine' && back2.get('status') === 'connected', `Location ${second.answer.location}`);
    // The body wins over the header.
    const both = expectStatus(await ctx.send('POST', 'app-user-auth/connectors/other/initiate', {
      auth: bob, headers: { 'x-origin-url': `${RETURN_ORIGIN}/header` }, json: { return_url: `${RETURN_ORIGIN}/body` },
    }), 200);
    expectRedirect((await ctx.callback(both.redirect_url)).answer, `${RETURN_ORIGIN}/body`);
    // A return URL with a fragment: connector/status go in the query, before the fragment.
    const frag = expectStatus(await ctx.send('POST', 'app-user-auth/connectors/other/initiate', { auth: alice, json: { return_url: `${RETURN_ORIGIN}/spa#/settings` } }), 200);
    const fragAnswer = (await ctx.callback(frag.redirect_url)).answer;
    ok(fragAnswer.status === 303, `fragment return URL: ${fragAnswer.status}`);
    const fragUrl = new URL(fragAnswer.location);
    ok(fragUrl.pathname === '/spa' && fragUrl.searchParams.get('connector') === 'other' && fragUrl.searchParams.get('status') === 'connected', `fragment return URL: Location ${fragAnswer.location}`);
    // An empty JSON body is fine (the return URL is optional).
    expectStatus(await ctx.send('POST', 'app-user-auth/connectors/mine/initiate', { auth: alice, json: {} }), 200);
    // Unknown connector, bad body.
    expectError(await ctx.send('POST', 'app-user-auth/connectors/nope/initiate', { auth: alice }), 404, 'UNKNOWN_CONNECTOR');
    expectError(await ctx.send('POST', 'app-user-auth/connectors/mine/initiate', { auth: alice, body: 'not json', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_INPUT');
  }),

  check('server: the browser binding: the start route opens once, from the app\'s page only; the callback wants its cookie', async (api, track) => {
    const ctx = track(setup(api));
    const ret = `${RETURN_ORIGIN}/back`;
    const initiate = async (user) => expectStatus(await ctx.send('POST', 'app-user-auth/connectors/mine/initiate', { auth: await userJwt(user), json: { return_url: ret } }), 200);
    const alice = await initiate('alice');
    ok(alice.redirect_url.startsWith(`${PUBLIC}/api/apps/${APP}/app-user-auth/connectors/mine/start?ticket=`), `start URL ${alice.redirect_url}`);
    // Opened from elsewhere (a link mailed or posted on another site): refused, not burnt.
    for (const referer of ['https://evil.example/', 'https://app.example.evil.com/x']) {
      const r = await ctx.send('GET', alice.redirect_url, { headers: { referer } });
      expectCallbackFailure(r, 'invalid_state', { redirect: ret });
      ok(r.headers.get('set-cookie') === null, `a refused start sets a cookie: ${r.headers.get('set-cookie')}`);
    }
    const consent = await ctx.consent(alice.redirect_url);
    // Once only.
    const again = await ctx.send('GET', alice.redirect_url, { headers: { referer: APP_PAGE } });
    expectCallbackFailure(again, 'invalid_state', { redirect: ret });
    // Another browser (no cookie, or another consent's): refused before any token request.
    const bob = await ctx.consent((await initiate('bob')).redirect_url);
    const before = ctx.p.tokenCalls().length;
    const renamed = `${consent.cookie.split('=')[0]}=${bob.cookie.split('=')[1]}`;
    for (const cookie of ['theme=dark', bob.cookie, renamed]) {
      const { answer } = await ctx.callback(alice.redirect_url, { headers: { cookie } });
      expectCallbackFailure(answer, 'invalid_state');
    }
    ok(ctx.p.tokenCalls().length === before, 'a callback from another browser made a token request');
    const { answer } = await ctx.callback(alice.redirect_url);
    ok(expectRedirect(answer, ret).get('status') === 'connected', `Location ${answer.location}`);
    ok((answer.headers.get('set-cookie') ?? '').startsWith(`${consent.cookie.split('=')[0]}=; Max-Age=0`), `the cookie is cleared: ${answer.headers.get('set-cookie')}`);
    // The builder's consent goes through its start route too (no page needed).
    const put = expectStatus(await ctx.service('PUT', 'external-auth/integrations/fakeprov', { json: { scopes: ['read'] } }), 200);
    ok(put.redirect_url.startsWith(`${PUBLIC}/api/apps/${APP}/external-auth/start/fakeprov?ticket=`), `builder start URL ${put.redirect_url}`);
    const builder = await ctx.send('GET', put.redirect_url);
    ok(builder.status === 303 && builder.location.startsWith('https://provider.test/authorize?'), `builder start: ${builder.status} ${builder.location}`);
  }),

  check('server: the callback Location never carries code=, state= or iss=, even when the return URL has them', async (api, track) => {
    const ctx = track(setup(api));
    const alice = await userJwt('alice');
    // The app's own parameters stay; ones that could pass for the provider's are dropped.
    const carrying = await ctx.send('POST', 'app-user-auth/connectors/other/initiate', { auth: alice, json: { return_url: `${RETURN_ORIGIN}/back?code=mine&state=mine&iss=mine&keep=1` } });
    expectStatus(carrying, 200);
    const back = (await ctx.callback(carrying.body.redirect_url)).answer;
    ok(back.status === 303, `return URL with code/state: ${back.status}`);
    ok(!/[?&](code|state|iss)=/.test(back.location), `the Location carries code=/state=/iss=: ${back.location}`);
    ok(new URL(back.location).searchParams.get('keep') === '1', `the app's own parameter is kept: ${back.location}`);
  }),

  check('server: initiate refuses return URLs outside allowedReturnUrls, including the S5 bypasses', async (api, track) => {
    const ctx = track(setup(api));
    const alice = await userJwt('alice');
    const bad = [
      'https://evil.example/cb', 'http://app.example/cb', 'https://app.example:8443/cb',
      '//evil.com', '/\\evil.com', '/\t/evil.com', 'https://app.example.evil.com', 'https://app.example@evil.com',
      'javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'https://evil.com/https://app.example',
    ];
    for (const returnUrl of bad) {
      const answer = await ctx.send('POST', 'app-user-auth/connectors/mine/initiate', { auth: alice, json: { return_url: returnUrl } });
      ok(answer.status === 400, `return_url ${JSON.stringify(returnUrl)}: expected 400, got ${answer.status} ${answer.text.slice(0, 200)}`);
      expectError(answer, 400, 'RETURN_URL_NOT_ALLOWED');
    }
    for (const returnUrl of ['//evil.com', 'https://app.example.evil.com', 'https://app.example@evil.com', 'javascript:alert(1)']) {
      const answer = await ctx.send('POST', 'app-user-auth/connectors/mine/initiate', { auth: alice, headers: { 'x-origin-url': returnUrl } });
      ok(answer.status === 400, `X-Origin-URL ${returnUrl}: expected 400, got ${answer.status}`);
      expectError(answer, 400, 'RETURN_URL_NOT_ALLOWED');
    }
    expectError(await ctx.send('POST', 'app-user-auth/connectors/mine/initiate', { auth: alice, json: { return_url: 42 } }), 400, ['INVALID_INPUT', 'RETURN_URL_NOT_ALLOWED']);
  }),

  check('server: callback: replay, tampered state, another connector\'s state, access_denied, strict query, no return URL', async (api, track) => {
    const ctx = track(setup(api));
    const ret = `${RETURN_ORIGIN}/back`;
    // No return URL: an HTML page.
    const plain = await ctx.connectUser('mine', 'alice');
    expectPage(plain.answer, 200);
    ok(/connected/i.test(plain.answer.text), `the page says connected: ${plain.answer.text.slice(0, 200)}`);

    // Replay of a used state, with a return URL.
    const first = await ctx.connectUser('mine', 'bob', { returnUrl: ret });
    expectRedirect(first.answer, ret);
    const exchanges = ctx.p.tokenCalls().length;
    const replay = await ctx.send('GET', `${first.redirectUri}?${new URLSearchParams({ code: ctx.p.code('read write'), state: first.state })}`, { headers: { cookie: first.cookie } });
    expectCallbackFailure(replay, 'invalid_state', { redirect: ret });
    ok(ctx.p.tokenCalls().length === exchanges, 'a replay makes no token request');

    // A tampered state.
    const alice = await userJwt('alice');
    const fresh = expectStatus(await ctx.send('POST', 'app-user-auth/connectors/mine/initiate', { auth: alice, json: { return_url: ret } }), 200);
    const state = new URL((await ctx.consent(fresh.redirect_url)).url).searchParams.get('state');
    const j = Math.floor(state.length / 2);
    const tampered = state.slice(0, j) + (state[j] === 'A' ? 'B' : 'A') + state.slice(j + 1);
    const t = await ctx.callback(fresh.redirect_url, { stateOverride: tampered });
    expectCallbackFailure(t.answer, 'invalid_state');
    for (const s of ['', 'x', 'a'.repeat(10 * 1024), `${state}%00`]) {
      const r = await ctx.send('GET', `${t.redirectUri}?code=c&state=${s}`);
      expectCallbackFailure(r, 'invalid_state');
    }
    // A state made for connector A, sent to connector B's callback (and to other kinds of callback).
    const otherCallbacks = [
      `${PUBLIC}/api/apps/${APP}/app-user-auth/connectors/other/callback`,
      `${PUBLIC}/api/apps/${APP}/external-auth/connectors/team/callback`,
      `${PUBLIC}/api/apps/${APP}/external-auth/callback/fakeprov`,
    ];
    for (const to of otherCallbacks) {
      const before = ctx.p.tokenCalls().length;
      const crossed = await ctx.callback(fresh.redirect_url, { to });
      expectCallbackFailure(crossed.answer, 'invalid_state');
      ok(ctx.p.tokenCalls().length === before, `a state for "mine" at ${to} makes no token request`);
    }
    // Strict query: repeated parameters, code with error.
    for (const query of [`code=a&code=b&state=${state}`, `code=a&state=${state}&state=${state}`, `code=a&error=access_denied&state=${state}`, 'code=a']) {
      const before = ctx.p.tokenCalls().length;
      expectCallbackFailure(await ctx.send('GET', `${t.redirectUri}?${query}`), 'invalid_state');
      ok(ctx.p.tokenCalls().length === before, `?${query} makes no token request`);
    }
    // 10 concurrent callbacks with one state: exactly one token request, one success.
    const raced = expectStatus(await ctx.send('POST', 'app-user-auth/connectors/other/initiate', { auth: alice, json: { return_url: ret } }), 200);
    const racedConsent = await ctx.consent(raced.redirect_url);
    const racedUrl = new URL(racedConsent.url);
    ctx.states.add(racedUrl.searchParams.get('state'));
    const beforeRace = ctx.p.tokenCalls().length;
    const racing = await Promise.all(Array.from({ length: 10 }, () => ctx.send('GET',
      `${racedUrl.searchParams.get('redirect_uri')}?${new URLSearchParams({ code: ctx.p.code('read'), state: racedUrl.searchParams.get('state') })}`,
      { headers: { cookie: racedConsent.cookie } })));
    const wins = racing.filter((a) => a.status === 303 && new URL(a.location).searchParams.get('status') === 'connected');
    ok(wins.length === 1, `10 concurrent callbacks with one state: ${wins.length} connected`);
    for (const a of racing) if (a !== wins[0]) expectCallbackFailure(a, 'invalid_state', { redirect: ret });
    ok(ctx.p.tokenCalls().length === beforeRace + 1, `10 concurrent callbacks: ${ctx.p.tokenCalls().length - beforeRace} token requests`);
    // The provider's error=access_denied, then the state is burnt.
    const denied = expectStatus(await ctx.send('POST', 'app-user-auth/connectors/mine/initiate', { auth: alice, json: { return_url: ret } }), 200);
    const before = ctx.p.tokenCalls().length;
    const d = await ctx.callback(denied.redirect_url, { code: null, extra: { error: 'access_denied', error_description: '<script>alert(1)</script>' } });
    expectCallbackFailure(d.answer, 'access_denied', { redirect: ret });
    ok(!d.answer.location.includes('script'), 'error_description is not copied');
    ok(ctx.p.tokenCalls().length === before, 'no token request after a denial');
    const afterDenial = await ctx.callback(denied.redirect_url);
    expectCallbackFailure(afterDenial.answer, 'invalid_state', { redirect: ret });
    ok(ctx.p.tokenCalls().length === before, 'no token request with a state burnt by a denial');
  }),

  check('server: callback: provider failures map to provider_error / try_again; the issuer is checked (RFC 9207)', async (api, track) => {
    const ctx = track(setup(api));
    const ret = `${RETURN_ORIGIN}/back`;
    const alice = await userJwt('alice');
    const initiate = async (id = 'mine') => expectStatus(await ctx.send('POST', `app-user-auth/connectors/${id}/initiate`, { auth: alice, json: { return_url: ret } }), 200);
    // The token endpoint refuses the code.
    ctx.p.next.token.push(() => json({ error: 'invalid_grant', error_description: 'SENTINEL_CODE_x is bad' }, 400));
    expectCallbackFailure((await ctx.callback((await initiate()).redirect_url)).answer, 'provider_error', { redirect: ret });
    // The token endpoint cannot be reached (retried, then try_again).
    for (let i = 0; i < 5; i++) ctx.p.next.token.push(() => { throw connectError('token'); });
    expectCallbackFailure((await ctx.callback((await initiate()).redirect_url)).answer, 'try_again', { redirect: ret });
    ctx.p.next.token.length = 0;
    expectError(await ctx.service('GET', 'app-user-auth/connectors/mine/token', { onBehalfOf: alice }), 404, 'NOT_CONNECTED');
    // iss: a trailing slash, another issuer, missing -> invalid_state and no token request; the exact issuer -> connected.
    for (const extra of [{ iss: 'https://provider.test/' }, { iss: 'https://evil.test' }, {}]) {
      const before = ctx.p.tokenCalls().length;
      expectCallbackFailure((await ctx.callback((await initiate('issy')).redirect_url, { extra })).answer, 'invalid_state', { redirect: ret });
      ok(ctx.p.tokenCalls().length === before, `iss ${extra.iss}: no token request`);
    }
    const deniedWrongIss = await ctx.callback((await initiate('issy')).redirect_url, { code: null, extra: { error: 'access_denied', iss: 'https://evil.test' } });
    expectCallbackFailure(deniedWrongIss.answer, 'invalid_state', { redirect: ret });
    const good = await ctx.callback((await initiate('issy')).redirect_url, { extra: { iss: 'https://provider.test' } });
    ok(expectRedirect(good.answer, ret).get('status') === 'connected', `Location ${good.answer.location}`);
  }),

  check('server: app-user token reads: on-behalf-of, the named-user route, isolation between users, disconnect', async (api, track) => {
    const events = [];
    const ctx = track(setup(api, { onEvent: (e) => events.push(e) }));
    const a = await ctx.connectUser('mine', 'alice');
    const b = await ctx.connectUser('mine', 'bob');
    const [atA, atB] = ctx.p.issued.map((t) => t.access_token);
    const read = (jwt, extra = {}) => ctx.service('GET', 'app-user-auth/connectors/mine/token', { onBehalfOf: jwt, ...extra });
    const mineA = expectStatus(await read(a.jwt), 200);
    ok(mineA.access_token === atA, `alice's token: ${mineA.access_token}`);
    ok('connection_config' in mineA && (mineA.connection_config === null || typeof mineA.connection_config === 'object'), `connection_config: ${JSON.stringify(mineA)}`);
    ok(expectStatus(await read(b.jwt), 200).access_token === atB, "bob's token");
    // X-User-Id changes nothing: the user comes from the verified token only.
    ok(expectStatus(await read(a.jwt, { headers: { 'x-user-id': 'bob' } }), 200).access_token === atA, 'X-User-Id: bob with alice\'s JWT');
    const carol = await userJwt('carol');
    expectError(await read(carol, { headers: { 'x-user-id': 'alice' } }), 404, 'NOT_CONNECTED');
    // The named-user route (background jobs): service only.
    ok(expectStatus(await ctx.service('GET', 'app-user-auth/connectors/mine/users/alice/token'), 200).access_token === atA, 'named alice');
    ok(expectStatus(await ctx.service('GET', 'app-user-auth/connectors/mine/users/bob/token'), 200).access_token === atB, 'named bob');
    expectError(await ctx.service('GET', 'app-user-auth/connectors/mine/users/carol/token'), 404, 'NOT_CONNECTED');
    expectError(await ctx.send('GET', 'app-user-auth/connectors/mine/users/bob/token', { auth: a.jwt }), 403, 'FORBIDDEN');
    expectError(await ctx.send('GET', 'app-user-auth/connectors/mine/users/bob/token', { auth: a.jwt, onBehalfOf: a.jwt }), 403, 'FORBIDDEN');
    // Another connector of the same user, and unknown connectors.
    expectError(await ctx.service('GET', 'app-user-auth/connectors/other/token', { onBehalfOf: a.jwt }), 404, 'NOT_CONNECTED');
    expectError(await ctx.service('GET', 'app-user-auth/connectors/nope/token', { onBehalfOf: a.jwt }), 404, 'UNKNOWN_CONNECTOR');
    expectError(await ctx.service('GET', 'app-user-auth/connectors/nope/users/alice/token'), 404, 'UNKNOWN_CONNECTOR');
    // Disconnect: alice's goes (revoked at the provider), bob's stays.
    const revokesBefore = ctx.p.revokeCalls().length;
    const gone = expectStatus(await ctx.send('DELETE', 'app-user-auth/connectors/mine', { auth: a.jwt }), 200);
    ok(gone.status === 'disconnected' && gone.revocation === 'revoked', `disconnect: ${JSON.stringify(gone)}`);
    const revokes = ctx.p.revokeCalls().slice(revokesBefore).map((c) => new URLSearchParams(c.body).get('token'));
    ok(revokes.includes('SENTINEL_RT_' + atA.split('_').pop()), `the refresh token is revoked: ${revokes}`);
    expectError(await read(a.jwt), 404, 'NOT_CONNECTED');
    expectError(await ctx.service('GET', 'app-user-auth/connectors/mine/users/alice/token'), 404, 'NOT_CONNECTED');
    ok(expectStatus(await read(b.jwt), 200).access_token === atB, "bob's connection is intact");
    // Disconnecting again: nothing left.
    const again = expectStatus(await ctx.send('DELETE', 'app-user-auth/connectors/mine', { auth: a.jwt }), 200);
    ok(again.status === 'disconnected' && again.revocation === 'none', `second disconnect: ${JSON.stringify(again)}`);
    expectError(await ctx.send('DELETE', 'app-user-auth/connectors/nope', { auth: a.jwt }), 404, 'UNKNOWN_CONNECTOR');
    // The provider failing the revocation: still disconnected here, revocation "failed".
    for (let i = 0; i < 10; i++) ctx.p.next.revoke.push(() => json({ error: 'invalid_request' }, 400));
    const failing = expectStatus(await ctx.send('DELETE', 'app-user-auth/connectors/mine', { auth: b.jwt }), 200);
    ok(failing.status === 'disconnected' && failing.revocation === 'failed', `disconnect with a failing revocation: ${JSON.stringify(failing)}`);
    ctx.p.next.revoke.length = 0;
    expectError(await read(b.jwt), 404, 'NOT_CONNECTED');
    // No revocation endpoint: "unsupported".
    const n = await ctx.connectUser('norev', 'alice');
    const revokesNow = ctx.p.revokeCalls().length;
    const unsupported = expectStatus(await ctx.send('DELETE', 'app-user-auth/connectors/norev', { auth: n.jwt }), 200);
    ok(unsupported.status === 'disconnected' && unsupported.revocation === 'unsupported', `no revocation endpoint: ${JSON.stringify(unsupported)}`);
    ok(ctx.p.revokeCalls().length === revokesNow, 'no revocation call');
    expectError(await ctx.service('GET', 'app-user-auth/connectors/norev/token', { onBehalfOf: n.jwt }), 404, 'NOT_CONNECTED');
    // Lifecycle events, without tokens.
    const types = events.map((e) => e.type);
    ok(types.filter((t) => t === 'connection.created').length === 3 && types.includes('connection.disconnected'), `events ${types}`);
    ok(!JSON.stringify(events).includes('SENTINEL'), 'no token in events');
  }),

  check('server: shared connector: PUT, status poll, callback page, token read, list, already_authorized, union of scopes, remove', async (api, track) => {
    const ctx = track(setup(api));
    const tokens = 'external-auth/tokens/fakeprov';
    expectError(await ctx.service('GET', tokens), 404, 'NOT_CONNECTED');
    ok(expectStatus(await ctx.service('GET', 'external-auth/list'), 200).integrations.length === 0, 'nothing connected');
    const put = expectStatus(await ctx.service('PUT', 'external-auth/integrations/fakeprov', { json: { scopes: ['read'] } }), 200);
    ok(put.already_authorized === false && typeof put.redirect_url === 'string' && typeof put.connection_id === 'string' && put.connection_id.length > 0, `PUT: ${JSON.stringify(put)}`);
    for (const k of ['error', 'error_message', 'other_user_email']) ok(k in put && put[k] === null, `PUT ${k}: ${JSON.stringify(put)}`);
    const consent = new URL((await ctx.consent(put.redirect_url)).url);
    ok(consent.searchParams.get('client_id') === 'CID_SHARED', 'the shared credentials');
    ok(consent.searchParams.get('redirect_uri') === `${PUBLIC}/api/apps/${APP}/external-auth/callback/fakeprov`, `redirect_uri ${consent.searchParams.get('redirect_uri')}`);
    ok(scopesOf(consent.href).join() === 'read', `scopes ${consent.searchParams.get('scope')}`);
    const status = (id) => ctx.service('GET', `external-auth/status?${new URLSearchParams({ integration_type: 'fakeprov', connection_id: id })}`);
    ok(expectStatus(await status(put.connection_id), 200).status === 'PENDING', 'PENDING before the callback');
    ok(expectStatus(await status('no-such-connection'), 200).status === 'FAILED', 'an unknown id is FAILED');
    const { answer } = await ctx.callback(put.redirect_url);
    expectPage(answer, 200);
    ok(expectStatus(await status(put.connection_id), 200).status === 'ACTIVE', 'ACTIVE after the callback');
    const at = ctx.p.issued[0].access_token;
    const token = expectStatus(await ctx.service('GET', tokens), 200);
    ok(token.access_token === at && token.integration_type === 'fakeprov' && token.connection_config === null, `token read: ${JSON.stringify(token)}`);
    // Path segments are percent-decoded.
    ok(expectStatus(await ctx.service('GET', 'external-auth/tokens/%66akeprov'), 200).access_token === at, 'percent-decoded type');
    const list = expectStatus(await ctx.service('GET', 'external-auth/list'), 200).integrations;
    ok(list.length === 1 && list[0].integration_type === 'fakeprov' && list[0].status === 'active' && list[0].scopes.join() === 'read', `list: ${JSON.stringify(list)}`);
    // Same scopes: already authorized.
    const again = expectStatus(await ctx.service('PUT', 'external-auth/integrations/fakeprov', { json: { scopes: ['read'] } }), 200);
    ok(again.already_authorized === true && again.redirect_url === null && again.connection_id === null, `PUT again: ${JSON.stringify(again)}`);
    // More scopes: a consent URL for the union.
    const more = expectStatus(await ctx.service('PUT', 'external-auth/integrations/fakeprov', { json: { scopes: ['write'] } }), 200);
    ok(more.already_authorized === false && typeof more.redirect_url === 'string' && typeof more.connection_id === 'string', `PUT write: ${JSON.stringify(more)}`);
    const moreUrl = (await ctx.consent(more.redirect_url)).url;
    ok(scopesOf(moreUrl).join() === 'read,write', `union of scopes: ${new URL(moreUrl).searchParams.get('scope')}`);
    // Bad input and unconfigured types.
    expectError(await ctx.service('PUT', 'external-auth/integrations/fakeprov', { json: { scopes: ['a b'] } }), 400, ['INVALID_SCOPE', 'INVALID_INPUT']);
    expectError(await ctx.service('PUT', 'external-auth/integrations/fakeprov', { json: { scopes: 'read' } }), 400, 'INVALID_INPUT');
    expectError(await ctx.service('PUT', 'external-auth/integrations/github', { json: { scopes: ['repo'] } }), 404, 'UNKNOWN_CONNECTOR');
    expectError(await ctx.service('GET', 'external-auth/tokens/github'), 404, 'UNKNOWN_CONNECTOR');
    // Remove: revoked, gone.
    const revokesBefore = ctx.p.revokeCalls().length;
    const removed = expectStatus(await ctx.service('DELETE', 'external-auth/integrations/fakeprov/remove'), 200);
    ok(removed.status === 'removed' && removed.integration_type === 'fakeprov', `remove: ${JSON.stringify(removed)}`);
    ok(ctx.p.revokeCalls().length > revokesBefore, 'revoked at the provider');
    expectError(await ctx.service('GET', tokens), 404, 'NOT_CONNECTED');
    ok(expectStatus(await ctx.service('GET', 'external-auth/list'), 200).integrations.length === 0, 'removed from the list');
  }),

  check('server: status poll: a failed callback turns the connection_id FAILED', async (api, track) => {
    const ctx = track(setup(api));
    const put = expectStatus(await ctx.service('PUT', 'external-auth/integrations/fakeprov', { json: { scopes: ['read'] } }), 200);
    const d = await ctx.callback(put.redirect_url, { code: null, extra: { error: 'access_denied' } });
    expectCallbackFailure(d.answer, 'access_denied');
    const s = expectStatus(await ctx.service('GET', `external-auth/status?integration_type=fakeprov&connection_id=${encodeURIComponent(put.connection_id)}`), 200);
    ok(s.status === 'FAILED', `status after a denial: ${JSON.stringify(s)}`);
    expectError(await ctx.service('GET', 'external-auth/status'), 400, 'INVALID_INPUT');
  }),

  check('server: available-integrations lists the whole catalog plus custom entries, in snake_case', async (api, track) => {
    const ctx = track(setup(api));
    const list = expectStatus(await ctx.service('GET', 'external-auth/available-integrations'), 200).integrations;
    ok(Array.isArray(list) && list.length >= 47 + 3, `${list?.length} integrations`);
    const types = list.map((i) => i.integration_type);
    for (const t of ['googlecalendar', 'slack', 'github', 'notion', 'fakeprov', 'fakesub']) ok(types.includes(t), `${t} listed`);
    const fake = list.find((i) => i.integration_type === 'fakeprov');
    ok(fake.display_name === 'Fake provider' && fake.description === FAKE.description && Array.isArray(fake.connection_config_fields), JSON.stringify(fake));
    const sub = list.find((i) => i.integration_type === 'fakesub').connection_config_fields[0];
    ok(sub.name === 'subdomain' && sub.display_name === 'Subdomain' && sub.required === true && sub.validation_pattern === '^[a-z0-9-]{1,63}$', JSON.stringify(sub));
    ok(!list.some((i) => 'integrationType' in i || 'displayName' in i), 'snake_case keys only');
  }),

  check('server: workspace connector: PUT, callback, token read, remove', async (api, track) => {
    const ctx = track(setup(api));
    expectError(await ctx.service('GET', 'external-auth/tokens/connectors/team'), 404, 'NOT_CONNECTED');
    const put = expectStatus(await ctx.service('PUT', 'external-auth/connectors/team', { json: {} }), 200);
    ok(put.already_authorized === false && typeof put.connection_id === 'string', JSON.stringify(put));
    const consent = new URL((await ctx.consent(put.redirect_url)).url).searchParams;
    ok(consent.get('client_id') === 'CID_TEAM', 'the workspace connector credentials');
    ok(consent.get('redirect_uri') === `${PUBLIC}/api/apps/${APP}/external-auth/connectors/team/callback`, `redirect_uri ${consent.get('redirect_uri')}`);
    expectPage((await ctx.callback(put.redirect_url)).answer, 200);
    // The spec does not say which integration_type a workspace connector polls with: its type or its id.
    const polled = [];
    for (const t of ['fakeprov', 'team']) {
      polled.push(expectStatus(await ctx.service('GET', `external-auth/status?integration_type=${t}&connection_id=${encodeURIComponent(put.connection_id)}`), 200).status);
    }
    ok(polled.includes('ACTIVE'), `ACTIVE after the callback (integration_type fakeprov, team): ${polled}`);
    const token = expectStatus(await ctx.service('GET', 'external-auth/tokens/connectors/team'), 200);
    ok(token.access_token === ctx.p.issued[0].access_token && token.integration_type === 'fakeprov' && token.connection_config === null, JSON.stringify(token));
    // The shared fakeprov connection is separate.
    expectError(await ctx.service('GET', 'external-auth/tokens/fakeprov'), 404, 'NOT_CONNECTED');
    const again = expectStatus(await ctx.service('PUT', 'external-auth/connectors/team', { json: { scopes: ['read'] } }), 200);
    ok(again.already_authorized === true, `PUT again: ${JSON.stringify(again)}`);
    expectError(await ctx.service('GET', 'external-auth/tokens/connectors/nope'), 404, 'UNKNOWN_CONNECTOR');
    expectError(await ctx.service('PUT', 'external-auth/connectors/nope', { json: {} }), 404, 'UNKNOWN_CONNECTOR');
    const removed = expectStatus(await ctx.service('DELETE', 'external-auth/connectors/team/remove'), 200);
    ok(removed.status === 'removed' && removed.connector_id === 'team', JSON.stringify(removed));
    ok(ctx.p.revokeCalls().length >= 1, 'revoked');
    expectError(await ctx.service('GET', 'external-auth/tokens/connectors/team'), 404, 'NOT_CONNECTED');
  }),

  check('server: more scopes later: SCOPES_MISSING names them; the PUT asks for the union; connection_config from credentials', async (api, track) => {
    const p = fakeProvider();
    const store = api.memoryStore();
    const first = track(setup(api, { store }, p));
    await first.connectShared('fakeprov', ['read']);
    ok(expectStatus(await first.service('GET', 'external-auth/tokens/fakeprov'), 200).access_token === p.issued[0].access_token, 'connected with read');
    // The app now asks for read + admin (connector files as JSONC text).
    const grown = track(setup(api, {
      store,
      connectors: ['// grown\n{ "type": "fakeprov", "scopes": ["read", "admin",], }', { text: '{"type": "fakesub"}' }],
      appUserConnectors: { mine: { type: 'fakeprov', clientId: 'CID_MINE', clientSecret: 'SENTINEL_CS_MINE', scopes: ['read', 'write', 'admin'] } },
    }, p));
    const missing = expectError(await grown.service('GET', 'external-auth/tokens/fakeprov'), 409, 'SCOPES_MISSING');
    ok(missing.message.includes('admin') && !missing.message.includes('SENTINEL'), `message: ${missing.message}`);
    const put = expectStatus(await grown.service('PUT', 'external-auth/integrations/fakeprov', { json: { scopes: ['admin'] } }), 200);
    const grownUrl = put.redirect_url && (await grown.consent(put.redirect_url)).url;
    ok(put.already_authorized === false && scopesOf(grownUrl).join() === 'admin,read', `union: ${grownUrl && new URL(grownUrl).searchParams.get('scope')}`);
    await grown.callback(put.redirect_url);
    ok(expectStatus(await grown.service('GET', 'external-auth/tokens/fakeprov'), 200).access_token === p.issued[1].access_token, 'connected again with read + admin');
    // App-user connectors too.
    const a = await first.connectUser('mine', 'alice');
    expectStatus(await first.service('GET', 'app-user-auth/connectors/mine/token', { onBehalfOf: a.jwt }), 200);
    const m = expectError(await grown.service('GET', 'app-user-auth/connectors/mine/token', { onBehalfOf: a.jwt }), 409, 'SCOPES_MISSING');
    ok(m.message.includes('admin'), m.message);
    // Connection config of a shared connector: in the token read, and in the proxy's host.
    await first.connectShared('fakesub', []);
    const sub = expectStatus(await first.service('GET', 'external-auth/tokens/fakesub'), 200);
    ok(sub.integration_type === 'fakesub' && sub.connection_config?.subdomain === 'acme', `connection_config: ${JSON.stringify(sub)}`);
    const call = expectStatus(await first.service('POST', 'connectors/fakesub/call', { json: { path: '/json' } }), 200);
    ok(call.success === true && call.data?.host === 'acme.provider.test', `proxy to the tenant host: ${JSON.stringify(call)}`);
  }),

  check('server: refresh on read, and an expired grant is NEEDS_RECONNECT until reconnected', async (api, track) => {
    const ctx = track(setup(api));
    // 2-minute tokens: their margin is their last 49 to 60 seconds. The
    // server's clock (Date.now) is moved forward instead of waiting.
    ctx.p.expiresIn = 120;
    const realNow = Date.now;
    let offset = 0;
    Date.now = () => realNow.call(Date) + offset;
    const intoTheMargin = () => (offset += 71_000);
    try {
      await ctx.connectShared('fakeprov', ['read']);
      const first = ctx.p.issued[0].access_token;
      ok(expectStatus(await ctx.service('GET', 'external-auth/tokens/fakeprov'), 200).access_token === first, 'a fresh token as it is');
      intoTheMargin();
      const read = expectStatus(await ctx.service('GET', 'external-auth/tokens/fakeprov'), 200);
      ok(ctx.p.tokenCalls('refresh_token').length === 1, 'one refresh');
      ok(read.access_token !== first && read.access_token === ctx.p.issued[1].access_token, 'the refreshed token');
      ok(new URLSearchParams(ctx.p.tokenCalls('refresh_token')[0].body).get('refresh_token') === ctx.p.issued[0].refresh_token, 'the stored refresh token');
      const again = expectStatus(await ctx.service('GET', 'external-auth/tokens/fakeprov'), 200);
      ok(again.access_token === read.access_token && ctx.p.tokenCalls('refresh_token').length === 1, 'the refreshed token is not refreshed again');
      // 20 concurrent reads of a token inside the margin: one refresh, one token for all.
      intoTheMargin();
      const reads = await Promise.all(Array.from({ length: 20 }, () => ctx.service('GET', 'external-auth/tokens/fakeprov')));
      ok(reads.every((r) => r.status === 200), `concurrent reads: ${reads.map((r) => r.status)}`);
      ok(ctx.p.tokenCalls('refresh_token').length === 2, `20 concurrent reads: ${ctx.p.tokenCalls('refresh_token').length - 1} refreshes`);
      ok(new Set(reads.map((r) => r.body.access_token)).size === 1 && reads[0].body.access_token === ctx.p.issued[2].access_token, 'one token for all');
      ctx.p.next.refresh.push(() => json({ error: 'invalid_grant', error_description: 'revoked' }, 400));
      intoTheMargin();
      expectError(await ctx.service('GET', 'external-auth/tokens/fakeprov'), 409, 'NEEDS_RECONNECT');
    } finally {
      Date.now = realNow;
    }
    expectError(await ctx.service('GET', 'external-auth/tokens/fakeprov'), 409, 'NEEDS_RECONNECT');
    ok(ctx.p.tokenCalls('refresh_token').length === 3, 'not refreshed again');
    const list = expectStatus(await ctx.service('GET', 'external-auth/list'), 200).integrations;
    ok(list[0]?.status === 'expired', `list: ${JSON.stringify(list)}`);
    const put = expectStatus(await ctx.service('PUT', 'external-auth/integrations/fakeprov', { json: { scopes: ['read'] } }), 200);
    ok(put.already_authorized === false && typeof put.redirect_url === 'string', `an expired grant needs consent: ${JSON.stringify(put)}`);
    ctx.p.expiresIn = 3600;
    await ctx.callback(put.redirect_url);
    ok(expectStatus(await ctx.service('GET', 'external-auth/tokens/fakeprov'), 200).access_token === ctx.p.issued.at(-1).access_token, 'reconnected');
  }),

  check('server: the proxy: an upstream that does not answer within timeoutMs is phase timed_out', async (api, track) => {
    const ctx = track(setup(api, { timeoutMs: 200 }));
    await ctx.connectShared('fakeprov', ['read']);
    const started = Date.now();
    const slow = expectStatus(await ctx.service('POST', 'connectors/fakeprov/call', { json: { path: '/slow' } }), 200);
    ok(slow.success === false && slow.phase === 'timed_out' && slow.status_code === null, `timed out: ${JSON.stringify(slow)}`);
    ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    expectStatus(await ctx.service('POST', 'connectors/fakeprov/call', { json: { path: '/json' } }), 200);
  }),

  check('server: the proxy: allowed hosts, headers, bodies, data kinds, upstream errors, no token in the answer', async (api, track) => {
    const ctx = track(setup(api));
    const call = (body) => ctx.service('POST', 'connectors/fakeprov/call', { json: body });
    expectError(await call({ path: '/json' }), 404, 'NOT_CONNECTED');
    await ctx.connectShared('fakeprov', ['read']);
    const at = ctx.p.issued[0].access_token;

    const r = expectStatus(await call({ path: '/json' }), 200);
    ok(r.success === true && r.phase === 'responded' && r.status_code === 200 && r.credits_charged === 0, JSON.stringify(r));
    ok(r.data?.hello === 'world' && r.data.host === 'api.provider.test' && r.data_base64 === null, `data ${JSON.stringify(r.data)}`);
    ok((r.content_type ?? '').startsWith('application/json') && r.headers && typeof r.headers === 'object', `content_type ${r.content_type}`);
    let upstream = ctx.p.apiCalls().at(-1);
    ok(upstream.url === 'https://api.provider.test/json' && upstream.method === 'GET', `upstream ${upstream.method} ${upstream.url}`);
    ok(upstream.headers.authorization === `Bearer ${at}`, `the token is attached server-side: ${upstream.headers.authorization}`);

    // Another declared base URL, picked by host, with a path prefix.
    const files = expectStatus(await call({ host: 'files.provider.test', path: '/json' }), 200);
    ok(files.success && files.data.host === 'files.provider.test' && files.data.path === '/v2/json', `files host: ${JSON.stringify(files.data)}`);

    // Query, forwarded headers, JSON and text bodies, methods.
    const echo = expectStatus(await call({
      method: 'PATCH', path: '/echo', query: { q: 'a b', n: '1' },
      headers: { 'Notion-Version': '2022-06-28', accept: 'application/json', 'X-GitHub-Api-Version': '2022-11-28' },
      body: { name: 'x', list: [1, 2] },
    }), 200);
    ok(echo.success && echo.data.method === 'PATCH' && echo.data.query.q === 'a b' && echo.data.query.n === '1', `echo: ${JSON.stringify(echo.data)}`);
    ok(JSON.parse(echo.data.body).list.join() === '1,2' && (echo.data.content_type ?? '').startsWith('application/json'), `JSON body: ${JSON.stringify(echo.data)}`);
    ok(echo.data.forwarded.includes('notion-version') && echo.data.forwarded.includes('x-github-api-version'), `forwarded: ${echo.data.forwarded}`);
    const text = expectStatus(await call({ method: 'POST', path: '/echo', body: 'raw text', headers: { 'content-type': 'text/plain' } }), 200);
    ok(text.data.body === 'raw text' && text.data.content_type === 'text/plain' && text.data.method === 'POST', `text body: ${JSON.stringify(text.data)}`);
    for (const method of ['PUT', 'DELETE']) {
      const m = expectStatus(await call({ method, path: '/echo' }), 200);
      ok(m.success && m.data.method === method, `${method}: ${JSON.stringify(m.data)}`);
    }
    const head = expectStatus(await call({ method: 'HEAD', path: '/json' }), 200);
    ok(head.phase === 'responded' && head.status_code === 200, `HEAD: ${JSON.stringify(head)}`);
    ok(ctx.p.apiCalls().at(-1).method === 'HEAD', `sent as ${ctx.p.apiCalls().at(-1).method}`);

    // Data kinds.
    const t = expectStatus(await call({ path: '/text' }), 200);
    ok(t.data === 'plain text é' && t.data_base64 === null && t.content_type.startsWith('text/plain'), `text: ${JSON.stringify(t)}`);
    const bin = expectStatus(await call({ path: '/bin' }), 200);
    ok(bin.data_base64 === base64(new Uint8Array([0, 1, 2, 254, 255])) && bin.data == null, `binary: ${JSON.stringify(bin)}`);

    // Upstream 404: not an error.
    const missing = expectStatus(await call({ path: '/missing' }), 200);
    ok(missing.success === false && missing.phase === 'responded' && missing.status_code === 404 && missing.data?.message === 'no such thing', JSON.stringify(missing));
    // Could not connect.
    const refused = expectStatus(await call({ path: '/refuse' }), 200);
    ok(refused.success === false && refused.phase === 'not_sent', `refused: ${JSON.stringify(refused)}`);
    ok(refused.status_code === null && refused.content_type === null && refused.headers === null, `no answer: ${JSON.stringify(refused)}`);

    // Upstream redirects are not followed (they could leave the declared hosts).
    const redirected = expectStatus(await call({ path: '/redirect' }), 200);
    ok(redirected.success === false && redirected.phase === 'responded' && redirected.status_code === 302, `redirect: ${JSON.stringify(redirected)}`);
    ok(!ctx.p.calls.some((c) => c.host === 'evil.test'), 'the redirect was not followed');
    // A body on GET does not crash the server, and the instance keeps serving.
    const getBody = await call({ method: 'GET', path: '/echo', body: { a: 1 } });
    ok(getBody.status === 200 || getBody.status === 400, `GET with a body: ${getBody.status} ${getBody.text.slice(0, 200)}`);
    expectStatus(await call({ path: '/json' }), 200);
    // Refused before any call.
    const before = ctx.p.apiCalls().length;
    expectError(await call({ host: 'evil.test', path: '/json' }), 400, 'PROXY_NOT_ALLOWED');
    expectError(await call({ host: 'provider.test', path: '/token' }), 400, 'PROXY_NOT_ALLOWED');
    expectError(await call({ host: 'api.provider.test.evil.test', path: '/json' }), 400, 'PROXY_NOT_ALLOWED');
    for (const header of ['authorization', 'Authorization', 'cookie', 'host', 'x-forwarded-for', 'proxy-authorization', 'content-length', 'transfer-encoding', 'x-api-key', 'connection']) {
      expectError(await call({ path: '/json', headers: { [header]: 'x' } }), 400, 'PROXY_NOT_ALLOWED');
    }
    for (const path of ['/a/../admin', '/..', '/a/..', '/../json', 'json', '/a\\b', '/json?x=1', '/json#f', '', undefined, 42]) {
      const answer = await call({ path });
      ok(answer.status === 400, `path ${JSON.stringify(path)}: expected 400, got ${answer.status} ${answer.text.slice(0, 200)}`);
      expectError(answer, 400, ['INVALID_INPUT', 'PROXY_NOT_ALLOWED']);
    }
    expectError(await call({ path: '/json', headers: { 'notion-version': 'a\r\nx-injected: 1' } }), 400, ['INVALID_INPUT', 'PROXY_NOT_ALLOWED']);
    expectError(await call({ method: 'TRACE', path: '/json' }), 400, 'INVALID_INPUT');
    expectError(await call({ method: 'CONNECT', path: '/json' }), 400, 'INVALID_INPUT');
    expectError(await ctx.service('POST', 'connectors/fakeprov/call', { body: '[1,', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_INPUT');
    ok(ctx.p.apiCalls().length === before, 'no upstream call for a refused request');
    // A path that looks like a network-path reference stays on the declared host.
    const net = await call({ path: '//evil.test/json' });
    if (net.status === 200) ok(ctx.p.apiCalls().at(-1).host === 'api.provider.test', `//evil.test went to ${ctx.p.apiCalls().at(-1).url}`);
    else expectError(net, 400, ['INVALID_INPUT', 'PROXY_NOT_ALLOWED']);
    // An encoded dot segment must not climb out of the base URL's path.
    const encoded = await call({ host: 'files.provider.test', path: '/a/%2e%2e/%2E%2E/json' });
    if (encoded.status === 200) {
      const sent = ctx.p.apiCalls().at(-1);
      ok(new URL(sent.url).pathname.startsWith('/v2/'), `%2e%2e climbed out of /v2: ${sent.url}`);
    } else {
      expectError(encoded, 400, ['INVALID_INPUT', 'PROXY_NOT_ALLOWED']);
    }
    // No answer of the proxy shows the token.
    for (const a of ctx.answers.filter((x) => x.path.endsWith('/call'))) ok(!a.text.includes(at), `the proxy answer shows the token: ${a.text.slice(0, 200)}`);
  }),

  check('issueUserToken: the server accepts its tokens for that user; bad arguments are INVALID_INPUT', async (api, track) => {
    const ctx = track(setup(api));
    const users = { secret: USER_SECRET, issuer: ISS, audience: APP };
    const jwt = api.issueUserToken({ ...users, userId: 'user_a-b.c', email: 'ada@example.test', expiresInSeconds: 300 });
    expectStatus(await ctx.send('POST', 'app-user-auth/connectors/mine/initiate', { auth: jwt }), 200);
    const other = api.issueUserToken({ ...users, audience: 'another-app', userId: 'alice' });
    expectError(await ctx.send('POST', 'app-user-auth/connectors/mine/initiate', { auth: other }), 401, 'JWT_INVALID');
    throwsCode(() => api.issueUserToken({ ...users, userid: 'alice' }), 'INVALID_INPUT');
    throwsCode(() => api.issueUserToken({ ...users, userId: 'alice', expiresInSeconds: 0 }), 'INVALID_INPUT');
    throwsCode(() => api.issueUserToken({ ...users, secret: 'short', userId: 'alice' }), 'INVALID_INPUT');
  }),
];
