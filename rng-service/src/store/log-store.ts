/**
 * @module store/log-store
 * What the service needs from a database. SQLite (embedded default) and
 * PostgreSQL implement it with the same semantics:
 *  - records are append-only (the database itself refuses UPDATE/DELETE);
 *  - append() is one transaction: every record of a batch is durable, or none;
 *  - (chain, seq) and request_id are unique, so a fork or a double draw is
 *    impossible even if the engine had a bug;
 *  - the log's Merkle tree (tlog/tree.ts) is stored beside the records, its
 *    hashes append-only too and written in the records' transaction, so the
 *    stored tree never describes records that are not there.
 */

import type { RecordType } from '@rngseal/verifier';

export interface StoredRecord {
  chain: string;
  seq: number;
  type: RecordType;
  /** Request id of the game server's request that made the record, if any. */
  requestId: string | null;
  /** SHA-256 of the canonical request, to tell a retry from a conflicting reuse. */
  requestDigest: string | null;
  hash: string;
  /** Canonical JSON text of the signed record. */
  text: string;
}

/** Seed epoch state; the seed is sealed (see seal.ts). */
export interface EpochRow {
  id: string;
  chain: string;
  sealedSeed: Uint8Array;
  commitSeq: number;
  nextNonce: number;
  expires: number | null;
  revealSeq: number | null;
}

export type Scope = 'outcomes' | 'admin';

export interface TokenRow {
  id: string;
  /** Hex SHA-256 of the token; the token itself is never stored. */
  hash: string;
  scopes: Scope[];
  label: string;
  created: number;
  revoked: number | null;
}

/** One stored Merkle tree hash: its index in the stored-hash array (tlog/tree.ts) and its 32 bytes. */
export interface TreeHash {
  index: number;
  hash: Uint8Array;
}

export interface AppendBatch {
  chain: string;
  records: StoredRecord[];
  /** Epoch rows created or advanced by these records, written in the same transaction. */
  epochs: EpochRow[];
  /** The stored tree hashes these records add (storedHashesForRecord), in the same transaction. */
  treeHashes: TreeHash[];
  /** The writer's lease on the chain, checked in the same transaction (stores with leases); FencedError if stale. */
  fence?: Fence;
}

export interface LogStore {
  readonly kind: string;
  /**
   * append() may be called again before the previous call resolved: batches
   * are applied in call order, and a batch called while an earlier one was
   * pending is refused if that one fails (it chains onto its records).
   * Saves the caller a round trip per batch; stores without it get one
   * append at a time.
   */
  readonly pipelinesAppends?: boolean;
  /**
   * Creates or upgrades the schema, when the connection may; a PostgreSQL
   * service role without DDL rights instead checks the schema is current and
   * its grants are there, and refuses otherwise (docs/postgres.md). Safe to
   * call on every start.
   */
  migrate(): Promise<void>;
  append(batch: AppendBatch): Promise<void>;
  head(chain: string): Promise<StoredRecord | null>;
  record(chain: string, seq: number): Promise<StoredRecord | null>;
  byRequest(requestId: string): Promise<StoredRecord | null>;
  /** Records with from ≤ seq ≤ to in seq order, at most `limit`. */
  range(chain: string, from: number, to: number, limit: number): Promise<StoredRecord[]>;
  /** Records of one type, in seq order (boot records carry the keys). */
  byType(chain: string, type: RecordType): Promise<StoredRecord[]>;
  /** The record of one type with the highest seq (the newest checkpoint). */
  latest(chain: string, type: RecordType): Promise<StoredRecord | null>;
  /** Stored tree hashes by index, in the order asked; null where none is stored. */
  readTreeHashes(chain: string, indexes: readonly number[]): Promise<Array<Uint8Array | null>>;
  chains(): Promise<string[]>;
  epoch(id: string): Promise<EpochRow | null>;
  /** Epochs of a chain not yet revealed. */
  openEpochs(chain: string): Promise<EpochRow[]>;
  addToken(token: TokenRow): Promise<void>;
  tokenByHash(hash: string): Promise<TokenRow | null>;
  tokens(): Promise<TokenRow[]>;
  revokeToken(id: string, at: number): Promise<boolean>;
  /** True when a write transaction can be opened now (readiness). */
  writable(): Promise<boolean>;
  /** Writer leases, where several instances share the store (PostgreSQL); absent where one process is the only writer (SQLite). */
  readonly leases?: ChainLeases;
  close(): Promise<void>;
}

/** The store is unreachable or failed a write: the service answers 503 and retries later. */
export class StoreUnavailableError extends Error {
  override readonly name: string = 'StoreUnavailableError';
}

/** A writer's claim to append to one chain: its instance id and the lease's fencing token. */
export interface Fence {
  holder: string;
  /** Bumped on every acquisition of the chain's lease: an older token can never append again. */
  token: number;
  /** The lease time: a transaction holding the lease row may idle at most this long (a paused writer must not block a takeover). */
  ms: number;
}

/** A lease just acquired. */
export interface LeaseGrant extends Fence {
  chain: string;
  /** The instance that held the lease before, if any. */
  previous: string | null;
  /** The chain's checkpoint origin, recorded by the instance the chain belongs to. */
  origin: string | null;
}

export interface LeaseRow {
  chain: string;
  holder: string;
  token: number;
  /** Milliseconds until the lease expires by the database's clock; ≤ 0 when expired. */
  remainingMs: number;
  origin: string | null;
}

/**
 * One writer per chain across instances (docs/scale.md). Every operation is
 * a single statement timed by the database's clock, so instance clocks do
 * not matter.
 */
export interface ChainLeases {
  /** The lease of the instance's own chain: taken when free, expired, or already this holder's; null while another holds it. */
  acquire(chain: string, holder: string, ms: number, origin: string): Promise<LeaseGrant | null>;
  /** Takes an expired lease that no other instance has asked back; null when someone else got it first. */
  takeOver(chain: string, holder: string, ms: number): Promise<LeaseGrant | null>;
  /** Extends a lease still held under this token: 'claimed' when the chain's own instance asks for it back. */
  renew(fence: Fence & { chain: string }): Promise<'held' | 'claimed' | 'lost'>;
  /** Asks the holder of the claimant's own chain to hand it back (for `ms`). */
  claim(chain: string, claimant: string, ms: number): Promise<void>;
  /** Ends a lease now, so another instance can take the chain at once. */
  release(fence: Fence & { chain: string }): Promise<void>;
  /** Chains whose lease expired and that no live claim reserves. */
  expired(): Promise<string[]>;
  list(): Promise<LeaseRow[]>;
}

/**
 * The store refused an append: the writer's lease on the chain was taken
 * over or expired. The writer must stop writing the chain (never retry the
 * append); clients get a 503 and retry, on this or another instance.
 */
export class FencedError extends StoreUnavailableError {
  override readonly name = 'FencedError';
  constructor(readonly chain: string, readonly token: number) {
    super(`chain ${chain}: lease token ${token} is no longer current or has expired; this instance stopped writing the chain`);
  }
}

/**
 * An append hit request ids that another instance committed first (the
 * unique index on request_id). Only their jobs failed; the batch's other
 * records were never committed and may be built again.
 */
export class RequestIdTakenError extends StoreUnavailableError {
  override readonly name = 'RequestIdTakenError';
  constructor(readonly requestIds: readonly string[]) {
    super(`request ids already committed by another writer: ${requestIds.join(', ')}`);
  }
}
