/**
 * @module store/postgres
 * The PostgreSQL store, for several instances on a database the operator
 * already runs. Same semantics as SQLite: append-only records and tree
 * hashes enforced by triggers (UPDATE, DELETE and TRUNCATE refused), one
 * transaction per batch written as multi-row INSERTs, synchronous_commit
 * on, so a COMMIT that returned is durable.
 *
 * Migrations take a transaction-scoped advisory lock, so instances starting
 * at the same moment apply each migration once. Only a role that may change
 * the schema (its owner) migrates; the service's restricted role
 * (postgres-roles.ts) only checks the version and its grants.
 */

import pg from 'pg';
import type { RecordType } from '@rngseal/verifier';
import type { AppendBatch, EpochRow, LogStore, StoredRecord, TokenRow } from './log-store.js';
import { FencedError, RequestIdTakenError, StoreUnavailableError } from './log-store.js';
import { FENCE_CHECK, LEASES_MIGRATION, PostgresLeases } from './postgres-leases.js';
import { grantServiceRole, missingPrivileges, PostgresSetupError } from './postgres-roles.js';
import { RECORD_COLUMNS, toEpoch, toRecord, toToken, type EpochDbRow, type RecordRow, type TokenDbRow } from './rows.js';

const MIGRATION_LOCK = 0x726e6773; // "rngs"

const MIGRATIONS = [
  `CREATE TABLE records (
     chain TEXT NOT NULL,
     seq BIGINT NOT NULL CHECK (seq >= 0),
     type TEXT NOT NULL,
     request_id TEXT,
     request_digest TEXT,
     hash TEXT NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (chain, seq)
   );
   CREATE UNIQUE INDEX records_request ON records (request_id) WHERE request_id IS NOT NULL;
   CREATE INDEX records_type ON records (chain, type, seq);
   CREATE FUNCTION rngseal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN RAISE EXCEPTION 'records are append-only'; END $$;
   CREATE TRIGGER records_no_update BEFORE UPDATE OR DELETE ON records
     FOR EACH ROW EXECUTE FUNCTION rngseal_append_only();
   CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON records
     FOR EACH STATEMENT EXECUTE FUNCTION rngseal_append_only();
   CREATE TABLE epochs (
     id TEXT PRIMARY KEY,
     chain TEXT NOT NULL,
     sealed_seed BYTEA NOT NULL,
     commit_seq BIGINT NOT NULL,
     next_nonce BIGINT NOT NULL,
     expires BIGINT,
     reveal_seq BIGINT
   );
   CREATE INDEX epochs_open ON epochs (chain) WHERE reveal_seq IS NULL;
   CREATE TABLE tokens (
     id TEXT PRIMARY KEY,
     hash TEXT NOT NULL UNIQUE,
     scopes TEXT NOT NULL,
     label TEXT NOT NULL,
     created BIGINT NOT NULL,
     revoked BIGINT
   );`,
  // The log's Merkle tree in the stored-hash layout of tlog/tree.ts: a
  // rewritten hash would let the log sign a root its records do not have.
  `CREATE TABLE tree_hashes (
     chain TEXT NOT NULL,
     idx BIGINT NOT NULL CHECK (idx >= 0),
     hash BYTEA NOT NULL CHECK (octet_length(hash) = 32),
     PRIMARY KEY (chain, idx)
   );
   CREATE FUNCTION rngseal_tree_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN RAISE EXCEPTION 'tree hashes are append-only'; END $$;
   CREATE TRIGGER tree_hashes_no_update BEFORE UPDATE OR DELETE ON tree_hashes
     FOR EACH ROW EXECUTE FUNCTION rngseal_tree_append_only();
   CREATE TRIGGER tree_hashes_no_truncate BEFORE TRUNCATE ON tree_hashes
     FOR EACH STATEMENT EXECUTE FUNCTION rngseal_tree_append_only();`,
  // One writer per chain across instances: leases with fencing tokens (postgres-leases.ts, docs/scale.md).
  LEASES_MIGRATION,
];

// BIGINT arrives as a string by default; every value here is below 2^53.
const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format),
};

export class PostgresStore implements LogStore {
  readonly kind = 'postgres';
  readonly leases = new PostgresLeases((sql, args) => this.#query(sql, args));
  readonly #pool: pg.Pool;
  readonly #where: string;

  /** `url` is a postgres:// connection string; `schema` (optional) isolates tests. */
  constructor(url: string, readonly schema?: string) {
    if (schema !== undefined) quoteIdent(schema);
    this.#where = describe(url);
    this.#pool = new pg.Pool({
      connectionString: url,
      max: 8,
      connectionTimeoutMillis: 5000,
      types: types as pg.CustomTypesConfig,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle client losing its connection (server restart) must not crash the process.
    this.#pool.on('error', () => {});
  }

  /**
   * Brings the schema to this rngseal's version, or checks that it is there.
   * A current schema costs two reads and no DDL, so the service can run as
   * a role without DDL rights (store/postgres-roles.ts); a schema behind
   * is migrated only by a role that may (the owner), and refused otherwise.
   * @throws PostgresSetupError naming what to run
   */
  async migrate(): Promise<void> {
    const { version, mayMigrate, user } = await this.#schemaState();
    if (version > MIGRATIONS.length) {
      throw new PostgresSetupError(`postgres ${this.#where}: the schema is at version ${version}, newer than this rngseal's ${MIGRATIONS.length}: upgrade rngseal`);
    }
    if (version < MIGRATIONS.length) {
      if (!mayMigrate) {
        throw new PostgresSetupError(
          `postgres ${this.#where}: the schema is at version ${version}, this rngseal needs ${MIGRATIONS.length}, and role ${user} may not change it: ` +
            `run rngseal migrate --store postgres://OWNER@… --grant ${user} as the owner`,
        );
      }
      await this.#applyMigrations();
    }
    const missing = await missingPrivileges((sql, args) => this.#query(sql, args));
    if (missing.length > 0) throw this.#notGranted(user, missing);
  }

  /**
   * Gives `role` exactly what the service needs (SERVICE_GRANTS) on this
   * schema's tables. Run as the owner, after migrate().
   */
  async grantService(role: string): Promise<void> {
    await this.#tx((c) => grantServiceRole(async (sql, args) => (await c.query(sql, args)).rows, role));
  }

  /** The schema version, read without DDL, and whether this role could migrate it. */
  async #schemaState(): Promise<{ version: number; mayMigrate: boolean; user: string }> {
    const [state] = await this.#query<{ present: boolean; readable: boolean; may_migrate: boolean; user: string }>(
      `SELECT to_regclass('schema_version') IS NOT NULL AS present, current_user AS user,
         to_regclass('schema_version') IS NOT NULL AND has_table_privilege('schema_version', 'SELECT') AS readable,
         CASE WHEN to_regclass('schema_version') IS NULL
           THEN COALESCE(has_schema_privilege(current_schema(), 'CREATE'), has_database_privilege(current_database(), 'CREATE'))
           ELSE pg_has_role((SELECT relowner FROM pg_class WHERE oid = to_regclass('schema_version')), 'USAGE')
         END AS may_migrate`,
    );
    const { present, readable, may_migrate: mayMigrate, user } = state!;
    if (present && !readable) throw this.#notGranted(user, ['schema_version SELECT']);
    const version = present ? ((await this.#query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version'))[0]?.v ?? 0) : 0;
    return { version, mayMigrate, user };
  }

  #notGranted(user: string, missing: string[]): PostgresSetupError {
    return new PostgresSetupError(`postgres ${this.#where}: role ${user} lacks ${missing.join(', ')}: run rngseal migrate --store postgres://OWNER@… --grant ${user} as the owner`);
  }

  async #applyMigrations(): Promise<void> {
    await this.#tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      if (this.schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
      await c.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied BIGINT NOT NULL)');
      const { rows } = await c.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
      const current = rows[0]?.v ?? 0;
      for (const [i, sql] of MIGRATIONS.slice(current).entries()) {
        await c.query(sql);
        await c.query('INSERT INTO schema_version (version, applied) VALUES ($1, $2)', [current + i + 1, Date.now()]);
      }
    });
  }

  /**
   * One transaction: the fence check first (a writer whose lease was taken
   * over or expired appends nothing: FencedError), then the rows. A
   * request id another instance committed first fails only its own records
   * (RequestIdTakenError names them); nothing of the batch is written.
   */
  async append(batch: AppendBatch): Promise<void> {
    try {
      await this.#appendTx(batch);
    } catch (err) {
      const cause = (err as Error).cause;
      if (cause instanceof FencedError) throw cause;
      if (isRequestIdViolation(cause)) throw await this.#requestIdsTaken(batch.records, err as Error);
      throw err;
    }
  }

  async #appendTx(batch: AppendBatch): Promise<void> {
    const r = batch.records;
    const fence = batch.fence;
    await this.#tx(async (c) => {
      // Durable at COMMIT whatever the server, role or database default says: the answer follows the COMMIT.
      await c.query('SET LOCAL synchronous_commit = on');
      if (fence) {
        const held = await c.query(FENCE_CHECK, [batch.chain, fence.holder, fence.token, String(fence.ms)]);
        if (held.rowCount === 0) throw new FencedError(batch.chain, fence.token);
      }
      await c.query(
        `INSERT INTO records (${RECORD_COLUMNS})
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        [r.map((x) => x.chain), r.map((x) => x.seq), r.map((x) => x.type), r.map((x) => x.requestId), r.map((x) => x.requestDigest), r.map((x) => x.hash), r.map((x) => x.text)],
      );
      const t = batch.treeHashes;
      if (t.length > 0) {
        await c.query('INSERT INTO tree_hashes (chain, idx, hash) SELECT $1, * FROM unnest($2::bigint[], $3::bytea[])', [
          batch.chain, t.map((x) => x.index), t.map((x) => Buffer.from(x.hash.buffer, x.hash.byteOffset, x.hash.byteLength)),
        ]);
      }
      for (const e of batch.epochs) {
        await c.query(
          `INSERT INTO epochs (id, chain, sealed_seed, commit_seq, next_nonce, expires, reveal_seq) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (id) DO UPDATE SET next_nonce = excluded.next_nonce, reveal_seq = excluded.reveal_seq`,
          [e.id, e.chain, Buffer.from(e.sealedSeed), e.commitSeq, e.nextNonce, e.expires, e.revealSeq],
        );
      }
    });
  }

  /** The batch's request ids that are now in the store: committed by another writer, since this batch rolled back. */
  async #requestIdsTaken(records: StoredRecord[], failure: Error): Promise<Error> {
    const ids = records.flatMap((x) => (x.requestId === null ? [] : [x.requestId]));
    const taken = await this.#query<{ request_id: string }>('SELECT request_id FROM records WHERE request_id = ANY($1::text[])', [ids]);
    return taken.length > 0 ? new RequestIdTakenError(taken.map((t) => t.request_id)) : failure;
  }

  async head(chain: string): Promise<StoredRecord | null> {
    return this.#one(`SELECT ${RECORD_COLUMNS} FROM records WHERE chain = $1 ORDER BY seq DESC LIMIT 1`, [chain]);
  }

  async record(chain: string, seq: number): Promise<StoredRecord | null> {
    return this.#one(`SELECT ${RECORD_COLUMNS} FROM records WHERE chain = $1 AND seq = $2`, [chain, seq]);
  }

  async byRequest(requestId: string): Promise<StoredRecord | null> {
    return this.#one(`SELECT ${RECORD_COLUMNS} FROM records WHERE request_id = $1`, [requestId]);
  }

  async range(chain: string, from: number, to: number, limit: number): Promise<StoredRecord[]> {
    const rows = await this.#query<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM records WHERE chain = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq LIMIT $4`,
      [chain, from, to, limit],
    );
    return rows.map(toRecord);
  }

  async byType(chain: string, type: RecordType): Promise<StoredRecord[]> {
    const rows = await this.#query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE chain = $1 AND type = $2 ORDER BY seq`, [chain, type]);
    return rows.map(toRecord);
  }

  async latest(chain: string, type: RecordType): Promise<StoredRecord | null> {
    return this.#one(`SELECT ${RECORD_COLUMNS} FROM records WHERE chain = $1 AND type = $2 ORDER BY seq DESC LIMIT 1`, [chain, type]);
  }

  async readTreeHashes(chain: string, indexes: readonly number[]): Promise<Array<Uint8Array | null>> {
    if (indexes.length === 0) return [];
    const rows = await this.#query<{ idx: number; hash: Buffer }>('SELECT idx, hash FROM tree_hashes WHERE chain = $1 AND idx = ANY($2::bigint[])', [chain, [...indexes]]);
    const found = new Map(rows.map((r) => [r.idx, new Uint8Array(r.hash)]));
    return indexes.map((i) => found.get(i) ?? null);
  }

  async chains(): Promise<string[]> {
    // A skip scan of the primary key: one index probe per chain, not a pass over every record.
    const rows = await this.#query<{ chain: string }>(
      `WITH RECURSIVE c(chain) AS (
         (SELECT chain FROM records ORDER BY chain LIMIT 1)
         UNION ALL
         SELECT (SELECT chain FROM records WHERE chain > c.chain ORDER BY chain LIMIT 1) FROM c WHERE c.chain IS NOT NULL
       ) SELECT chain FROM c WHERE chain IS NOT NULL`,
    );
    return rows.map((r) => r.chain);
  }

  async epoch(id: string): Promise<EpochRow | null> {
    const rows = await this.#query<EpochDbRow>('SELECT * FROM epochs WHERE id = $1', [id]);
    return rows[0] ? toEpoch(rows[0]) : null;
  }

  async openEpochs(chain: string): Promise<EpochRow[]> {
    return (await this.#query<EpochDbRow>('SELECT * FROM epochs WHERE chain = $1 AND reveal_seq IS NULL ORDER BY commit_seq', [chain])).map(toEpoch);
  }

  async addToken(t: TokenRow): Promise<void> {
    await this.#query('INSERT INTO tokens (id, hash, scopes, label, created, revoked) VALUES ($1, $2, $3, $4, $5, $6)', [
      t.id, t.hash, t.scopes.join(' '), t.label, t.created, t.revoked,
    ]);
  }

  async tokenByHash(hash: string): Promise<TokenRow | null> {
    const rows = await this.#query<TokenDbRow>('SELECT * FROM tokens WHERE hash = $1', [hash]);
    return rows[0] ? toToken(rows[0]) : null;
  }

  async tokens(): Promise<TokenRow[]> {
    return (await this.#query<TokenDbRow>('SELECT * FROM tokens ORDER BY created')).map(toToken);
  }

  async revokeToken(id: string, at: number): Promise<boolean> {
    const res = await this.#run('UPDATE tokens SET revoked = $1 WHERE id = $2 AND revoked IS NULL', [at, id]);
    return res.rowCount === 1;
  }

  async writable(): Promise<boolean> {
    try {
      await this.#query('SELECT 1 WHERE NOT pg_is_in_recovery()');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #one(sql: string, args: unknown[]): Promise<StoredRecord | null> {
    const rows = await this.#query<RecordRow>(sql, args);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async #query<T extends pg.QueryResultRow>(sql: string, args: unknown[] = []): Promise<T[]> {
    return (await this.#run<T>(sql, args)).rows;
  }

  async #run<T extends pg.QueryResultRow>(sql: string, args: unknown[]): Promise<pg.QueryResult<T>> {
    try {
      return await this.#pool.query<T>(sql, args);
    } catch (err) {
      throw unavailable(err, this.#where);
    }
  }

  async #tx(body: (c: pg.PoolClient) => Promise<void>): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw unavailable(err, this.#where);
    }
    // A checked-out client has no pool listener: a connection dropped between
    // two statements (server restart) would otherwise be an uncaught 'error'
    // that ends the process. The statement under way fails on its own.
    let broken: Error | undefined;
    const onError = (err: Error) => void (broken ??= err);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      await body(client);
      await client.query('COMMIT');
    } catch (err) {
      broken ??= err as Error;
      await client.query('ROLLBACK').catch(() => {});
      throw unavailable(err, this.#where);
    } finally {
      client.off('error', onError);
      client.release(broken); // a client whose transaction failed is discarded, not reused
    }
  }
}

/** The unique index on request_id refused a row: another writer committed that request id first. */
function isRequestIdViolation(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string } | undefined;
  return e?.code === '23505' && e.constraint === 'records_request';
}

/** Connection and server errors become StoreUnavailableError; the message never carries the connection string. */
function unavailable(err: unknown, where: string): StoreUnavailableError {
  const e = err as Error & { code?: string };
  return new StoreUnavailableError(`postgres ${where}: ${e.code ? `${e.code} ` : ''}${e.message}`, { cause: err });
}

/** user@host:port/database, never the password. */
function describe(url: string): string {
  try {
    const u = new URL(url);
    return `${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new RangeError(`schema: ${JSON.stringify(name)} is not a plain lower-case identifier`);
  return `"${name}"`;
}
