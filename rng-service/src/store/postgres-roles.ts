/**
 * @module store/postgres-roles
 * Who may do what in a PostgreSQL store. The owner role creates and upgrades
 * the schema (`rngseal migrate`); the service connects as a restricted role
 * that can append to the log but never rewrite it: without UPDATE, DELETE or
 * TRUNCATE on the log tables, and without ownership (so it cannot disable the
 * append-only triggers either), a compromised service host can add records
 * but not change history.
 *
 * SERVICE_GRANTS is the whole list: `migrate --grant ROLE` revokes
 * everything else on the schema's tables, start-up refuses a role that lacks
 * any of it, and a table missing from it makes `--grant` fail, so a new
 * migration cannot ship without deciding what the service may do with it.
 */

import type pg from 'pg';

export interface TableGrant {
  table: string;
  /** Table-wide privileges. */
  privileges: Array<'SELECT' | 'INSERT' | 'UPDATE'>;
  /** Columns the service updates in place (column-level UPDATE). */
  updates?: string[];
  /** Why the service needs it: the grants are part of the security design. */
  why: string;
}

export const SERVICE_GRANTS: readonly TableGrant[] = [
  { table: 'schema_version', privileges: ['SELECT'], why: 'start-up checks the schema version; only the owner migrates' },
  { table: 'records', privileges: ['SELECT', 'INSERT'], why: 'the log: records are appended and read, never changed' },
  { table: 'tree_hashes', privileges: ['SELECT', 'INSERT'], why: "the log's Merkle tree: hashes are appended with their records and read for roots and proofs" },
  {
    table: 'epochs',
    privileges: ['SELECT', 'INSERT'],
    updates: ['next_nonce', 'reveal_seq'],
    why: 'a row is inserted with its commit record, then advanced in place as draws take nonces and at the reveal; the sealed seed, chain and commit seq are never rewritten',
  },
  {
    table: 'tokens',
    privileges: ['SELECT', 'INSERT'],
    updates: ['revoked'],
    why: 'first start and POST /v1/tokens create tokens (hashes only); DELETE /v1/tokens/{id} sets revoked; nothing else changes',
  },
  {
    table: 'leases',
    privileges: ['SELECT', 'INSERT', 'UPDATE'],
    why: "writer leases (postgres-leases.ts): instances create, renew, claim and take over a chain's lease, and lock its row (FOR SHARE/UPDATE needs UPDATE); never DELETE, and the table's trigger keeps the chain fixed and the fencing token rising",
  },
];

/** The schema or the roles are not as this rngseal needs them: start-up or `migrate --grant` stops, saying what to do. */
export class PostgresSetupError extends Error {
  override readonly name = 'PostgresSetupError';
}

/** Runs one statement and returns its rows: a pool, or a client inside the caller's transaction. */
export type Rows = <T extends pg.QueryResultRow>(sql: string, args?: unknown[]) => Promise<T[]>;

/** "records INSERT", "epochs UPDATE (next_nonce)": what the connected role lacks of SERVICE_GRANTS. */
export async function missingPrivileges(rows: Rows): Promise<string[]> {
  const checks = SERVICE_GRANTS.flatMap((g) => [
    ...g.privileges.map((p) => [g.table, '', p]),
    ...(g.updates ?? []).map((column) => [g.table, column, 'UPDATE']),
  ]);
  const lacking = await rows<{ tbl: string; col: string; priv: string }>(
    `SELECT tbl, col, priv FROM unnest($1::text[], $2::text[], $3::text[]) AS c(tbl, col, priv)
     WHERE NOT CASE WHEN col = '' THEN has_table_privilege(tbl, priv) ELSE has_column_privilege(tbl, col, priv) END`,
    [checks.map((c) => c[0]), checks.map((c) => c[1]), checks.map((c) => c[2])],
  );
  return lacking.map((r) => `${r.tbl} ${r.priv}${r.col ? ` (${r.col})` : ''}`);
}

/**
 * Gives `role` exactly SERVICE_GRANTS on the current schema's tables, after
 * revoking whatever it had there. Run by the owner, after the migrations.
 * @throws PostgresSetupError when the role is missing, a superuser, the
 * tables' owner, or a table has no entry in SERVICE_GRANTS
 */
export async function grantServiceRole(db: Rows, role: string): Promise<void> {
  const [r] = await db<{ rolsuper: boolean; owns: boolean }>(
    `SELECT rolsuper, pg_has_role(oid, (SELECT relowner FROM pg_class WHERE oid = 'records'::regclass), 'USAGE') AS owns
     FROM pg_roles WHERE rolname = $1`,
    [role],
  );
  if (!r) throw new PostgresSetupError(`role ${role} does not exist: create it first (CREATE ROLE ${identifier(role)} LOGIN PASSWORD '…')`);
  if (r.rolsuper) throw new PostgresSetupError(`role ${role} is a superuser, which bypasses every grant: the service needs a role without SUPERUSER`);
  if (r.owns) throw new PostgresSetupError(`role ${role} owns the log tables (or is a member of their owner), so it could disable the append-only triggers: the service needs another role`);
  await checkEveryTableGranted(db);
  const who = identifier(role);
  const [schema] = await db<{ name: string }>('SELECT current_schema() AS name');
  await db(`GRANT USAGE ON SCHEMA ${identifier(schema!.name)} TO ${who}`);
  await db(`REVOKE ALL ON TABLE ${SERVICE_GRANTS.map((g) => g.table).join(', ')} FROM ${who}`);
  for (const g of SERVICE_GRANTS) {
    await db(`GRANT ${g.privileges.join(', ')} ON TABLE ${g.table} TO ${who}`);
    if (g.updates) await db(`GRANT UPDATE (${g.updates.join(', ')}) ON TABLE ${g.table} TO ${who}`);
  }
}

/** A table the grants do not mention would be left out silently: refuse instead. */
async function checkEveryTableGranted(db: Rows): Promise<void> {
  const rows = await db<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename');
  const known = new Set(SERVICE_GRANTS.map((g) => g.table));
  const unknown = rows.map((r) => r.tablename).filter((t) => !known.has(t));
  if (unknown.length > 0) {
    throw new PostgresSetupError(
      `table ${unknown.join(', ')} is not one rngseal grants on: give rngseal a database or schema of its own, or, if a migration added it, add it to SERVICE_GRANTS (store/postgres-roles.ts)`,
    );
  }
}

/** A role or schema name as a quoted SQL identifier. */
function identifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
