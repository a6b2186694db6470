// The real clients fit redisStore's structural client types.
import { createClient } from 'redis';
import { Redis } from 'ioredis';
import { redisStore, type RedisStore, type ConnectorsStore } from 'oauth-connectors';

const viaNodeRedis: RedisStore = redisStore(createClient({ url: 'redis://127.0.0.1:6379' }), { prefix: 'app:' });
const viaIoredis: ConnectorsStore = redisStore(new Redis('redis://127.0.0.1:6379'));
export const page: Promise<{ entries: { key: string; value: string }[]; cursor: string | null }> = viaNodeRedis.list('', { limit: 10 });
export { viaIoredis };
// @ts-expect-error: a prefix is a string
redisStore(new Redis(), { prefix: ['app'] });
