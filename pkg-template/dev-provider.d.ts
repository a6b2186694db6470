// oauth-connectors/dev-provider: a local OAuth provider for development
// (oidc-provider, which you install yourself, on 127.0.0.1). Never for production.
import type { ProviderEntry } from './index.js';

/** An OAuth app the local provider knows (client_secret_basic). */
export interface LocalProviderClient {
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs: the connectors server's callback URLs. */
  redirectUris: string[];
}

export interface LocalProviderOptions {
  clients: LocalProviderClient[];
  /** Seconds an access token lives (default 3600), or oidc-provider's `(ctx, token, client) => seconds`. */
  accessTokenTtl?: number | ((ctx: any, token: any, client: any) => number);
  /** The port on 127.0.0.1 (default 0: a free one). */
  port?: number;
}

export interface LocalProvider {
  /** `http://127.0.0.1:<port>` */
  issuer: string;
  /** `localProviderEntry(issuer)`: the catalog entry, type id `localoidc`. */
  entry: ProviderEntry;
  /** `GET` with `Authorization: Bearer <access token>` answers the account's claims. */
  userinfoUrl: string;
  /** RFC 7662 introspection (client_secret_basic). */
  introspectionUrl: string;
  /** Grants made so far, by type. */
  grants: { authorization_code: number; refresh_token: number };
  /** Every access token issued, in order. */
  accessTokens: Array<{ value: string; accountId: string }>;
  close(): Promise<void>;
}

/**
 * Starts oidc-provider on 127.0.0.1 with PKCE required, rotating refresh
 * tokens, revocation and introspection; its dev login accepts any name and
 * password. Rejects with an error naming `npm install --save-dev
 * oidc-provider` when that package is missing.
 */
export declare function startLocalProvider(options: LocalProviderOptions): Promise<LocalProvider>;

/** The catalog entry of the local provider at `issuer` (`http://127.0.0.1:<port>`). */
export declare function localProviderEntry(issuer: string): ProviderEntry;

/** A WHATWG `URL` (typed loosely so that no DOM library is needed). */
export interface CallbackUrl {
  readonly href: string;
  readonly searchParams: { get(name: string): string | null };
  toString(): string;
}

/**
 * Logs in as `login` and consents over plain HTTP (no browser), resolving
 * the callback URL (a `URL` under `redirectUri`) that the provider redirects to.
 */
export declare function signIn(authorizationUrl: string, options: { login: string; redirectUri: string }): Promise<CallbackUrl>;
