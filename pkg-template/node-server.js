// The connectors server on `node:http`: `toNodeHandler(server)` turns the
// server's WHATWG `fetch(request) -> Response` into a `(req, res)` listener,
// and `serveNode(server)` listens with it. Plain ESM; Node 18+ (global
// Request, Response, Headers and AbortController).
import { ConnectorsError } from './errors.js';
import { inProcess } from './client.js';
import { errorAnswer, maxBodyBytes as serverMaxBodyBytes } from './oauth_connectors.js';
/**
 * serveNode's limits for slow or idle clients. Node's own defaults (60 s
 * for the headers, 300 s for a request, no idle timeout, no connection
 * cap) let a few clients that send a byte now and then hold sockets for
 * minutes; these close them within seconds.
 */
const SERVE_NODE_DEFAULTS = Object.freeze({
  /** The request line and headers must arrive within this (Node: 60 s). */
  headersTimeoutMs: 10_000,
  /** The whole request, body included, must arrive within this (Node: 300 s). */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this (Node: 5 s). */
  keepAliveTimeoutMs: 5_000,
  /** A socket that neither sends nor takes a byte for this long is closed, except while the server computes its answer (Node: none). */
  idleTimeoutMs: 60_000,
  /** The request line and headers together, in bytes; more gets 431 (Node: 16 KiB). */
  maxHeaderBytes: 16 * 1024,
  /** Open connections at once; more are closed as they arrive (Node: no cap). */
  maxConnections: 512,
});
const LARGEST_TIMER_MS = 2 ** 31 - 1;

const invalid = (message) => new ConnectorsError('INVALID_INPUT', message);

/** The closest of `names` to `wanted` (Damerau-Levenshtein, at most a third of the name), or undefined. */
function closest(wanted, names) {
  let best;
  let bestDistance = Infinity;
  for (const name of names) {
    const a = wanted;
    const b = name;
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
    const distance = d[a.length][b.length];
    if (distance <= Math.max(1, Math.floor(b.length / 3)) && distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** An options object (or undefined) whose keys are all in `allowed`; INVALID_INPUT otherwise, with a did-you-mean. */
function checkOptions(options, allowed, takes) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw invalid(`${takes} takes an options object`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const hint = closest(key, allowed);
      throw invalid(`Unknown ${takes} option "${key}".${hint ? ` Did you mean "${hint}"?` : ''}`);
    }
  }
  return options;
}

/** A whole number from `min` to `max`, or `fallback` when undefined. */
function whole(value, name, min, max, fallback) {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be a whole number from ${min} to ${max}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
  return value;
}
// A Host header is used only to make the request URL absolute (routing reads
// the path; callback URLs come from the server's publicUrl). Anything that
// is not a plain host[:port] is replaced, so it cannot change the path.
const PLAIN_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/**
 * The error answers of a handler, in the wire's shape (from the wasm), built
 * when the handler is: one that escaped the server must not need it.
 */
function errorAnswers(maxBodyBytes) {
  return {
    internal: errorAnswer(500, 'INTERNAL', 'Internal server error'),
    unreadable: errorAnswer(400, 'INVALID_INPUT', 'The request could not be read'),
    // The rest of the upload is not read: the connection closes after the answer.
    tooLarge: errorAnswer(413, 'BODY_TOO_LARGE', `The request body is larger than ${maxBodyBytes} bytes`),
  };
}

function sendError(res, [status, pairs, body], extraHeaders = {}) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers = {};
  for (let i = 0; i < pairs.length; i += 2) headers[pairs[i]] = pairs[i + 1];
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body), ...extraHeaders });
  res.end(body);
}

const tooLarge = (res, answers) => sendError(res, answers.tooLarge, { connection: 'close' });

/** The request's absolute URL: scheme and Host header, then the request target. */
function urlOf(req) {
  const scheme = req.socket && req.socket.encrypted ? 'https' : 'http';
  const hostHeader = typeof req.headers.host === 'string' ? req.headers.host.trim() : '';
  const host = PLAIN_HOST.test(hostHeader) ? hostHeader : 'localhost';
  const target = req.url || '/';
  if (target.startsWith('/')) return new URL(`${scheme}://${host}${target}`);
  // absolute-form (`GET http://host/path`) or `*`: keep only the path and query.
  const absolute = URL.canParse && URL.canParse(target) ? new URL(target) : null;
  return new URL(`${scheme}://${host}${absolute ? absolute.pathname + absolute.search : '/'}`);
}

/** The request's headers as [name, value, ...], without HTTP/2 pseudo-headers. */
function headerPairs(req) {
  const pairs = [];
  const raw = req.rawHeaders || [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!raw[i].startsWith(':')) pairs.push(raw[i], raw[i + 1]);
  return pairs;
}

function headersOf(req) {
  const headers = new Headers();
  const pairs = headerPairs(req);
  for (let i = 0; i < pairs.length; i += 2) headers.append(pairs[i], pairs[i + 1]);
  return headers;
}

/** Reads the body, or resolves null once it exceeds `max` bytes (reading stops there). */
function readBody(req, max) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let done = false;
    const finish = (value, error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk) => {
      size += chunk.length;
      if (size > max) {
        req.pause();
        finish(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, size));
    const onError = (error) => finish(undefined, error);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

async function writeResponse(req, res, response) {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  const cookies = typeof response.headers.getSetCookie === 'function' ? response.headers.getSetCookie() : null;
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie' && cookies) continue;
    res.setHeader(name, value);
  }
  if (cookies && cookies.length > 0) res.setHeader('set-cookie', cookies);
  const body = response.body;
  if (req.method === 'HEAD' || body === null) {
    if (body) await body.cancel().catch(() => {});
    res.end();
    return;
  }
  const reader = body.getReader();
  const onClose = () => reader.cancel().catch(() => {});
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) {
        await new Promise((resolve) => {
          const go = () => {
            res.off('drain', go);
            res.off('close', go);
            resolve();
          };
          res.on('drain', go);
          res.on('close', go);
        });
      }
    }
    res.end();
  } catch {
    // The answer's body failed mid-stream: the status is already sent, so end the connection.
    res.destroy();
  } finally {
    res.off('close', onClose);
  }
}

/**
 * A `node:http` request listener for a connectors server (anything with
 * `fetch(request: Request): Promise<Response>`).
 * - The `Request` has the method, the absolute URL (scheme + Host header +
 *   path), every header, and the body for methods other than GET and HEAD.
 * - A body over `maxBodyBytes` (default 1 MiB) gets 413 `BODY_TOO_LARGE`
 *   without calling `server.fetch`.
 * - A throw or rejection of `server.fetch` gets 500 `INTERNAL`, with no details.
 * - The `Response` is streamed back: status, headers (each `set-cookie`
 *   kept separate), body.
 * - A server from `createConnectorsServer` is called without building
 *   `Request` and `Response` objects (the same answers, for less work).
 */
export function toNodeHandler(server, options) {
  if (server === null || typeof server !== 'object' || typeof server.fetch !== 'function') {
    throw invalid('toNodeHandler takes a connectors server (an object with a fetch method)');
  }
  const { maxBodyBytes: given } = checkOptions(options, ['maxBodyBytes'], 'toNodeHandler');
  const maxBodyBytes = whole(given, 'maxBodyBytes', 0, Number.MAX_SAFE_INTEGER, serverMaxBodyBytes());
  const answers = errorAnswers(maxBodyBytes);
  return (req, res) => {
    const failed = () => sendError(res, answers.internal);
    try {
      handle(server, maxBodyBytes, answers, req, res)?.catch(failed);
    } catch {
      failed();
    }
  };
}

/**
 * Answers one request. A GET or HEAD to a server of this package whose
 * answer is ready (a token read from a store answering in place) is
 * written before this returns, without a Promise; anything else returns
 * one. Under `wrk`, the Promises of that path were ~14% of a token read.
 */
function handle(server, maxBodyBytes, answers, req, res) {
  const method = (req.method || 'GET').toUpperCase();
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    tooLarge(res, answers);
    return undefined;
  }
  if (method === 'GET' || method === 'HEAD') return handleBody(server, answers, method, req, res, undefined);
  return readBody(req, maxBodyBytes).then((body) => {
    if (body === null) {
      tooLarge(res, answers);
      return undefined;
    }
    return handleBody(server, answers, method, req, res, body.length === 0 ? undefined : body);
  });
}

function handleBody(server, answers, method, req, res, body) {
  const direct = inProcess.callOf(server.fetch);
  return direct !== undefined
    ? handleDirect(direct, answers, method, req, res, body)
    : handleFetch(server, answers, method, req, res, body);
}

async function handleFetch(server, answers, method, req, res, body) {
  let request;
  const abort = new AbortController();
  try {
    request = new Request(urlOf(req), { method, headers: headersOf(req), body, signal: abort.signal });
  } catch {
    sendError(res, answers.unreadable);
    return;
  }
  // The client went away before the answer was sent: tell the server.
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);
  let response;
  try {
    response = await server.fetch(request);
    if (!(response instanceof Response) && (response === null || typeof response !== 'object' || typeof response.status !== 'number')) {
      throw new TypeError('server.fetch did not return a Response');
    }
  } catch {
    res.off('close', onClose);
    sendError(res, answers.internal);
    return;
  }
  try {
    await writeResponse(req, res, response);
  } finally {
    res.off('close', onClose);
  }
}

/**
 * A connectors server of this package: straight into it, without Request
 * and Response objects. Returns a Promise only when the answer is not ready.
 */
function handleDirect(direct, answers, method, req, res, body) {
  let answer;
  try {
    answer = direct(method, urlOf(req).href, headerPairs(req), body);
  } catch {
    sendError(res, answers.internal);
    return undefined;
  }
  if (!Array.isArray(answer)) {
    return Promise.resolve(answer).then(
      (ready) => sendDirect(res, method, ready),
      () => sendError(res, answers.internal),
    );
  }
  sendDirect(res, method, answer);
  return undefined;
}

/** Writes an in-process answer `[status, [name, value, ...], body text]`. */
function sendDirect(res, method, [status, pairs, text]) {
  // One writeHead with the flat list (Set-Cookie may repeat in it) and the
  // length, as a bare node:http server answers: no header kept per name. A
  // HEAD answer has no body, so no length of one.
  if (method === 'HEAD') res.writeHead(status, pairs).end();
  else res.writeHead(status, [...pairs, 'content-length', String(Buffer.byteLength(text))]).end(text);
}

const SERVE_NODE_OPTIONS = ['port', 'hostname', 'maxBodyBytes', ...Object.keys(SERVE_NODE_DEFAULTS)];

/**
 * Serves a connectors server on `node:http`, bound to `hostname`
 * (127.0.0.1 by default) on `port` (0: a free one), with the limits of
 * SERVE_NODE_DEFAULTS unless `options` overrides them (a timeout of 0 turns
 * it off). `close()` stops listening and ends idle keep-alive connections.
 */
export async function serveNode(server, options) {
  const given = checkOptions(options, SERVE_NODE_OPTIONS, 'serveNode');
  const { port = 0, hostname = '127.0.0.1' } = given;
  const ms = (name) => whole(given[name], name, 0, LARGEST_TIMER_MS, SERVE_NODE_DEFAULTS[name]);
  const headersTimeoutMs = ms('headersTimeoutMs');
  const requestTimeoutMs = ms('requestTimeoutMs');
  const keepAliveTimeoutMs = ms('keepAliveTimeoutMs');
  const idleTimeoutMs = ms('idleTimeoutMs');
  const maxHeaderBytes = whole(given.maxHeaderBytes, 'maxHeaderBytes', 1, LARGEST_TIMER_MS, SERVE_NODE_DEFAULTS.maxHeaderBytes);
  const maxConnections = whole(given.maxConnections, 'maxConnections', 1, Number.MAX_SAFE_INTEGER, SERVE_NODE_DEFAULTS.maxConnections);
  if (headersTimeoutMs > 0 && requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    throw invalid(`headersTimeoutMs (${headersTimeoutMs}) must not be longer than requestTimeoutMs (${requestTimeoutMs})`);
  }
  const maxBodyBytes = whole(given.maxBodyBytes, 'maxBodyBytes', 0, Number.MAX_SAFE_INTEGER, serverMaxBodyBytes());
  const handler = toNodeHandler(server, { maxBodyBytes });
  // Node looks for expired headers and requests on a timer (30 s by
  // default): every second here, or a quarter of the shortest timeout.
  const positive = [headersTimeoutMs, requestTimeoutMs].filter((t) => t > 0);
  const connectionsCheckingInterval = Math.max(10, Math.min(1000, ...positive.map((t) => Math.floor(t / 4))));
  // Loaded here, not at import: node:http costs every importer ~2 ms of cold start.
  const { createServer } = await import('node:http');
  // The request and answer of each socket, for the idle timeout below.
  const current = new WeakMap();
  const listener = createServer(
    { headersTimeout: headersTimeoutMs, requestTimeout: requestTimeoutMs, maxHeaderSize: maxHeaderBytes, connectionsCheckingInterval },
    (req, res) => {
      current.set(req.socket, { req, res });
      handler(req, res);
    },
  );
  listener.keepAliveTimeout = keepAliveTimeoutMs;
  listener.maxConnections = maxConnections;
  if (idleTimeoutMs > 0) {
    listener.setTimeout(idleTimeoutMs);
    // An idle socket is closed, unless its whole request is in and the
    // server is still working on the answer (a provider call may take
    // longer): Node arms the timer again at its next byte.
    listener.on('timeout', (socket) => {
      const open = current.get(socket);
      if (open && open.req.complete && !open.res.headersSent) return;
      socket.destroy();
    });
  }
  await new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(port, hostname, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const address = listener.address();
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  let closing = null;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    hostname: address.address,
    limits: Object.freeze({ headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, idleTimeoutMs, maxHeaderBytes, maxConnections, maxBodyBytes }),
    close() {
      closing ??= new Promise((resolve, reject) => {
        listener.close((error) => (error ? reject(error) : resolve()));
        if (typeof listener.closeIdleConnections === 'function') listener.closeIdleConnections();
      });
      return closing;
    },
  };
}
