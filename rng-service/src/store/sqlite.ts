/**
 * @module store/sqlite
 * The embedded default store: better-sqlite3 in WAL mode with
 * synchronous=FULL, so a commit that returned has reached the disk.
 *
 * better-sqlite3 is synchronous. Reads are short and run on the caller's
 * thread; appends (one batch per transaction, ending in the WAL fsync) run
 * on a writer thread with its own connection, so the event loop keeps
 * taking requests while a commit waits for the disk: that wait is what
 * lets the next group commit fill up. The next batch may be sent while one
 * is committing (pipelinesAppends): the writer applies them in order and
 * refuses a batch sent behind one that failed. append() resolves only after the
 * writer's COMMIT returned, and in WAL mode a commit becomes visible to the
 * reading connection only after its fsync, so reads never see a record that
 * is not durable.
 */

import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { RecordType } from '@rngseal/verifier';
import type { AppendBatch, EpochRow, LogStore, StoredRecord, TokenRow } from './log-store.js';
import { StoreUnavailableError } from './log-store.js';
import { RECORD_COLUMNS, toEpoch, toRecord, toToken, type EpochDbRow, type RecordRow, type TokenDbRow } from './rows.js';

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
  // The log's Merkle tree in the stored-hash layout of tlog/tree.ts: a
  // rewritten hash would let the log sign a root its records do not have.
  `CREATE TABLE tree_hashes (
     chain TEXT NOT NULL,
     idx INTEGER NOT NULL CHECK (idx >= 0),
     hash BLOB NOT NULL CHECK (typeof(hash) = 'blob' AND length(hash) = 32),
     PRIMARY KEY (chain, idx)
   ) WITHOUT ROWID;
   CREATE TRIGGER tree_hashes_no_update BEFORE UPDATE ON tree_hashes
     BEGIN SELECT RAISE(ABORT, 'tree hashes are append-only'); END;
   CREATE TRIGGER tree_hashes_no_delete BEFORE DELETE ON tree_hashes
     BEGIN SELECT RAISE(ABORT, 'tree hashes are append-only'); END;`,
];

const INSERT_RECORD = `INSERT INTO records (${RECORD_COLUMNS}) VALUES (@chain, @seq, @type, @requestId, @requestDigest, @hash, @text)`;
const INSERT_TREE_HASH = 'INSERT INTO tree_hashes (chain, idx, hash) VALUES (?, ?, ?)';
const UPSERT_EPOCH = `INSERT INTO epochs (id, chain, sealed_seed, commit_seq, next_nonce, expires, reveal_seq)
   VALUES (@id, @chain, @sealedSeed, @commitSeq, @nextNonce, @expires, @revealSeq)
   ON CONFLICT (id) DO UPDATE SET next_nonce = excluded.next_nonce, reveal_seq = excluded.reveal_seq`;

/**
 * The writer thread, as an ES module in a data: URL (so it loads the same
 * from dist/ and from the TypeScript sources under test). Same pragmas and
 * the same one IMMEDIATE transaction per batch as before; it answers each
 * message, in order, once its transaction has committed or failed.
 */
const WRITER_SOURCE = `
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
const Database = createRequire(workerData.base)('better-sqlite3');
const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
const insertRecord = db.prepare(workerData.insertRecord);
const upsertEpoch = db.prepare(workerData.upsertEpoch);
const insertTreeHash = db.prepare(workerData.insertTreeHash);
const append = db.transaction((batch) => {
  for (const r of batch.records) insertRecord.run(r);
  for (const e of batch.epochs) upsertEpoch.run({ ...e, sealedSeed: Buffer.from(e.sealedSeed) });
  const tree = Buffer.from(batch.treePacked.buffer, batch.treePacked.byteOffset, batch.treePacked.byteLength);
  batch.treeIndexes.forEach((index, i) => insertTreeHash.run(batch.chain, index, tree.subarray(32 * i, 32 * (i + 1))));
});
// The last append that failed or was refused: a batch sent behind it chains onto records that are not there.
let broken = -1;
parentPort.on('message', (msg) => {
  try {
    if (msg.op === 'append' && msg.after === broken) {
      broken = msg.id;
      throw new Error('the batch below this one failed');
    }
    if (msg.op === 'append') {
      try { append.immediate(msg.batch); } catch (err) { broken = msg.id; throw err; }
    }
    else if (msg.op === 'writable') { db.prepare('BEGIN IMMEDIATE').run(); db.prepare('ROLLBACK').run(); }
    else if (msg.op === 'close') { db.close(); parentPort.postMessage({ id: msg.id, ok: true }); parentPort.close(); return; }
    parentPort.postMessage({ id: msg.id, ok: true });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, message: String(err && err.message || err), code: err && err.code });
  }
});
parentPort.postMessage({ ready: true });
`;

type PackedBatch = Omit<AppendBatch, 'treeHashes'> & { treeIndexes: number[]; treePacked: Uint8Array };
/** `after`: the id of the append still pending when this one was sent, which it chains onto. */
type WriterOp = { op: 'append'; batch: PackedBatch; after: number | null } | { op: 'writable' } | { op: 'close' };

class WriterError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

/** The writer thread's handle: numbered requests, answered in order. */
class Writer {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  #nextId = 0;
  #dead: Error | null = null;
  /** Id of the last append sent and not yet answered. */
  #lastAppend: number | null = null;

  constructor(path: string) {
    const source = new URL(`data:text/javascript,${encodeURIComponent(WRITER_SOURCE)}`);
    this.#worker = new Worker(source, { workerData: { base: import.meta.url, path, insertRecord: INSERT_RECORD, upsertEpoch: UPSERT_EPOCH, insertTreeHash: INSERT_TREE_HASH } });
    this.#worker.unref();
    this.#worker.on('message', (msg: { id?: number; ok?: boolean; message?: string; code?: string }) => {
      if (msg.id === undefined) return;
      const waiter = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (msg.ok) waiter?.resolve();
      else waiter?.reject(new WriterError(msg.message ?? 'sqlite writer failed', msg.code));
    });
    const die = (err: Error) => {
      this.#dead ??= err;
      for (const w of this.#pending.values()) w.reject(err);
      this.#pending.clear();
    };
    this.#worker.on('error', (err) => die(new WriterError(`sqlite writer thread failed: ${err.message}`)));
    this.#worker.on('exit', (code) => die(new WriterError(`sqlite writer thread exited (${code})`)));
  }

  get dead(): boolean {
    return this.#dead !== null;
  }

  request(op: WriterOp): Promise<void> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) this.#worker.ref(); // keep the process alive until the commit answers
      this.#worker.postMessage({ ...op, id });
    });
  }

  /** Sends a batch at once, behind the append still pending (if any), which it then depends on. */
  append(batch: PackedBatch): Promise<void> {
    const after = this.#lastAppend;
    const id = this.#nextId;
    this.#lastAppend = id;
    const done = this.request({ op: 'append', batch, after });
    const settled = () => {
      if (this.#lastAppend === id) this.#lastAppend = null;
    };
    done.then(settled, settled);
    return done;
  }

  async close(): Promise<void> {
    if (this.#dead) return;
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    await this.request({ op: 'close' }).catch(() => undefined);
    this.#worker.ref(); // answered means unref'd: without this the process may end before close() resolves
    await exited;
  }
}

export class SqliteStore implements LogStore {
  readonly kind = 'sqlite';
  readonly pipelinesAppends = true;
  readonly #db: Database.Database;
  #writer: Writer | null = null;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(readonly path: string) {
    // The writer thread opens the file again: a private in-memory or temporary database would not be shared.
    if (path === '' || path === ':memory:' || path.startsWith('file::memory:')) throw new StoreUnavailableError(`sqlite ${path}: the store needs a database file`);
    try {
      this.#db = new Database(path);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.pragma('busy_timeout = 5000');
      this.#migrateNow();
    } catch (err) {
      throw new StoreUnavailableError(`sqlite ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The writer thread, started on first use and again after it died. */
  #writerThread(): Writer {
    if (!this.#db.open) throw new StoreUnavailableError('sqlite store is closed');
    if (!this.#writer || this.#writer.dead) this.#writer = new Writer(this.path);
    return this.#writer;
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
      // Tree hashes travel as one packed buffer: cloning dozens of small arrays per batch costs more than the inserts.
      const { treeHashes, ...rest } = batch;
      const treePacked = new Uint8Array(32 * treeHashes.length);
      treeHashes.forEach((t, i) => treePacked.set(t.hash, 32 * i));
      await this.#writerThread().append({ ...rest, treeIndexes: treeHashes.map((t) => t.index), treePacked });
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
    const rows = this.#prepare(`SELECT ${RECORD_COLUMNS} FROM records WHERE chain = ? AND seq >= ? AND seq <= ? ORDER BY seq LIMIT ?`)
      .all(chain, from, to, limit) as RecordRow[];
    return rows.map(toRecord);
  }

  async byType(chain: string, type: RecordType): Promise<StoredRecord[]> {
    const rows = this.#prepare(`SELECT ${RECORD_COLUMNS} FROM records WHERE chain = ? AND type = ? ORDER BY seq`)
      .all(chain, type) as RecordRow[];
    return rows.map(toRecord);
  }

  async latest(chain: string, type: RecordType): Promise<StoredRecord | null> {
    return this.#one(`SELECT ${RECORD_COLUMNS} FROM records WHERE chain = ? AND type = ? ORDER BY seq DESC LIMIT 1`, chain, type);
  }

  async readTreeHashes(chain: string, indexes: readonly number[]): Promise<Array<Uint8Array | null>> {
    if (indexes.length === 0) return [];
    const rows = this.#prepare('SELECT idx, hash FROM tree_hashes WHERE chain = ? AND idx IN (SELECT value FROM json_each(?))')
      .all(chain, JSON.stringify(indexes)) as Array<{ idx: number; hash: Buffer }>;
    const found = new Map(rows.map((r) => [r.idx, new Uint8Array(r.hash)]));
    return indexes.map((i) => found.get(i) ?? null);
  }

  async chains(): Promise<string[]> {
    return (this.#prepare('SELECT DISTINCT chain FROM records ORDER BY chain').all() as { chain: string }[]).map((r) => r.chain);
  }

  async epoch(id: string): Promise<EpochRow | null> {
    const row = this.#prepare('SELECT * FROM epochs WHERE id = ?').get(id) as EpochDbRow | undefined;
    return row ? toEpoch(row) : null;
  }

  async openEpochs(chain: string): Promise<EpochRow[]> {
    const rows = this.#prepare('SELECT * FROM epochs WHERE chain = ? AND reveal_seq IS NULL ORDER BY commit_seq').all(chain) as EpochDbRow[];
    return rows.map(toEpoch);
  }

  async addToken(token: TokenRow): Promise<void> {
    this.#prepare('INSERT INTO tokens (id, hash, scopes, label, created, revoked) VALUES (?, ?, ?, ?, ?, ?)')
      .run(token.id, token.hash, token.scopes.join(' '), token.label, token.created, token.revoked);
  }

  async tokenByHash(hash: string): Promise<TokenRow | null> {
    const row = this.#prepare('SELECT * FROM tokens WHERE hash = ?').get(hash) as TokenDbRow | undefined;
    return row ? toToken(row) : null;
  }

  async tokens(): Promise<TokenRow[]> {
    return (this.#prepare('SELECT * FROM tokens ORDER BY created').all() as TokenDbRow[]).map(toToken);
  }

  async revokeToken(id: string, at: number): Promise<boolean> {
    return this.#prepare('UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL').run(at, id).changes === 1;
  }

  async writable(): Promise<boolean> {
    try {
      await this.#writerThread().request({ op: 'writable' }); // on the writer thread: never blocks the event loop behind a commit
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    const writer = this.#writer;
    this.#writer = null;
    await writer?.close();
    if (this.#db.open) this.#db.close();
  }

  /** Prepared once per connection: preparing costs more than running these small queries. */
  #prepare(sql: string): Database.Statement {
    let stmt = this.#statements.get(sql);
    if (!stmt) this.#statements.set(sql, (stmt = this.#db.prepare(sql)));
    return stmt;
  }

  #one(sql: string, ...args: unknown[]): StoredRecord | null {
    const row = this.#prepare(sql).get(...args) as RecordRow | undefined;
    return row ? toRecord(row) : null;
  }
}
