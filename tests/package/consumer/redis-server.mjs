// Throwaway redis-server processes for the tests: a free port on 127.0.0.1,
// no persistence, files in a temp folder; stopped by stop(), and killed when
// the test process exits however it exits. scripts/setup.sh installs redis-server.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.mjs';

const running = new Set();
const folders = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});
// Killed by a signal, Node skips 'exit' handlers: exit instead, running them.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => process.exit(128 + constants.signals[signal]));

// Resolves once the port answers PING (with -NOAUTH when a password is set).
async function waitForPing(port, child, log) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}):\n${log()}`);
    const answered = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(500);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer on port ${port} within 10 s:\n${log()}`);
}

/**
 * Starts redis-server: `{ port, url, stop(), start() }`. `stop()` ends it
 * (kill -9; the data goes: nothing is saved, unless `persist`: then every
 * write is in the append-only file before it is acknowledged, and survives
 * the kill); `start()` starts it again on the same port.
 */
export async function startRedis({ password, persist = false } = {}) {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed: run bash scripts/setup.sh (it installs the Debian package)');
  }
  // Under run.sh's REDIS_TEST_ROOT when set: its trap stops what a killed test left (by pidfile).
  const dir = mkdtempSync(join(process.env.REDIS_TEST_ROOT ?? tmpdir(), 'oauth-connectors-redis-'));
  folders.add(dir);
  const port = await freePort();
  let child = null;
  const server = {
    port,
    url: `redis://${password === undefined ? '' : `:${encodeURIComponent(password)}@`}127.0.0.1:${port}`,
    async start() {
      if (child !== null) throw new Error('redis-server is already running');
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', persist ? 'yes' : 'no', '--dir', dir, '--pidfile', join(dir, 'redis.pid')];
      if (persist) args.push('--appendfsync', 'always');
      if (password !== undefined) args.push('--requirepass', password);
      child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      running.add(child);
      let output = '';
      child.stdout.on('data', (data) => (output += data));
      child.stderr.on('data', (data) => (output += data));
      await waitForPing(port, child, () => output);
    },
    async stop() {
      if (child === null) return;
      const exiting = child;
      child = null;
      if (exiting.exitCode === null) {
        const exited = new Promise((resolve) => exiting.once('exit', resolve));
        exiting.kill('SIGKILL');
        await exited;
      }
      running.delete(exiting);
    },
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
      folders.delete(dir);
    },
  };
  await server.start();
  return server;
}
