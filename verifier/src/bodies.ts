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
  /** Where instances share the log's store: who writes the chain from here on (docs/scale.md). */
  writer?: BootWriter;
}

export interface BootWriter {
  /** The writing instance's id. */
  instance: string;
  /** Fencing token of its writer lease on the chain: greater than every earlier writer's. */
  lease: number;
  /** The instance that held the lease before, or null for a new chain. */
  previous: string | null;
  /** start: its own chain at process start; takeover: a chain whose writer's lease expired; resume: its own chain again after losing the lease. */
  reason: 'start' | 'takeover' | 'resume';
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

export type SelfTestPolicyState = 'ok' | 'retest' | 'alarm' | 'closed';

/**
 * A `health` record of the service's periodic SP 800-22 self-test of its
 * DRBG output (docs/entropy.md, docs/PROTOCOL.md §4 health). Fractions are
 * fixed-point integers scaled by 10^6; `status` is "failed" exactly when some
 * p-value is below `threshold`.
 */
export interface SelfTestBody {
  source: 'drbg';
  test: 'SP800-22';
  status: 'passed' | 'failed';
  detail: string;
  sample: { bits: number; sequences: number };
  /** α · 10^6: the bound on a good generator failing one run. */
  alpha: number;
  /** ⌊α · 10^6 / m⌋ for m p-values in all. */
  threshold: number;
  /** ⌊p · 10^6⌋ per test name, sequence after sequence. */
  pValues: { [test: string]: number[] };
  /** The re-test policy after this run. */
  policy: { state: SelfTestPolicyState; consecutiveFailures: number };
}
