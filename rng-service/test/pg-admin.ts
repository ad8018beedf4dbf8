/**
 * The PostgreSQL the tests use (127.0.0.1:5432, RNGSEAL_TEST_PG to change
 * it) and a database of its own per test file.
 */

import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN = process.env.RNGSEAL_TEST_PG ?? 'postgres://root@127.0.0.1:5432/test';

/** Runs SQL on one connection of its own (as the admin role unless `url` says otherwise). */
export async function pgSql(sql: string, url = PG_ADMIN): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The admin URL pointed at another database. */
export const databaseUrl = (name: string): string => PG_ADMIN.replace(/\/[^/]*$/, `/${name}`);

/** A fresh database; `drop` removes it, cutting any connection still open. */
export async function createDatabase(prefix: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await pgSql(`CREATE DATABASE ${name}`);
  return { name, url: databaseUrl(name), drop: async () => void (await pgSql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}
