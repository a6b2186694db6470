// The bench's scale figures (a bounded run, about 20 s per store): 4
// connectors server processes on one store (Node on PostgreSQL, Node on
// Redis, Deno on one Deno KV file) started by the scale tests' harness
// (tests/package/consumer/scale/) with throwaway servers started the way the
// tests start them. Per store: the refreshes one burst of reads makes when
// the token is due (counted at oidc-provider), then token reads per second
// across the 4 instances under CONCURRENCY concurrent loops.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { signIn, startLocalProvider } from 'oauth-connectors/dev-provider';
import { startWorld, untilExpired } from '../tests/package/consumer/scale/world.mjs';
import { startPostgres } from '../tests/package/consumer/postgres-server.mjs';
import { startRedis } from '../tests/package/consumer/redis-server.mjs';

const INSTANCES = 4;
const BURST = 40;
const CONCURRENCY = 32;
const SECONDS = 4;

async function measure(world) {
  await untilExpired(await world.connect());
  const before = world.op.grants.refresh_token;
  const burst = await world.burst(BURST, { timeoutMs: 30_000 });
  const refreshes = world.op.grants.refresh_token - before;
  const burstOk = burst.every((r) => r.status === 200) && new Set(burst.map((r) => r.token)).size === 1;
  let reads = 0;
  let errors = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, k) => {
    while (Date.now() < until) {
      const r = await world.read(k % INSTANCES, { timeoutMs: 10_000 });
      if (r.status === 200) reads += 1;
      else errors += 1;
    }
  }));
  return { refreshes, burstOk, perSecond: reads / SECONDS, errors };
}

/** [{ store, runtime, refreshes, burstOk, perSecond, errors }], one per store; `out` a scratch folder inside bench/. */
export async function scaleFigures({ out, deno }) {
  // The instance script is run from bench/, where its imports (oauth-connectors, redis, pg) resolve.
  mkdirSync(join(out, 'scale'), { recursive: true });
  const instanceScript = join(out, 'scale', 'instance.mjs');
  copyFileSync(new URL('../tests/package/consumer/scale/instance.mjs', import.meta.url), instanceScript);
  const common = { instances: INSTANCES, startLocalProvider, signIn, instanceScript };
  const results = [];
  const run = async (label, runtime, startStore) => {
    console.error(`bench: scale, ${INSTANCES} ${runtime} instances on ${label}`);
    const backend = await startStore();
    let world;
    try {
      world = await startWorld({ ...common, runtime: runtime.toLowerCase(), deno, store: backend.store });
      results.push({ store: label, runtime, ...(await measure(world)) });
    } finally {
      await world?.close();
      await backend.close();
    }
  };
  await run('PostgreSQL 15', 'Node', async () => {
    const pg = await startPostgres();
    return { store: { kind: 'postgres', url: pg.url, table: 'bench_scale' }, close: () => pg.close() };
  });
  await run('Redis', 'Node', async () => {
    const redis = await startRedis();
    return { store: { kind: 'redis', url: redis.url, prefix: 'bench:' }, close: () => redis.close() };
  });
  await run('one Deno KV file', 'Deno', async () => ({ store: { kind: 'denokv' }, close: () => {} }));
  return { results, INSTANCES, BURST, CONCURRENCY, SECONDS };
}
