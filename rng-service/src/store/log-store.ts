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
}

export interface LogStore {
  readonly kind: string;
  /** Creates or upgrades the schema. Safe to call on every start. */
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
  close(): Promise<void>;
}

/** The store is unreachable or failed a write: the service answers 503 and retries later. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
