// serveNode under slow and idle clients, over real sockets on 127.0.0.1:
// sockets that send nothing, headers byte by byte, a body that never
// finishes, an idle keep-alive connection and a client that stops reading
// are closed by the limits (shortened here, so the test takes seconds),
// while normal requests go on being answered. Also: the defaults, the
// header-size and connection caps, and the options' errors.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import * as api from 'oauth-connectors';
import { APP, SERVICE, setup } from './server-checks.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A raw socket to `port`: resolves once connected, with what the server
 * sent (`received()`), when it closed (`closed`, resolving the time in ms
 * since the connection), and `write`.
 */
const opened = new Set();
/** Ends every raw socket still open: a test that failed must not keep the process alive. */
const destroyAll = () => {
  for (const s of opened) s.destroy();
  opened.clear();
};
afterEach(destroyAll);

function rawSocket(port) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    opened.add(socket);
    const chunks = [];
    let start;
    const closed = new Promise((done) => socket.once('close', () => done(performance.now() - start)));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {}); // a reset counts as closed
    socket.once('connect', () => {
      start = performance.now();
      resolve({ socket, closed, received: () => Buffer.concat(chunks).toString('latin1'), write: (s) => socket.write(s) });
    });
    socket.once('error', reject);
  });
}

/** One GET over its own connection (no keep-alive pool), answered whole: { status, body }. */
function get(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves `promise`'s value, or rejects with `what` after `ms`. */
function within(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const tokenPath = `/api/apps/${APP}/external-auth/tokens/fakeprov`;

test('serveNode: the limits in force are protective by default (not Node\'s 60 s / 300 s / none / no cap)', async () => {
  const served = await api.serveNode(setup(api).server);
  try {
    assert.deepEqual(served.limits, {
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      idleTimeoutMs: 60_000,
      maxHeaderBytes: 16_384,
      maxConnections: 512,
      maxBodyBytes: 1024 * 1024,
    });
    assert.ok(Object.isFrozen(served.limits));
  } finally {
    await served.close();
  }
});

test('serveNode: slow sockets are closed by the (overridden) timeouts while normal requests are answered', { timeout: 20_000 }, async () => {
  const ctx = setup(api);
  await ctx.connectShared('fakeprov', ['read']);
  const served = await api.serveNode(ctx.server, {
    headersTimeoutMs: 500,
    requestTimeoutMs: 1_000,
    keepAliveTimeoutMs: 300,
    idleTimeoutMs: 5_000,
  });
  const timers = [];
  try {
    // Sends nothing at all.
    const silent = await rawSocket(served.port);
    // The request line and headers, one byte every 50 ms: 4 s to finish, if allowed.
    const drip = await rawSocket(served.port);
    const slowHead = `GET ${tokenPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${SERVICE}\r\n` + `x-pad: ${'p'.repeat(30)}\r\n\r\n`;
    let i = 0;
    timers.push(setInterval(() => {
      if (i < slowHead.length && !drip.socket.destroyed) drip.write(slowHead[i++]);
    }, 50));
    // Headers in full, then a declared 200-byte body at one byte every 100 ms (20 s to finish).
    const slowBody = await rawSocket(served.port);
    slowBody.write(`PUT /api/apps/${APP}/external-auth/integrations/fakeprov HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Authorization: Bearer ${SERVICE}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{`);
    timers.push(setInterval(() => {
      if (!slowBody.socket.destroyed) slowBody.write(' ');
    }, 100));
    // One whole request, answered, then the connection idles (keep-alive).
    const idle = await rawSocket(served.port);
    idle.write(`GET ${tokenPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${SERVICE}\r\n\r\n`);

    // Meanwhile, normal requests are answered, each at once.
    const answers = [];
    const normal = (async () => {
      for (let n = 0; n < 15; n++) {
        const t0 = performance.now();
        const answer = await get(served.port, tokenPath, { authorization: `Bearer ${SERVICE}` });
        answers.push({ status: answer.status, ms: performance.now() - t0, token: JSON.parse(answer.body).access_token });
        await sleep(100);
      }
    })();

    const silentMs = await within(silent.closed, 3_000, 'a socket that sends nothing');
    const dripMs = await within(drip.closed, 3_000, 'headers sent byte by byte');
    const bodyMs = await within(slowBody.closed, 3_500, 'a body that never finishes');
    const idleMs = await within(idle.closed, 3_500, 'an idle keep-alive connection');
    await normal;

    // Closed by the timeouts, not before: headers 500 ms, request 1 s,
    // keep-alive 300 ms (+ Node's 1 s of grace); checked every 125 ms.
    assert.ok(silentMs >= 450 && silentMs < 1_500, `silent socket closed after ${silentMs} ms`);
    assert.ok(dripMs >= 450 && dripMs < 1_500, `dripping headers closed after ${dripMs} ms`);
    assert.ok(i < slowHead.length, 'the dripped headers never completed');
    assert.match(drip.received(), /^HTTP\/1\.1 408 /);
    assert.ok(bodyMs >= 950 && bodyMs < 2_500, `dripping body closed after ${bodyMs} ms`);
    assert.match(slowBody.received(), /^HTTP\/1\.1 408 /);
    assert.match(idle.received(), /^HTTP\/1\.1 200 /, 'the idle socket had its answer first');
    assert.ok(idleMs >= 250 && idleMs < 2_500, `idle keep-alive connection closed after ${idleMs} ms`);

    assert.equal(answers.length, 15);
    for (const a of answers) {
      assert.equal(a.status, 200);
      assert.equal(a.token, ctx.p.issued[0].access_token);
      assert.ok(a.ms < 500, `a normal request took ${a.ms} ms beside the slow sockets`);
    }
    assert.equal(served.limits.headersTimeoutMs, 500);
  } finally {
    for (const t of timers) clearInterval(t);
    destroyAll();
    await served.close();
  }
});

test('serveNode: a client that stops reading its answer is closed by idleTimeoutMs; a slow answer is not', { timeout: 20_000 }, async () => {
  const CHUNK = new Uint8Array(64 * 1024).fill(120);
  const TOTAL = 32 * 1024 * 1024;
  let slowAnswers = 0;
  // Not a server of createConnectorsServer: any { fetch } is served with Request and Response objects.
  const server = {
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === '/slow') {
        // Longer than idleTimeoutMs: the server is working, so the socket waits.
        await sleep(1_200);
        slowAnswers += 1;
        return new Response('done', { status: 200 });
      }
      let sent = 0;
      return new Response(new ReadableStream({
        pull(controller) {
          if (sent >= TOTAL) return controller.close();
          sent += CHUNK.length;
          controller.enqueue(CHUNK);
        },
      }), { status: 200, headers: { 'content-type': 'application/octet-stream' } });
    },
  };
  const served = await api.serveNode(server, { idleTimeoutMs: 500 });
  try {
    const slow = await get(served.port, '/slow');
    assert.equal(slow.status, 200);
    assert.equal(slow.body, 'done');
    assert.equal(slowAnswers, 1);

    const reader = await rawSocket(served.port);
    reader.socket.pause();
    reader.socket.on('data', () => {});
    reader.write('GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await sleep(2_000);
    // Read what the kernel buffered, then the end: far less than the 32 MiB.
    let bytes = 0;
    reader.socket.on('data', (chunk) => (bytes += chunk.length));
    reader.socket.resume();
    await within(reader.closed, 5_000, 'a client that stopped reading');
    assert.ok(bytes > 0 && bytes < TOTAL / 2, `the paused client got ${bytes} bytes of ${TOTAL}`);
  } finally {
    destroyAll();
    await served.close();
  }
});

test('serveNode: headers over maxHeaderBytes get 431; connections over maxConnections are closed at once', { timeout: 20_000 }, async () => {
  const ctx = setup(api);
  await ctx.connectShared('fakeprov', ['read']);
  const served = await api.serveNode(ctx.server, { maxHeaderBytes: 2_048, maxConnections: 2, headersTimeoutMs: 400, requestTimeoutMs: 400 });
  try {
    const auth = { authorization: `Bearer ${SERVICE}` };
    assert.equal((await get(served.port, tokenPath, auth)).status, 200);
    const big = await get(served.port, tokenPath, { ...auth, 'x-pad': 'p'.repeat(4_000) });
    assert.equal(big.status, 431);
    assert.equal((await get(served.port, tokenPath, { ...auth, 'x-pad': 'p'.repeat(1_000) })).status, 200);

    // Two silent sockets fill the cap: a third connection is dropped at once, unanswered.
    const a = await rawSocket(served.port);
    const b = await rawSocket(served.port);
    await sleep(50);
    const third = await rawSocket(served.port);
    third.write(`GET ${tokenPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${SERVICE}\r\n\r\n`);
    const thirdMs = await within(third.closed, 1_000, 'a connection over the cap');
    assert.ok(thirdMs < 300, `the third connection closed after ${thirdMs} ms`);
    assert.equal(third.received(), '');
    // Once the silent ones time out, requests are served again.
    await within(Promise.all([a.closed, b.closed]), 3_000, 'the silent sockets');
    assert.equal((await get(served.port, tokenPath, auth)).status, 200);
  } finally {
    destroyAll();
    await served.close();
  }
});

test('serveNode and toNodeHandler: a misspelt or bad option is INVALID_INPUT (with a did-you-mean), before listening', async () => {
  const { server } = setup(api);
  const refused = async (options, pattern) => {
    await assert.rejects(api.serveNode(server, options), (error) => {
      assert.ok(error instanceof api.ConnectorsError, `${error}`);
      assert.equal(error.code, 'INVALID_INPUT');
      assert.match(error.message, pattern);
      return true;
    });
  };
  await refused({ headerTimeoutMs: 1_000 }, /Unknown serveNode option "headerTimeoutMs"\. Did you mean "headersTimeoutMs"\?/);
  await refused({ keepAliveTimeout: 1_000 }, /Did you mean "keepAliveTimeoutMs"\?/);
  await refused({ maxConnection: 10 }, /Did you mean "maxConnections"\?/);
  await refused({ maxHeaderSize: 8_192 }, /Unknown serveNode option "maxHeaderSize"/);
  await refused({ banana: 1 }, /^Unknown serveNode option "banana"\.$/);
  await refused({ headersTimeoutMs: -1 }, /headersTimeoutMs must be a whole number from 0 to 2147483647, got -1/);
  await refused({ requestTimeoutMs: 1.5 }, /requestTimeoutMs must be a whole number/);
  await refused({ idleTimeoutMs: '1000' }, /idleTimeoutMs must be a whole number .*got "1000"/);
  await refused({ keepAliveTimeoutMs: 2 ** 31 }, /keepAliveTimeoutMs must be a whole number/);
  await refused({ maxConnections: 0 }, /maxConnections must be a whole number from 1/);
  await refused({ maxHeaderBytes: Infinity }, /maxHeaderBytes must be a whole number/);
  await refused({ maxBodyBytes: -5 }, /maxBodyBytes must be a whole number/);
  await refused({ headersTimeoutMs: 20_000, requestTimeoutMs: 10_000 }, /headersTimeoutMs \(20000\) must not be longer than requestTimeoutMs \(10000\)/);
  await refused(null, /serveNode takes an options object/);
  await assert.rejects(api.serveNode({ fetch: 1 }), (e) => e.code === 'INVALID_INPUT');

  assert.throws(() => api.toNodeHandler(server, { maxBodyByte: 10 }), (e) =>
    e.code === 'INVALID_INPUT' && /Unknown toNodeHandler option "maxBodyByte"\. Did you mean "maxBodyBytes"\?/.test(e.message));
  assert.throws(() => api.toNodeHandler(server, { maxBodyBytes: 'x' }), (e) => e.code === 'INVALID_INPUT');
  assert.throws(() => api.toNodeHandler({}), (e) => e.code === 'INVALID_INPUT');

  // A timeout of 0 turns it off, as in Node; every override shows in `limits`.
  const served = await api.serveNode(server, { headersTimeoutMs: 0, requestTimeoutMs: 0, idleTimeoutMs: 0, maxConnections: 3, maxBodyBytes: 10 });
  try {
    assert.equal(served.limits.headersTimeoutMs, 0);
    assert.equal(served.limits.maxConnections, 3);
    assert.equal(served.limits.maxBodyBytes, 10);
    assert.equal(served.limits.keepAliveTimeoutMs, 5_000);
  } finally {
    await served.close();
  }
});
