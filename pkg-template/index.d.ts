// Types of the oauth-connectors package. The functions are implemented in
// Rust (src/wasm/) and initialised automatically on import in every runtime.

/**
 * Registry of connector integration type names. `generateTypes()` writes a
 * file that fills it; then `ConnectorIntegrationType` is the union of the
 * keys (as in `@base44/sdk`).
 */
export interface ConnectorIntegrationTypeRegistry {}

/** The configured integration type names, or `string` when none were generated. */
export type ConnectorIntegrationType = keyof ConnectorIntegrationTypeRegistry extends never
  ? string
  : keyof ConnectorIntegrationTypeRegistry;

/** The stable error codes. */
export type ConnectorsErrorCode =
  | 'CONFIG_SYNTAX'
  | 'CONFIG_TOO_LARGE'
  | 'CONFIG_TOO_DEEP'
  | 'DUPLICATE_KEY'
  | 'UNKNOWN_FIELD'
  | 'CONFIG_INVALID'
  | 'DUPLICATE_CONNECTOR'
  | 'UNKNOWN_PROVIDER'
  | 'INVALID_SCOPE'
  | 'PROVIDER_INVALID'
  | 'INVALID_INPUT'
  | 'RNG_UNAVAILABLE'
  | 'STATE_MALFORMED'
  | 'STATE_TAMPERED'
  | 'STATE_EXPIRED'
  | 'STATE_CONNECTOR_MISMATCH'
  | 'STATE_REPLAYED'
  | 'INVALID_CALLBACK'
  | 'ISSUER_MISMATCH'
  | 'ISSUER_MISSING'
  | 'AUTHORIZATION_DENIED'
  | 'CODE_EXCHANGE_FAILED'
  | 'NEEDS_RECONNECT'
  | 'PROVIDER_CONFIG_ERROR'
  | 'PROVIDER_ERROR'
  | 'RETRYABLE_EXHAUSTED'
  | 'TIMEOUT_AMBIGUOUS'
  | 'RESPONSE_TOO_LARGE'
  | 'NETWORK_ERROR'
  | 'RECORD_MALFORMED'
  | 'RECORD_TAMPERED'
  | 'VAULT_KEY_UNKNOWN'
  | 'NOT_CONNECTED'
  | 'STORE_UNAVAILABLE'
  | 'REFRESH_IN_PROGRESS'
  | 'STATE_BROWSER_MISMATCH'
  | 'UNAUTHENTICATED'
  | 'JWT_TOO_LARGE'
  | 'JWT_ALG_NOT_ALLOWED'
  | 'JWT_EXPIRED'
  | 'JWT_INVALID'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'UNKNOWN_CONNECTOR'
  | 'METHOD_NOT_ALLOWED'
  | 'SCOPES_MISSING'
  | 'RETURN_URL_NOT_ALLOWED'
  | 'PROXY_NOT_ALLOWED'
  | 'BODY_TOO_LARGE'
  | 'LIST_UNSUPPORTED'
  | 'STRIPE_KEY_INVALID'
  | 'STRIPE_KEY_REFUSED';

/** What every function of this package throws for bad input. */
export declare class ConnectorsError extends Error {
  constructor(code: ConnectorsErrorCode, message: string, details?: Partial<ConnectorsError>);
  name: 'ConnectorsError';
  code: ConnectorsErrorCode;
  /** The file the error was found in, when it came from a file. */
  path?: string;
  /** 1-based line in that file. */
  line?: number;
  /** 1-based column (Unicode characters) in that file. */
  column?: number;
  /** For `UNKNOWN_PROVIDER`: the closest known type id. */
  suggestion?: string;
  /**
   * When one error stands for several (every bad connector file of
   * `validateConnectors`, `loadConnectorsDir` or `createConnectorsServer`'s
   * `connectors`; every connector file without credentials): each of them,
   * in file order. The error's own `code`, `path`, `line` and `column` are
   * the first one's, and its message has one line per entry.
   */
  errors?: ConnectorsErrorDetail[];
}

/** One entry of `ConnectorsError.errors`: what a thrown error of its own would carry. */
export interface ConnectorsErrorDetail {
  code: ConnectorsErrorCode;
  /** `path:line:column: ...` when the place is known, as a thrown error's message. */
  message: string;
  path?: string;
  line?: number;
  column?: number;
  suggestion?: string;
}

/** A per-connection value the user gives (a subdomain, a tenant), camelCase as in `@base44/sdk`. */
export interface ConnectionConfigField {
  name: string;
  displayName: string;
  description: string;
  placeholder: string;
  required: boolean;
  validationPattern?: string;
  validationError?: string;
}

/** One item of `listAvailable()`: Base44's "available integrations" shape in camelCase. */
export interface AvailableIntegration {
  integrationType: string;
  displayName: string;
  description: string;
  connectionConfigFields: ConnectionConfigField[];
}

/** A catalog entry's connection-config field (snake_case, as in the catalog file). */
export interface ProviderConfigField {
  name: string;
  display_name: string;
  description?: string;
  placeholder?: string;
  required?: boolean;
  /** An anchored regular expression (`^…$`); required for fields used in endpoint templates. */
  validation_pattern?: string;
  validation_error?: string;
  default?: string;
}

/**
 * A provider entry: the built-in catalog's format, also what
 * `registerProvider` takes. Endpoints may contain `{field}` parts filled from
 * connection config after the value matches the field's validation pattern.
 */
export interface ProviderEntry {
  /** The integration type id: `^[a-z0-9_-]+$` matched case-insensitively, at most 64 characters; stored in lower case. */
  type: string;
  display_name: string;
  description?: string;
  auth_model: 'oauth' | 'managed';
  authorization_url?: string;
  token_url?: string;
  revocation?: {
    url: string;
    style?: 'rfc7009' | 'bearer' | 'github_application' | 'square_client';
    /** Where client credentials go (`rfc7009` style), when not as at the token endpoint (`client_auth`). */
    client_auth?: 'body' | 'basic';
    /** The body's encoding (`rfc7009` style): `form` (RFC 7009, the default) or `json`. */
    format?: 'form' | 'json';
    /** Extra request headers (for example Notion's `Notion-Version`). */
    headers?: Record<string, string>;
    /** The body field carrying the token, when not `token`; no `token_type_hint` then (Supabase `refresh_token`). */
    token_param?: string;
    /** Only the refresh token is revoked (it ends the grant); the endpoint takes no access token. */
    refresh_only?: boolean;
  };
  /** The `iss` sent on the callback (RFC 9207), when the provider sends one. */
  issuer?: string;
  scope?: {
    /** `scope` by default; `null` when the provider takes no scopes. */
    param: string | null;
    separator?: string;
    /** Scopes always requested (for example `offline_access`). */
    always?: string[];
    /** The separator of the granted scope in token responses, when different. */
    response_separator?: string;
  };
  pkce?: 'required' | 'supported' | 'unsupported';
  authorization_params?: Record<string, string>;
  authorization_param_names?: Record<string, string>;
  token_param_names?: Record<string, string>;
  client_auth?: 'body' | 'basic';
  token_request_format?: 'form' | 'json';
  /** Extra headers on every token endpoint request (code exchange and refresh). */
  token_request_headers?: Record<string, string>;
  /** A refresh repeats the code exchange's `redirect_uri` (Snowflake). */
  refresh_redirect_uri?: boolean;
  token_response?: {
    /** A dot path to the tokens in the code exchange's answer (Slack user tokens: `authed_user`); default the top level. */
    token_path?: string;
    /** The same in a refresh's answer, when it differs: `''` is the top level; default `token_path`. */
    refresh_path?: string;
    ok_field?: string;
    form_encoded?: boolean;
    expires_at_field?: string;
    /** The access token's lifetime in seconds when the answer gives none (tokens that expire unannounced). */
    default_expires_in?: number;
    /** Errors in the provider's own shape: an answer whose `field` (dot path) is `value` is the OAuth error `error`. */
    error_aliases?: { field: string; value: string; error: string }[];
    /** Connection-config name -> dot path in the token response. */
    connection_config?: Record<string, string>;
  };
  /** Callback query parameters kept as connection config. */
  callback_params?: string[];
  refresh_tokens?: 'none' | 'rotated' | 'reused' | 'unknown';
  api_base_urls?: string[];
  connection_config_fields?: ProviderConfigField[];
  docs_url?: string;
  /**
   * What no source confirmed, by field (`pkce`, `revocation`, `scope.separator`,
   * ...): the value of such a field is the catalog's best reading, not a fact.
   */
  unconfirmed?: Record<string, string>;
}

/** What a connector file declares. */
export interface ConnectorConfig {
  type: ConnectorIntegrationType;
  scopes: string[];
}

/** A connector file to validate: its text, or values already parsed. */
export type ConnectorFileInput =
  | { path?: string; text: string | Uint8Array }
  | { path?: string; type: string; scopes?: string[] };

export interface ConnectorsWarning {
  /** `SCOPES_IGNORED`: scopes on a connector that is not OAuth (Stripe). */
  code: 'SCOPES_IGNORED';
  message: string;
  path?: string;
}

export interface ValidatedConnectors {
  connectors: ConnectorConfig[];
  warnings: ConnectorsWarning[];
}

/** Every provider in the catalog (plus registered ones), in Base44's available-integrations shape. */
export declare function listAvailable(): AvailableIntegration[];

/** The whole catalog entry of a type id; throws `UNKNOWN_PROVIDER` (with a `suggestion`) otherwise. */
export declare function getProvider(type: string): ProviderEntry;

/**
 * Adds a custom provider, or replaces the entry with the same type id, after
 * validating it (`PROVIDER_INVALID` otherwise). Returns the entry as stored,
 * with defaults filled in.
 */
export declare function registerProvider(entry: ProviderEntry | string): ProviderEntry;

/**
 * Parses one connector file (JSONC: comments and trailing commas allowed).
 * Throws a `ConnectorsError` with `path`, `line` and `column` on bad input.
 */
export declare function parseConnectorFile(text: string | Uint8Array, path?: string): ConnectorConfig;

/**
 * Validates a set of connector files: duplicates (`DUPLICATE_CONNECTOR`,
 * naming both files), unknown types (`UNKNOWN_PROVIDER` with a
 * did-you-mean), scopes (`INVALID_SCOPE`; repeats are dropped). Type ids are
 * read in lower case. Every bad file is reported in one error: the first
 * one's `code`, `path`, `line` and `column`, all of them in `errors`.
 */
export declare function validateConnectors(files: ConnectorFileInput[]): ValidatedConnectors;

/**
 * Reads and validates every `*.jsonc` / `*.json` file in a folder (default
 * `base44/connectors`). Node and Deno only; elsewhere it throws `INVALID_INPUT`.
 */
export declare function loadConnectorsDir(dir?: string): Promise<ValidatedConnectors>;

/**
 * Returns d.ts text that augments `ConnectorIntegrationTypeRegistry` with the
 * given types. Save it as a `.d.ts` file in your project.
 */
export declare function generateTypes(
  configs: ValidatedConnectors | Array<{ type: string } | string>,
  options?: { moduleName?: string },
): string;

/** Every stable error code. */
export declare function errorCodes(): ConnectorsErrorCode[];

/**
 * What `OAuthClient` sends requests with: any WHATWG `fetch` (it is called
 * with a standard `Request` and must resolve to a standard `Response`).
 * Typed loosely so that these declarations need no DOM library.
 */
export type FetchFunction = (request: any) => Promise<unknown>;

/** Options of `new OAuthClient()`. */
export interface OAuthClientOptions {
  /** A catalog type id (`"github"`, `"googlecalendar"`, ...) or a custom provider entry. */
  provider: string | ProviderEntry;
  clientId: string;
  /** Omit for a public client (PKCE only). */
  clientSecret?: string;
  /** Must be https (http only on 127.0.0.1, localhost or [::1]), without a fragment. */
  redirectUri: string;
  /** Default `globalThis.fetch`, looked up at each call. Called with a `Request`; redirects are not followed. */
  fetch?: FetchFunction;
  /** Per provider call, body included. Default 30000. */
  timeoutMs?: number;
  /** Values of the provider's connection-config fields (a subdomain, a tenant). */
  connectionConfig?: Record<string, string>;
  /** Calls in all for a retryable failure (429, 5xx, unreachable), 1 to 10. Default 3. */
  maxAttempts?: number;
}

/**
 * Tokens from a code exchange or a refresh. `accessToken` and
 * `refreshToken` are non-enumerable: read them by name; `console.log`,
 * spreading and `JSON.stringify` leave them out.
 */
export interface OAuthTokens {
  readonly accessToken: string;
  /** `null` when the provider issued none. After a refresh without a new one, the one you passed. */
  readonly refreshToken: string | null;
  /** `"Bearer"` when the provider says nothing (Slack says `"bot"` or `"user"`). */
  tokenType: string;
  /** `null` when the provider gives no lifetime. */
  expiresAt: Date | null;
  /** The granted scopes (the requested ones when the provider does not say). */
  scopes: string[];
  /** Per-connection values from the response or callback (Salesforce `instance_url`, QuickBooks `realmId`, ...). */
  connectionConfig: Record<string, string>;
  /** Who the account is, when the provider says (OpenID `sub`/`email`, Slack, Notion, ...). */
  account: { id?: string; email?: string };
  /** The provider's whole answer, with every token removed. */
  raw: Record<string, unknown>;
}

/** The callback's query parameters: `URLSearchParams` (or any iterable of pairs), an object, or a query string. */
export type CallbackParams = Iterable<readonly [string, string]> | Record<string, string> | string;

/**
 * A low-level OAuth client for one provider and one app registration, like
 * Arctic's provider classes but for every catalog provider. Errors are
 * `ConnectorsError`s: `NEEDS_RECONNECT` (the grant is gone),
 * `CODE_EXCHANGE_FAILED`, `PROVIDER_CONFIG_ERROR` (client id/secret or
 * redirect URI), `ISSUER_MISMATCH`, `RETRYABLE_EXHAUSTED`, `NETWORK_ERROR`,
 * `TIMEOUT_AMBIGUOUS` (a code exchange is never sent twice), ...
 */
export declare class OAuthClient {
  constructor(options: OAuthClientOptions);
  /** The provider's type id. */
  readonly provider: string;
  /**
   * The URL to send the user to. Keep `state` and `codeVerifier` (in a
   * cookie or session) for the callback. `params` adds or replaces
   * provider defaults such as `prompt` or `login_hint`; `client_id`,
   * `redirect_uri`, `state`, `code_challenge*`, `response_type` and the
   * scope parameter cannot be set.
   */
  createAuthorizationURL(options: {
    state: string;
    scopes?: string[];
    /** Required when the provider requires PKCE; sent as its S256 challenge. */
    codeVerifier?: string;
    params?: Record<string, string>;
  }): string;
  /**
   * Exchanges the callback's `code`. Check the callback's `state` yourself
   * first. With `callbackParams`, `iss` is checked against the provider's
   * issuer (RFC 9207) and the provider's callback values join `connectionConfig`.
   */
  validateAuthorizationCode(
    code: string,
    codeVerifier?: string | null,
    callbackParams?: CallbackParams | null,
    options?: { scopes?: string[] },
  ): Promise<OAuthTokens>;
  /** Refreshes; `NEEDS_RECONNECT` when the refresh token is no longer valid. */
  refreshAccessToken(refreshToken: string, options?: { scopes?: string[] }): Promise<OAuthTokens>;
  /** Revokes (RFC 7009). `true` when the provider confirmed, `false` when it has no revocation endpoint. */
  revokeToken(token: string, tokenTypeHint?: 'access_token' | 'refresh_token'): Promise<boolean>;
  /** Frees the wasm memory now instead of at garbage collection. */
  free(): void;
}

/** A random `state`: 32 bytes as 43 base64url characters. */
export declare function generateState(): string;

/** A PKCE code verifier (RFC 7636): 32 random bytes as 43 base64url characters. */
export declare function generateCodeVerifier(): string;

/** Options of a store write. */
export interface StoreSetOptions {
  /** Expire the entry after this many milliseconds (a positive whole number). Without it, the entry does not expire. */
  ttlMs?: number;
}

/**
 * Where the token vault keeps its sealed records: a string-to-string store
 * the host provides (Redis, Postgres, Workers KV, Deno KV, ...). Every method
 * may return its value directly or a Promise of it. Keys are printable ASCII
 * up to about 512 characters (they may contain `:` and `%`); values are ASCII
 * strings up to about 64 KiB. Every record the vault writes is unique (a fresh
 * nonce), so a value is its own version: `compareAndSet` needs no version
 * column. Check an adapter with `storeConformance`.
 */
export interface ConnectorsStore {
  /** The value, or `null` when the key is absent or expired. */
  get(key: string): Promise<string | null> | string | null;
  /**
   * Writes unconditionally. With `ttlMs` the entry expires; without it the
   * entry does not, and an earlier expiry of the key is removed.
   */
  set(key: string, value: string, options?: StoreSetOptions): Promise<void> | void;
  /** Removes the key; no error when it is absent. */
  delete(key: string): Promise<void> | void;
  /**
   * Atomically writes only when the key is absent (or expired). `true` when
   * it wrote: of concurrent callers, exactly one gets `true`.
   */
  setIfAbsent(key: string, value: string, options?: StoreSetOptions): Promise<boolean> | boolean;
  /**
   * Atomically: when the current value (`null` if absent or expired) equals
   * `expected` exactly, replaces it with `value` (or deletes the key when
   * `value` is `null`) and returns `true`; otherwise changes nothing and
   * returns `false`. Of concurrent callers with the same `expected`, exactly
   * one gets `true`.
   */
  compareAndSet(
    key: string,
    expected: string | null,
    value: string | null,
    options?: StoreSetOptions,
  ): Promise<boolean> | boolean;
  /**
   * The live (unexpired) entries whose key starts with `prefix`, a page at a
   * time. Pass the returned `cursor` to get the next page; `null` means the
   * listing is done. Every key that exists under the prefix for the whole
   * listing is returned at least once (a store may return a key twice across
   * pages, e.g. Redis SCAN; callers de-duplicate); keys written or deleted
   * meanwhile may or may not appear. `limit`: at most this many entries per
   * page (a whole number 1..1000, default 100; a page may hold fewer, even
   * zero, while the cursor is not null). Bad arguments reject INVALID_INPUT.
   * Optional: the connectors server's `GET connections` route needs it
   * (`501 LIST_UNSUPPORTED` without it).
   */
  list?(prefix: string, options?: StoreListOptions): Promise<StoreListPage>;
}

/** A shipped store: every method returns a Promise, and `list` is there. */
export interface ListingStore extends ConnectorsStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options?: StoreSetOptions): Promise<void>;
  delete(key: string): Promise<void>;
  setIfAbsent(key: string, value: string, options?: StoreSetOptions): Promise<boolean>;
  compareAndSet(key: string, expected: string | null, value: string | null, options?: StoreSetOptions): Promise<boolean>;
  list(prefix: string, options?: StoreListOptions): Promise<StoreListPage>;
}

/** Options of `ConnectorsStore.list`. */
export interface StoreListOptions {
  /** The `cursor` of the previous page; `null` or absent for the first page. */
  cursor?: string | null;
  /** At most this many entries in the page: a whole number 1..1000, default 100. */
  limit?: number;
}

/** A page of `ConnectorsStore.list`. */
export interface StoreListPage {
  entries: { key: string; value: string }[];
  /** For the next page; `null` when the listing is done. Opaque: made by the store. */
  cursor: string | null;
}

/**
 * An in-process store: a `Map` with expiry times (expired entries read as
 * absent; they are dropped when next touched, and each write also sweeps a
 * few entries, so entries nobody touches again do not pile up). `list`
 * answers keys in order, its cursor the last key of a page. `setIfAbsent` and
 * `compareAndSet` are atomic within the process. Data lives as long as the
 * process or isolate: use it for tests, scripts and single-instance apps.
 * `get` answers in place (a string or `null`), so a token read over it
 * completes without waiting; the other methods return Promises. Bad
 * arguments reject with `INVALID_INPUT`.
 */
export declare function memoryStore(options?: {
  /** The clock, in milliseconds (default `Date.now`); tests pass a fake one. */
  now?: () => number;
}): ConnectorsStore;

/** A Deno KV key part (as `Deno.KvKeyPart`). */
export type DenoKvKeyPart = Uint8Array | string | number | bigint | boolean | symbol;

/** A Deno KV key (as `Deno.KvKey`). */
export type DenoKvKey = readonly DenoKvKeyPart[];

/**
 * The part of `Deno.AtomicOperation` that `denoKvStore` uses. Structural, so
 * that these declarations need no Deno types.
 */
export interface DenoKvAtomicLike {
  check(...checks: { key: DenoKvKey; versionstamp: string | null }[]): DenoKvAtomicLike;
  set(key: DenoKvKey, value: unknown, options?: { expireIn?: number }): DenoKvAtomicLike;
  delete(key: DenoKvKey): DenoKvAtomicLike;
  commit(): Promise<{ ok: boolean }>;
}

/** The part of `Deno.Kv` that `denoKvStore` uses: pass the `Deno.Kv` from `await Deno.openKv()`. */
export interface DenoKvLike {
  get(key: DenoKvKey): Promise<{ value: unknown; versionstamp: string | null }>;
  set(key: DenoKvKey, value: unknown, options?: { expireIn?: number }): Promise<unknown>;
  delete(key: DenoKvKey): Promise<void>;
  atomic(): DenoKvAtomicLike;
  /** For the store's `list` (which the store has only when the `Deno.Kv` has this). */
  list?(
    selector: { prefix: DenoKvKey; start?: DenoKvKey; end?: DenoKvKey },
    options?: { limit?: number; cursor?: string },
  ): AsyncIterable<{ key: DenoKvKey; value: unknown; versionstamp: string }>;
}

/**
 * A store over Deno KV, shared by every process that opens the same
 * database (a local file, or Deno Deploy's KV). The string key `k` is the KV
 * key `[...prefix, k]`, and the KV value is `{ v: value, e: expiresAtMs | null }`;
 * `setIfAbsent` and `compareAndSet` use versionstamp-checked atomic commits.
 * A value must fit in a Deno KV entry: at most 65500 bytes (`INVALID_INPUT`
 * otherwise). `list` reads the KV range `[...prefix, p]` onwards (string keys
 * sort by their bytes, so those starting with `p` are one range), its
 * cursor the last key a page read. `Deno.openKv` needs `--unstable-kv`.
 */
export declare function denoKvStore(
  kv: DenoKvLike,
  options?: {
    /** Default `['oauth-connectors']`. */
    prefix?: DenoKvKey;
  },
): ConnectorsStore;

/** The part of a `pg` (node-postgres) `Pool`, `PoolClient` or `Client` that `postgresStore` uses. */
export interface PgQueryable {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The part of a postgres.js `sql` (from `postgres(url)`) that `postgresStore` uses. */
export interface PostgresJsSql {
  (...args: never[]): unknown;
  unsafe(query: string, parameters: never[]): PromiseLike<readonly unknown[]>;
}

/** The store `postgresStore` returns: a `ListingStore` (see its function for how `list` pages). */
export type PostgresStore = ListingStore;

/**
 * A store over PostgreSQL, through your `pg` Pool (or Client) or postgres.js
 * `sql`. One table, `key text COLLATE "C" PRIMARY KEY, value text NOT NULL,
 * expires_at timestamptz`, created on first use (unless `create: false`; its
 * statement is `postgresStoreSchema(table)`). Expiry uses the database's
 * clock. Each method is one statement; `setIfAbsent` and `compareAndSet` are
 * atomic (an expired row counts as absent). Bad arguments reject
 * `INVALID_INPUT`; database failures reject `STORE_UNAVAILABLE` with the
 * operation and the SQLSTATE or socket error code only.
 */
export declare function postgresStore(
  db: PgQueryable | PostgresJsSql,
  options?: {
    /** `name` or `schema.name`, each a plain identifier (letters, digits, `_`); default `'oauth_connectors_store'`. */
    table?: string;
    /** Create the table on first use when it is missing (default `true`). */
    create?: boolean;
  },
): PostgresStore;

/** The `CREATE TABLE IF NOT EXISTS` statement of `postgresStore`'s table (default `'oauth_connectors_store'`). */
export declare function postgresStoreSchema(table?: string): string;

/** The part of a Durable Object stub that `durableObjectStore` uses (structural: no Workers types needed). */
export interface DurableObjectStubLike {
  fetch(input: string, init: { method: string; headers: Record<string, string>; body: string }): Promise<{ status: number; text(): Promise<string> }>;
}

/** The part of a `DurableObjectNamespace` (the binding in `env`) that `durableObjectStore` uses. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: any): DurableObjectStubLike;
}

/** The store `durableObjectStore` returns: a `ListingStore` (see its function for how `list` pages). */
export type DurableObjectStore = ListingStore;

/**
 * A store for Cloudflare Workers whose keys live in one Durable Object of
 * class `ConnectorsStoreObject`: the one named `name` (default
 * `"oauth-connectors"`) in `namespace`, the binding from `env`. The object is
 * the single writer of its keys, so `setIfAbsent` and `compareAndSet` are
 * atomic; it keeps `{ v, e }` (the value, the expiry time) under `v:<key>`,
 * answers expired entries as absent, and an alarm deletes them. Keys of at
 * most 2000 bytes, values of at most 131000 (`INVALID_INPUT` otherwise); a
 * failing or unreachable object is `STORE_UNAVAILABLE`.
 */
export declare function durableObjectStore(
  namespace: DurableObjectNamespaceLike,
  options?: {
    /** The object's name (`idFromName`): one object per name, e.g. one per app. */
    name?: string;
  },
): DurableObjectStore;

/** The part of a Durable Object's `ctx.storage` that `ConnectorsStoreObject` uses. */
export interface DurableObjectStorageLike {
  get(key: string): Promise<unknown>;
  get(keys: string[]): Promise<Map<string, unknown>>;
  put(entries: Record<string, unknown>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list(options?: { prefix?: string; startAfter?: string; end?: string; limit?: number }): Promise<Map<string, unknown>>;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number | Date): Promise<void>;
}

/**
 * The Durable Object class behind `durableObjectStore`. Export it from the
 * Worker's main module (`export { ConnectorsStoreObject } from 'oauth-connectors';`)
 * and bind it in wrangler.toml (a `new_sqlite_classes` migration). It answers
 * `fetch` with the store's JSON protocol and sweeps expired entries in `alarm`.
 */
export declare class ConnectorsStoreObject {
  constructor(ctx: { storage: DurableObjectStorageLike }, env?: unknown);
  readonly ctx: { storage: DurableObjectStorageLike };
  readonly env: unknown;
  /** A POST of the store's protocol (a `Request`), answered with a `Response`. */
  fetch(request: any): Promise<any>;
  alarm(): Promise<void>;
}

/**
 * What `redisStore` needs of a node-redis 5 client (`createClient()`, or any
 * object of this shape): `sendCommand` resolving a command's raw reply
 * (strings, `null`, integers, arrays).
 */
export interface RedisSendCommandLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/** What `redisStore` needs of an ioredis client (`new Redis()`). */
export interface RedisCallLike {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** The store `redisStore` returns: a `ListingStore` (see its function for how `list` pages). */
export type RedisStore = ListingStore;

/**
 * A store over Redis through your own connected client: node-redis 5
 * (`createClient()`) or ioredis (`new Redis()`), not a cluster client. The
 * key `k` is the Redis string `${prefix}${k}` holding the value; `ttlMs` is
 * `PX`, so Redis expires entries itself. `setIfAbsent` is `SET NX`,
 * `compareAndSet` a Lua script (`EVAL`), `list` `SCAN`. Bad arguments reject
 * `INVALID_INPUT`; a failed command rejects `STORE_UNAVAILABLE`, naming the
 * operation and the error's code but never a value or a password.
 */
export declare function redisStore(
  client: RedisSendCommandLike | RedisCallLike,
  options?: {
    /**
     * Prepended to every key (default `''`: the keys the package writes all
     * start with `oauth-connectors:`), e.g. `'staging:'` to share a database.
     */
    prefix?: string;
  },
): RedisStore;

/** One case of `storeConformance`. */
export interface StoreConformanceCase {
  name: string;
  /** Makes a fresh store, runs the case, and throws an `Error` saying what failed. */
  run(): Promise<void>;
}

/**
 * The conformance suite of the store interface, for your own adapter, in
 * any test runner:
 * `for (const c of storeConformance(() => myStore())) test(c.name, c.run);`
 * Each case uses keys of its own (`store-conformance:<random>:...`), so
 * stores on a shared backend can run it. `{ ttl: false }` leaves out the
 * cases that need expiry (for stores without it, or with a minimum TTL such
 * as Workers KV's 60 s); the others take real time (about 150 ms each).
 * The `list: ...` cases check the optional `list` (pages and their limit,
 * the cursor to the end, plain string prefixes whatever characters they
 * hold, expired entries left out, `INVALID_INPUT` for bad arguments); on a
 * store without `list` they pass at once.
 */
export declare function storeConformance(
  createStore: () => ConnectorsStore | Promise<ConnectorsStore>,
  options?: { ttl?: boolean },
): StoreConformanceCase[];

/** Which connection: one account for the app, per connector, or per end user. */
export type ConnectionRef =
  | { kind: 'shared'; integrationType: string }
  | { kind: 'workspace'; connectorId: string }
  | { kind: 'app_user'; connectorId: string; userId: string };

/** Where a connection stands: `expired` needs a reconnect (the provider refused its refresh token). */
export type ConnectionStatus = 'active' | 'expired' | 'disconnected';

/** A stored connection, as `save`, `status` and `getConnection` resolve it. */
export interface Connection {
  /** Stable across refreshes and reconnects. */
  connectionId: string;
  kind: 'shared' | 'workspace' | 'app_user';
  /** The integration type (shared) or the connector id. */
  connector: string;
  userId: string | null;
  status: ConnectionStatus;
  tokenType: string;
  /** The granted scopes. */
  scopes: string[];
  expiresAt: Date | null;
  connectionConfig: Record<string, string>;
  /** Who the account is, when the provider says (OpenID `sub`/`email`, Slack, Notion, ...). */
  account: { id?: string; email?: string };
  createdAt: Date;
  updatedAt: Date;
  /** Goes up by one with every write. */
  version: number;
  /** How the last refresh went (`code` null: it worked); null before a grant's first refresh. */
  lastRefresh: { at: Date; code: ConnectorsErrorCode | null } | null;
}

/** What `getConnection` resolves: the connection and a usable access token (non-enumerable). */
export interface ConnectionWithToken extends Connection {
  readonly accessToken: string;
}

/** A lifecycle event for `onEvent`; it never holds a token. */
export interface ConnectionEvent {
  type:
    | 'connection.created'
    | 'connection.refreshed'
    | 'connection.refresh_failed'
    | 'connection.expired'
    | 'connection.recovered'
    | 'connection.disconnected';
  connectionId: string;
  kind: 'shared' | 'workspace' | 'app_user';
  connector: string;
  userId: string | null;
  status: ConnectionStatus;
  /** For `refresh_failed` and `expired`: why. */
  code: ConnectorsErrorCode | null;
  at: Date;
}

/** Options of `new TokenVault()`. */
export interface TokenVaultOptions {
  /**
   * The server secret (at least 32 random bytes as a string), or a key ring
   * `[current, ...previous]`: records sealed under a previous secret still
   * open, and are sealed again under the current one on their next write.
   */
  secrets: string | string[];
  /** Where sealed records live (default `memoryStore()`). */
  store?: ConnectorsStore;
  /** Namespaces the store keys (default `"default"`): 1 to 128 of `A-Z a-z 0-9 . _ -`, as the server's `appId` (else `INVALID_INPUT`). */
  appId?: string;
  /** Called with every lifecycle event; what it throws is ignored. */
  onEvent?: (event: ConnectionEvent) => void;
  /**
   * While another instance refreshes a connection, how long a read whose
   * access token has expired waits for its result before rejecting with
   * `REFRESH_IN_PROGRESS` (503, retryable): a whole number of milliseconds
   * from 0 (no wait) to 600000, default 25000. A read whose token has not
   * expired yet does not wait: it gets that token. Else `INVALID_INPUT`.
   */
  leaseWaitMs?: number;
}

/** What `disconnect` did at the provider. `failed`: the connection stays disconnected with its tokens sealed; call again to retry. */
export interface DisconnectResult {
  revocation: 'revoked' | 'unsupported' | 'failed' | 'none';
  code?: ConnectorsErrorCode;
}

/**
 * Connections sealed (AES-256-GCM) in a host store. Reads refresh an access
 * token first when it is inside its margin (5 minutes ±10% before expiry, at
 * most half the token's lifetime): one refresh per connection however many
 * readers, in one instance (shared) and across instances (a lease in the
 * store, held as long as the refresh can take; other instances' readers get a
 * still-valid token at once, or wait at most `leaseWaitMs` for an expired one).
 * A rotated refresh token is stored before the new access token is
 * handed out. Provider calls go through the `fetch` of the `OAuthClient` given.
 */
export declare class TokenVault {
  constructor(options: TokenVaultOptions);
  /** Stores tokens from `validateAuthorizationCode` (a reconnect keeps the connection's id). */
  save(connection: ConnectionRef, tokens: OAuthTokens): Promise<Connection>;
  /** An active connection with a fresh access token. Rejects with `NOT_CONNECTED`, `NEEDS_RECONNECT`, `STORE_UNAVAILABLE`, ... */
  getConnection(connection: ConnectionRef, client: OAuthClient): Promise<ConnectionWithToken>;
  /** The stored connection as it is (any status, no token), or `null`. */
  status(connection: ConnectionRef): Promise<Connection | null>;
  /** Disconnects: reads fail at once; then the refresh and access tokens are revoked, and the record purged. */
  disconnect(connection: ConnectionRef, client: OAuthClient): Promise<DisconnectResult>;
  free(): void;
}

/** Client credentials of a shared connector (by integration type). */
export interface SharedCredentials {
  clientId: string;
  clientSecret?: string;
  /** Values of the provider's connection-config fields (tenant, subdomain, ...). */
  connectionConfig?: Record<string, string>;
}

/** A workspace or app-user connector, by connector id. */
export interface ConnectorSpec {
  /** A catalog type, or the type of `provider`. */
  type?: string;
  clientId: string;
  clientSecret?: string;
  /** What consent asks for and token reads require. */
  scopes?: string[];
  /** A custom provider entry (else `type` is looked up in the catalog). */
  provider?: ProviderEntry;
  connectionConfig?: Record<string, string>;
}

/** Who the app's users are. */
export type ConnectorsUsers =
  /** HS256 user tokens (JWT): `exp`, `iss` (exact), `aud` and `sub` required; 60 s leeway. The user id is `sub`. */
  | { secret: string; issuer: string; audience: string }
  /** Your own check: resolve `{ id, email? }`, or throw / reject to refuse the token. */
  | { verifyUser(token: string): Promise<{ id: string; email?: string }> | { id: string; email?: string } };

/** Options of `issueUserToken()`: the server's `users` settings, and the user. */
export interface IssueUserTokenOptions {
  /** The `users.secret` of the server (at least 32 bytes). */
  secret: string;
  /** The `users.issuer` of the server: the token's `iss`. */
  issuer: string;
  /** The `users.audience` of the server: the token's `aud`. */
  audience: string;
  /** The user's id: the token's `sub` (non-empty). */
  userId: string;
  /** The user's email: the `email` claim. */
  email?: string;
  /** Seconds until `exp`, 1 to 2592000 (30 days); default 3600. The server adds 60 s of leeway. */
  expiresInSeconds?: number;
}

/**
 * An HS256 user token (a compact JWT with `sub`, `iss`, `aud`, `iat`, `exp`
 * and `email` when given) that a connectors server with `users: { secret,
 * issuer, audience }` accepts: what your app's sign-in hands its users.
 * `issueUserToken({ ...users, userId })`. Bad arguments throw `INVALID_INPUT`.
 */
export declare function issueUserToken(options: IssueUserTokenOptions): string;

/** Options of `createConnectorsServer()`. */
export interface ConnectorsServerOptions {
  /** The `{appId}` of every path (`/api/apps/{appId}/...`): 1 to 128 of `A-Z a-z 0-9 . _ -` (else `INVALID_INPUT`). */
  appId: string;
  /** Where `/api/...` is reached (https, or http on a loopback host). Callback URLs are built from it. */
  publicUrl: string;
  /** At least 32 random bytes: seals tokens at rest and `state`. Give `secret` or `secrets`. */
  secret?: string;
  /** A key ring `[current, ...previous]` instead of `secret`. */
  secrets?: string[];
  /** Where sealed connections, used states and authorization status live (default `memoryStore()`). */
  store?: ConnectorsStore;
  /** Sends provider requests (token, refresh, revocation, `callApi`); default the global `fetch`, looked up at each call. */
  fetch?: FetchFunction;
  /** The time one provider request may take, in ms (default 30000). */
  timeoutMs?: number;
  /**
   * Calls in all for a retryable provider failure (429, 5xx, unreachable), 1
   * to 10 (default 3), for every connector. A refresh lease lasts the
   * refresh's worst case: `timeoutMs × maxAttempts` plus the longest waits
   * between attempts (up to 60 s each) plus about 10.6 s for the store, so
   * ~220 s by default and `timeoutMs + 10600` with `maxAttempts: 1`. That is
   * how long other instances wait when the instance holding it dies.
   */
  maxAttempts?: number;
  /** Connector files (parsed, or JSONC text): the scopes shared connections must hold. */
  connectors?: ConnectorFileInput[];
  /** Shared connectors: client credentials by integration type. */
  credentials?: Record<string, SharedCredentials>;
  /**
   * Workspace connectors, by connector id: 1 to 64 of `A-Z a-z 0-9 - . _ ~`
   * (`cal.v2`, `team~1`), not `.` or `..` (else `CONFIG_INVALID`); compared exactly.
   */
  workspaceConnectors?: Record<string, ConnectorSpec>;
  /** App-user connectors (each user connects their own account), by connector id (as for `workspaceConnectors`). */
  appUserConnectors?: Record<string, ConnectorSpec>;
  /** Custom or overriding provider entries. */
  providers?: ProviderEntry[];
  /**
   * Tokens accepted for service-role and management calls (at least 16
   * characters each), in `Authorization: Bearer` or in the `api_key` header
   * (as Base44's CLI sends a workspace key).
   */
  serviceTokens?: string[];
  /** How app users' tokens are verified (none: app-user routes answer `UNAUTHENTICATED`). */
  users?: ConnectorsUsers;
  /** Origins (`https://app.example`) a browser may be sent back to after connecting. */
  allowedReturnUrls?: string[];
  /**
   * Binds each consent (app users' and the builder's) to the browser that opens
   * it; default `true`. The consent URL that `connectAppUser` and the management
   * PUT answer is then the server's start route (`.../start?ticket=...`, usable
   * once): opened top-level, it sets a binding cookie and redirects to the
   * provider, and the callback refuses any other browser with
   * `STATE_BROWSER_MISMATCH`, before any token request. An app user's start URL
   * must be opened from a page on `allowedReturnUrls` (or the server's origin),
   * which the browser names in `Referer`. `false` is an opt-out, warned about
   * once per process: the consent URL is the provider's and any browser that
   * opens it connects its account to the slot it was made for.
   */
  bindBrowser?: boolean;
  /** The token vault's lifecycle events. */
  onEvent?: (event: ConnectionEvent) => void;
  /** As for `TokenVault`: how long a token read waits for another instance's refresh (default 25000 ms). */
  leaseWaitMs?: number;
  /**
   * Stripe (served by default): the `payments/stripe/...` routes, where the
   * builder brings a secret key (`sk_`/`rk_`, `test_`/`live_`) through a claim
   * page or `PUT payments/stripe/key`, kept sealed as the shared connection of
   * type `stripe` (`getConnection('stripe')`: the key, and
   * `connectionConfig.stripe_mode` `'sandbox'` or `'live'`). `false` turns it
   * off (`UNKNOWN_CONNECTOR`); `verifyKey: false` keeps a key on its shape
   * alone, without asking Stripe's API (`GET /v1/account`) first.
   */
  stripe?: boolean | { verifyKey?: boolean };
}

/** A standard fetch handler: `Deno.serve(server.fetch)`, `export default server` (Workers), `serveNode(server)`. */
export interface ConnectorsServer {
  /**
   * Answers one request (typed loosely so that no DOM library is needed: a
   * `Request` in, a `Response` out). Errors are answers with a code
   * (`ConnectorsErrorCode`, or `INTERNAL` with status 500 for anything that
   * escaped unexpectedly); it rejects only when `request` is not a `Request`.
   */
  fetch(request: any): Promise<any>;
}

/** One configured connector's OAuth callback: the exact redirect URI to register at its provider. */
export interface ConnectorRedirectUri {
  kind: 'shared' | 'workspace' | 'app_user';
  /** The provider type (for a shared connector, also its key in `credentials`). */
  integrationType: string;
  /** The key in `workspaceConnectors` / `appUserConnectors` (absent for shared connectors). */
  connectorId?: string;
  /**
   * `{publicUrl}/api/apps/{appId}/external-auth/callback/{type}`,
   * `.../external-auth/connectors/{id}/callback` or
   * `.../app-user-auth/connectors/{id}/callback`: the server sends exactly this
   * (letters, digits, `-`, `.`, `_`, `~` as they are), and providers compare it exactly.
   */
  redirectUri: string;
}

/** What `createConnectorsServer` returns: the fetch handler, and what to register at each provider. */
export interface ConfiguredConnectorsServer extends ConnectorsServer {
  /** Every configured connector's redirect URI: shared ones, then workspace, then app-user ones, each by id. */
  redirectUris(): ConnectorRedirectUri[];
}

/**
 * The connectors server: the Base44 connectors wire protocol (token reads,
 * `connectAppUser`, disconnect, `callApi`, the management calls and the OAuth
 * callbacks) as a standard fetch handler. Bad options throw a `ConnectorsError`;
 * so do connector files whose type has no `credentials` (`CONFIG_INVALID`,
 * every such file in `errors`; managed types such as Stripe need none).
 */
export declare function createConnectorsServer(options: ConnectorsServerOptions): ConfiguredConnectorsServer;

/** Node only: a `node:http` request handler serving `server`. A misspelt option is `INVALID_INPUT`. */
export declare function toNodeHandler(
  server: ConnectorsServer,
  options?: { maxBodyBytes?: number },
): (req: any, res: any) => void;

/** The limits `serveNode` applies to each client (all whole numbers; a timeout of 0 turns it off). */
export interface ServeNodeLimits {
  /** The request line and headers must arrive within this. Default 10000 (Node's: 60000). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this; at least `headersTimeoutMs`. Default 30000 (Node's: 300000). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. Default 5000. */
  keepAliveTimeoutMs: number;
  /** A socket idle this long is closed, except while the server computes its answer. Default 60000 (Node's: none). */
  idleTimeoutMs: number;
  /** The request line and headers, in bytes; more gets 431. Default 16384. */
  maxHeaderBytes: number;
  /** Open connections at once; more are closed on arrival. Default 512 (Node's: no cap). */
  maxConnections: number;
  /** A larger body gets 413 `BODY_TOO_LARGE`. Default 1048576. */
  maxBodyBytes: number;
}

/** Options of `serveNode()`: where to listen, and any limit to override. */
export interface ServeNodeOptions extends Partial<ServeNodeLimits> {
  /** Default 0: a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  hostname?: string;
}

/**
 * Node only: serves `server` over HTTP (default 127.0.0.1, a free port),
 * with protective limits for slow and idle clients (`ServeNodeLimits`).
 * A misspelt option or a bad value is `INVALID_INPUT`.
 */
export declare function serveNode(
  server: ConnectorsServer,
  options?: ServeNodeOptions,
): Promise<{ url: string; port: number; hostname: string; limits: Readonly<ServeNodeLimits>; close(): Promise<void> }>;

// The SDK client (also `oauth-connectors/client`, without the wasm).
export * from './client.js';
