/**
 * @module bodies
 * The body of each record type (docs/PROTOCOL.md §Record types). The service
 * builds them, the auditor reads them; both use these shapes.
 */

import type { Json } from './canonical.js';
import type { Draw } from './fairness.js';

export interface BootBody {
  /** Name, version and SHA-256 over the installed code and lockfile. */
  software: { name: string; version: string; digest: string };
  /** SHA-256 of the canonical configuration, secrets left out. */
  config: string;
  /** Identity and state of each entropy source. */
  sources: Json[];
  /** Hex of the raw Ed25519 public key that signs from here on. */
  publicKey: string;
}

export interface CommitBody {
  epoch: string;
  /** Hex SHA-256 of the 32-byte server seed. */
  commitment: string;
  /** Time (ms) after which the epoch takes no outcomes, or null. */
  expires: number | null;
}

export interface OutcomeBody {
  /** The game server's request id: retries with it return this record. */
  request: string;
  /** Seeded epoch, or null for a direct draw. */
  epoch: string | null;
  /** Player's client seed; "" on direct draws that gave none. */
  clientSeed: string;
  /** Direct draws: hex of the 32 fresh entropy bytes that key the draws; null in epochs. */
  entropy: string | null;
  draws: Draw[];
}

export type RevealReason = 'request' | 'rotation' | 'expiry';

export interface RevealBody {
  epoch: string;
  /** Hex of the server seed. */
  seed: string;
  reason: RevealReason;
  /** Nonces used in the epoch: outcomes carried nonces 0 … nonces−1. */
  nonces: number;
}
