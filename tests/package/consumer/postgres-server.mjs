// A throwaway PostgreSQL 15 for the package tests: a data dir in a temp
// folder, 127.0.0.1 on a free port, a superuser that logs in with a random
// password (scram-sha-256, so a test can check that errors never show it).
// PostgreSQL refuses to run as root: as root, its binaries run as `nobody`,
// which owns the temp folder. Stopped (and the folder removed) by `close()`,
// and on exit, SIGINT or SIGTERM of this process whatever happened before.
//   const pg = await startPostgres(); ... pg.url ... await pg.stop(); await pg.start(); pg.close();
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.mjs';

const BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
const RUN_AS = 'nobody';

export async function startPostgres() {
  if (!existsSync(join(BIN, 'pg_ctl'))) throw new Error(`PostgreSQL binaries not found in ${BIN} (dpkg -L postgresql-15; POSTGRES_BIN)`);
  const root = userInfo().uid === 0;
  // run.sh sets POSTGRES_TEST_ROOT and stops whatever is left under it.
  const dir = mkdtempSync(join(process.env.POSTGRES_TEST_ROOT ?? tmpdir(), 'oauth-connectors-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const user = 'vault_test';
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const port = await freePort();
  const commandOf = (tool, args) => (root ? ['runuser', ['-u', RUN_AS, '--', join(BIN, tool), ...args]] : [join(BIN, tool), args]);
  const run = (tool, args) => {
    const [command, argv] = commandOf(tool, args);
    const result = spawnSync(command, argv, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) {
      const serverLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
      throw new Error(`${tool} ${args[0] ?? ''} failed (${result.status ?? result.signal ?? result.error}): ${result.stderr}${result.stdout}\n${serverLog}`);
    }
    return result.stdout;
  };
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (root) {
    const uid = Number(spawnSync('id', ['-u', RUN_AS], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', RUN_AS], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }

  let running = false;
  const stopNow = () => {
    if (!running) return;
    running = false;
    const [command, argv] = commandOf('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    spawnSync(command, argv, { cwd: dir, timeout: 30_000 });
  };
  const cleanUp = () => {
    stopNow();
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal) => {
    cleanUp();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', cleanUp);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    run('initdb', ['-D', data, '-U', user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync']);
  } catch (error) {
    cleanUp();
    throw error;
  } finally {
    rmSync(pwfile, { force: true });
  }

  const server = {
    host: '127.0.0.1',
    port,
    user,
    password,
    database: 'postgres',
    url: `postgres://${user}:${password}@127.0.0.1:${port}/postgres`,
    /** Starts the server (again) on the same port and data; resolves once it accepts connections. */
    async start() {
      if (running) return;
      run('pg_ctl', [
        '-D', data, '-l', log, '-w', '-t', '60',
        '-o', `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories='${dir}' -c fsync=off -c max_connections=50`,
        'start',
      ]);
      running = true;
    },
    /** Stops it (fast shutdown: open connections are closed). */
    async stop() {
      if (!running) return;
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      running = false;
    },
    /** Stops it and removes its data; also done on exit. */
    close() {
      cleanUp();
      process.off('exit', cleanUp);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
  try {
    await server.start();
  } catch (error) {
    server.close();
    throw error;
  }
  return server;
}
