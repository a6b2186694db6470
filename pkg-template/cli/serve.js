// `oauth-connectors serve`: the connectors server from the project's files
// (base44/connectors/*.jsonc, oauth-connectors.json) and the environment,
// on node:http (serveNode), with one JSON log line per request and per
// lifecycle event, GET /healthz, and a drain on close (SIGTERM in the CLI).
//
// serve({ cwd, env, argv, stdout, stderr }) resolves { url, close() } once it
// listens; a bad setting rejects with a ServeError (`code`, a one-line
// `message` that never holds a secret, `exitCode`). Node 18+.
import { parseJsonc } from './common.js';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createConnectorsServer,
  getProvider,
  loadConnectorsDir,
  memoryStore,
  postgresStore,
  redisStore,
  registerProvider,
  serveNode,
} from '../entry/node.js';

/** A bad setting or a failed start: `error CODE: message`, then exit `exitCode`. */
export class ServeError extends Error {
  constructor(code, message, exitCode = 1) {
    super(message);
    this.name = 'ServeError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

const fail = (code, message) => new ServeError(code, message);
const MAKE_SECRET = 'make one with: node -e "console.log(require(\'node:crypto\').randomBytes(32).toString(\'base64url\'))"';
const DEFAULT_PORT = 8787;
const DRAIN_MS = 25_000;
const STORE_CONNECT_MS = 10_000;
const PROJECT_FILES = ['oauth-connectors.json', 'oauth-connectors.jsonc'];
// Keys of oauth-connectors.json that serve reads, and those other commands read.
const FILE_KEYS = ['appId', 'connectorsDir', 'publicUrl', 'allowedReturnUrls', 'credentials', 'appUserConnectors', 'workspaceConnectors', 'providers', 'users'];
const OTHER_FILE_KEYS = ['$schema', 'server'];
// Query parameters whose values are logged as they are; every other value is `[redacted]` (state, code, ticket, iss, ...).
const LOGGED_QUERY = new Set(['integration_type', 'connection_id', 'limit', 'kind', 'connector', 'status', 'connect_error', 'error']);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const USAGE = `Usage: oauth-connectors serve [--port N] [--host H] [--connectors-dir DIR]

Starts the connectors server from base44/connectors/*.jsonc, oauth-connectors.json
and the environment (OAUTH_CONNECTORS_SECRET, OAUTH_CONNECTORS_SERVICE_TOKENS,
OAUTH_CONNECTORS_APP_ID, <TYPE>_CLIENT_ID/_CLIENT_SECRET, REDIS_URL or DATABASE_URL, ...:
see "oauth-connectors serve" in the package README). Logs one JSON line per
request and per event on stdout; GET /healthz answers; SIGTERM drains and exits.

Options:
  --port N              port to listen on (PORT; default ${DEFAULT_PORT}; 0: a free one)
  --host H              address to bind (HOST; default 127.0.0.1)
  --connectors-dir DIR  connector files (default base44/connectors, or "connectorsDir")
  -h, --help            this text`;

/** The environment variable prefix of a type or connector id: `microsoft_teams` -> `MICROSOFT_TEAMS`, `cal.v2` -> `CAL_V2`. */
export const envName = (id) => id.toUpperCase().replace(/[^A-Z0-9]/g, '_');

const nonEmpty = (value) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const list = (value) => (nonEmpty(value) ? value.split(',').map((s) => s.trim()).filter(Boolean) : []);
const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** oauth-connectors.json (or .jsonc) in `cwd`: its object and name, or {} when there is none. */
async function readProjectFile(cwd) {
  for (const name of PROJECT_FILES) {
    let text;
    try {
      text = await readFile(join(cwd, name), 'utf8');
    } catch (error) {
      if (error && error.code === 'ENOENT') continue;
      throw fail('PROJECT_FILE_INVALID', `cannot read ${name} (${error?.code ?? 'error'})`);
    }
    let value;
    try {
      value = name.endsWith('.jsonc') ? parseJsonc(text) : JSON.parse(text);
    } catch (error) {
      throw fail('PROJECT_FILE_INVALID', `${name} is not valid JSON${name.endsWith('.jsonc') ? 'C' : ''}: ${String(error.message).split('\n')[0]}`);
    }
    if (!isObject(value)) throw fail('PROJECT_FILE_INVALID', `${name} must hold a JSON object`);
    return { file: value, name };
  }
  return { file: {}, name: null };
}

/** The flags after `serve`. */
function readArgs(argv) {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, host: { type: 'string' }, 'connectors-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    return values;
  } catch (error) {
    throw new ServeError('USAGE', `${String(error.message).split('\n')[0]} (oauth-connectors serve --help)`, 2);
  }
}

function portOf(value) {
  if (value === undefined) return DEFAULT_PORT;
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) throw fail('PORT_INVALID', `the port must be a whole number from 0 to 65535, got ${JSON.stringify(value)}`);
  return Number(value);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The secret or key ring: OAUTH_CONNECTORS_SECRET, or OAUTH_CONNECTORS_SECRETS (current first, comma-separated). */
function secretsOf(env) {
  const one = nonEmpty(env.OAUTH_CONNECTORS_SECRET);
  const ring = list(env.OAUTH_CONNECTORS_SECRETS);
  if (one && ring.length > 0) throw fail('SECRET_CONFLICT', 'set OAUTH_CONNECTORS_SECRET or OAUTH_CONNECTORS_SECRETS, not both');
  const secrets = one ? [one] : ring;
  if (secrets.length === 0) {
    throw fail('SECRET_MISSING', `OAUTH_CONNECTORS_SECRET is not set: it seals tokens at rest and must stay the same across restarts and instances; ${MAKE_SECRET}`);
  }
  secrets.forEach((s, i) => {
    if (s.length < 32) {
      const which = one ? 'OAUTH_CONNECTORS_SECRET' : `secret ${i + 1} of OAUTH_CONNECTORS_SECRETS`;
      throw fail('SECRET_INVALID', `${which} is shorter than 32 characters; ${MAKE_SECRET}`);
    }
  });
  return secrets;
}

/** A client id and secret for a connector: the first of `tiers` ([source, id, secret]) that has an id. */
function pickClient(tiers) {
  for (const [, clientId, clientSecret] of tiers) {
    if (nonEmpty(clientId)) return { clientId: clientId.trim(), ...(nonEmpty(clientSecret) ? { clientSecret: clientSecret.trim() } : {}) };
  }
  return null;
}

/** The auth model of a type: a custom entry of the project file, else the catalog's (null when unknown). */
function authModel(type, customs) {
  const custom = customs.get(type);
  if (custom) return custom.auth_model ?? 'oauth';
  try {
    return getProvider(type)?.auth_model ?? null;
  } catch {
    return null;
  }
}

/** Everything createConnectorsServer needs except the store and publicUrl, from files and env. */
async function readSettings({ cwd, env, args }) {
  const { file, name: fileName } = await readProjectFile(cwd);
  const where = fileName ?? 'oauth-connectors.json';
  const unknownKeys = Object.keys(file).filter((k) => !FILE_KEYS.includes(k) && !OTHER_FILE_KEYS.includes(k));

  const secrets = secretsOf(env);

  const appId = nonEmpty(env.OAUTH_CONNECTORS_APP_ID) ?? (typeof file.appId === 'string' ? file.appId : undefined);
  if (!appId) throw fail('APP_ID_MISSING', `no app id: set OAUTH_CONNECTORS_APP_ID or "appId" in ${where}`);

  const serviceTokens = [...new Set([...list(env.OAUTH_CONNECTORS_SERVICE_TOKENS), ...list(env.OAUTH_CONNECTORS_SERVICE_TOKEN)])];
  if (serviceTokens.length === 0) {
    throw fail('SERVICE_TOKEN_MISSING', `OAUTH_CONNECTORS_SERVICE_TOKENS is not set: backends and the CLI read tokens and connect with it (16+ characters, comma-separated for several); ${MAKE_SECRET}`);
  }

  for (const key of ['credentials', 'appUserConnectors', 'workspaceConnectors', 'users']) {
    if (file[key] !== undefined && !isObject(file[key])) throw fail('PROJECT_FILE_INVALID', `"${key}" in ${where} must be an object`);
  }
  if (file.providers !== undefined && !Array.isArray(file.providers)) throw fail('PROJECT_FILE_INVALID', `"providers" in ${where} must be an array of catalog entries`);
  if (file.allowedReturnUrls !== undefined && !(Array.isArray(file.allowedReturnUrls) && file.allowedReturnUrls.every((u) => typeof u === 'string'))) {
    throw fail('PROJECT_FILE_INVALID', `"allowedReturnUrls" in ${where} must be an array of origins`);
  }

  // Custom providers first: the connector files may name them.
  const customs = new Map();
  for (const [i, entry] of (file.providers ?? []).entries()) {
    try {
      const registered = registerProvider(entry);
      customs.set(registered.type, registered);
    } catch (error) {
      throw fail(error?.code ?? 'PROVIDER_INVALID', `providers[${i}] in ${where}: ${oneLine(error)}`);
    }
  }

  const dirOption = args['connectors-dir'] ?? (typeof file.connectorsDir === 'string' ? file.connectorsDir : 'base44/connectors');
  const dir = isAbsolute(dirOption) ? dirOption : resolvePath(cwd, dirOption);
  let loaded;
  try {
    loaded = await loadConnectorsDir(dir);
  } catch (error) {
    throw fail(error?.code ?? 'CONFIG_INVALID', oneLine(error));
  }

  // Shared connectors: <TYPE>_CLIENT_ID / _CLIENT_SECRET, else "credentials" in the file.
  const fileCredentials = file.credentials ?? {};
  const credentials = {};
  const missing = [];
  for (const connector of loaded.connectors) {
    const type = connector.type;
    const fromFile = fileCredentials[type] ?? {};
    const prefix = envName(type);
    const client = pickClient([
      ['env', env[`${prefix}_CLIENT_ID`], env[`${prefix}_CLIENT_SECRET`]],
      ['file', fromFile.clientId, fromFile.clientSecret],
    ]);
    if (client) credentials[type] = { ...client, ...(isObject(fromFile.connectionConfig) ? { connectionConfig: fromFile.connectionConfig } : {}) };
    else if (authModel(type, customs) === 'oauth') missing.push(`${type} (set ${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET)`);
  }
  if (missing.length > 0) throw fail('CLIENT_ID_MISSING', `no client credentials for ${missing.join(', ')}, or give them under "credentials" in ${where}`);

  // App-user and workspace connectors: <CONNECTOR_ID>_CLIENT_ID, else the file's, else <TYPE>_CLIENT_ID.
  const connectorsOf = (key) => {
    const out = {};
    for (const [id, given] of Object.entries(file[key] ?? {})) {
      if (!isObject(given) || typeof given.type !== 'string') throw fail('PROJECT_FILE_INVALID', `${key}.${id} in ${where} needs a "type"`);
      const idPrefix = envName(id);
      const typePrefix = envName(given.type);
      const client = pickClient([
        ['env', env[`${idPrefix}_CLIENT_ID`], env[`${idPrefix}_CLIENT_SECRET`]],
        ['file', given.clientId, given.clientSecret],
        ['env', env[`${typePrefix}_CLIENT_ID`], env[`${typePrefix}_CLIENT_SECRET`]],
      ]);
      if (!client) {
        throw fail('CLIENT_ID_MISSING', `no client credentials for ${key}.${id}: set ${idPrefix}_CLIENT_ID and ${idPrefix}_CLIENT_SECRET (or ${typePrefix}_CLIENT_ID), or "clientId" in ${where}`);
      }
      const { clientId: _id, clientSecret: _secret, ...rest } = given;
      out[id] = { ...rest, ...client };
    }
    return out;
  };
  const appUserConnectors = connectorsOf('appUserConnectors');
  const workspaceConnectors = connectorsOf('workspaceConnectors');

  // User tokens (HS256): the secret only from the environment.
  const fileUsers = file.users ?? {};
  const usersSecret = nonEmpty(env.OAUTH_CONNECTORS_USERS_SECRET);
  const issuer = nonEmpty(env.OAUTH_CONNECTORS_USERS_ISSUER) ?? nonEmpty(fileUsers.issuer);
  const audience = nonEmpty(env.OAUTH_CONNECTORS_USERS_AUDIENCE) ?? nonEmpty(fileUsers.audience) ?? appId;
  let users;
  if (usersSecret) {
    if (!issuer) throw fail('USERS_INCOMPLETE', `OAUTH_CONNECTORS_USERS_SECRET is set without an issuer: set OAUTH_CONNECTORS_USERS_ISSUER (or "users": {"issuer"} in ${where})`);
    users = { secret: usersSecret, issuer, audience };
  } else if (Object.keys(appUserConnectors).length > 0) {
    throw fail('USERS_MISSING', `app-user connectors need user-token verification: set OAUTH_CONNECTORS_USERS_SECRET (the HS256 secret your sign-in signs with) and OAUTH_CONNECTORS_USERS_ISSUER`);
  }

  const allowedReturnUrls = [...new Set([...list(env.OAUTH_CONNECTORS_ALLOWED_RETURN_URLS), ...(file.allowedReturnUrls ?? [])])];
  const publicUrl = nonEmpty(env.OAUTH_CONNECTORS_PUBLIC_URL) ?? nonEmpty(file.publicUrl);
  const host = args.host ?? nonEmpty(env.HOST) ?? '127.0.0.1';
  const port = portOf(args.port ?? nonEmpty(env.PORT));
  if (!publicUrl && !LOOPBACK.has(host)) {
    throw fail('PUBLIC_URL_MISSING', `HOST is ${host}: set OAUTH_CONNECTORS_PUBLIC_URL to the https address browsers and providers reach this server at`);
  }
  return {
    unknownKeys,
    where,
    host,
    port,
    publicUrl,
    options: {
      appId,
      secrets,
      connectors: loaded.connectors,
      credentials,
      appUserConnectors,
      workspaceConnectors,
      serviceTokens,
      ...(users ? { users } : {}),
      allowedReturnUrls,
    },
    warnings: loaded.warnings,
    secretValues: [...secrets, ...serviceTokens, ...(usersSecret ? [usersSecret] : [])],
  };
}

/** An error's message on one line (a multi-file connector error has a line per file). */
function oneLine(error) {
  return String(error?.message ?? error).split('\n').map((s) => s.trim()).filter(Boolean).join('; ');
}

/** Imports `name` from the user's project (cwd), else from beside this package; STORE_PACKAGE_MISSING when neither has it. */
async function importFromProject(name, cwd, variable) {
  let resolved;
  try {
    resolved = createRequire(join(cwd, 'package.json')).resolve(name);
  } catch {
    resolved = undefined;
  }
  try {
    return await import(resolved ? pathToFileURL(resolved).href : name);
  } catch (error) {
    const notFound = error && (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'MODULE_NOT_FOUND') && String(error.message).includes(`'${name}`);
    if (notFound) throw fail('STORE_PACKAGE_MISSING', `${variable} is set, which needs the ${name} package in your project: run npm install ${name}`);
    throw fail('STORE_PACKAGE_MISSING', `${variable} is set, but the ${name} package did not load (${error?.code ?? error?.name ?? 'error'})`);
  }
}

const withTimeout = (promise, ms, onTimeout) => {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ms)))]).finally(() => clearTimeout(timer));
};

/** The store from REDIS_URL, DATABASE_URL or memory: { store, kind, close() }. */
async function openStore({ cwd, env, log }) {
  const redisUrl = nonEmpty(env.REDIS_URL);
  const databaseUrl = nonEmpty(env.DATABASE_URL);
  if (redisUrl && databaseUrl) throw fail('STORE_CONFLICT', 'both REDIS_URL and DATABASE_URL are set: set only the one to keep connections in');
  if (redisUrl) {
    if (!/^rediss?:\/\//i.test(redisUrl)) throw fail('REDIS_URL_INVALID', 'REDIS_URL must start with redis:// or rediss://');
    const mod = await importFromProject('redis', cwd, 'REDIS_URL');
    const createClient = mod.createClient ?? mod.default?.createClient;
    if (typeof createClient !== 'function') throw fail('STORE_PACKAGE_MISSING', 'REDIS_URL is set, but the installed redis package has no createClient: install redis 5');
    let started = false;
    let client;
    try {
      client = createClient({
        url: redisUrl,
        disableOfflineQueue: true,
        socket: { connectTimeout: 5000, reconnectStrategy: (retries) => (started || retries < 20 ? Math.min(250 + retries * 100, 2000) : new Error('gave up')) },
      });
    } catch (error) {
      throw fail('REDIS_URL_INVALID', `REDIS_URL could not be read (${error?.name ?? 'error'})`);
    }
    let lastError = null;
    client.on('error', (error) => {
      lastError = error;
      if (started) log('warn', 'store.error', { store: 'redis', error: error?.code ?? error?.name ?? 'error' });
    });
    try {
      await withTimeout(client.connect(), STORE_CONNECT_MS, () => new Error('timeout'));
      await client.ping();
    } catch {
      client.destroy?.();
      const cause = lastError?.code ?? lastError?.name ?? 'timeout';
      throw fail('STORE_UNAVAILABLE', `could not connect to Redis at REDIS_URL (${cause})`);
    }
    started = true;
    return {
      kind: 'redis',
      store: redisStore(client),
      close: async () => {
        try {
          await (typeof client.close === 'function' ? client.close() : client.quit());
        } catch {
          client.destroy?.();
        }
      },
    };
  }
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//i.test(databaseUrl)) throw fail('DATABASE_URL_INVALID', 'DATABASE_URL must start with postgres:// or postgresql://');
    const mod = await importFromProject('pg', cwd, 'DATABASE_URL');
    const Pool = mod.Pool ?? mod.default?.Pool;
    if (typeof Pool !== 'function') throw fail('STORE_PACKAGE_MISSING', 'DATABASE_URL is set, but the installed pg package has no Pool: install pg 8');
    let pool;
    try {
      pool = new Pool({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
    } catch (error) {
      throw fail('DATABASE_URL_INVALID', `DATABASE_URL could not be read (${error?.name ?? 'error'})`);
    }
    // An idle client dropped by the server must not crash the process: the pool replaces it.
    pool.on('error', (error) => log('warn', 'store.error', { store: 'postgres', error: error?.code ?? error?.name ?? 'error' }));
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end().catch(() => {});
      throw fail('STORE_UNAVAILABLE', `could not connect to PostgreSQL at DATABASE_URL (${error?.code ?? error?.name ?? 'error'})`);
    }
    return { kind: 'postgres', store: postgresStore(pool), close: () => pool.end().catch(() => {}) };
  }
  return { kind: 'memory', store: memoryStore(), close: async () => {} };
}

/** The request's path with every query value redacted but the harmless ones. */
export function loggedPath(url) {
  if (url.search === '') return url.pathname;
  const parts = [];
  for (const [key, value] of url.searchParams) {
    parts.push(`${encodeURIComponent(key)}=${LOGGED_QUERY.has(key) ? encodeURIComponent(value) : '[redacted]'}`);
  }
  return `${url.pathname}?${parts.join('&')}`;
}

/**
 * Starts the server. Resolves `{ url, publicUrl, close() }` once it listens;
 * `close()` stops taking connections, waits up to 25 s for the requests in
 * flight, then closes the store's client.
 */
export async function serve({ cwd = process.cwd(), env = process.env, argv = [], stdout = process.stdout, stderr = process.stderr } = {}) {
  const args = readArgs(argv);
  if (args.help) {
    stdout.write(`${USAGE}\n`);
    return { url: null, publicUrl: null, close: async () => {}, help: true };
  }
  let secretValues = [];
  // One JSON line per event. Values never hold a secret; as a last guard, any configured secret is cut out.
  const log = (level, event, fields = {}) => {
    let line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields });
    for (const s of secretValues) if (line.includes(s)) line = line.split(s).join('[redacted]');
    stdout.write(`${line}\n`);
  };

  const settings = await readSettings({ cwd: resolvePath(cwd), env, args });
  secretValues = settings.secretValues;
  for (const key of settings.unknownKeys) log('warn', 'config.unknown_key', { file: settings.where, key });
  for (const w of settings.warnings ?? []) log('warn', 'config.warning', { code: w.code, message: w.message });

  const opened = await openStore({ cwd, env, log });
  if (opened.kind === 'memory') {
    const message = 'No REDIS_URL or DATABASE_URL: connections are kept in memory and die with this process (set REDIS_URL or DATABASE_URL to keep them)';
    log('warn', 'store.memory', { message });
    stderr.write(`warning: ${message}\n`);
  }

  let inner = null;
  const app = {
    async fetch(request) {
      const started = performance.now();
      const url = new URL(request.url);
      const given = request.headers.get('x-request-id');
      const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
      let response;
      try {
        if (url.pathname === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
          response = Response.json({ status: inner ? 'ok' : 'starting' }, { status: inner ? 200 : 503, headers: { 'cache-control': 'no-store' } });
        } else if (inner === null) {
          response = Response.json({ error: { code: 'STARTING', message: 'The server is starting' } }, { status: 503 });
        } else {
          response = await inner.fetch(request);
        }
      } catch (error) {
        log('error', 'request', { method: request.method, path: loggedPath(url), status: 500, durationMs: ms(started), requestId });
        throw error;
      }
      try {
        response.headers.set('x-request-id', requestId);
      } catch {
        response = new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
        response.headers.set('x-request-id', requestId);
      }
      log(response.status >= 500 ? 'error' : 'info', 'request', { method: request.method, path: loggedPath(url), status: response.status, durationMs: ms(started), requestId });
      return response;
    },
  };

  let served;
  try {
    served = await serveNode(app, { hostname: settings.host, port: settings.port });
  } catch (error) {
    await opened.close();
    throw fail('LISTEN_FAILED', `cannot listen on ${settings.host}:${settings.port} (${error?.code ?? 'error'})`);
  }
  const publicUrl = settings.publicUrl ?? served.url;
  try {
    inner = createConnectorsServer({
      ...settings.options,
      publicUrl,
      store: opened.store,
      onEvent: (e) => log(e.type === 'connection.refresh_failed' || e.type === 'connection.expired' ? 'warn' : 'info', e.type, {
        connectionId: e.connectionId, kind: e.kind, connector: e.connector, userId: e.userId, status: e.status, code: e.code,
        at: e.at instanceof Date ? e.at.toISOString() : e.at,
      }),
    });
  } catch (error) {
    await served.close().catch(() => {});
    await opened.close();
    throw fail(error?.code ?? 'CONFIG_INVALID', oneLine(error));
  }
  log('info', 'server.started', {
    url: served.url,
    publicUrl,
    appId: settings.options.appId,
    store: opened.kind,
    connectors: settings.options.connectors.map((c) => c.type),
    appUserConnectors: Object.keys(settings.options.appUserConnectors),
    workspaceConnectors: Object.keys(settings.options.workspaceConnectors),
    redirectUris: inner.redirectUris().map((r) => r.redirectUri),
  });

  let closing = null;
  return {
    url: served.url,
    publicUrl,
    close(reason = 'close') {
      closing ??= (async () => {
        log('info', 'server.stopping', { reason });
        const drained = await withTimeout(served.close().then(() => true), DRAIN_MS, () => new Error('drain')).catch(() => false);
        await opened.close();
        log('info', 'server.stopped', { drained });
      })();
      return closing;
    },
  };
}

const ms = (started) => Math.round((performance.now() - started) * 10) / 10;

/**
 * `oauth-connectors serve` as a process: serve(), then SIGTERM or SIGINT
 * drains and exits 0. A bad setting prints `error CODE: message` and exits 1
 * (2 for a bad flag). Resolves once the server runs (or has failed).
 */
export async function runServe(argv, { cwd = process.cwd(), env = process.env, stdout = process.stdout, stderr = process.stderr } = {}) {
  let running;
  try {
    running = await serve({ cwd, env, argv, stdout, stderr });
  } catch (error) {
    const code = error?.code ?? 'INTERNAL';
    stderr.write(`error ${code}: ${error instanceof ServeError ? error.message : oneLine(error)}\n`);
    process.exitCode = error?.exitCode ?? 1;
    return;
  }
  if (running.help) return;
  const stop = (signal) => {
    running.close(signal).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
