// The installed package in Node (ESM), through its "node" export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from 'oauth-connectors';
import { checks } from './checks.mjs';

for (const [name, fn] of checks) test(name, () => fn(api));

test('index.d.ts declares every error code the wasm can throw', () => {
  const dts = readFileSync(new URL('./node_modules/oauth-connectors/index.d.ts', import.meta.url), 'utf8');
  const missing = api.errorCodes().filter((code) => !dts.includes(`'${code}'`));
  assert.deepEqual(missing, []);
});

test('loadConnectorsDir reads a base44/connectors folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-'));
  const folder = join(dir, 'base44', 'connectors');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'slack.jsonc'), '{ "type": "slack", "scopes": ["chat:write",], } // bot\n');
  writeFileSync(join(folder, 'github.json'), '{"type": "github"}');
  writeFileSync(join(folder, 'notes.txt'), 'not a connector');
  const { connectors } = await api.loadConnectorsDir(folder);
  assert.deepEqual(connectors.map((c) => c.type), ['github', 'slack']);
  writeFileSync(join(folder, 'z.jsonc'), '{\n "type": "slack"\n}');
  await assert.rejects(api.loadConnectorsDir(folder), (e) => e.code === 'DUPLICATE_CONNECTOR' && e.path.endsWith('z.jsonc') && e.line === 2);
  const missing = await api.loadConnectorsDir(join(dir, 'nope'));
  assert.deepEqual(missing.connectors, []);
});

// Each conformance case must be able to fail: a store with one bug (here,
// memoryStore behind a wrapper) fails the case written for that bug.
test('storeConformance: each case fails on a store with the bug it is about', async () => {
  const withKeys = (s, f) => ({
    get: (k) => s.get(f(k)), set: (k, ...a) => s.set(f(k), ...a), delete: (k) => s.delete(f(k)),
    setIfAbsent: (k, ...a) => s.setIfAbsent(f(k), ...a), compareAndSet: (k, ...a) => s.compareAndSet(f(k), ...a),
  });
  const bugs = {
    'get of a missing key is null': (s) => ({ get: async (k) => (await s.get(k)) ?? undefined }),
    'set then get round-trips keys with ":" and "%", and a 60 KiB value': (s) => ({ set: (k, v, o) => s.set(k, v.slice(0, 32 * 1024), o) }),
    'set overwrites': (s) => ({ set: async (k, v, o) => void (await s.setIfAbsent(k, v, o)) }),
    'delete removes the key, and deleting a missing key is fine': (s) => ({
      delete: async (k) => { if ((await s.get(k)) === null) throw new Error(`no key ${k}`); await s.delete(k); },
    }),
    'keys are independent: "a", "a:b" and "a%3Ab" do not collide': (s) => withKeys(s, decodeURIComponent),
    'entries written with ttlMs expire (set, setIfAbsent, compareAndSet), longer ones do not': (s) => ({
      set: (k, v) => s.set(k, v), setIfAbsent: (k, v) => s.setIfAbsent(k, v), compareAndSet: (k, e, v) => s.compareAndSet(k, e, v),
    }),
    'set without ttlMs clears an earlier ttl': (s) => {
      const ttls = new Map(); // Redis's SET ... KEEPTTL
      return { set: (k, v, o) => (o && ttls.set(k, o), s.set(k, v, o ?? ttls.get(k))) };
    },
    'setIfAbsent writes only when the key is absent': (s) => ({ setIfAbsent: async (k, v, o) => (await s.set(k, v, o), true) }),
    'an expired entry counts as absent for setIfAbsent and compareAndSet': (s) => {
      const written = new Set();
      return {
        set: (k, v, o) => (written.add(k), s.set(k, v, o)),
        setIfAbsent: async (k, v, o) => !written.has(k) && s.setIfAbsent(k, v, o),
        compareAndSet: async (k, e, v, o) => (e !== null || !written.has(k)) && s.compareAndSet(k, e, v, o),
      };
    },
    '20 concurrent setIfAbsent on one key: exactly one wins': (s) => ({
      setIfAbsent: async (k, v, o) => (await s.get(k)) === null && (await s.set(k, v, o), true),
    }),
    'compareAndSet with the current value replaces it': (s) => ({ compareAndSet: async (k, e) => (await s.get(k)) === e }),
    'compareAndSet with another expected value changes nothing': (s) => ({
      compareAndSet: async (k, e, v, o) => (await (v === null ? s.delete(k) : s.set(k, v, o)), true),
    }),
    'compareAndSet with expected null: false on a present key, creates an absent one': (s) => ({
      compareAndSet: async (k, e, v, o) => (e === null ? (await s.set(k, v, o), true) : s.compareAndSet(k, e, v, o)),
    }),
    'compareAndSet with value null deletes the key': (s) => ({ compareAndSet: (k, e, v, o) => s.compareAndSet(k, e, v ?? '', o) }),
    '20 concurrent compareAndSet from one value: exactly one wins': (s) => ({
      compareAndSet: async (k, e, v, o) => (await s.get(k)) === e && (await s.set(k, v, o), true),
    }),
    // The optional list.
    'list: pages of at most limit entries, and the cursor leads to the end': (s) => ({ list: (p, o) => s.list(p, { ...o, limit: 1000 }) }),
    'list: an empty prefix range ends, with no entries; deleted keys are gone': (s) => ({ delete: (k) => s.set(k, '') }),
    'list: a prefix is a plain string prefix ("%", ":", "_", "*", "?", "[" and "\\" are not patterns)': (s) => ({
      // SQL LIKE without escaping: "_" is any one character, "%" any run.
      list: async (p, o) => {
        const like = new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/_/g, '.').replace(/%/g, '.*')}`);
        const all = await s.list('', { limit: 1000 });
        return { entries: all.entries.filter((e) => like.test(e.key)), cursor: null, ...(o?.cursor ? { entries: [] } : {}) };
      },
    }),
    'list: expired entries are left out': (s) => {
      const shadow = api.memoryStore(); // the same writes, without expiry
      return {
        set: async (k, v, o) => (await shadow.set(k, v), s.set(k, v, o)),
        setIfAbsent: async (k, v, o) => (await shadow.set(k, v), s.setIfAbsent(k, v, o)),
        list: (p, o) => shadow.list(p, o),
      };
    },
    'list: bad arguments reject INVALID_INPUT': (s) => ({
      list: async (p, o) => s.list(String(p), { limit: Math.min(1000, Math.max(1, Math.trunc(Number(o?.limit) || 100))) }),
    }),
  };
  const cases = api.storeConformance(() => api.memoryStore());
  assert.deepEqual(cases.map((c) => c.name).sort(), Object.keys(bugs).sort(), 'one bug per case');
  for (const { name } of cases) {
    const [buggy] = api.storeConformance(() => {
      const store = api.memoryStore();
      return { ...store, ...bugs[name](store) };
    }).filter((c) => c.name === name);
    await assert.rejects(buggy.run(), (error) => error instanceof Error && error.message.length > 0, `"${name}" passed on a store with its bug`);
  }
});

test('a cold start (import, a server, an in-process read) builds no Request or Response, so Node never loads undici for it', async () => {
  // Node defines fetch, Request, Response and Headers as getters that load
  // undici (~10 ms) on first use: a process that only reads tokens
  // in-process must not pay for it.
  const { execFileSync } = await import('node:child_process');
  const script = `
    const touched = [];
    for (const name of ['fetch', 'Request', 'Response', 'Headers', 'FormData']) {
      const own = Object.getOwnPropertyDescriptor(globalThis, name);
      Object.defineProperty(globalThis, name, { configurable: true, get() { touched.push(name); Object.defineProperty(globalThis, name, own); return globalThis[name]; } });
    }
    const api = await import('oauth-connectors');
    const store = api.memoryStore();
    const secret = 'cold-start-secret-0123456789abcdef';
    await new api.TokenVault({ secrets: secret, store, appId: 'app-1' }).save({ kind: 'workspace', connectorId: 'crm.eu-1' }, {
      accessToken: 'ya29.a0_Ab-5min', refreshToken: null, tokenType: 'Bearer', expiresAt: new Date(Date.now() + 300_000),
      scopes: [], connectionConfig: {}, account: {}, raw: {},
    });
    const server = api.createConnectorsServer({
      appId: 'app-1', publicUrl: 'http://127.0.0.1:1', secret, store, serviceTokens: ['svc-token-0123456789'],
      workspaceConnectors: { 'crm.eu-1': { type: 'hubspot', clientId: 'id', clientSecret: 'secret' } },
    });
    const client = api.createClient({ appId: 'app-1', serviceToken: 'svc-token-0123456789', fetch: server.fetch });
    const { accessToken } = await client.asServiceRole.connectors.getWorkspaceConnection('crm.eu-1');
    const code = accessToken === 'ya29.a0_Ab-5min' ? 200 : accessToken;
    console.log(JSON.stringify({ touched, code }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('.', import.meta.url), encoding: 'utf8', timeout: 30_000 });
  assert.deepEqual(JSON.parse(out.trim().split('\n').pop()), { touched: [], code: 200 });
});
