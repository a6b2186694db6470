// Checks of the installed package, shared by the Node, Deno and workerd runs.
// Each is [name, async fn(api)]; they throw on failure. No runtime-specific APIs.
import { json, ok, rejectsCode, throwsCode } from './helpers.mjs';
import { vaultChecks } from './vault-checks.mjs';
import { serverChecks } from './server-checks.mjs';

const app = { clientId: 'CLIENT', clientSecret: 'CLIENT-SECRET', redirectUri: 'https://app.example/callback' };

export const checks = [
  ['listAvailable works with no init step and lists every type', (api) => {
    const list = api.listAvailable();
    ok(Array.isArray(list) && list.length === 47, `47 types, got ${list.length}`);
    const types = list.map((i) => i.integrationType);
    for (const t of ['googlecalendar', 'slack', 'slackbot', 'github', 'notion', 'salesforce', 'hubspot', 'stripe']) {
      ok(types.includes(t), `${t} listed`);
    }
    const first = list[0];
    ok(typeof first.displayName === 'string' && Array.isArray(first.connectionConfigFields), 'camelCase shape');
  }],
  ['getProvider returns the entry, and a coded error with a suggestion', (api) => {
    ok(api.getProvider('tiktok').authorization_param_names.client_id === 'client_key', 'tiktok client_key');
    const error = throwsCode(() => api.getProvider('githb'), 'UNKNOWN_PROVIDER');
    ok(error.suggestion === 'github', 'did-you-mean');
    ok(error instanceof api.ConnectorsError, 'instanceof ConnectorsError');
    ok(error.name === 'ConnectorsError', 'name');
  }],
  ['parseConnectorFile takes the developer-docs example', (api) => {
    const text = `{
  "type": "googlecalendar",
  // read and write events
  "scopes": [
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.events",
  ],
}`;
    const config = api.parseConnectorFile(text, 'googlecalendar.jsonc');
    ok(config.type === 'googlecalendar' && config.scopes.length === 2, JSON.stringify(config));
  }],
  ['bad connector files give a coded error with line and column', (api) => {
    const error = throwsCode(() => api.parseConnectorFile('{\n  "type": "github",\n  "scope": []\n}', 'gh.jsonc'), 'UNKNOWN_FIELD');
    ok(error.path === 'gh.jsonc' && error.line === 3 && error.column === 3, `at ${error.path}:${error.line}:${error.column}`);
    throwsCode(() => api.parseConnectorFile('{"type": "github",,}'), 'CONFIG_SYNTAX');
    throwsCode(() => api.parseConnectorFile('{"type": "a", "type": "b"}'), 'DUPLICATE_KEY');
    throwsCode(() => api.parseConnectorFile('{"type": "github", "scopes": ["a b"]}'), 'INVALID_SCOPE');
    throwsCode(() => api.parseConnectorFile(`{"type": "x", "d": ${'['.repeat(40)}${']'.repeat(40)}}`), 'CONFIG_TOO_DEEP');
    throwsCode(() => api.parseConnectorFile(' '.repeat(256 * 1024 + 1)), 'CONFIG_TOO_LARGE');
    throwsCode(() => api.parseConnectorFile(42), 'INVALID_INPUT');
  }],
  ['validateConnectors finds duplicates and typos', (api) => {
    const dup = throwsCode(() => api.validateConnectors([
      { path: 'c/a.jsonc', text: '{"type": "slack"}' },
      { path: 'c/b.jsonc', text: '{"type": "slack"}' },
    ]), 'DUPLICATE_CONNECTOR');
    ok(dup.message.includes('Duplicate connector type "slack"') && dup.message.includes('c/a.jsonc'), dup.message);
    const typo = throwsCode(() => api.validateConnectors([{ path: 'c/g.jsonc', text: '{"type": "githb"}' }]), 'UNKNOWN_PROVIDER');
    ok(typo.suggestion === 'github' && typo.line === 1, `${typo.suggestion} ${typo.line}`);
    const result = api.validateConnectors([{ type: 'stripe', scopes: ['x'] }]);
    ok(result.warnings[0].code === 'SCOPES_IGNORED', 'stripe warning');
  }],
  ['registerProvider validates custom entries', (api) => {
    api.registerProvider({
      type: 'acme', display_name: 'Acme', auth_model: 'oauth',
      authorization_url: 'https://acme.example/authorize', token_url: 'https://acme.example/token',
    });
    ok(api.listAvailable().some((i) => i.integrationType === 'acme'), 'acme listed');
    throwsCode(() => api.registerProvider({ type: 'x', display_name: 'X', auth_model: 'oauth', authorization_url: 'http://evil.example/a', token_url: 'https://x.example/t' }), 'PROVIDER_INVALID');
  }],
  ['generateTypes returns d.ts text', (api) => {
    const text = api.generateTypes([{ type: 'slack' }, { type: 'github' }]);
    ok(text.includes('declare module "oauth-connectors"') && text.includes('"slack": true;'), text);
  }],
  ['OAuthClient: provider URL, code exchange over the host fetch, hidden tokens', async (api) => {
    const seen = [];
    const google = new api.OAuthClient({
      provider: 'googlecalendar',
      ...app,
      fetch: async (request) => {
        seen.push({ method: request.method, url: request.url, redirect: request.redirect, accept: request.headers.get('accept'), body: await request.text() });
        return json({ access_token: 'ya29.SECRET', refresh_token: '1//REFRESH', expires_in: '3599', scope: 'https://www.googleapis.com/auth/calendar.readonly', token_type: 'Bearer' });
      },
    });
    ok(google.provider === 'googlecalendar', 'provider getter');
    const state = api.generateState();
    const codeVerifier = api.generateCodeVerifier();
    ok(/^[A-Za-z0-9_-]{43}$/.test(state) && /^[A-Za-z0-9_-]{43}$/.test(codeVerifier) && state !== codeVerifier, 'random base64url');
    const url = new URL(google.createAuthorizationURL({ scopes: ['https://www.googleapis.com/auth/calendar.readonly'], state, codeVerifier, params: { login_hint: 'a@example.com' } }));
    const q = url.searchParams;
    ok(url.origin + url.pathname === 'https://accounts.google.com/o/oauth2/v2/auth', url.href);
    ok(q.get('access_type') === 'offline' && q.get('prompt') === 'consent' && q.get('include_granted_scopes') === 'true', 'Google defaults');
    ok(q.get('state') === state && q.get('code_challenge_method') === 'S256' && q.get('code_challenge').length === 43, 'state and PKCE');
    ok(q.get('login_hint') === 'a@example.com' && !url.href.includes(codeVerifier), 'extra params, never the verifier');
    const tokens = await google.validateAuthorizationCode('CODE', codeVerifier, { state, code: 'CODE', scope: 'x' });
    ok(seen.length === 1 && seen[0].method === 'POST' && seen[0].url === 'https://oauth2.googleapis.com/token', JSON.stringify(seen));
    ok(seen[0].redirect === 'manual' && seen[0].accept === 'application/json', 'no redirects followed, JSON asked for');
    const form = new URLSearchParams(seen[0].body);
    ok(form.get('code_verifier') === codeVerifier && form.get('client_secret') === 'CLIENT-SECRET' && form.get('grant_type') === 'authorization_code', seen[0].body);
    ok(tokens.accessToken === 'ya29.SECRET' && tokens.refreshToken === '1//REFRESH' && tokens.tokenType === 'Bearer', 'tokens');
    ok(tokens.expiresAt instanceof Date && Math.abs(tokens.expiresAt - Date.now() - 3599000) < 60000, 'expires_in as a numeric string');
    ok(!Object.keys(tokens).includes('accessToken') && !JSON.stringify(tokens).includes('SECRET') && !JSON.stringify(tokens).includes('REFRESH'), 'tokens hidden from logs');
    ok(tokens.raw.access_token === undefined && tokens.raw.expires_in === '3599', 'raw without tokens');
    const refreshed = await google.refreshAccessToken('1//OLD');
    ok(refreshed.refreshToken === '1//REFRESH', 'a returned refresh token replaces the old one');
    ok(new URLSearchParams(seen[1].body).get('refresh_token') === '1//OLD', 'refresh sends the given token');
    ok(await google.revokeToken('1//REFRESH') === true, 'revoked');
    ok(seen[2].url.startsWith('https://oauth2.googleapis.com/revoke'), seen[2].url);
  }],
  ['OAuthClient: provider quirks and classified errors', async (api) => {
    const answer = (response) => new api.OAuthClient({ provider: 'github', ...app, maxAttempts: 2, fetch: async () => response() });
    // GitHub answers errors with HTTP 200, form-encoded when it wants.
    const github = answer(() => new Response('error=bad_verification_code&error_description=The+code+is+wrong', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    await rejectsCode(github.validateAuthorizationCode('CODE'), 'CODE_EXCHANGE_FAILED');
    await rejectsCode(answer(() => json({ error: 'invalid_grant' }, 400)).refreshAccessToken('R'), 'NEEDS_RECONNECT');
    await rejectsCode(answer(() => json({ error: 'invalid_client' }, 401)).refreshAccessToken('R'), 'PROVIDER_CONFIG_ERROR');
    let calls = 0;
    const busy = new api.OAuthClient({ provider: 'github', ...app, maxAttempts: 2, fetch: async () => (calls++, new Response('', { status: 503, headers: { 'retry-after': '0' } })) });
    await rejectsCode(busy.refreshAccessToken('R'), 'RETRYABLE_EXHAUSTED');
    ok(calls === 2, `503 retried once, ${calls} calls`);
    // More than 1 MiB is not read.
    const big = answer(() => new Response(new Uint8Array(2 * 1024 * 1024 + 7).fill(32)));
    await rejectsCode(big.refreshAccessToken('R'), 'RESPONSE_TOO_LARGE');
    // A fetch that fails or answers something else than a Response.
    await rejectsCode(answer(() => ({ nope: true })).refreshAccessToken('R'), 'NETWORK_ERROR');
    await rejectsCode(answer(() => ({ nope: true })).validateAuthorizationCode('CODE'), 'TIMEOUT_AMBIGUOUS');
    let sent = 0;
    const refused = new api.OAuthClient({ provider: 'github', ...app, maxAttempts: 2, fetch: async () => {
      sent++;
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    } });
    await rejectsCode(refused.validateAuthorizationCode('CODE'), 'NETWORK_ERROR');
    ok(sent === 2, 'a code exchange that never left is tried again');
    const revocations = [];
    const github204 = new api.OAuthClient({ provider: 'github', ...app, fetch: async (request) => {
      revocations.push(`${request.method} ${request.url} ${await request.text()}`);
      return new Response(null, { status: 204 });
    } });
    ok(await github204.revokeToken('gho_T') === true, 'GitHub revokes');
    ok(revocations[0] === 'DELETE https://api.github.com/applications/CLIENT/token {"access_token":"gho_T"}', revocations[0]);
    const outlook = new api.OAuthClient({ provider: 'outlook', ...app, fetch: async () => { throw new Error('not called'); } });
    ok(await outlook.revokeToken('T') === false, 'Microsoft has no revocation endpoint');
    const quickbooks = new api.OAuthClient({ provider: 'quickbooks', ...app, fetch: async () => json({ access_token: 'A', refresh_token: 'R', expires_in: 3600, x_refresh_token_expires_in: 8726400, token_type: 'bearer' }) });
    const qb = await quickbooks.validateAuthorizationCode('CODE', null, '?code=CODE&state=S&realmId=4620816365', { scopes: ['com.intuit.quickbooks.accounting'] });
    ok(qb.connectionConfig.realmId === '4620816365', `realmId from the callback: ${JSON.stringify(qb.connectionConfig)}`);
    ok(qb.scopes.join() === 'com.intuit.quickbooks.accounting', 'the requested scopes when the answer has none');
    const slack = new api.OAuthClient({ provider: 'slack', ...app, fetch: async () => json({ ok: false, error: 'invalid_code' }) });
    await rejectsCode(slack.validateAuthorizationCode('CODE'), 'CODE_EXCHANGE_FAILED');
  }],
  ['OAuthClient: bad options and arguments give coded errors', async (api) => {
    const e = throwsCode(() => new api.OAuthClient({ provider: 'github', clientId: 'C', redirectURI: 'https://a.example/cb' }), 'INVALID_INPUT');
    ok(e.message.includes('Did you mean "redirectUri"?'), e.message);
    throwsCode(() => new api.OAuthClient(), 'INVALID_INPUT');
    throwsCode(() => new api.OAuthClient({ provider: 'githb', ...app }), 'UNKNOWN_PROVIDER');
    throwsCode(() => new api.OAuthClient({ provider: 'github', ...app, clientId: '' }), 'INVALID_INPUT');
    throwsCode(() => new api.OAuthClient({ provider: 'github', ...app, redirectUri: 'http://app.example/cb' }), 'CONFIG_INVALID');
    throwsCode(() => new api.OAuthClient({ provider: 'github', ...app, fetch: 'fetch' }), 'INVALID_INPUT');
    throwsCode(() => new api.OAuthClient({ provider: 'github', ...app, timeoutMs: 0 }), 'INVALID_INPUT');
    throwsCode(() => new api.OAuthClient({ provider: { type: 'x' }, ...app }), 'PROVIDER_INVALID');
    throwsCode(() => new api.OAuthClient({ provider: 'stripe', ...app }), 'INVALID_INPUT');
    const github = new api.OAuthClient({ provider: 'github', ...app });
    throwsCode(() => github.createAuthorizationURL({ scopes: ['repo'] }), 'INVALID_INPUT');
    const shapeless = throwsCode(() => github.createAuthorizationURL('repo'), 'INVALID_INPUT');
    ok(shapeless.message.includes('{ scopes, state, codeVerifier }'), shapeless.message);
    throwsCode(() => github.createAuthorizationURL({ state: 's', params: { redirect_uri: 'https://evil.example' } }), 'INVALID_INPUT');
    throwsCode(() => github.createAuthorizationURL({ state: 's', scopes: 'repo' }), 'INVALID_INPUT');
    const notString = throwsCode(() => github.createAuthorizationURL({ state: 's', scopes: ['repo', 7] }), 'INVALID_INPUT');
    ok(notString.message === 'scopes[1] must be a string', notString.message);
    // A scope holding a space is named whole (api.js sends the common case joined by spaces).
    const spaced = throwsCode(() => github.createAuthorizationURL({ state: 's', scopes: ['repo', 'a b'] }), 'INVALID_SCOPE');
    ok(spaced.message === 'Invalid scope "a b"', spaced.message);
    // The one-crossing paths (no params, or a plain object of them) and the
    // general one (taken with a Map) build the same URL.
    const base = { state: 's', scopes: ['repo', 'user'], codeVerifier: 'v'.repeat(43) };
    const direct = github.createAuthorizationURL(base);
    ok(direct === github.createAuthorizationURL({ ...base, params: new Map() }), direct);
    const hinted = github.createAuthorizationURL({ ...base, params: { login: 'a b', allow_signup: 'false' } });
    ok(hinted === github.createAuthorizationURL({ ...base, params: new Map([['login', 'a b'], ['allow_signup', 'false']]) }), hinted);
    ok(hinted.endsWith('&allow_signup=false&login=a+b'), hinted);
    throwsCode(() => github.createAuthorizationURL({ state: 's', codeVerifier: 'short' }), 'INVALID_INPUT');
    await rejectsCode(github.validateAuthorizationCode(), 'INVALID_INPUT');
    // Callback parameters given twice, or not as strings, are refused before any request.
    await rejectsCode(github.validateAuthorizationCode('C', null, new URLSearchParams('code=C&iss=a&iss=b')), 'INVALID_INPUT');
    await rejectsCode(github.validateAuthorizationCode('C', null, '?realmId=1&realmId=2'), 'INVALID_INPUT');
    await rejectsCode(github.validateAuthorizationCode('C', null, { realmId: 1 }), 'INVALID_INPUT');
    await rejectsCode(github.revokeToken('T', 'id_token'), 'INVALID_INPUT');
    // A templated endpoint takes only values matching the field's pattern.
    const evil = new api.OAuthClient({ provider: 'bamboohr', ...app, connectionConfig: { companyDomain: 'evil.example/x?' } });
    throwsCode(() => evil.createAuthorizationURL({ state: 's' }), 'INVALID_INPUT');
  }],
  ['memoryStore passes every storeConformance case, each on a fresh store', async (api) => {
    let created = 0;
    const cases = api.storeConformance(() => (created++, api.memoryStore()));
    ok(cases.length === 20 && cases.every((c) => typeof c.name === 'string' && typeof c.run === 'function'), `20 cases (5 of list), got ${cases.length}`);
    const failed = [];
    for (const c of cases) await c.run().catch((error) => failed.push(`${c.name}: ${error.message}`));
    ok(failed.length === 0, `failing cases:\n${failed.join('\n')}`);
    ok(created === cases.length, `one store per case, ${created} made`);
    ok(api.storeConformance(() => api.memoryStore(), { ttl: false }).length === 16, '{ ttl: false } leaves out the 4 expiry cases');
    // The list cases pass at once on a store without list, and fail on a broken one.
    const withoutList = () => {
      const { list, ...store } = api.memoryStore();
      return store;
    };
    for (const c of api.storeConformance(withoutList)) await c.run();
    const lying = () => ({ ...api.memoryStore(), list: async () => ({ entries: [], cursor: null }) });
    const broken = [];
    for (const c of api.storeConformance(lying).filter((c) => c.name.startsWith('list: '))) await c.run().catch(() => broken.push(c.name));
    ok(broken.length >= 3, `a list that answers nothing fails the list cases, failed: ${broken.join('; ')}`);
  }],
  ['memoryStore: expiry on its clock, and a clear INVALID_INPUT for each bad argument', async (api) => {
    let now = 1000;
    const store = api.memoryStore({ now: () => now });
    await store.set('k', 'v', { ttlMs: 10 });
    now = 1009;
    ok(await store.get('k') === 'v', 'present 1 ms before it expires');
    now = 1010;
    ok(await store.get('k') === null, 'absent when it expires');
    await store.set('k', 'kept');
    const rejected = [
      [() => store.get(1), 'The store key must be a string, got number'],
      [() => store.set(undefined, 'v'), 'The store key must be a string, got undefined'],
      [() => store.set('k', 42), 'The store value must be a string, got number'],
      [() => store.set('k', null), 'The store value must be a string, got null'],
      [() => store.set('k', 'v', { ttlMs: 0 }), 'ttlMs must be a positive whole number of milliseconds, got 0'],
      [() => store.set('k', 'v', { ttlMs: -5 }), 'ttlMs must be a positive whole number of milliseconds, got -5'],
      [() => store.set('k', 'v', { ttlMs: 1.5 }), 'ttlMs must be a positive whole number of milliseconds, got 1.5'],
      [() => store.set('k', 'v', { ttlMs: NaN }), 'ttlMs must be a positive whole number of milliseconds, got NaN'],
      [() => store.set('k', 'v', { ttlMs: Infinity }), 'ttlMs must be a positive whole number of milliseconds, got Infinity'],
      [() => store.set('k', 'v', { ttlMs: 2 ** 53 }), 'ttlMs must be a positive whole number of milliseconds, got 9007199254740992'],
      [() => store.set('k', 'v', { ttlMs: '50' }), 'ttlMs must be a positive whole number of milliseconds, got string'],
      [() => store.set('k', 'v', 50), 'store write options must be an object, got number'],
      [() => store.set('k', 'v', { ttl: 50 }), 'Unknown option "ttl" in store write options; the options are: ttlMs'],
      [() => store.delete(['k']), 'The store key must be a string, got an array'],
      [() => store.setIfAbsent('k', {}), 'The store value must be a string, got object'],
      [() => store.setIfAbsent('k', 'v', { ttlMs: 0 }), 'ttlMs must be a positive whole number of milliseconds, got 0'],
      [() => store.compareAndSet('k', undefined, 'v'), 'compareAndSet expected must be a string or null, got undefined'],
      [() => store.compareAndSet('k', 'kept', 7), 'compareAndSet value must be a string or null, got number'],
      [() => store.compareAndSet('k', 'kept', 'v', { ttlMs: -1 }), 'ttlMs must be a positive whole number of milliseconds, got -1'],
    ];
    for (const [call, message] of rejected) {
      const error = await rejectsCode(call(), 'INVALID_INPUT');
      ok(error.message === message && error instanceof api.ConnectorsError && error.name === 'ConnectorsError', `${message}: got ${error.name}: ${error.message}`);
    }
    ok(await store.get('k') === 'kept', 'refused writes change nothing');
    const thrown = [
      [() => api.memoryStore({ now: 5 }), 'memoryStore option now must be a function, got number'],
      [() => api.memoryStore('fast'), 'memoryStore options must be an object, got string'],
      [() => api.memoryStore({ clock: Date.now }), 'Unknown option "clock" in memoryStore options; the options are: now'],
      [() => api.storeConformance(api.memoryStore()), 'storeConformance takes a function that returns a store (or a Promise of one), got object'],
      [() => api.storeConformance(() => api.memoryStore(), { ttl: 'no' }), 'storeConformance option ttl must be true or false, got string'],
      [() => api.storeConformance(() => api.memoryStore(), { ttlMs: 5 }), 'Unknown option "ttlMs" in storeConformance options; the options are: ttl'],
      [() => api.denoKvStore(new Map()), 'denoKvStore takes a Deno.Kv (from await Deno.openKv()), with get, set, delete and atomic methods'],
      [() => api.denoKvStore(), 'denoKvStore takes a Deno.Kv (from await Deno.openKv()), with get, set, delete and atomic methods'],
    ];
    const kvShape = { get() {}, set() {}, delete() {}, atomic() {} };
    thrown.push([() => api.denoKvStore(kvShape, { prefix: 'app' }), 'denoKvStore option prefix must be a Deno KV key (an array), got string']);
    thrown.push([() => api.denoKvStore(kvShape, { prefx: ['app'] }), 'Unknown option "prefx" in denoKvStore options; the options are: prefix']);
    for (const [fn, message] of thrown) {
      const error = throwsCode(fn, 'INVALID_INPUT');
      ok(error.message === message && error instanceof api.ConnectorsError, `${message}: got ${error.message}`);
    }
  }],
  ...vaultChecks,
  ...serverChecks,
];

/** Runs every check; returns [{ name, ok, error? }]. */
export async function runChecks(api, list = checks) {
  const results = [];
  for (const [name, fn] of list) {
    try {
      await fn(api);
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, error: String(error && error.stack || error) });
    }
  }
  return results;
}
