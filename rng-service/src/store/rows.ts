/**
 * @module store/rows
 * The table rows both SQL stores read, and their mapping to the store's
 * types: one schema, so one mapping.
 */

import type { RecordType } from '@rngseal/verifier';
import type { EpochRow, Scope, StoredRecord, TokenRow } from './log-store.js';

export const RECORD_COLUMNS = 'chain, seq, type, request_id, request_digest, hash, record';

export interface RecordRow {
  chain: string;
  /** PostgreSQL's BIGINT may arrive as a string. */
  seq: string | number;
  type: string;
  request_id: string | null;
  request_digest: string | null;
  hash: string;
  record: string;
}

export interface EpochDbRow {
  id: string;
  chain: string;
  sealed_seed: Uint8Array;
  commit_seq: number;
  next_nonce: number;
  expires: number | null;
  reveal_seq: number | null;
}

export interface TokenDbRow {
  id: string;
  hash: string;
  scopes: string;
  label: string;
  created: number;
  revoked: number | null;
}

export function toRecord(row: RecordRow): StoredRecord {
  return {
    chain: row.chain,
    seq: Number(row.seq),
    type: row.type as RecordType,
    requestId: row.request_id,
    requestDigest: row.request_digest,
    hash: row.hash,
    text: row.record,
  };
}

export function toEpoch(row: EpochDbRow): EpochRow {
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

export function toToken(row: TokenDbRow): TokenRow {
  return { id: row.id, hash: row.hash, scopes: row.scopes.split(' ') as Scope[], label: row.label, created: row.created, revoked: row.revoked };
}
