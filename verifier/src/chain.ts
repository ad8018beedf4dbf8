/**
 * @module chain
 * Streaming audit of one chain: every link, hash, signature, seq, commit
 * before use, reveal against commitment, and every outcome recomputed.
 *
 * The log's Merkle tree is recomputed alongside (accumulator.ts, O(log n)
 * memory), and every checkpoint record must carry a note signed by the log's
 * key whose root is the root of exactly the records before it.
 *
 * Feed records in seq order with push(); memory stays bounded by the open
 * epochs, unless outcomes arrive for epochs whose seed is not known yet (give
 * `seeds` from a first pass over the reveals to avoid holding them).
 */

import { MerkleAccumulator } from './accumulator.js';
import { equalBytes, fromHex, utf8 } from './bytes.js';
import type { BootBody, CommitBody, OutcomeBody, RevealBody } from './bodies.js';
import { checkCheckpointRecord, claimedOrigin, noteKeysFor } from './checkpoint-record.js';
import { clientSeedProblem } from './client-seed.js';
import { VerifyError } from './errors.js';
import { checkDraws, commitmentOf, type Draw } from './fairness.js';
import { keyId, nobleVerify } from './keys.js';
import { leafHash } from './merkle.js';
import { isValidKeyName } from './note.js';
import { checkRecordSignature, encodeRecord, GENESIS_PREV, type LogRecord, type SignatureVerifier } from './record.js';

export interface AuditOptions {
  /** Keys the auditor trusts. Without any, keys announced in boot records are trusted (say so to the user). */
  keys?: Uint8Array[];
  verifySignature?: SignatureVerifier;
  /** Seeds already known to be revealed (epoch → seed), checked again at their reveal. */
  seeds?: Map<string, Uint8Array>;
  /** Audit a range that does not start at seq 0: the hash of the record before it. */
  startPrev?: string;
  /**
   * false: check only links, seq, hashes and signatures (a tail whose commits
   * lie before the range cannot be checked for fairness). Default true.
   */
  checkBodies?: boolean;
  /**
   * The log's checkpoint origin (its note key name). Without it, the first
   * checkpoint's claimed origin is taken and every later one must match.
   */
  origin?: string;
  /**
   * For a range not starting at seq 0: the tree of the records before it, as
   * its subtree roots, largest first (a log's stored frontier). Without it a
   * partial range's checkpoint roots cannot be recomputed and are not checked.
   */
  startTree?: { size: number; roots: Uint8Array[] };
}

export interface AuditReport {
  chain: string | null;
  records: number;
  firstSeq: number | null;
  lastSeq: number | null;
  headHash: string | null;
  outcomes: number;
  draws: number;
  epochsRevealed: number;
  /** Epochs committed but not yet revealed: their outcomes are not yet recomputable. */
  epochsOpen: string[];
  /** True when keys came from the log's own boot records rather than from the caller. */
  trustedOnFirstUse: boolean;
  /** Checkpoint records whose note, size and root were verified. */
  checkpoints: number;
  /** Checkpoints whose root was also recomputed from the records (all of them, unless a partial range had no startTree). */
  checkpointRootsRecomputed: number;
  /** The checkpoints' origin, once one was seen (or as given). */
  origin: string | null;
}

interface Pending {
  seq: number;
  clientSeed: string;
  draws: Draw[];
}

interface Epoch {
  commitment: string;
  expires: number | null;
  nextNonce: number;
  revealed: boolean;
  pending: Pending[];
}

export class ChainAuditor {
  private readonly keys = new Map<string, Uint8Array>();
  private readonly tofu: boolean;
  private readonly verify: SignatureVerifier;
  private readonly seeds: Map<string, Uint8Array>;
  private readonly epochs = new Map<string, Epoch>();
  private readonly report: AuditReport;
  private readonly checkBodies: boolean;
  private readonly tree: MerkleAccumulator | null;
  private prev: string | null;

  constructor(options: AuditOptions = {}) {
    for (const key of options.keys ?? []) this.keys.set(keyId(key), key);
    this.tofu = this.keys.size === 0;
    this.verify = options.verifySignature ?? nobleVerify;
    this.seeds = options.seeds ?? new Map();
    this.prev = options.startPrev ?? null;
    this.checkBodies = options.checkBodies ?? true;
    if (options.startTree) this.tree = new MerkleAccumulator(options.startTree.size, options.startTree.roots);
    else this.tree = options.startPrev === undefined ? new MerkleAccumulator() : null;
    if (options.origin !== undefined && !isValidKeyName(options.origin)) throw new TypeError('origin: not a valid note key name');
    this.report = {
      chain: null, records: 0, firstSeq: null, lastSeq: null, headHash: null,
      outcomes: 0, draws: 0, epochsRevealed: 0, epochsOpen: [], trustedOnFirstUse: this.tofu,
      checkpoints: 0, checkpointRootsRecomputed: 0, origin: options.origin ?? null,
    };
  }

  /**
   * Checks the next record. `text` is its stored form if the caller has it
   * (it must be the record's canonical encoding; parseRecord checks that),
   * saving one re-encoding for the tree.
   * @throws VerifyError naming the check and seq
   */
  push(record: LogRecord, text?: string): void {
    this.checkPosition(record);
    this.checkSignature(record);
    if (record.type === 'checkpoint') this.checkCheckpoint(record);
    if (this.checkBodies) this.checkBody(record);
    this.tree?.push(leafHash(utf8(text ?? encodeRecord(record))));
    const r = this.report;
    r.chain = record.chain;
    r.records++;
    r.firstSeq ??= record.seq;
    r.lastSeq = record.seq;
    r.headHash = record.hash;
    this.prev = record.hash;
  }

  /** Summary after the last record. Open epochs are reported, not failed. */
  finish(): AuditReport {
    this.report.epochsOpen = [...this.epochs].filter(([, e]) => !e.revealed).map(([id]) => id);
    return { ...this.report };
  }

  private checkPosition(record: LogRecord): void {
    const { seq } = record;
    if (this.report.chain !== null && record.chain !== this.report.chain) {
      throw new VerifyError('SEQ', `chain ${record.chain} in an audit of chain ${this.report.chain}`, seq);
    }
    if (this.report.lastSeq !== null && seq !== this.report.lastSeq + 1) {
      throw new VerifyError('SEQ', `expected seq ${this.report.lastSeq + 1}`, seq);
    }
    if (this.prev === null) {
      if (seq !== 0) throw new VerifyError('SEQ', 'the log must start at seq 0 (or give the hash before it)', seq);
      this.prev = GENESIS_PREV;
    }
    if (record.prev !== this.prev) throw new VerifyError('LINK', 'prev does not match the previous record hash', seq);
  }

  private checkSignature(record: LogRecord): void {
    if (record.type === 'boot' && this.tofu) this.learnKey(record);
    const key = this.keys.get(record.key);
    if (!key) throw new VerifyError('KEY', `signed by unknown key ${record.key}`, record.seq);
    checkRecordSignature(record, key, this.verify);
  }

  /**
   * The note opens under the log's key, covers exactly the records before it,
   * and its root is the root recomputed from them. Since every checkpoint's
   * root is recomputed from the one sequence of records, each later
   * checkpoint's tree extends each earlier one's: checking the roots here is
   * the consistency check between successive checkpoints, with no proof needed.
   */
  private checkCheckpoint(record: LogRecord): void {
    const r = this.report;
    const origin = r.origin ?? claimedOrigin(record);
    if (origin === null || !isValidKeyName(origin)) throw new VerifyError('CHECKPOINT', 'checkpoint note does not start with a valid origin', record.seq);
    const checkpoint = checkCheckpointRecord(record, noteKeysFor(origin, this.keys.values()), this.verify);
    if (checkpoint.origin !== origin) throw new VerifyError('CHECKPOINT', `checkpoint origin ${checkpoint.origin} is not the log's origin ${origin}`, record.seq);
    r.origin = origin;
    r.checkpoints++;
    if (!this.tree) return;
    if (this.tree.size !== checkpoint.size || !equalBytes(this.tree.root(), checkpoint.root)) {
      throw new VerifyError('CHECKPOINT', `checkpoint root is not the root of the ${checkpoint.size} records before it`, record.seq);
    }
    r.checkpointRootsRecomputed++;
  }

  private learnKey(record: LogRecord): void {
    const body = record.body as unknown as BootBody;
    const key = fromHexOr(body.publicKey, record.seq, 'publicKey');
    if (keyId(key) !== record.key) throw new VerifyError('KEY', 'boot record key id does not match its public key', record.seq);
    this.keys.set(record.key, key);
  }

  private checkBody(record: LogRecord): void {
    switch (record.type) {
      case 'commit':
        return this.onCommit(record.body as unknown as CommitBody, record.seq);
      case 'outcome':
        return this.onOutcome(record.body as unknown as OutcomeBody, record);
      case 'reveal':
        return this.onReveal(record.body as unknown as RevealBody, record.seq);
      default:
        return;
    }
  }

  private onCommit(body: CommitBody, seq: number): void {
    if (typeof body.epoch !== 'string' || !/^[0-9a-f]{64}$/.test(String(body.commitment))) {
      throw new VerifyError('FORMAT', 'commit needs an epoch id and a 64-hex-digit commitment', seq);
    }
    if (this.epochs.has(body.epoch)) throw new VerifyError('COMMIT', `epoch ${body.epoch} committed twice`, seq);
    this.epochs.set(body.epoch, { commitment: body.commitment, expires: body.expires ?? null, nextNonce: 0, revealed: false, pending: [] });
  }

  private onOutcome(body: OutcomeBody, record: LogRecord): void {
    const { seq } = record;
    if (!Array.isArray(body.draws) || body.draws.length === 0) throw new VerifyError('FORMAT', 'outcome has no draws', seq);
    this.report.outcomes++;
    this.report.draws += body.draws.length;
    if (body.epoch === null) {
      const key = fromHexOr(body.entropy, seq, 'entropy');
      if (key.length !== 32) throw new VerifyError('FORMAT', 'entropy: expected 32 bytes', seq);
      body.draws.forEach((d, i) => {
        if (d.nonce !== i) throw new VerifyError('OUTCOME', `draw ${i}: direct draws use nonce ${i}`, seq);
      });
      return checkDraws(key, body.clientSeed, body.draws, seq);
    }
    const epoch = this.epochs.get(body.epoch);
    if (!epoch) throw new VerifyError('COMMIT', `epoch ${body.epoch} used before its commit`, seq);
    if (epoch.revealed) throw new VerifyError('COMMIT', `epoch ${body.epoch} used after its reveal`, seq);
    if (epoch.expires !== null && record.time > epoch.expires) throw new VerifyError('COMMIT', `epoch ${body.epoch} used after it expired`, seq);
    const seedProblem = clientSeedProblem(body.clientSeed);
    if (seedProblem) throw new VerifyError('OUTCOME', `clientSeed ${seedProblem}`, seq);
    body.draws.forEach((d, i) => {
      if (d.nonce !== epoch.nextNonce + i) throw new VerifyError('OUTCOME', `draw ${i}: expected nonce ${epoch.nextNonce + i}`, seq);
    });
    epoch.nextNonce += body.draws.length;
    const seed = this.seeds.get(body.epoch);
    if (seed) checkDraws(seed, body.clientSeed, body.draws, seq);
    else epoch.pending.push({ seq, clientSeed: body.clientSeed, draws: body.draws });
  }

  private onReveal(body: RevealBody, seq: number): void {
    const epoch = this.epochs.get(body.epoch);
    if (!epoch) throw new VerifyError('REVEAL', `reveal of epoch ${body.epoch} that was never committed`, seq);
    if (epoch.revealed) throw new VerifyError('REVEAL', `epoch ${body.epoch} revealed twice`, seq);
    const seed = fromHexOr(body.seed, seq, 'seed');
    if (seed.length !== 32 || commitmentOf(seed) !== epoch.commitment) {
      throw new VerifyError('REVEAL', `seed of epoch ${body.epoch} does not match its commitment`, seq);
    }
    if (body.nonces !== epoch.nextNonce) {
      throw new VerifyError('REVEAL', `epoch ${body.epoch} used ${epoch.nextNonce} nonces, reveal says ${body.nonces}`, seq);
    }
    for (const p of epoch.pending) checkDraws(seed, p.clientSeed, p.draws, p.seq);
    epoch.pending = [];
    epoch.revealed = true;
    this.report.epochsRevealed++;
  }
}

function fromHexOr(value: unknown, seq: number, field: string): Uint8Array {
  try {
    return fromHex(value as string, field);
  } catch (err) {
    throw new VerifyError('FORMAT', (err as Error).message, seq);
  }
}
