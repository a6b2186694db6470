// The real clients fit postgresStore's structural parameter types: a pg Pool,
// PoolClient and Client (@types/pg), and a postgres.js sql (its own types).
import pg from 'pg';
import postgres from 'postgres';
import { postgresStore, postgresStoreSchema, type ConnectorsStore, type PostgresStore } from 'oauth-connectors';

async function stores(): Promise<string | null> {
  const pool = new pg.Pool({ connectionString: 'postgres://localhost/db' });
  const client = new pg.Client();
  const poolClient = await pool.connect();
  const sql = postgres('postgres://localhost/db');
  const fromPool: PostgresStore = postgresStore(pool, { table: 'vault.store' });
  const asStore: ConnectorsStore = postgresStore(client);
  postgresStore(poolClient, { create: false });
  const fromSql = postgresStore(sql);
  const page = await fromSql.list('tenant:', { cursor: null, limit: 10 });
  const keys: string[] = page.entries.map((e) => e.key);
  const next: string | null = page.cursor;
  const schema: string = postgresStoreSchema('vault.store');
  // @ts-expect-error: a connection string is not a client
  postgresStore('postgres://localhost/db');
  // @ts-expect-error: table is a string
  postgresStore(pool, { table: 1 });
  void [asStore, keys, next, schema];
  return fromPool.get('k');
}
void stores;
