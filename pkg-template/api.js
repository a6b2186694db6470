// The package's API, shared by every runtime entry. Each entry in ./entry/
// initialises the wasm the way its runtime allows, then re-exports this.
// No OAuth logic lives here: this is glue (see src/wasm/).
export {
  listAvailable,
  getProvider,
  registerProvider,
  parseConnectorFile,
  validateConnectors,
  generateTypes,
  errorCodes,
  generateState,
  generateCodeVerifier,
  issueUserToken,
} from './oauth_connectors.js';
export {
  memoryStore,
  denoKvStore,
  storeConformance,
  postgresStore,
  postgresStoreSchema,
  redisStore,
  durableObjectStore,
  ConnectorsStoreObject,
} from './stores.js';
export { ConnectorsError } from './errors.js';
export { createClient, createClientFromRequest, Base44Error } from './client.js';
import {
  TokenVault as WasmTokenVault,
  ConnectorsServer,
  OAuthClient as WasmOAuthClient,
  authorizationUrlFast,
  authorizationUrlFastParams,
  authorizationUrlOf,
  authorizationUrlOptions,
  errorAnswer,
} from './oauth_connectors.js';
import { memoryStore } from './stores.js';
import { ConnectorsError } from './errors.js';
import { inProcess } from './client.js';
import { tokenReads } from './reads.js';

/** Options with `memoryStore()` filled in when no store is given. */
const withStore = (options) =>
  options !== null && typeof options === 'object' && options.store === undefined
    ? { ...options, store: memoryStore() }
    : options;

/** The wasm TokenVault, with `memoryStore()` as the default store. */
export class TokenVault extends WasmTokenVault {
  constructor(options) {
    super(withStore(options));
  }
}

/** The options createAuthorizationURL takes, from the wasm (read once, after it is initialised). */
let authorizationUrlKeys;

/**
 * The wasm OAuthClient, with `createAuthorizationURL` reading its options
 * here: each JS value read from wasm is a crossing, and each string a copy.
 * The common case (string scopes, a string state and verifier, params as
 * a plain object of strings) goes to wasm in one call, the lists joined;
 * everything else, every error included, takes the general path in wasm,
 * with the values read once.
 */
export class OAuthClient extends WasmOAuthClient {
  createAuthorizationURL(options) {
    if (typeof options !== 'object' || options === null) return super.createAuthorizationURL(options);
    authorizationUrlKeys ??= authorizationUrlOptions();
    for (const key of Object.keys(options)) {
      if (!authorizationUrlKeys.includes(key)) return super.createAuthorizationURL(options);
    }
    let scopes, state, codeVerifier, params;
    try {
      ({ scopes, state, codeVerifier, params } = options);
    } catch {
      return super.createAuthorizationURL(options); // a getter that throws reads as undefined there
    }
    let fast = typeof state === 'string' && (codeVerifier == null || typeof codeVerifier === 'string');
    let joined = '';
    let count = 0;
    if (fast && scopes != null) {
      fast = Array.isArray(scopes);
      count = fast ? scopes.length : 0;
      for (let i = 0; fast && i < count; i++) {
        const scope = scopes[i];
        if (typeof scope !== 'string') fast = false;
        else joined = i === 0 ? scope : `${joined} ${scope}`;
      }
    }
    // Params from a plain object of strings: key, value, key, ... joined by NUL.
    let paramText = '';
    let paramCount = 0;
    if (fast && params != null) {
      try {
        fast = typeof params === 'object' && typeof params.entries !== 'function';
      } catch {
        fast = false; // a getter that throws reads as undefined on the general path
      }
      const entries = fast ? Object.entries(params) : [];
      for (let i = 0; fast && i < entries.length; i++) {
        const [key, value] = entries[i];
        if (typeof value !== 'string') fast = false;
        else paramText = i === 0 ? `${key}\0${value}` : `${paramText}\0${key}\0${value}`;
      }
      paramCount = entries.length;
    }
    const url = !fast
      ? undefined
      : params == null
        ? authorizationUrlFast(this, joined, count, state, codeVerifier)
        : authorizationUrlFastParams(this, joined, count, state, codeVerifier, paramText, paramCount);
    return url !== undefined ? url : authorizationUrlOf(this, scopes, state, codeVerifier, params);
  }
}

/** Whether this process has been told once that `bindBrowser: false` is unsafe. */
let warnedUnbound = false;

// The answer to a failure that escaped the wasm: the wire's error shape
// (from the wasm, built with the first server, before any failure), code
// INTERNAL, no details. Built with the Response of import time, in case
// the failure was the global one. Node defines its Response as a getter
// that loads undici on first use (~10 ms of a cold start that may never
// build a Response): the getter is kept, and called when an answer needs it.
let internal;
const responseAtImport = Object.getOwnPropertyDescriptor(globalThis, 'Response');
const NativeResponse = () => (responseAtImport?.get ? responseAtImport.get.call(globalThis) : responseAtImport?.value ?? globalThis.Response);
/** `[name, value, ...]` (the in-process answer's headers) as `[[name, value], ...]`. */
const headerEntries = (pairs) => Array.from({ length: pairs.length / 2 }, (_, i) => [pairs[2 * i], pairs[2 * i + 1]]);
const internalResponse = () => {
  const [status, pairs, body] = internal;
  return new (NativeResponse())(body, { status, headers: headerEntries(pairs) });
};

/** A standard Request without a body (GET, HEAD): answered through `handleParts`. */
const bodiless = (request) => typeof Request === 'function' && request instanceof Request && request.body === null;

/**
 * A bodiless `request`'s headers as `[name, value, ...]`, read here so the
 * request goes into the wasm in one crossing (`handleParts`), where reading
 * them in the wasm took a crossing per header: the same answer as
 * `handle` (the bodies of GET answers are text). Under `Deno.serve`, token
 * reads went from 17.8k to 20.9k per second (`wrk`).
 */
function headerList(request) {
  const flat = [];
  request.headers.forEach((value, name) => {
    flat.push(name, value); // forEach: under Deno.serve, 5% more reads than for...of
  });
  return flat;
}

/**
 * The `Response` of an in-process answer. Its headers as a plain object
 * when no name repeats (Set-Cookie may): under `Deno.serve`, a repeated
 * token read answered 10% faster than from a list of pairs.
 */
function responseOf([status, pairs, text]) {
  const headers = {};
  for (let i = 0; i < pairs.length; i += 2) {
    if (pairs[i] === '__proto__' || Object.hasOwn(headers, pairs[i])) return new Response(text === '' ? null : text, { status, headers: headerEntries(pairs) });
    headers[pairs[i]] = pairs[i + 1];
  }
  return new Response(text === '' ? null : text, { status, headers });
}

/**
 * The connectors server: `{ fetch(request) -> Promise<Response>,
 * redirectUris() }`, for `Deno.serve(server.fetch)`, `export default server`
 * in Workers, or `serveNode(server)` in Node. `memoryStore()` is the
 * default store.
 */
export function createConnectorsServer(options) {
  const given = withStore(options);
  const server = new ConnectorsServer(given);
  internal ??= errorAnswer(500, 'INTERNAL', 'Internal server error');
  if (options.bindBrowser === false && !warnedUnbound) {
    warnedUnbound = true;
    console.warn(
      'oauth-connectors: bindBrowser is false, so consent URLs are bound to no browser: ' +
        'whoever opens one connects their account to the slot it was made for, and an ' +
        'attacker can send his to a victim. Remove the option to bind consents (the default).',
    );
  }
  // The token cache of the clients bound in-process (client.js): emptied
  // before and after every request that may change what a read answers
  // (the wasm decides, from its route table: every request but a read),
  // whoever sends it.
  const tokens = new Map();
  // Token reads by service token, answered again without the wasm while
  // the store holds what they were read from (reads.js): emptied with
  // `tokens`.
  const reads = tokenReads(given.store);
  const mayChange = (method, url) =>
    typeof method !== 'string' || typeof url !== 'string' || server.mayChangeConnections(method, url);
  const settle = (changes) => {
    if (changes) {
      tokens.clear();
      reads.clear();
    }
  };
  // The in-process call (see client.js' `inProcess`): the answer, or a
  // Promise of it when it is not ready (see handleParts). Never throws or
  // rejects: a failure that escaped the wasm is the bare INTERNAL answer.
  const internalParts = () => [internal[0], [...internal[1]], internal[2]];
  const answer = (method, url, headers, body) => {
    let changes = true;
    let parts;
    try {
      changes = mayChange(method, url);
      settle(changes);
      parts = server.handleParts(method, url, headers, body);
    } catch {
      parts = internalParts();
    }
    if (Array.isArray(parts)) {
      settle(changes);
      return parts;
    }
    return Promise.resolve(parts).then(
      (ready) => {
        settle(changes);
        return ready;
      },
      () => {
        settle(changes);
        return internalParts();
      },
    );
  };
  // A repeated token read from `reads`, anything else from the wasm.
  const call = (method, url, headers, body) => {
    let key;
    let repeated;
    try {
      key = body === undefined && typeof url === 'string' && Array.isArray(headers) ? reads.key(method, url, headers) : undefined;
      repeated = reads.answer(key);
    } catch {
      key = repeated = undefined;
    }
    const kept = (parts) => {
      reads.keep(key, parts);
      return parts;
    };
    const answered = (parts) => {
      if (parts !== undefined) return parts;
      const fresh = answer(method, url, headers, body);
      return Array.isArray(fresh) ? kept(fresh) : fresh.then(kept);
    };
    return repeated instanceof Promise ? repeated.then(answered) : answered(repeated);
  };
  const fetch = (request) => {
    let pending;
    try {
      if (bodiless(request)) {
        const parts = call(request.method, request.url, headerList(request), undefined);
        // Ready (a token read from a store answering in place): no Promise chain.
        if (Array.isArray(parts)) return Promise.resolve(responseOf(parts));
        pending = parts.then(responseOf);
      } else {
        let changes;
        try {
          changes = mayChange(request?.method, String(request?.url));
        } catch {
          changes = true;
        }
        settle(changes);
        pending = server.handle(request).finally(() => settle(changes));
      }
    } catch (error) {
      pending = Promise.reject(error);
    }
    // Only a non-Request rejects (a ConnectorsError); anything else that
    // escapes the wasm is a bare 500, never a rejection with details.
    return pending.catch((error) => {
      if (error instanceof ConnectorsError && error.code === 'INVALID_INPUT') throw error;
      return internalResponse();
    });
  };
  // createClient({ fetch: server.fetch }) and serveNode call this, skipping
  // Request and Response objects: the same answers for far less work.
  inProcess.bind(fetch, call, tokens);
  // What to register at each provider: [{ kind, integrationType, connectorId?, redirectUri }].
  const redirectUris = () => server.redirectUris();
  return Object.freeze({ fetch, redirectUris });
}
