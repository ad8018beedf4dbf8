/**
 * @module chain
 * Streaming audit of one chain: every link, hash, signature, seq, commit
 * before use, reveal against commitment, and every outcome recomputed.
 *
 * The log's Merkle tree is recomputed alongside (accumulator.ts, O(log n)
 * memory), and every checkpoint record must carry a note signed by the log's
 * key whose root is the root of exactly the records before it.
 *
 * Feed records in seq order with push(), which examines each one alone
 * (record-facts.ts: hash, signature, leaf, outcome recomputation) and then
 * runs the checks that depend on the records before it. A parallel auditor
 * examines records on other threads and feeds the facts in seq order to
 * accept() instead: the same checks, in the same order, with the same
 * failures. Memory stays bounded by the epochs, unless outcomes arrive for
 * epochs whose seed is not known yet (give `seeds` from a first pass over
 * the reveals to avoid holding them).
 */

import { MerkleAccumulator } from './accumulator.js';
import { equalBytes } from './bytes.js';
import type { BootBody, CommitBody, RevealBody } from './bodies.js';
import { checkCheckpointRecord, claimedOrigin, noteKeysFor } from './checkpoint-record.js';
import { nobleMac, type Mac } from './derive.js';
import { VerifyError } from './errors.js';
import { checkDraws, commitmentOf } from './fairness.js';
import { keyId, nobleVerify } from './keys.js';
import { isValidKeyName } from './note.js';
import { checkSelfTestBody, isSelfTestBody } from './self-test-record.js';
import {
  examineRecord, failureOf, fromHexOr, nobleHashing, type ExamineOptions, type HeldOutcome, type OutcomeFacts, type RecordFacts, type RecordHashing,
} from './record-facts.js';
import { encodeRecord, GENESIS_PREV, type LogRecord, type SignatureVerifier } from './record.js';

export interface AuditOptions {
  /** Keys the auditor trusts. Without any, keys announced in boot records are trusted (say so to the user). */
  keys?: Uint8Array[];
  verifySignature?: SignatureVerifier;
  /** HMAC-SHA256 for outcome recomputation (default @noble; node:crypto's agrees byte for byte). */
  mac?: Mac;
  /** SHA-256 for record, leaf and tree node hashes (default @noble). */
  hashing?: RecordHashing;
  /**
   * Seeds known before their reveal (epoch → seed, from a first pass over the
   * reveals): outcomes are recomputed as they come, and each reveal must
   * carry the same seed.
   */
  seeds?: Map<string, Uint8Array>;
  /**
   * `seeds` holds every reveal of the input (a first pass over all of it):
   * outcomes of other epochs are not held, as no reveal will come for them,
   * and a reveal the first pass did not see fails (the input changed).
   */
  seedsComplete?: boolean;
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
  /** Self-test health records whose verdict and policy state were recomputed, and how many of them failed. */
  selfTests: number;
  selfTestFailures: number;
}

interface Epoch {
  commitment: string;
  expires: number | null;
  nextNonce: number;
  revealed: boolean;
  pending: Array<HeldOutcome & { seq: number }>;
  /** Outcomes neither recomputed nor held (their seed was not in a complete `seeds`). */
  unchecked: number;
}

export class ChainAuditor {
  private readonly keys = new Map<string, Uint8Array>();
  private readonly tofu: boolean;
  private readonly verify: SignatureVerifier;
  private readonly seeds: Map<string, Uint8Array>;
  private readonly examiner: ExamineOptions;
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
    this.examiner = {
      keyFor: (id) => this.keys.get(id),
      seedFor: (epoch) => this.seeds.get(epoch),
      checkBodies: this.checkBodies,
      holdUnseeded: !options.seedsComplete,
      verify: this.verify,
      mac: options.mac ?? nobleMac,
      hashing: options.hashing ?? nobleHashing,
    };
    const { nodeHash } = this.examiner.hashing;
    if (options.startTree) this.tree = new MerkleAccumulator(options.startTree.size, options.startTree.roots, nodeHash);
    else this.tree = options.startPrev === undefined ? new MerkleAccumulator(0, [], nodeHash) : null;
    if (options.origin !== undefined && !isValidKeyName(options.origin)) throw new TypeError('origin: not a valid note key name');
    this.report = {
      chain: null, records: 0, firstSeq: null, lastSeq: null, headHash: null,
      outcomes: 0, draws: 0, epochsRevealed: 0, epochsOpen: [], trustedOnFirstUse: this.tofu,
      checkpoints: 0, checkpointRootsRecomputed: 0, origin: options.origin ?? null, selfTests: 0, selfTestFailures: 0,
    };
  }

  /**
   * Checks the next record. `text` is its stored form if the caller has it
   * (it must be the record's canonical encoding; parseRecord checks that),
   * saving one re-encoding for the tree.
   * @throws VerifyError naming the check and seq
   */
  push(record: LogRecord, text?: string): void {
    this.accept(examineRecord(record, text ?? encodeRecord(record), this.examiner));
  }

  /**
   * Checks the next record from its facts (record-facts.ts examineRecord),
   * examined with this auditor's keys and seeds, or a superset of its keys.
   * @throws VerifyError naming the check and seq
   */
  accept(facts: RecordFacts): void {
    this.checkPosition(facts);
    this.checkSignature(facts);
    if (facts.type === 'checkpoint') this.checkCheckpoint(inSequence(facts));
    if (this.checkBodies) this.checkBody(facts);
    this.tree?.push(facts.leaf);
    const r = this.report;
    r.chain = facts.chain;
    r.records++;
    r.firstSeq ??= facts.seq;
    r.lastSeq = facts.seq;
    r.headHash = facts.hash;
    this.prev = facts.hash;
  }

  /** Summary after the last record. Open epochs are reported, not failed. */
  finish(): AuditReport {
    this.report.epochsOpen = [...this.epochs].filter(([, e]) => !e.revealed).map(([id]) => id);
    return { ...this.report };
  }

  private checkPosition(record: RecordFacts): void {
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

  /** The record names a trusted key, and its hash and signature hold under it. */
  private checkSignature(facts: RecordFacts): void {
    if (facts.type === 'boot' && this.tofu) this.learnKey(inSequence(facts));
    const key = this.keys.get(facts.key);
    if (!key) throw new VerifyError('KEY', `signed by unknown key ${facts.key}`, facts.seq);
    if (facts.checkedUnder !== key && !(facts.checkedUnder && equalBytes(facts.checkedUnder, key))) {
      throw new VerifyError('KEY', `key id ${facts.key} names another public key than the one the record was examined under (the input changed between passes?)`, facts.seq);
    }
    if (facts.signatureError) throw facts.signatureError;
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

  private checkBody(facts: RecordFacts): void {
    switch (facts.type) {
      case 'commit':
        return this.onCommit(inSequence(facts).body as unknown as CommitBody, facts.seq);
      case 'outcome':
        if (!facts.outcome) throw new Error(`record ${facts.seq}: examined without its body (checkBodies differs)`);
        return this.onOutcome(facts.outcome, facts.seq, facts.time);
      case 'reveal':
        return this.onReveal(inSequence(facts).body as unknown as RevealBody, facts.seq);
      case 'health':
        return this.onHealth(inSequence(facts).body, facts.seq);
      default:
        return;
    }
  }

  /** A self-test record: its verdict recomputed from its p-values (a source's health record has no such rule). */
  private onHealth(body: unknown, seq: number): void {
    if (!isSelfTestBody(body)) return;
    checkSelfTestBody(body, seq);
    this.report.selfTests++;
    if (body.status === 'failed') this.report.selfTestFailures++;
  }

  private onCommit(body: CommitBody, seq: number): void {
    if (typeof body.epoch !== 'string' || !/^[0-9a-f]{64}$/.test(String(body.commitment))) {
      throw new VerifyError('FORMAT', 'commit needs an epoch id and a 64-hex-digit commitment', seq);
    }
    if (this.epochs.has(body.epoch)) throw new VerifyError('COMMIT', `epoch ${body.epoch} committed twice`, seq);
    this.epochs.set(body.epoch, { commitment: body.commitment, expires: body.expires ?? null, nextNonce: 0, revealed: false, pending: [], unchecked: 0 });
  }

  private onOutcome(outcome: OutcomeFacts, seq: number, time: number): void {
    if (outcome.draws === 0) throw new VerifyError('FORMAT', 'outcome has no draws', seq);
    this.report.outcomes++;
    this.report.draws += outcome.draws;
    if (outcome.epoch === null) {
      if (outcome.drawsError) throw outcome.drawsError;
      return;
    }
    const id = outcome.epoch as string;
    const epoch = this.epochs.get(id);
    if (!epoch) throw new VerifyError('COMMIT', `epoch ${id} used before its commit`, seq);
    if (epoch.revealed) throw new VerifyError('COMMIT', `epoch ${id} used after its reveal`, seq);
    if (epoch.expires !== null && time > epoch.expires) throw new VerifyError('COMMIT', `epoch ${id} used after it expired`, seq);
    if (outcome.clientSeedError) throw outcome.clientSeedError;
    if (outcome.firstNonce !== epoch.nextNonce) throw new VerifyError('OUTCOME', `draw 0: expected nonce ${epoch.nextNonce}`, seq);
    if (outcome.nonceGap > 0) throw new VerifyError('OUTCOME', `draw ${outcome.nonceGap}: expected nonce ${epoch.nextNonce + outcome.nonceGap}`, seq);
    epoch.nextNonce += outcome.draws;
    if (outcome.recomputed) {
      if (outcome.drawsError) throw outcome.drawsError;
    } else if (outcome.held) {
      epoch.pending.push({ seq, ...outcome.held });
    } else {
      epoch.unchecked++;
    }
  }

  private onReveal(body: RevealBody, seq: number): void {
    const epoch = this.epochs.get(body.epoch);
    if (!epoch) throw new VerifyError('REVEAL', `reveal of epoch ${body.epoch} that was never committed`, seq);
    if (epoch.revealed) throw new VerifyError('REVEAL', `epoch ${body.epoch} revealed twice`, seq);
    const seed = fromHexOr(body.seed, seq, 'seed');
    if (seed.length !== 32 || commitmentOf(seed) !== epoch.commitment) {
      throw new VerifyError('REVEAL', `seed of epoch ${body.epoch} does not match its commitment`, seq);
    }
    // Outcomes recomputed with a seed from a first pass are fair only if it is this one.
    const known = this.seeds.get(body.epoch);
    if (known && !equalBytes(known, seed)) throw new VerifyError('REVEAL', `seed of epoch ${body.epoch} is not the one the first pass read (the input changed between passes?)`, seq);
    if (epoch.unchecked > 0) {
      throw new VerifyError('REVEAL', `epoch ${body.epoch} is revealed, but the first pass saw no reveal of it and ${epoch.unchecked} of its outcomes were not recomputed (the input changed between passes?)`, seq);
    }
    if (body.nonces !== epoch.nextNonce) {
      throw new VerifyError('REVEAL', `epoch ${body.epoch} used ${epoch.nextNonce} nonces, reveal says ${body.nonces}`, seq);
    }
    for (const p of epoch.pending) {
      const failure = failureOf(p.seq, () => checkDraws(seed, p.clientSeed, p.draws, p.seq, this.examiner.mac));
      if (failure) throw failure;
    }
    epoch.pending = [];
    epoch.revealed = true;
    this.report.epochsRevealed++;
  }
}

/** The record of facts whose body is read in sequence (record-facts.ts READ_IN_SEQUENCE). */
function inSequence(facts: RecordFacts): LogRecord {
  if (!facts.record) throw new Error(`record ${facts.seq}: a ${facts.type} record examined without its body`);
  return facts.record;
}
