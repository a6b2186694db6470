// A consumer written against the package's declarations: must type-check.
import {
  ConnectorsError,
  generateTypes,
  getProvider,
  listAvailable,
  loadConnectorsDir,
  parseConnectorFile,
  registerProvider,
  validateConnectors,
  OAuthClient,
  generateCodeVerifier,
  generateState,
  memoryStore,
  denoKvStore,
  durableObjectStore,
  ConnectorsStoreObject,
  storeConformance,
  TokenVault,
  type Connection,
  type ConnectionEvent,
  type ConnectionRef,
  type ConnectorsStore,
  type DenoKvLike,
  type DurableObjectNamespaceLike,
  type StoreConformanceCase,
  type StoreSetOptions,
  type OAuthTokens,
  type AvailableIntegration,
  type ConnectorConfig,
  type ConnectorsErrorCode,
  type ProviderEntry,
  type ValidatedConnectors,
} from 'oauth-connectors';

const list: AvailableIntegration[] = listAvailable();
const names: string[] = list.map((i) => i.displayName);
const required: boolean[] = list.flatMap((i) => i.connectionConfigFields.map((f) => f.required));
const entry: ProviderEntry = getProvider('github');
const scopeParam: string | null | undefined = entry.scope?.param;
const config: ConnectorConfig = parseConnectorFile('{"type": "github"}', 'github.jsonc');
const checked: ValidatedConnectors = validateConnectors([{ path: 'a.jsonc', text: new Uint8Array() }, { type: 'slack' }]);
const custom: ProviderEntry = registerProvider({ type: 'acme', display_name: 'Acme', auth_model: 'managed' });
const dts: string = generateTypes(checked, { moduleName: '@base44/sdk' });

async function load(): Promise<number> {
  const { connectors, warnings } = await loadConnectorsDir();
  return connectors.length + warnings.length;
}

try {
  parseConnectorFile('{');
} catch (error) {
  if (error instanceof ConnectorsError) {
    const code: ConnectorsErrorCode = error.code;
    const where: string = `${error.path ?? ''}:${error.line ?? 0}:${error.column ?? 0}`;
    const suggestion: string | undefined = error.suggestion;
    void [code, where, suggestion];
  }
}

// @ts-expect-error: auth_model is 'oauth' | 'managed'
registerProvider({ type: 'x', display_name: 'X', auth_model: 'saml' });

export { names, required, scopeParam, config, custom, dts, load };

declare function hostFetch(request: unknown): Promise<unknown>;

async function oauth(callbackQuery: string): Promise<string | null> {
  const client = new OAuthClient({
    provider: 'github',
    clientId: 'id',
    clientSecret: 'secret',
    redirectUri: 'https://app.example/cb',
    fetch: hostFetch,
    timeoutMs: 10_000,
  });
  const state = generateState();
  const codeVerifier = generateCodeVerifier();
  const url: string = client.createAuthorizationURL({ state, codeVerifier, scopes: ['repo'] });
  const params = new Map([['code', 'c'], ['iss', 'https://github.com']]);
  const tokens: OAuthTokens = await client.validateAuthorizationCode(params.get('code') ?? '', codeVerifier, params);
  await client.validateAuthorizationCode('c', null, callbackQuery, { scopes: ['repo'] });
  const expires: Date | null = tokens.expiresAt;
  const again: OAuthTokens = await client.refreshAccessToken(tokens.refreshToken ?? '');
  const revoked: boolean = await client.revokeToken(again.accessToken, 'access_token');
  // @ts-expect-error: tokens are read-only
  tokens.accessToken = 'x';
  void [url, expires, revoked];
  return tokens.refreshToken;
}
void oauth;

// Stores: a custom adapter may answer synchronously (here over a Map, without expiry).
function mapStore(): ConnectorsStore {
  const entries = new Map<string, string>();
  return {
    get: (key) => entries.get(key) ?? null,
    set: (key, value, options?: StoreSetOptions) => void entries.set(key, value),
    delete: (key) => void entries.delete(key),
    setIfAbsent: (key, value) => !entries.has(key) && (entries.set(key, value), true),
    compareAndSet: async (key, expected, value) => {
      if ((entries.get(key) ?? null) !== expected) return false;
      if (value === null) entries.delete(key);
      else entries.set(key, value);
      return true;
    },
  };
}
declare const kv: DenoKvLike;
async function stores(): Promise<boolean> {
  const cases: StoreConformanceCase[] = [
    ...storeConformance(mapStore, { ttl: false }),
    ...storeConformance(async () => memoryStore({ now: () => 0 })),
  ];
  for (const c of cases) await c.run();
  const store: ConnectorsStore = denoKvStore(kv, { prefix: ['app', 1n] });
  await store.set('k', 'v', { ttlMs: 60_000 });
  const current: string | null = await store.get('k');
  // @ts-expect-error: ttlMs is a number
  await store.set('k', 'v', { ttlMs: '50' });
  // @ts-expect-error: a prefix is a Deno KV key (an array)
  denoKvStore(kv, { prefix: 'app' });
  return store.compareAndSet('k', current, null);
}
void stores;

// durableObjectStore over a namespace shaped as @cloudflare/workers-types declares it.
interface WorkersNamespace {
  idFromName(name: string): { toString(): string; equals(other: unknown): boolean };
  get(id: { toString(): string }, options?: { locationHint?: string }): {
    fetch(input: string | { url: string }, init?: { method?: string; headers?: Record<string, string> | [string, string][]; body?: string | null }): Promise<{ status: number; ok: boolean; text(): Promise<string>; json(): Promise<unknown> }>;
  };
}
declare const namespace: WorkersNamespace;
async function durableObjects(): Promise<string | null> {
  const store: ConnectorsStore = durableObjectStore(namespace, { name: 'app1' });
  const like: DurableObjectNamespaceLike = namespace;
  const page = await durableObjectStore(like).list('app1:', { cursor: null, limit: 10 });
  const keys: string[] = page.entries.map((e) => `${e.key}=${e.value}`);
  // @ts-expect-error: the name is a string
  durableObjectStore(namespace, { name: 1 });
  class Inspected extends ConnectorsStoreObject {
    async sweep(): Promise<void> {
      await this.alarm();
    }
  }
  void Inspected;
  await store.set(keys[0] ?? 'k', 'v');
  return page.cursor;
}
void durableObjects;

// The vault: connections by kind, a hidden access token, lifecycle events.
async function vault(tokens: OAuthTokens, client: OAuthClient): Promise<string> {
  const events: ConnectionEvent['type'][] = [];
  const v = new TokenVault({ secrets: ['a'.repeat(32), 'b'.repeat(32)], onEvent: (e) => events.push(e.type) });
  new TokenVault({ secrets: 'c'.repeat(32), store: memoryStore(), appId: 'app1' });
  const who: ConnectionRef = { kind: 'app_user', connectorId: 'calendar', userId: 'u1' };
  const saved: Connection = await v.save(who, tokens);
  await v.save({ kind: 'shared', integrationType: 'googlecalendar' }, tokens);
  // @ts-expect-error: an app-user connection needs its user id
  await v.save({ kind: 'app_user', connectorId: 'calendar' }, tokens);
  const status: Connection | null = await v.status(who);
  const { revocation } = await v.disconnect(who, client);
  const connection = await v.getConnection({ kind: 'workspace', connectorId: 'calendar' }, client);
  void [saved.connectionId, status?.status, revocation, events];
  return connection.accessToken;
}
void vault;

// The app's user tokens, serveNode's limits, the SDK client's serverUrl, the dev provider.
import { issueUserToken, serveNode, createConnectorsServer, createClientFromRequest, type ServeNodeLimits } from 'oauth-connectors';
import { localProviderEntry, signIn, startLocalProvider, type LocalProvider } from 'oauth-connectors/dev-provider';
async function appTools(request: { headers: { get(name: string): string | null } }): Promise<number> {
  const users = { secret: 'u'.repeat(32), issuer: 'https://app.example', audience: 'app1' };
  const token: string = issueUserToken({ ...users, userId: 'alice', email: 'a@example.test', expiresInSeconds: 600 });
  // @ts-expect-error: the user id is required
  issueUserToken({ ...users });
  const served = await serveNode(createConnectorsServer({ appId: 'app1', publicUrl: 'http://127.0.0.1:8787', secret: 's'.repeat(32) }), {
    headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 2_000, idleTimeoutMs: 30_000, maxHeaderBytes: 8_192, maxConnections: 100,
  });
  const limits: Readonly<ServeNodeLimits> = served.limits;
  // @ts-expect-error: a misspelt limit
  await serveNode(createConnectorsServer({ appId: 'app1', publicUrl: 'http://127.0.0.1:8787', secret: 's'.repeat(32) }), { headerTimeoutMs: 1 });
  createClientFromRequest(request, { serverUrl: served.url });
  const op: LocalProvider = await startLocalProvider({ clients: [{ clientId: 'c', clientSecret: 's', redirectUris: [served.url] }], accessTokenTtl: 60 });
  const entry: ProviderEntry = localProviderEntry(op.issuer);
  const back: string = (await signIn('http://127.0.0.1:1/auth', { login: 'alice', redirectUri: served.url })).href;
  void [token, entry, back];
  return limits.headersTimeoutMs;
}
void appTools;
