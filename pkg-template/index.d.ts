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
  | 'NETWORK_ERROR';

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
  /** The integration type id: `^[a-z0-9_-]+$` (case-insensitive), at most 64 characters. */
  type: string;
  display_name: string;
  description?: string;
  auth_model: 'oauth' | 'managed';
  authorization_url?: string;
  token_url?: string;
  revocation?: { url: string; style?: 'rfc7009' | 'bearer' | 'github_application' | 'square_client' };
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
  token_response?: {
    token_path?: string;
    ok_field?: string;
    form_encoded?: boolean;
    expires_at_field?: string;
    /** Connection-config name -> dot path in the token response. */
    connection_config?: Record<string, string>;
  };
  /** Callback query parameters kept as connection config. */
  callback_params?: string[];
  refresh_tokens?: 'none' | 'rotated' | 'reused' | 'unknown';
  api_base_urls?: string[];
  connection_config_fields?: ProviderConfigField[];
  docs_url?: string;
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
 * did-you-mean), scopes (`INVALID_SCOPE`; repeats are dropped).
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
