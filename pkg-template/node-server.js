// The connectors server on `node:http`: `toNodeHandler(server)` turns the
// server's WHATWG `fetch(request) -> Response` into a `(req, res)` listener,
// and `serveNode(server)` listens with it. Plain ESM; Node 18+ (global
// Request, Response, Headers and AbortController).
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Set on a connectors server's `fetch` by createConnectorsServer (api.js). */
const IN_PROCESS = Symbol.for('oauth-connectors.in-process');
// A Host header is used only to make the request URL absolute (routing reads
// the path; callback URLs come from the server's publicUrl). Anything that
// is not a plain host[:port] is replaced, so it cannot change the path.
const PLAIN_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

function sendError(res, status, code, message, extraHeaders = {}) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'x-base44-connector-error': code,
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

const tooLarge = (res, max) =>
  // The rest of the upload is not read: the connection closes after the answer.
  sendError(res, 413, 'BODY_TOO_LARGE', `The request body is larger than ${max} bytes`, { connection: 'close' });

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
export function toNodeHandler(server, { maxBodyBytes = DEFAULT_MAX_BODY_BYTES } = {}) {
  if (server === null || typeof server !== 'object' || typeof server.fetch !== 'function') {
    throw new TypeError('toNodeHandler takes a connectors server (an object with a fetch method)');
  }
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) {
    throw new TypeError(`maxBodyBytes must be a whole number of bytes, got ${maxBodyBytes}`);
  }
  return (req, res) => {
    handle(server, maxBodyBytes, req, res).catch(() => sendError(res, 500, 'INTERNAL', 'Internal server error'));
  };
}

async function handle(server, maxBodyBytes, req, res) {
  const method = (req.method || 'GET').toUpperCase();
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    tooLarge(res, maxBodyBytes);
    return;
  }
  let body;
  if (method !== 'GET' && method !== 'HEAD') {
    body = await readBody(req, maxBodyBytes);
    if (body === null) {
      tooLarge(res, maxBodyBytes);
      return;
    }
    if (body.length === 0) body = undefined;
  }
  const direct = server.fetch[IN_PROCESS];
  if (typeof direct === 'function') {
    await handleDirect(direct, method, req, res, body);
    return;
  }
  let request;
  const abort = new AbortController();
  try {
    request = new Request(urlOf(req), { method, headers: headersOf(req), body, signal: abort.signal });
  } catch {
    sendError(res, 400, 'INVALID_INPUT', 'The request could not be read');
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
    sendError(res, 500, 'INTERNAL', 'Internal server error');
    return;
  }
  try {
    await writeResponse(req, res, response);
  } finally {
    res.off('close', onClose);
  }
}

/** A connectors server of this package: straight into it, without Request and Response objects. */
async function handleDirect(direct, method, req, res, body) {
  let answer;
  try {
    answer = await direct(method, urlOf(req).href, headerPairs(req), body);
  } catch {
    sendError(res, 500, 'INTERNAL', 'Internal server error');
    return;
  }
  const [status, pairs, text] = answer;
  const cookies = [];
  res.statusCode = status;
  for (let i = 0; i < pairs.length; i += 2) {
    if (pairs[i] === 'set-cookie') cookies.push(pairs[i + 1]);
    else res.setHeader(pairs[i], pairs[i + 1]);
  }
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.end(method === 'HEAD' ? undefined : text);
}

/**
 * Serves a connectors server on `node:http`, bound to `hostname`
 * (127.0.0.1 by default) on `port` (0: a free one). `close()` stops
 * listening and ends idle keep-alive connections.
 */
export async function serveNode(server, { port = 0, hostname = '127.0.0.1', maxBodyBytes = DEFAULT_MAX_BODY_BYTES } = {}) {
  // Loaded here, not at import: node:http costs every importer ~2 ms of cold start.
  const { createServer } = await import('node:http');
  const listener = createServer(toNodeHandler(server, { maxBodyBytes }));
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
    close() {
      closing ??= new Promise((resolve, reject) => {
        listener.close((error) => (error ? reject(error) : resolve()));
        if (typeof listener.closeIdleConnections === 'function') listener.closeIdleConnections();
      });
      return closing;
    },
  };
}
