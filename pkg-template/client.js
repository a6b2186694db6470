// The SDK client: the connectors part of `@base44/sdk`, request for request
// (the routes are listed in the README, "The connectors server"), over any
// WHATWG `fetch`. Plain ESM
// with no wasm and no dependencies, so a browser page that only calls
// `connectAppUser` downloads this file alone (`oauth-connectors/client`).
// It is wire glue, not OAuth: the server does the OAuth work.

/**
 * What a failed call rejects with, as `@base44/sdk`'s `Base44Error`:
 * `status` (HTTP), `code`, `data` (the answer's body) and `toJSON()`.
 */
export class Base44Error extends Error {
  constructor(message, status, code, data, originalError) {
    super(message);
    this.name = 'Base44Error';
    this.status = status;
    this.code = code;
    this.data = data;
    // Kept for whoever reads it, but not shown: a `Response` printed in full
    // is about 80 lines of an uncaught error in Node.
    Object.defineProperty(this, 'originalError', { value: originalError, writable: true, configurable: true, enumerable: false });
  }

  toJSON() {
    return { name: this.name, message: this.message, status: this.status, code: this.code, data: this.data };
  }
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
const SERVICE_ROLE_REQUIRED =
  'Service token is required to use asServiceRole. Please provide a serviceToken when creating the client.';

/** The same argument checks, with the same messages, as `@base44/sdk`. */
function required(value, label) {
  if (!value || typeof value !== 'string') throw new Error(`${label} is required and must be a string`);
}

/** An answer's body as axios reads it: JSON when it parses, else the text ('' when empty). */
function bodyOf(text) {
  if (!text) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A failed answer as `@base44/sdk` turns it into an error (same precedence for message and code). */
function answerError(response, data) {
  const message = data?.error?.message || data?.message || data?.detail || `Request failed with status code ${response.status}`;
  const code = data?.error?.code ?? data?.code ?? response.headers.get('x-base44-connector-error') ?? undefined;
  return new Base44Error(message, response.status, code, data, response);
}

/** A request that got no answer (Node's fetch names the cause, as axios does: "connect ECONNREFUSED ..."). */
function transportError(error) {
  const message = error?.cause?.message || error?.message || String(error);
  return new Base44Error(message, undefined, undefined, undefined, error);
}

/**
 * Sends one JSON request to `${serverUrl}/api${path}` and resolves the
 * answer's body (and its token TTL header); a non-2xx answer or a failed
 * request rejects with a `Base44Error`.
 */
async function exchange(config, headers, method, path, body) {
  const all = { 'Content-Type': 'application/json', Accept: 'application/json', ...headers };
  // In a browser, the server learns where to send the user back (as `@base44/sdk` does).
  if (typeof window !== 'undefined' && window.location) all['X-Origin-URL'] = window.location.href;
  let answer;
  try {
    answer = await config.send(method, `${config.serverUrl}/api${path}`, all, body === undefined ? undefined : JSON.stringify(body));
  } catch (error) {
    throw config.reported(transportError(error));
  }
  const data = bodyOf(answer.text);
  if (answer.status < 200 || answer.status >= 300) throw config.reported(answerError(answer.response(), data));
  return { data, ttl: Number(answer.header(TOKEN_TTL) ?? 0) };
}

const send = async (config, headers, method, path, body) => (await exchange(config, headers, method, path, body)).data;

// A copy of the config each time: a cached answer is handed out more than once.
const connection = ({ access_token: accessToken, connection_config: config }) => ({
  accessToken,
  connectionConfig: config && typeof config === 'object' ? { ...config } : config ?? null,
});

/** Set on a connectors server's `fetch` (api.js): the in-process call without Request and Response objects. */
const IN_PROCESS = Symbol.for('oauth-connectors.in-process');
/** Set on a connectors server's `fetch` (api.js): its token cache, emptied whenever its connections may change. */
const TOKEN_CACHE = Symbol.for('oauth-connectors.token-cache');

/**
 * The in-process binding of a connectors server, in one place (not public
 * API): api.js binds a server's `fetch` with it; the clients here and
 * node-server.js call through it. `call(method, url, [name, value, ...],
 * body bytes?)` answers `[status, [name, value, ...], body text]`, or a
 * Promise of it when it is not ready (the wasm's `handleParts`); `tokens`
 * is the Map of the token cache below, which the server empties around
 * every request that may change a connection (the wasm's route table
 * decides which).
 */
export const inProcess = Object.freeze({
  bind(fetch, call, tokens) {
    Object.defineProperties(fetch, { [TOKEN_CACHE]: { value: tokens }, [IN_PROCESS]: { value: call } });
  },
  /** The bound `call` of `fetch`, or undefined. */
  callOf(fetch) {
    const call = fetch[IN_PROCESS];
    return typeof call === 'function' ? call : undefined;
  },
  /** The bound token cache of `fetch`, or undefined. */
  tokensOf(fetch) {
    const tokens = fetch[TOKEN_CACHE];
    return tokens instanceof Map ? tokens : undefined;
  },
});
/** How long our connectors server hands a token out as it is (ms); Base44 sends none. */
const TOKEN_TTL = 'x-connectors-token-ttl';
const utf8 = new TextEncoder();
/** The token caches of other fetch functions: one each, shared by the clients that use it. */
const caches = new WeakMap();

/**
 * `send(method, url, headers, body?)` resolving `{ status, text, header(name),
 * response() }`, over `fetch` (the global one by default) or straight into a
 * connectors server bound in-process; and the token cache of that route.
 */
function transport(fetch) {
  const chosen = fetch ?? globalThis.fetch;
  if (typeof chosen !== 'function') throw new Error('fetch must be a function (this runtime has no global fetch)');
  let entries = inProcess.tokensOf(chosen);
  if (entries === undefined) {
    entries = caches.get(chosen) ?? new Map();
    caches.set(chosen, entries);
  }
  const direct = inProcess.callOf(chosen);
  if (direct !== undefined) {
    const send = async (method, url, headers, body) => {
      const flat = [];
      for (const name in headers) flat.push(name, String(headers[name]));
      const [status, pairs, text] = await direct(method, url, flat, body === undefined ? undefined : utf8.encode(body));
      const header = (name) => {
        for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return pairs[i + 1];
        return null;
      };
      const list = () => Array.from({ length: pairs.length / 2 }, (_, i) => [pairs[2 * i], pairs[2 * i + 1]]);
      return { status, text, header, response: () => new Response(text || null, { status, headers: list() }) };
    };
    return { send, entries };
  }
  const send = async (method, url, headers, body) => {
    // Called unbound: a browser's fetch throws "Illegal invocation" on any other `this`.
    const response = await chosen(new Request(url, { method, headers, body }));
    const text = await response.text();
    return { status: response.status, text, header: (name) => response.headers.get(name), response: () => response };
  };
  return { send, entries };
}

/** Past this many entries, expired ones are swept (and all, if that is not enough). */
const CACHE_SWEEP_AT = 1000;

/**
 * Token reads from `entries`, kept for as long as the server says the token
 * is handed out as it is (its TTL header) and at most `maxMs`; concurrent
 * reads of one key share one request. Nothing is kept without that header.
 */
function tokenCache(entries, maxMs) {
  const fresh = (hit) => performance.now() < hit.at + Math.min(hit.ttl, maxMs);
  return async (key, load) => {
    if (!(maxMs > 0)) return (await load()).data;
    const hit = entries.get(key);
    if (hit !== undefined && (hit.pending || fresh(hit))) return hit.pending ?? hit.data;
    const loading = load();
    const entry = { pending: loading.then(({ data }) => data) };
    entry.pending.catch(() => {}); // rejected to whoever awaits it, not unhandled
    entries.set(key, entry);
    try {
      const { data, ttl } = await loading;
      if (entries.get(key) === entry) {
        if (ttl > 0) entries.set(key, { data, ttl, at: performance.now() });
        else entries.delete(key);
      }
      return data;
    } catch (error) {
      if (entries.get(key) === entry) entries.delete(key);
      throw error;
    } finally {
      if (entries.size > CACHE_SWEEP_AT) {
        for (const [k, e] of entries) if (!e.pending && !fresh(e)) entries.delete(k);
        if (entries.size > CACHE_SWEEP_AT) entries.clear();
      }
    }
  };
}

/**
 * A client for the connectors of app `appId`, as `@base44/sdk`'s
 * `createClient`: `connectors` (the user's) and `asServiceRole.connectors`.
 * `fetch` sends the requests: the global one by default, or a connectors
 * server's `server.fetch` to bind the client in-process.
 */
export function createClient(options) {
  if (options === null || typeof options !== 'object') throw new Error('createClient() takes { appId, serverUrl?, token?, serviceToken?, headers?, fetch?, tokenCacheMs?, options? }');
  const { appId, serverUrl = 'https://base44.app', serviceToken, headers = {}, fetch, tokenCacheMs = 60_000 } = options;
  if (typeof tokenCacheMs !== 'number' || !(tokenCacheMs >= 0)) throw new Error('tokenCacheMs must be a number of milliseconds (0 turns the token cache off)');
  let { token } = options;
  const onError = options.options?.onError;
  const config = {
    serverUrl: String(serverUrl).replace(/\/+$/, ''),
    ...transport(fetch),
    // `options.onError` sees every failed request first, as in `@base44/sdk`.
    reported: (error) => (typeof onError === 'function' && onError(error), error),
  };
  const appPath = `/apps/${appId}`;
  // `@base44/sdk` sends Base44-Functions-Version only to functions, never to connectors.
  const base = { ...headers, 'X-App-Id': String(appId) };
  const userHeaders = () => (token ? { ...base, Authorization: `Bearer ${token}` } : base);
  const serviceHeaders = () => ({
    ...base,
    ...(token ? { 'on-behalf-of': `Bearer ${token}` } : {}),
    Authorization: `Bearer ${serviceToken}`,
  });
  const asUser = (method, path) => send(config, userHeaders(), method, appPath + path);
  const asService = (method, path, body) => send(config, serviceHeaders(), method, appPath + path, body);
  // Token reads as the service role, cached (see tokenCache) per server,
  // path, service token, user and extra headers.
  const cached = tokenCache(config.entries, tokenCacheMs);
  const scope = JSON.stringify(base);
  const readToken = (path) =>
    cached(`${config.serverUrl}${appPath}${path}\n${serviceToken}\n${token ?? ''}\n${scope}`, () =>
      exchange(config, serviceHeaders(), 'GET', appPath + path));
  const enc = encodeURIComponent;

  const connectors = Object.freeze({
    /** Starts the current user's connection: resolves the provider's consent URL to navigate to. */
    async connectAppUser(connectorId) {
      required(connectorId, 'Connector ID');
      return (await asUser('POST', `/app-user-auth/connectors/${enc(connectorId)}/initiate`)).redirect_url;
    },
    /** Disconnects the current user's connection (the server revokes it at the provider). */
    async disconnectAppUser(connectorId) {
      required(connectorId, 'Connector ID');
      // Before and after: a read under way must not put the token back.
      config.entries.clear();
      try {
        await asUser('DELETE', `/app-user-auth/connectors/${enc(connectorId)}`);
      } finally {
        config.entries.clear();
      }
    },
  });

  const serviceConnectors = Object.freeze({
    /** @deprecated Use getConnection(integrationType).accessToken. */
    async getAccessToken(integrationType) {
      required(integrationType, 'Integration type');
      return (await readToken(`/external-auth/tokens/${enc(integrationType)}`)).access_token;
    },
    async getConnection(integrationType) {
      required(integrationType, 'Integration type');
      return connection(await readToken(`/external-auth/tokens/${enc(integrationType)}`));
    },
    async getWorkspaceConnection(connectorId) {
      required(connectorId, 'Connector ID');
      return connection(await readToken(`/external-auth/tokens/connectors/${enc(connectorId)}`));
    },
    /** @deprecated Use getCurrentAppUserConnection(connectorId).accessToken. */
    async getCurrentAppUserAccessToken(connectorId) {
      required(connectorId, 'Connector ID');
      return (await readToken(`/app-user-auth/connectors/${enc(connectorId)}/token`)).access_token;
    },
    async getCurrentAppUserConnection(connectorId) {
      required(connectorId, 'Connector ID');
      return connection(await readToken(`/app-user-auth/connectors/${enc(connectorId)}/token`));
    },
    /** A named user's connection, for scheduled jobs (beyond `@base44/sdk`; the server's background-jobs route). */
    async getAppUserConnection(connectorId, userId) {
      required(connectorId, 'Connector ID');
      required(userId, 'User ID');
      return connection(await readToken(`/app-user-auth/connectors/${enc(connectorId)}/users/${enc(userId)}/token`));
    },
    /** A call to the provider's API through the server, which attaches the token. Upstream errors resolve with `success: false`. */
    async callApi(integrationType, request) {
      required(integrationType, 'Integration type');
      if (!request || typeof request !== 'object') throw new Error('Request is required and must be an object');
      required(request.path, 'Request path');
      const method = request.method ?? 'GET';
      if (!METHODS.has(method)) throw new Error('Request method must be one of GET, POST, PUT, PATCH, DELETE, or HEAD');
      const data = await asService('POST', `/connectors/${enc(integrationType)}/call`, {
        method,
        ...(request.host == null ? {} : { host: request.host }),
        path: request.path,
        query: request.query ?? {},
        headers: request.headers ?? {},
        body: request.body ?? null,
      });
      return {
        success: data.success,
        phase: data.phase,
        status: data.status_code ?? null,
        data: data.data,
        dataBase64: data.data_base64 ?? null,
        contentType: data.content_type ?? null,
        headers: data.headers ?? {},
        creditsCharged: data.credits_charged ?? 0,
      };
    },
  });
  const serviceRole = Object.freeze({ connectors: serviceConnectors });

  return {
    connectors,
    get asServiceRole() {
      if (!serviceToken) throw new Error(SERVICE_ROLE_REQUIRED);
      return serviceRole;
    },
    /** Sets the user's token (sent as `Authorization`, and as `on-behalf-of` by the service role). */
    setToken(next) {
      token = next;
    },
    getConfig() {
      return { serverUrl: config.serverUrl, appId };
    },
  };
}

const INVALID_HEADER = 'Invalid authorization header format. Expected "Bearer <token>"';

/** `Bearer <token>` exactly, as `@base44/sdk` reads it. */
function bearerOf(header) {
  if (header === null) return undefined;
  if (header === '' || !header.startsWith('Bearer ') || header.split(' ').length !== 2) throw new Error(INVALID_HEADER);
  return header.split(' ')[1];
}

const NO_SERVER_URL =
  'createClientFromRequest: the request has no Base44-Api-Url header and no serverUrl option was given. ' +
  'Pass createClientFromRequest(request, { serverUrl }) with the URL of your connectors server: ' +
  'its tokens are sent only to a server you named, never to a default (https://base44.app)';

/**
 * A client from the headers a Base44 host puts on a backend function's
 * request, as `@base44/sdk`'s `createClientFromRequest`: `Authorization`
 * (the user), `Base44-Service-Authorization`, `Base44-App-Id` (required),
 * `Base44-Api-Url`, `Base44-Functions-Version`; `Base44-State` and `X-Data-Env`
 * (`dev` or `prod`) are forwarded. The server is `serverUrl` when given, else
 * the `Base44-Api-Url` header; with neither, where `@base44/sdk` would send
 * the tokens to https://base44.app, it throws (`INVALID_INPUT`).
 */
export function createClientFromRequest(request, { serverUrl, fetch, tokenCacheMs } = {}) {
  const get = (name) => request.headers.get(name);
  const appId = get('Base44-App-Id');
  if (!appId) throw new Error('Base44-App-Id header is required, but is was not found on the request');
  const serviceToken = bearerOf(get('Base44-Service-Authorization'));
  const token = bearerOf(get('Authorization'));
  const headers = {};
  if (get('Base44-State')) headers['Base44-State'] = get('Base44-State');
  const dataEnv = get('X-Data-Env');
  if (dataEnv === 'dev' || dataEnv === 'prod') headers['X-Data-Env'] = dataEnv;
  // After every check of @base44/sdk, in its order: only where it would go on to its default host.
  const invalid = (message) => Object.assign(new Error(message), { name: 'ConnectorsError', code: 'INVALID_INPUT' });
  if (serverUrl !== undefined && (typeof serverUrl !== 'string' || serverUrl === '')) throw invalid('serverUrl must be a non-empty string');
  const server = serverUrl || get('Base44-Api-Url');
  if (!server) throw invalid(NO_SERVER_URL);
  return createClient({
    serverUrl: server,
    appId,
    token,
    serviceToken,
    functionsVersion: get('Base44-Functions-Version') ?? undefined,
    headers,
    fetch,
    tokenCacheMs,
  });
}
