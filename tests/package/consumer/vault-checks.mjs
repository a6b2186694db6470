// Checks of the TokenVault through the installed package, shared by the
// Node, Deno, workerd and Chromium runs (see checks.mjs). Provider calls go
// to a fake fetch; the store is the package's memoryStore, wrapped to record
// every byte written.
import { json, ok, rejectsCode, throwsCode } from './helpers.mjs';

const SECRET = 'vault-secret-0123456789abcdef0123456789';
const alice = { kind: 'app_user', connectorId: 'calendar', userId: 'alice' };

/** A fake provider: answers refreshes from `answers`, records every form body. */
function provider(answers) {
  const bodies = [];
  const fetch = async (request) => {
    bodies.push(await request.text());
    await new Promise((r) => setTimeout(r, 5));
    const next = answers.shift();
    return typeof next === 'function' ? next() : json(next ?? { error: 'server_error' }, next ? 200 : 500);
  };
  return { fetch, bodies, refreshes: () => bodies.filter((b) => b.includes('grant_type=refresh_token')).length };
}

/** memoryStore, recording every value written. */
function recordingStore(api, inner = api.memoryStore()) {
  const written = [];
  return {
    written,
    get: (k) => inner.get(k),
    set: (k, v, o) => (written.push(k, v), inner.set(k, v, o)),
    delete: (k) => inner.delete(k),
    setIfAbsent: (k, v, o) => (written.push(k, v), inner.setIfAbsent(k, v, o)),
    compareAndSet: (k, e, v, o) => (written.push(k, String(v)), inner.compareAndSet(k, e, v, o)),
  };
}

function client(api, fetch) {
  return new api.OAuthClient({
    provider: 'googlecalendar',
    clientId: 'CID',
    clientSecret: 'SENTINEL_CS',
    redirectUri: 'https://app.example/callback',
    fetch,
  });
}

/** Tokens as validateAuthorizationCode resolves them, expiring at `expiresAt`. */
async function tokensFor(api, at, rt, expiresInSeconds) {
  const p = provider([{ access_token: at, refresh_token: rt, expires_in: expiresInSeconds, id_token: idToken() }]);
  return client(api, p.fetch).validateAuthorizationCode('CODE');
}

/** Tokens whose access token expired a minute ago (as `save` takes them from elsewhere). */
function expiredTokens(at, rt) {
  return { accessToken: at, refreshToken: rt, expiresAt: new Date(Date.now() - 60_000), scopes: ['calendar'] };
}

function idToken() {
  const b64 = (o) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${b64({ alg: 'RS256' })}.${b64({ sub: 'g-42', email: 'alice@example.com' })}.sig`;
}

export const vaultChecks = [
  ['TokenVault: save, then getConnection hands out a hidden accessToken; the store sees no plaintext', async (api) => {
    const store = recordingStore(api);
    const vault = new api.TokenVault({ secrets: SECRET, store, appId: 'app1' });
    const p = provider([]);
    const saved = await vault.save(alice, await tokensFor(api, 'SENTINEL_AT', 'SENTINEL_RT', 3600));
    ok(saved.status === 'active' && saved.kind === 'app_user' && saved.userId === 'alice', JSON.stringify(saved));
    ok(saved.account.email === 'alice@example.com' && saved.account.id === 'g-42', 'account from the id_token');
    ok(saved.accessToken === undefined, 'save resolves no token');
    const connection = await vault.getConnection(alice, client(api, p.fetch));
    ok(connection.accessToken === 'SENTINEL_AT', 'the access token');
    ok(connection.connectionId === saved.connectionId && connection.version === 1, 'same connection');
    ok(connection.expiresAt instanceof Date && connection.createdAt instanceof Date, 'dates');
    ok(connection.lastRefresh === null, `no refresh yet: lastRefresh ${JSON.stringify(connection.lastRefresh)}`);
    ok(!JSON.stringify(connection).includes('SENTINEL') && !Object.keys(connection).includes('accessToken'), 'hidden');
    ok(connection.refreshToken === undefined, 'the refresh token never leaves the vault');
    ok(p.bodies.length === 0, 'no refresh for a fresh token');
    const all = store.written.join('\n');
    for (const s of ['SENTINEL_AT', 'SENTINEL_RT', 'alice@example.com', btoa('SENTINEL_RT').slice(0, 12)]) {
      ok(!all.includes(s), `the store saw ${s}`);
    }
    const status = await vault.status(alice);
    ok(status.status === 'active' && status.accessToken === undefined, 'status has no token');
    ok((await vault.status({ ...alice, userId: 'bob' })) === null, 'no connection: null');
  }],
  ['TokenVault: 50 concurrent reads of an expired token make 1 refresh; two vaults on one store make 1', async (api) => {
    const store = api.memoryStore();
    const a = new api.TokenVault({ secrets: SECRET, store });
    const b = new api.TokenVault({ secrets: SECRET, store });
    await a.save(alice, expiredTokens('AT1', 'RT1'));
    const p = provider([{ access_token: 'AT2', refresh_token: 'RT2', expires_in: 3600 }, { access_token: 'AT3', expires_in: 3600 }]);
    const c = client(api, p.fetch);
    const reads = await Promise.all([
      ...Array.from({ length: 50 }, () => a.getConnection(alice, c)),
      ...Array.from({ length: 5 }, () => b.getConnection(alice, c)),
    ]);
    ok(p.refreshes() === 1, `one refresh, got ${p.refreshes()}`);
    ok(p.bodies[0].includes('refresh_token=RT1'), 'RT1 presented');
    ok(reads.every((r) => r.accessToken === 'AT2'), 'all got AT2');
    ok((await a.status(alice)).version === 2, 'one write');
  }],
  ['TokenVault: the refresh lease lasts as long as the refresh can (timeoutMs × maxAttempts, the longest waits, the store)', async (api) => {
    const inner = api.memoryStore();
    const leases = [];
    const store = {
      get: (k) => inner.get(k),
      set: (k, v, o) => inner.set(k, v, o),
      delete: (k) => inner.delete(k),
      setIfAbsent: (k, v, o) => (k.endsWith(':lease') && leases.push(o?.ttlMs), inner.setIfAbsent(k, v, o)),
      compareAndSet: (k, e, v, o) => inner.compareAndSet(k, e, v, o),
    };
    const vault = new api.TokenVault({ secrets: SECRET, store });
    const bob = { ...alice, userId: 'bob' };
    await vault.save(alice, expiredTokens('AT1', 'RT1'));
    await vault.save(bob, expiredTokens('BT1', 'BRT1'));
    const p = provider([{ access_token: 'AT2', expires_in: 3600 }, { access_token: 'BT2', expires_in: 3600 }]);
    const refreshed = await vault.getConnection(alice, client(api, p.fetch));
    ok(refreshed.accessToken === 'AT2', 'refreshed');
    ok(refreshed.lastRefresh?.at instanceof Date && refreshed.lastRefresh.code === null, `lastRefresh ${JSON.stringify(refreshed.lastRefresh)}`);
    const quick = new api.OAuthClient({
      provider: 'googlecalendar', clientId: 'CID', clientSecret: 'SENTINEL_CS', redirectUri: 'https://app.example/callback',
      fetch: p.fetch, timeoutMs: 2000, maxAttempts: 2,
    });
    ok((await vault.getConnection(bob, quick)).accessToken === 'BT2', 'refreshed');
    // 3 × 30 s + 2 × 60 s (Retry-After) + 0.6 s (write retries) + 10 s; 2 × 2 s + 60 s + 0.6 s + 10 s.
    ok(leases.join() === '220600,74600', `lease TTLs: ${leases.join()}`);
  }],
  ['TokenVault: while another instance holds the lease, a still-valid token at once; an expired one waits leaseWaitMs', async (api) => {
    const inner = api.memoryStore();
    // B's store: another instance holds every lease.
    const leased = { ...recordingStore(api, inner), setIfAbsent: async (k, v, o) => (k.endsWith(':lease') ? false : inner.setIfAbsent(k, v, o)) };
    const a = new api.TokenVault({ secrets: SECRET, store: inner });
    const pa = provider([{ access_token: 'AT2', refresh_token: 'RT2', expires_in: 3600 }]);
    const pb = provider([{ access_token: 'AT2-B', refresh_token: 'RT2-B', expires_in: 3600 }]);
    const bob = { ...alice, userId: 'bob' };
    // Bob's token lives 600 ms: after 420 ms it is inside its margin (the
    // last 245 to 300 ms), not expired. (leaseWaitMs 0: were it expired, B
    // would fail at once instead of waiting.)
    await a.save(bob, { accessToken: 'BT1', refreshToken: 'BRT1', expiresAt: new Date(Date.now() + 600), scopes: ['calendar'] });
    await new Promise((r) => setTimeout(r, 420));
    const now = new api.TokenVault({ secrets: SECRET, store: leased, leaseWaitMs: 0 });
    let started = Date.now();
    ok((await now.getConnection(bob, client(api, pb.fetch))).accessToken === 'BT1', 'the still-valid token');
    ok(Date.now() - started < 200 && pb.bodies.length === 0, `at once, no provider call (${Date.now() - started} ms)`);
    // Alice's token expired: B waits, and gets A's result when it lands.
    const b = new api.TokenVault({ secrets: SECRET, store: leased });
    await a.save(alice, expiredTokens('AT1', 'RT1'));
    const waiting = b.getConnection(alice, client(api, pb.fetch));
    await new Promise((r) => setTimeout(r, 100));
    ok((await a.getConnection(alice, client(api, pa.fetch))).accessToken === 'AT2', 'A refreshed');
    ok((await waiting).accessToken === 'AT2' && pb.bodies.length === 0, 'B got A\'s token');
    // Nobody lands a result: B gives up after leaseWaitMs.
    const carol = { ...alice, userId: 'carol' };
    await a.save(carol, expiredTokens('CT1', 'CRT1'));
    const impatient = new api.TokenVault({ secrets: SECRET, store: leased, leaseWaitMs: 200 });
    started = Date.now();
    const error = await rejectsCode(impatient.getConnection(carol, client(api, pb.fetch)), 'REFRESH_IN_PROGRESS');
    const waited = Date.now() - started;
    ok(waited >= 150 && waited < 3000, `gave up after ${waited} ms`);
    ok(error.message.includes('200 ms') && pb.bodies.length === 0, error.message);
    for (const leaseWaitMs of [-1, 1.5, '25000', 600_001, Number.NaN]) {
      const bad = throwsCode(() => new api.TokenVault({ secrets: SECRET, store: inner, leaseWaitMs }), 'INVALID_INPUT');
      ok(bad.message.includes('leaseWaitMs'), bad.message);
      throwsCode(() => api.createConnectorsServer({ appId: 'app1', publicUrl: 'https://connectors.example', secret: SECRET, leaseWaitMs }), 'INVALID_INPUT');
    }
    api.createConnectorsServer({ appId: 'app1', publicUrl: 'https://connectors.example', secret: SECRET, leaseWaitMs: 0 });
  }],
  ['TokenVault: invalid_grant marks the connection expired; reconnecting keeps its id', async (api) => {
    const events = [];
    const vault = new api.TokenVault({ secrets: [SECRET], store: api.memoryStore(), onEvent: (e) => events.push(e) });
    const first = await vault.save(alice, expiredTokens('AT1', 'RT1'));
    const p = provider([() => json({ error: 'invalid_grant', error_description: 'SENTINEL_RT revoked' }, 400)]);
    const error = await rejectsCode(vault.getConnection(alice, client(api, p.fetch)), 'NEEDS_RECONNECT');
    ok(!`${error.message}${error.stack}${JSON.stringify(error)}`.includes('SENTINEL'), 'no secret in the error');
    await rejectsCode(vault.getConnection(alice, client(api, p.fetch)), 'NEEDS_RECONNECT');
    ok(p.bodies.length === 1, 'not refreshed again');
    ok((await vault.status(alice)).status === 'expired', 'status expired');
    const again = await vault.save(alice, await tokensFor(api, 'AT9', 'RT9', 3600));
    ok(again.connectionId === first.connectionId && again.status === 'active', 'same identity');
    ok(events.map((e) => e.type).join() === 'connection.created,connection.expired,connection.recovered',
      events.map((e) => e.type).join());
    const e = events[1];
    ok(e.kind === 'app_user' && e.userId === 'alice' && e.status === 'expired' && e.code === 'NEEDS_RECONNECT' && e.at instanceof Date,
      JSON.stringify(e));
    ok(!JSON.stringify(events).includes('AT1') && !JSON.stringify(events).includes('RT1'), 'no token in events');
  }],
  ['TokenVault: disconnect revokes the refresh then the access token, and reads fail at once', async (api) => {
    const vault = new api.TokenVault({ secrets: SECRET, store: api.memoryStore() });
    await vault.save(alice, await tokensFor(api, 'AT1', 'RT1', 3600));
    const p = provider([() => new Response('', { status: 200 }), () => new Response('', { status: 200 })]);
    const result = await vault.disconnect(alice, client(api, p.fetch));
    ok(result.revocation === 'revoked', JSON.stringify(result));
    ok(p.bodies[0].includes('token=RT1') && p.bodies[0].includes('token_type_hint=refresh_token'), p.bodies[0]);
    ok(p.bodies[1].includes('token=AT1') && p.bodies[1].includes('token_type_hint=access_token'), p.bodies[1]);
    await rejectsCode(vault.getConnection(alice, client(api, p.fetch)), 'NOT_CONNECTED');
    ok((await vault.status(alice)) === null, 'purged');
    ok((await vault.disconnect(alice, client(api, p.fetch))).revocation === 'none', 'nothing left');
  }],
  ['TokenVault: a failing store surfaces STORE_UNAVAILABLE, and bad input has clear codes', async (api) => {
    const inner = api.memoryStore();
    const store = {
      get: (k) => inner.get(k),
      set: () => { throw new Error('redis down SENTINEL_X'); },
      delete: (k) => inner.delete(k),
      setIfAbsent: async () => { throw new Error('redis down'); },
      compareAndSet: async () => { throw new Error('redis down'); },
    };
    const vault = new api.TokenVault({ secrets: SECRET, store });
    const error = await rejectsCode(vault.save(alice, await tokensFor(api, 'AT1', 'RT1', 3600)), 'STORE_UNAVAILABLE');
    ok(!error.message.includes('SENTINEL'), 'the host error text is not copied');
    ok((await inner.get('x')) === null, 'nothing written');
    const liar = new api.TokenVault({ secrets: SECRET, store: { ...store, get: async () => 42 } });
    await rejectsCode(liar.status(alice), 'STORE_UNAVAILABLE');
    throwsCode(() => new api.TokenVault({ secrets: 'short', store: inner }), 'CONFIG_INVALID');
    const shapeless = throwsCode(() => new api.TokenVault('secret'), 'INVALID_INPUT');
    ok(shapeless.message.includes('{ secrets, store }'), shapeless.message);
    throwsCode(() => new api.TokenVault({ secrets: SECRET, store: { get() {} } }), 'INVALID_INPUT');
    const typo = throwsCode(() => new api.TokenVault({ secrets: SECRET, stor: inner }), 'INVALID_INPUT');
    ok(typo.suggestion === 'store' || typo.message.includes('store'), typo.message);
    const good = new api.TokenVault({ secrets: SECRET, store: inner });
    await rejectsCode(good.status({ kind: 'user', connectorId: 'x' }), 'INVALID_INPUT');
    await rejectsCode(good.status({ kind: 'app_user', connectorId: 'x' }), 'INVALID_INPUT');
    await rejectsCode(good.save(alice, { accessToken: 'x', expiresAt: 'soon' }), 'INVALID_INPUT');
  }],
];
