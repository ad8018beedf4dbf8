/**
 * @module store/sqlite
 * The embedded default store: better-sqlite3 in WAL mode with
 * synchronous=FULL, so a commit that returned has reached the disk.
 *
 * better-sqlite3 is synchronous; each call is short (one batch per
 * transaction), and the async interface keeps the engine store-agnostic.
 */

import Database from 'better-sqlite3';
import type { RecordType } from '@rngseal/verifier';
import type { AppendBatch, EpochRow, LogStore, Scope, StoredRecord, TokenRow } from './log-store.js';
import { StoreUnavailableError } from './log-store.js';

const MIGRATIONS = [
  `CREATE TABLE records (
     chain TEXT NOT NULL,
     seq INTEGER NOT NULL,
     type TEXT NOT NULL,
     request_id TEXT,
     request_digest TEXT,
     hash TEXT NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (chain, seq)
   );
   CREATE UNIQUE INDEX records_request ON records (request_id) WHERE request_id IS NOT NULL;
   CREATE INDEX records_type ON records (chain, type, seq);
   CREATE TRIGGER records_no_update BEFORE UPDATE ON records
     BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
   CREATE TRIGGER records_no_delete BEFORE DELETE ON records
     BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
   CREATE TABLE epochs (
     id TEXT PRIMARY KEY,
     chain TEXT NOT NULL,
     sealed_seed BLOB NOT NULL,
     commit_seq INTEGER NOT NULL,
     next_nonce INTEGER NOT NULL,
     expires INTEGER,
     reveal_seq INTEGER
   );
   CREATE INDEX epochs_open ON epochs (chain) WHERE reveal_seq IS NULL;
   CREATE TABLE tokens (
     id TEXT PRIMARY KEY,
     hash TEXT NOT NULL UNIQUE,
     scopes TEXT NOT NULL,
     label TEXT NOT NULL,
     created INTEGER NOT NULL,
     revoked INTEGER
   );`,
];

interface RecordRow {
  chain: string;
  seq: number;
  type: string;
  request_id: string | null;
  request_digest: string | null;
  hash: string;
  record: string;
}

interface EpochDbRow {
  id: string;
  chain: string;
  sealed_seed: Buffer;
  commit_seq: number;
  next_nonce: number;
  expires: number | null;
  reveal_seq: number | null;
}

interface TokenDbRow {
  id: string;
  hash: string;
  scopes: string;
  label: string;
  created: number;
  revoked: number | null;
}

const RECORD_COLUMNS = 'chain, seq, type, request_id, request_digest, hash, record';

export class SqliteStore implements LogStore {
  readonly kind = 'sqlite';
  readonly #db: Database.Database;
  readonly #insertRecord: Database.Statement;
  readonly #upsertEpoch: Database.Statement;
  readonly #appendTx: Database.Transaction<(batch: AppendBatch) => void>;

  constructor(readonly path: string) {
    try {
      this.#db = new Database(path);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.pragma('busy_timeout = 5000');
      this.#migrateNow();
    } catch (err) {
      throw new StoreUnavailableError(`sqlite ${path}: ${(err as Error).message}`, { cause: err });
    }
    this.#insertRecord = this.#db.prepare(
      `INSERT INTO records (${RECORD_COLUMNS}) VALUES (@chain, @seq, @type, @requestId, @requestDigest, @hash, @text)`,
    );
    this.#upsertEpoch = this.#db.prepare(
      `INSERT INTO epochs (id, chain, sealed_seed, commit_seq, next_nonce, expires, reveal_seq)
       VALUES (@id, @chain, @sealedSeed, @commitSeq, @nextNonce, @expires, @revealSeq)
       ON CONFLICT (id) DO UPDATE SET next_nonce = excluded.next_nonce, reveal_seq = excluded.reveal_seq`,
    );
    this.#appendTx = this.#db.transaction((batch: AppendBatch) => {
      for (const r of batch.records) this.#insertRecord.run(r);
      for (const e of batch.epochs) this.#upsertEpoch.run({ ...e, sealedSeed: Buffer.from(e.sealedSeed) });
    });
  }

  async migrate(): Promise<void> {
    this.#migrateNow();
  }

  // One IMMEDIATE transaction reads the version and applies what is missing,
  // so two processes starting together cannot both apply a migration.
  #migrateNow(): void {
    this.#db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)');
    this.#db.transaction(() => {
      const row = this.#db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
      const current = row.v ?? 0;
      MIGRATIONS.slice(current).forEach((sql, i) => {
        this.#db.exec(sql);
        this.#db.prepare('INSERT INTO schema_version (version, applied) VALUES (?, ?)').run(current + i + 1, Date.now());
      });
    }).immediate();
  }

  async append(batch: AppendBatch): Promise<void> {
    try {
      this.#appendTx.immediate(batch);
    } catch (err) {
      throw new StoreUnavailableError(`sqlite append failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async head(chain: string): Promise<StoredRecord | null> {
    return this.#one(`SELECT ${RECORD_COLUMNS} FROM records WHERE chain = ? ORDER BY seq DESC LIMIT 1`, chain);
  }

  async record(chain: string, seq: number): Promise<StoredRecord | null> {
    return this.#one(`SELECT ${RECORD_COLUMNS} FROM records WHERE chain = ? AND seq = ?`, chain, seq);
  }

  async byRequest(requestId: string): Promise<StoredRecord | null> {
    return this.#one(`SELECT ${RECORD_COLUMNS} FROM records WHERE request_id = ?`, requestId);
  }

  async range(chain: string, from: number, to: number, limit: number): Promise<StoredRecord[]> {
    const rows = this.#db
      .prepare(`SELECT ${RECORD_COLUMNS} FROM records WHERE chain = ? AND seq >= ? AND seq <= ? ORDER BY seq LIMIT ?`)
      .all(chain, from, to, limit) as RecordRow[];
    return rows.map(toRecord);
  }

  async byType(chain: string, type: RecordType): Promise<StoredRecord[]> {
    const rows = this.#db
      .prepare(`SELECT ${RECORD_COLUMNS} FROM records WHERE chain = ? AND type = ? ORDER BY seq`)
      .all(chain, type) as RecordRow[];
    return rows.map(toRecord);
  }

  async chains(): Promise<string[]> {
    return (this.#db.prepare('SELECT DISTINCT chain FROM records ORDER BY chain').all() as { chain: string }[]).map((r) => r.chain);
  }

  async epoch(id: string): Promise<EpochRow | null> {
    const row = this.#db.prepare('SELECT * FROM epochs WHERE id = ?').get(id) as EpochDbRow | undefined;
    return row ? toEpoch(row) : null;
  }

  async openEpochs(chain: string): Promise<EpochRow[]> {
    const rows = this.#db.prepare('SELECT * FROM epochs WHERE chain = ? AND reveal_seq IS NULL ORDER BY commit_seq').all(chain) as EpochDbRow[];
    return rows.map(toEpoch);
  }

  async addToken(token: TokenRow): Promise<void> {
    this.#db
      .prepare('INSERT INTO tokens (id, hash, scopes, label, created, revoked) VALUES (?, ?, ?, ?, ?, ?)')
      .run(token.id, token.hash, token.scopes.join(' '), token.label, token.created, token.revoked);
  }

  async tokenByHash(hash: string): Promise<TokenRow | null> {
    const row = this.#db.prepare('SELECT * FROM tokens WHERE hash = ?').get(hash) as TokenDbRow | undefined;
    return row ? toToken(row) : null;
  }

  async tokens(): Promise<TokenRow[]> {
    return (this.#db.prepare('SELECT * FROM tokens ORDER BY created').all() as TokenDbRow[]).map(toToken);
  }

  async revokeToken(id: string, at: number): Promise<boolean> {
    return this.#db.prepare('UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL').run(at, id).changes === 1;
  }

  async writable(): Promise<boolean> {
    try {
      this.#db.prepare('BEGIN IMMEDIATE').run();
      this.#db.prepare('ROLLBACK').run();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #one(sql: string, ...args: unknown[]): StoredRecord | null {
    const row = this.#db.prepare(sql).get(...args) as RecordRow | undefined;
    return row ? toRecord(row) : null;
  }
}

function toRecord(row: RecordRow): StoredRecord {
  return {
    chain: row.chain,
    seq: row.seq,
    type: row.type as RecordType,
    requestId: row.request_id,
    requestDigest: row.request_digest,
    hash: row.hash,
    text: row.record,
  };
}

function toEpoch(row: EpochDbRow): EpochRow {
  return {
    id: row.id,
    chain: row.chain,
    sealedSeed: new Uint8Array(row.sealed_seed),
    commitSeq: row.commit_seq,
    nextNonce: row.next_nonce,
    expires: row.expires,
    revealSeq: row.reveal_seq,
  };
}

function toToken(row: TokenDbRow): TokenRow {
  return { id: row.id, hash: row.hash, scopes: row.scopes.split(' ') as Scope[], label: row.label, created: row.created, revoked: row.revoked };
}
