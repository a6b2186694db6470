// The SDK client (`oauth-connectors/client`, also exported by the main
// entry): the connectors part of `@base44/sdk`, with the same types, so a
// file written for `@base44/sdk` type-checks with only the import changed.
import type { ConnectorIntegrationType } from './index.js';

/** The raw answer of a token read (`GET .../external-auth/tokens/{type}`). */
export interface ConnectorAccessTokenResponse {
  access_token: string;
  integration_type: string;
  connection_config: Record<string, string> | null;
}

/** A shared or workspace connection: the access token and the connection config (`null` when none). */
export interface ConnectorConnectionResponse {
  accessToken: string;
  connectionConfig: Record<string, string> | null;
}

/** An app user's connection. */
export interface AppUserConnectorConnectionResponse {
  accessToken: string;
  connectionConfig: Record<string, string> | null;
}

/** How far a proxied call got. */
export type ConnectorApiResponsePhase = 'not_sent' | 'responded' | 'timed_out' | 'sent_unconfirmed';

/** A call to the provider's API through the server (`callApi`). */
export interface ConnectorApiRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** One of the provider's API hosts; the first by default. */
  host?: string;
  path: string;
  query?: Record<string, string | number | boolean | Array<string | number>>;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * What `callApi` resolves: upstream 4xx/5xx are `success: false`, not rejections.
 * The connection's tokens and client secret, if the API echoes them, come back as `[redacted]`.
 */
export interface ConnectorApiResponse<T = unknown> {
  success: boolean;
  phase: ConnectorApiResponsePhase;
  status: number | null;
  data: T | null;
  dataBase64: string | null;
  contentType: string | null;
  headers: Record<string, string>;
  creditsCharged: number;
}

/** The raw answer of the proxy route. */
export interface ConnectorProxyRawResponse {
  success: boolean;
  phase: ConnectorApiResponsePhase;
  status_code: number | null;
  data: unknown;
  data_base64: string | null;
  content_type: string | null;
  headers: Record<string, string>;
  credits_charged: number;
}

/** `client.asServiceRole.connectors`: for backend functions. */
export interface ConnectorsModule {
  /** @deprecated Use `getConnection(integrationType)` and its `accessToken`. */
  getAccessToken(integrationType: ConnectorIntegrationType): Promise<string>;
  /** The app's shared connection of an integration type. */
  getConnection(integrationType: ConnectorIntegrationType): Promise<ConnectorConnectionResponse>;
  /** A workspace connector's connection. */
  getWorkspaceConnection(connectorId: string): Promise<ConnectorConnectionResponse>;
  /** @deprecated Use `getCurrentAppUserConnection(connectorId)` and its `accessToken`. */
  getCurrentAppUserAccessToken(connectorId: string): Promise<string>;
  /** The connection of the user the client acts for (its `token`). */
  getCurrentAppUserConnection(connectorId: string): Promise<AppUserConnectorConnectionResponse>;
  /** A call to the provider's API, the token attached by the server. */
  callApi<T = unknown>(integrationType: ConnectorIntegrationType, request: ConnectorApiRequest): Promise<ConnectorApiResponse<T>>;
}

/** `ConnectorsModule` plus what this package adds. */
export interface ServiceRoleConnectorsModule extends ConnectorsModule {
  /** A named user's connection, for scheduled jobs that act without a request from the user (not in `@base44/sdk`). */
  getAppUserConnection(connectorId: string, userId: string): Promise<AppUserConnectorConnectionResponse>;
}

/** `client.connectors`: the signed-in user's own connections, from a frontend. */
export interface UserConnectorsModule {
  /** Starts the user's connection: resolves the consent URL (our server's start route, which sends the browser on to the provider); navigate to it from your page. */
  connectAppUser(connectorId: string): Promise<string>;
  /** Disconnects the user's connection (the server revokes it at the provider). */
  disconnectAppUser(connectorId: string): Promise<void>;
}

/** `options` of `createClient()`, as in `@base44/sdk`. */
export interface CreateClientOptions {
  /** Sees every failed request's `Base44Error` before the call rejects with it. */
  onError?: (error: Error) => void;
}

/** What `createClient()` takes (`@base44/sdk`'s fields; the ones for other modules are accepted and unused). */
export interface CreateClientConfig {
  appId: string;
  /** Default `https://base44.app`; requests go to `${serverUrl}/api/...`. */
  serverUrl?: string;
  /** The user's token: `Authorization` for `connectors`, `on-behalf-of` for `asServiceRole`. */
  token?: string;
  /** The service token `asServiceRole` needs. */
  serviceToken?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Sends the requests (default the global `fetch`); `server.fetch` binds the client to a connectors server in-process. */
  fetch?: (request: any) => Promise<any>;
  /**
   * How long, at most, a token read as the service role is reused before the
   * server is asked again (ms; default 60000, 0 turns it off). Only answers
   * of an oauth-connectors server are reused, for no longer than it says the
   * token is handed out unrefreshed (`x-connectors-token-ttl`); Base44 sends
   * no such header. `disconnectAppUser` empties it.
   */
  tokenCacheMs?: number;
  /** Accepted for `@base44/sdk` compatibility; connectors calls do not send it. */
  functionsVersion?: string;
  options?: CreateClientOptions;
  appBaseUrl?: string;
  analytics?: { enabled: boolean };
  requiresAuth?: boolean;
}

/** `Base44Error.toJSON()`. */
export interface Base44ErrorJSON {
  name: string;
  message: string;
  status: number;
  code: string;
  data: any;
}

export interface ConnectorsClient {
  connectors: UserConnectorsModule;
  /** Throws, as `@base44/sdk` does, when the client has no service token. */
  readonly asServiceRole: { connectors: ServiceRoleConnectorsModule };
  /** Sets the user's token for later calls. */
  setToken(token: string | undefined): void;
  getConfig(): { serverUrl: string; appId: string };
}

/** A failed call: `status` (HTTP), `code`, `data` (the body), as `@base44/sdk`'s. */
export declare class Base44Error extends Error {
  constructor(message: string, status?: number, code?: string, data?: unknown, originalError?: unknown);
  name: 'Base44Error';
  status: number | undefined;
  code: string | undefined;
  data: unknown;
  /** The failed `Response` (or the transport error): readable, but not enumerable, so Node prints a few lines, not the whole answer. */
  originalError: unknown;
  toJSON(): Base44ErrorJSON;
}

/** A client, as `@base44/sdk`'s `createClient` (connectors only). */
export declare function createClient(config: CreateClientConfig): ConnectorsClient;

/**
 * A client from a backend function's request headers, as `@base44/sdk`'s
 * `createClientFromRequest`, with its checks and messages. The server is
 * `serverUrl` when given, else the `Base44-Api-Url` header; with neither it
 * throws (`INVALID_INPUT`) where `@base44/sdk` would send the tokens to
 * https://base44.app.
 */
export declare function createClientFromRequest(
  request: { headers: { get(name: string): string | null } },
  options?: { serverUrl?: string; fetch?: (request: any) => Promise<any>; tokenCacheMs?: number },
): ConnectorsClient;
