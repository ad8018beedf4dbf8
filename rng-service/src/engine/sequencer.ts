/**
 * @module engine/sequencer
 * The single writer of one chain. Requests queue here; each turn of the loop
 * takes everything queued (up to maxBatch), builds and signs the records in
 * seq order, and commits them in one store transaction (group commit).
 *
 * Two batches overlap: while one is being appended (waiting for the disk),
 * the next is built and signed on top of it (the tip). A store that
 * pipelines appends (SQLite's writer thread) takes it as soon as it is
 * signed, queued behind the one below, and refuses it if that one fails;
 * any other store gets it only after the one below committed. Either way
 * batches reach the store in seq order, and one chained onto a failed
 * batch is never committed.
 *
 * Crash ordering, step by step:
 *  1. build + hash in seq order, then sign the batch (on a signing thread),
 *     all in memory: a crash loses nothing acknowledged; the callers get no
 *     answer and retry with their request ids.
 *  2. store.append (one transaction): either the whole batch is durable or
 *     none of it; a crash here is step 1 or step 3.
 *  3. only after append returns are head, epoch state and the callers'
 *     promises advanced/resolved, so no response precedes durability.
 * If append fails, the batch (and the batch built on it) is rejected (503)
 * and the head and epochs are reloaded from the store before the next batch:
 * a commit whose acknowledgement was lost is then found by the retry's
 * request id.
 *
 * The Merkle tree (tlog/) grows with the records: each record's stored tree
 * hashes are computed from its stored text and written in its batch's
 * transaction. A checkpoint is a barrier: it waits until every record below
 * it is durable, and signs a root read back from the stored tree, after
 * proving that tree consistent with the last signed checkpoint. So the log
 * never signs a root for records it could lose, nor two histories.
 *
 * Where several instances share a store (docs/scale.md), the sequencer
 * writes under a lease (writeUnder): every append carries its fence, which
 * the store checks in the append's transaction. A refused fence steps the
 * sequencer down: queued and later jobs fail (503), and the append is never
 * retried. A batch that hit request ids another instance committed first
 * fails only those jobs (their retry finds the other record); the others
 * were never acknowledged, and are built again on the reloaded head.
 */

import { createHash } from 'node:crypto';
import { canonicalize, GENESIS_PREV, RECORD_VERSION, signingMessage, type Body, type LogRecord, type RecordType } from '@rngseal/verifier';
import type { Entropy } from '../entropy/entropy.js';
import type { Signer } from '../signer.js';
import type { EpochRow, Fence, LogStore, StoredRecord, TreeHash } from '../store/log-store.js';
import { FencedError, RequestIdTakenError, StoreUnavailableError } from '../store/log-store.js';
import { TreeFrontier } from '../tlog/frontier.js';
import { checkpointState, signableRoot, type CheckpointState } from '../tlog/signable-root.js';
import { storeHashReader } from '../tlog/store-reader.js';
import { leafHash } from '../tlog/tree.js';
import type { EpochState, EpochBook } from './epochs.js';

export interface Built {
  type: RecordType;
  body: Body;
  requestId?: string;
  requestDigest?: string;
}

/** What a builder sees: the seq and time its record will get, entropy, and staged epoch state. */
export interface BuildContext {
  readonly seq: number;
  readonly time: number;
  readonly entropy: Entropy;
  /** A mutable copy of an epoch; changes are kept only if the batch commits. */
  epoch(id: string): EpochState | undefined;
  addEpoch(epoch: EpochState): void;
}

/** Builds one or more records (several are appended together, atomically). */
export type Builder = (ctx: BuildContext) => Built | Built[];

export interface Appended {
  record: LogRecord;
  stored: StoredRecord;
}

/** A record hashed but not yet signed, with the canonical text around the hash and sig members. */
interface Hashed {
  built: Built;
  unsigned: Omit<LogRecord, 'hash' | 'sig'>;
  digest: Buffer;
  hash: string;
  start: string;
  middle: string;
  end: string;
}

/** A batch built, hashed and signed on top of the tip, ready to append. */
interface Prepared {
  done: Array<{ job: Job; records: Appended[] }>;
  head: Head | null;
  staged: Map<string, EpochState>;
  treeHashes: TreeHash[];
  started: number;
}

interface Job {
  build: Builder;
  /**
   * Runs once every record before this job is durable and nothing is being
   * appended; returns the builder, or null when there is nothing to append.
   */
  barrier?: () => Promise<Builder | null>;
  resolve: (records: Appended[]) => void;
  reject: (err: unknown) => void;
}

/** When and what to checkpoint. */
export interface CheckpointPolicy {
  /** A checkpoint is appended once this many records follow the last one. */
  every: number;
  /** The signed body of the checkpoint of the tree of `size` leaves with root `root`. */
  body(size: number, root: Uint8Array): Body;
}

export interface Head {
  seq: number;
  hash: string;
  time: number;
}

export interface SequencerEvents {
  onBatch?: (records: number, ms: number) => void;
  /** A checkpoint the sequencer queued by itself failed (a requested one rejects its promise instead). */
  onCheckpointError?: (err: unknown) => void;
  /** The store refused this writer's lease: the sequencer stepped down. */
  onFenced?: (err: FencedError) => void;
  /** A batch hit request ids another writer committed: `failed` jobs answer with its records, `requeued` are built again. */
  onRequestIdTaken?: (failed: number, requeued: number) => void;
}

export class Sequencer {
  #queue: Job[] = [];
  #running: Promise<void> | null = null;
  /** Last durable record. */
  #head: Head | null = null;
  /** Last record built: the head, or the last record of the batch being appended. */
  #tip: Head | null = null;
  /** Epoch states of the batch being appended (not yet in the EpochBook). */
  #appendingStaged = new Map<string, EpochState>();
  #stale = true;
  #closed = false;
  /** The stored tree at the tip. */
  #tree: TreeFrontier | null = null;
  /** Last durable checkpoint. */
  #checkpoint: CheckpointState | null = null;
  /** Seq of the last checkpoint built (at the tip), -1 for none. */
  #checkpointTip = -1;
  /** The checkpoint job waiting in the queue (not yet past its barrier), if any. */
  #checkpointWaiting: { job: Job; done: Promise<Appended | null>; requested: boolean } | null = null;
  /** A checkpoint was refused: the record count no longer queues one, only checkpoint() does. */
  #checkpointFailed = false;
  /** Failed appends so far: a batch prepared before a failure chains onto records that are not there. */
  #failures = 0;
  /** The last failure spared the jobs built above it (request ids taken elsewhere): they are queued again. */
  #requeueAbove = false;
  /** The lease appends carry (stores with leases). */
  #fence: Fence | null = null;
  /** Set once the store refused the fence: nothing is written until writeUnder(). */
  #fenced: FencedError | null = null;

  constructor(
    readonly chain: string,
    private readonly store: LogStore,
    private readonly signer: Signer,
    private readonly entropy: Entropy,
    private readonly epochs: EpochBook,
    private readonly events: SequencerEvents = {},
    private readonly maxBatch = 4096,
    private readonly checkpoints: CheckpointPolicy | null = null,
  ) {}

  get head(): Head | null {
    return this.#head;
  }

  /** The last durable checkpoint, if any. */
  get lastCheckpoint(): CheckpointState | null {
    return this.#checkpoint;
  }

  /**
   * Appends a checkpoint of every durable record, unless the last record is
   * already a checkpoint. Resolves with it, or null when none was needed.
   */
  checkpoint(): Promise<Appended | null> {
    if (!this.checkpoints) return Promise.reject(new Error('checkpoints are not configured'));
    if (this.#closed) return Promise.reject(new StoreUnavailableError('the service is shutting down'));
    if (this.#fenced) return Promise.reject(this.#fenced);
    this.#checkpointFailed = false;
    return this.#queueCheckpoint(true);
  }

  /** Appends the builder's records; resolves only once they are durable. */
  submit(build: Builder): Promise<Appended[]> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('the service is shutting down'));
    if (this.#fenced) return Promise.reject(this.#fenced);
    return new Promise((resolve, reject) => {
      this.#queue.push({ build, resolve, reject });
      this.#kick();
    });
  }

  /** Starts the drain loop unless it runs; a job queued while it was finishing starts it again. */
  #kick(): void {
    if (this.#running || this.#queue.length === 0) return;
    this.#running = this.#drain().finally(() => {
      this.#running = null;
      this.#kick();
    });
  }

  /** Loads the head, the tree's right edge, the last checkpoint and the open epochs from the store. */
  async load(): Promise<void> {
    const head = await this.store.head(this.chain);
    this.#head = head ? { seq: head.seq, hash: head.hash, time: (JSON.parse(head.text) as LogRecord).time } : null;
    this.#tip = this.#head;
    this.#appendingStaged = new Map();
    this.#tree = await TreeFrontier.load(head ? head.seq + 1 : 0, storeHashReader(this.store, this.chain));
    const checkpoint = await this.store.latest(this.chain, 'checkpoint');
    this.#checkpoint = checkpoint ? checkpointState(JSON.parse(checkpoint.text) as LogRecord) : null;
    this.#checkpointTip = this.#checkpoint?.seq ?? -1;
    await this.epochs.load(this.chain);
    this.#stale = false;
  }

  /**
   * Appends from now on under `fence`, once the appends of an earlier lease
   * have ended. The chain is reloaded first (another writer may have
   * extended it), and `first` (the boot record of this run) is appended
   * before any other job. Resolves once `first` is durable.
   */
  async writeUnder(fence: Fence, first: Builder): Promise<Appended[]> {
    while (this.#running) await this.#running;
    this.#fence = fence;
    this.#fenced = null;
    this.#stale = true;
    if (this.#closed) return Promise.reject(new StoreUnavailableError('the service is shutting down'));
    return new Promise((resolve, reject) => {
      this.#queue.unshift({ build: first, resolve, reject });
      this.#kick();
    });
  }

  /**
   * Stops writing the chain: its lease was taken over or expired. Queued
   * jobs fail with `err` (503), and so does every submit until writeUnder();
   * an append under way ends as the store's fence check decides.
   */
  stepDown(err: FencedError): void {
    if (this.#fenced) return;
    this.#fenced = err;
    this.#stale = true;
    for (const job of this.#queue.splice(0)) job.reject(err);
    this.events.onFenced?.(err);
  }

  /** The refusal that stepped the sequencer down, while it writes nothing. */
  get fenced(): FencedError | null {
    return this.#fenced;
  }

  /** Stops taking work and waits for the queue to drain. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    /** Appends under way, oldest first; each resolves true once committed, false if it failed. */
    const appending: Array<Promise<boolean>> = [];
    while (this.#queue.length > 0 || appending.length > 0) {
      if (appending.length > 0 && (this.#queue.length === 0 || this.#stale || this.#queue[0]!.barrier || appending.length > 1)) {
        await appending.shift();
        continue;
      }
      const jobs = this.#take();
      try {
        if (this.#stale) await this.load(); // nothing is appending here
        await this.#passBarrier(jobs);
      } catch (err) {
        for (const job of jobs) job.reject(err);
        continue;
      }
      const failures = this.#failures;
      const prepared = await this.#prepare(jobs);
      if (!prepared) continue;
      // A store that pipelines takes this batch now, behind the one below, and refuses it if that one fails;
      // any other store gets it once the one below has committed.
      if (!this.store.pipelinesAppends) while (appending.length > 0) await appending.shift();
      if (this.#failures !== failures) {
        // A batch below failed: this one chains onto records that do not exist.
        this.#failAbove(prepared.done.map((d) => d.job));
        continue;
      }
      appending.push(this.#append(prepared));
    }
  }

  /**
   * The next batch: up to maxBatch jobs, a barrier job only first, and no
   * more than the records left until the next checkpoint is due.
   */
  #take(): Job[] {
    let room = this.maxBatch;
    // A leading checkpoint starts the count again.
    const since = this.#queue[0]?.barrier ? 0 : this.#sinceCheckpoint();
    if (this.checkpoints) room = Math.min(room, Math.max(1, this.checkpoints.every - since));
    let n = 1;
    while (n < room && n < this.#queue.length && !this.#queue[n]!.barrier) n++;
    return this.#queue.splice(0, n);
  }

  /** Runs a leading barrier job (nothing is appending here); drops it if it has nothing to append. */
  async #passBarrier(jobs: Job[]): Promise<void> {
    const first = jobs[0];
    if (!first?.barrier) return;
    if (this.#checkpointWaiting?.job === first) this.#checkpointWaiting = null;
    let build: Builder | null;
    try {
      build = await first.barrier();
    } catch (err) {
      jobs.shift();
      first.reject(err);
      return;
    }
    if (build) first.build = build;
    else {
      jobs.shift();
      first.resolve([]);
    }
  }

  /** Records built after the last checkpoint built. */
  #sinceCheckpoint(): number {
    return (this.#tip?.seq ?? -1) - this.#checkpointTip;
  }

  /**
   * Queues the checkpoint job unless one is waiting: at the front when the
   * record count made it due, behind the queued work when requested. One
   * already past its barrier covers fewer records than a new one would, so
   * it does not count.
   */
  #queueCheckpoint(requested: boolean): Promise<Appended | null> {
    const waiting = this.#checkpointWaiting;
    if (waiting) {
      waiting.requested ||= requested;
      return waiting.done;
    }
    let job!: Job;
    const done = new Promise<Appended | null>((resolve, reject) => {
      job = {
        build: () => {
          throw new Error('checkpoint built before its barrier');
        },
        barrier: () => this.#checkpointBuilder(entry.requested),
        resolve: (records) => {
          forget();
          resolve(records[0] ?? null);
        },
        reject: (err) => {
          forget(); // rejected before its barrier (a failed reload): the next request queues a new one
          reject(err);
        },
      };
    });
    const entry = { job, done, requested };
    const forget = () => {
      if (this.#checkpointWaiting === entry) this.#checkpointWaiting = null;
    };
    this.#checkpointWaiting = entry;
    if (requested) this.#queue.push(job);
    else this.#queue.unshift(job);
    this.#kick();
    return done;
  }

  /** After a batch is built: queue a checkpoint once `every` records follow the last one. */
  #checkpointIfDue(): void {
    if (!this.checkpoints || this.#checkpointFailed || this.#checkpointWaiting || this.#closed) return;
    if (this.#sinceCheckpoint() < this.checkpoints.every) return;
    this.#queueCheckpoint(false).catch((err) => {
      // Refused to sign (not a store outage, after which the count queues it again): only checkpoint() retries.
      if (!(err instanceof StoreUnavailableError)) this.#checkpointFailed = true;
      this.events.onCheckpointError?.(err);
    });
  }

  /**
   * The checkpoint of every durable record; head = tip here, nothing is
   * appending. One the record count queued is dropped if a failed append
   * took back the records that made it due.
   */
  async #checkpointBuilder(requested: boolean): Promise<Builder | null> {
    const head = this.#head;
    if (!head || head.seq === this.#checkpoint?.seq) return null;
    if (!requested && this.#sinceCheckpoint() < this.checkpoints!.every) return null;
    const size = head.seq + 1;
    const root = await signableRoot(storeHashReader(this.store, this.chain), size, this.#tree!, this.#checkpoint);
    const policy = this.checkpoints!;
    return (ctx) => {
      // The record covers exactly the records before it.
      if (ctx.seq !== size) throw new Error(`checkpoint of size ${size} would be record ${ctx.seq}`);
      return { type: 'checkpoint', body: policy.body(size, root) };
    };
  }

  /** Builds, hashes and signs a batch on top of the tip, and moves the tip past it. */
  async #prepare(jobs: Job[]): Promise<Prepared | null> {
    const started = performance.now();
    const staged = new Map<string, EpochState>();
    const done: Array<{ job: Job; records: Appended[] }> = [];
    const hashed: Array<{ job: Job; records: Hashed[] }> = [];
    let head = this.#tip;
    for (const job of jobs) {
      const stagedHere = new Map(staged);
      let records: Hashed[];
      let jobHead = head;
      try {
        // One clock reading per job: the builder's checks (epoch expiry) and the record agree on it.
        const time = jobTime(head);
        const built = [job.build(this.#context(head, stagedHere, time))].flat();
        records = built.map((b) => {
          const h = this.#hash(b, jobHead, time);
          jobHead = { seq: h.unsigned.seq, hash: h.hash, time };
          return h;
        });
      } catch (err) {
        job.reject(err); // nothing of this job is kept: its epoch changes are dropped
        continue;
      }
      for (const [id, e] of stagedHere) staged.set(id, e);
      head = jobHead;
      hashed.push({ job, records });
    }
    if (hashed.length === 0) return null;
    const tip = this.#tip;
    this.#tip = head;
    // Signatures do not enter the chain (prev is the hash), so a batch is hashed
    // in seq order first and then signed in one go, off the event loop.
    let sigs: Uint8Array[];
    try {
      sigs = await this.signer.signMany(hashed.flatMap((h) => h.records.map((r) => signingMessage(r.digest))));
    } catch (err) {
      if (this.#tip === head) this.#tip = tip;
      for (const h of hashed) h.job.reject(err);
      return null;
    }
    let i = 0;
    for (const h of hashed) done.push({ job: h.job, records: h.records.map((r) => this.#seal(r, sigs[i++]!)) });
    let treeHashes: TreeHash[];
    try {
      treeHashes = this.#grow(done);
    } catch (err) {
      // The frontier may be half-advanced: reload it with everything else.
      this.#stale = true;
      if (this.#tip === head) this.#tip = tip;
      for (const d of done) d.job.reject(err);
      return null;
    }
    for (const d of done) for (const r of d.records) if (r.record.type === 'checkpoint') this.#checkpointTip = r.record.seq;
    this.#checkpointIfDue();
    return { done, head, staged, treeHashes, started };
  }

  /** Adds the batch's records to the tree, in seq order; returns the stored hashes to write. */
  #grow(done: Prepared['done']): TreeHash[] {
    const out: TreeHash[] = [];
    for (const d of done) {
      for (const r of d.records) {
        if (this.#tree!.size !== r.record.seq) throw new Error(`tlog: record ${r.record.seq} is not leaf ${this.#tree!.size}`);
        out.push(...this.#tree!.append(leafHash(Buffer.from(r.stored.text, 'utf8'))));
      }
    }
    return out;
  }

  /** Appends a prepared batch; only then advances the head and epochs and answers its callers. */
  async #append(batch: Prepared): Promise<boolean> {
    const { done, head, staged, treeHashes, started } = batch;
    this.#appendingStaged = staged;
    const stored = done.flatMap((d) => d.records.map((r) => r.stored));
    const epochRows: EpochRow[] = [...staged.values()].map((e) => this.epochs.toRow(e));
    try {
      if (this.#fenced) throw this.#fenced;
      await this.store.append({ chain: this.chain, records: stored, epochs: epochRows, treeHashes, fence: this.#fence ?? undefined });
    } catch (err) {
      this.#failures++;
      this.#stale = true;
      this.#tip = this.#head;
      this.#appendingStaged = new Map();
      this.#requeueAbove = err instanceof RequestIdTakenError && this.#requeueSpared(done, err);
      if (this.#requeueAbove) return false;
      if (err instanceof FencedError) this.stepDown(err);
      const failure = err instanceof StoreUnavailableError ? err : new StoreUnavailableError('store append failed', { cause: err });
      for (const d of done) d.job.reject(failure);
      return false;
    }
    this.#head = head;
    for (const d of done) for (const r of d.records) if (r.record.type === 'checkpoint') this.#checkpoint = checkpointState(r.record);
    this.epochs.commit(staged.values());
    if (this.#appendingStaged === staged) this.#appendingStaged = new Map();
    this.events.onBatch?.(stored.length, performance.now() - started);
    for (const d of done) d.job.resolve(d.records);
    return true;
  }

  /**
   * Fails the jobs whose request id another writer committed, and queues the
   * others again (never acknowledged, they are built anew on the reloaded
   * head). False when the refusal names none of the batch's jobs.
   */
  #requeueSpared(done: Prepared['done'], err: RequestIdTakenError): boolean {
    const taken = new Set(err.requestIds);
    const hit = (d: Prepared['done'][number]) => d.records.some((r) => r.stored.requestId !== null && taken.has(r.stored.requestId));
    const spared = done.filter((d) => !hit(d));
    if (spared.length === done.length) return false;
    for (const d of done) if (hit(d)) d.job.reject(err);
    this.#queue.unshift(...spared.map((d) => d.job));
    this.events.onRequestIdTaken?.(done.length - spared.length, spared.length);
    return true;
  }

  /** The jobs of a batch built on one that failed: queued again when that failure spared them, else failed. */
  #failAbove(jobs: Job[]): void {
    if (this.#requeueAbove && !this.#fenced) this.#queue.unshift(...jobs);
    else for (const job of jobs) job.reject(this.#fenced ?? new StoreUnavailableError('store append failed'));
  }

  #context(head: Head | null, staged: Map<string, EpochState>, time: number): BuildContext {
    return {
      seq: head ? head.seq + 1 : 0,
      time,
      entropy: this.entropy,
      epoch: (id) => {
        const found = staged.get(id) ?? this.#appendingStaged.get(id) ?? this.epochs.get(id);
        if (!found) return undefined;
        const copy = { ...found };
        staged.set(id, copy);
        return copy;
      },
      addEpoch: (epoch) => void staged.set(epoch.id, epoch),
    };
  }

  /** The record without its signature: its canonical text parts and its hash. */
  #hash(built: Built, head: Head | null, time: number): Hashed {
    const unsigned = {
      v: RECORD_VERSION,
      chain: this.chain,
      seq: head ? head.seq + 1 : 0,
      time,
      type: built.type,
      prev: head ? head.hash : GENESIS_PREV,
      key: this.signer.keyId,
      body: built.body,
    };
    // JCS orders the members body, chain, (hash), key, prev, seq, (sig), time, type, v:
    // the body, by far the largest part, is encoded once and spliced into both
    // texts, which are byte for byte canonicalize(unsigned) and canonicalize(record).
    const c = (name: keyof typeof unsigned) => `"${name}":${canonicalize(unsigned[name], `$.${name}`)}`;
    const start = `{${c('body')},${c('chain')}`;
    const middle = `${c('key')},${c('prev')},${c('seq')}`;
    const end = `${c('time')},${c('type')},${c('v')}}`;
    const digest = createHash('sha256').update(`${start},${middle},${end}`).digest();
    return { built, unsigned, digest, hash: digest.toString('hex'), start, middle, end };
  }

  #seal(h: Hashed, sig: Uint8Array): Appended {
    const record: LogRecord = { ...h.unsigned, hash: h.hash, sig: Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).toString('hex') };
    const stored: StoredRecord = {
      chain: this.chain,
      seq: record.seq,
      type: record.type,
      requestId: h.built.requestId ?? null,
      requestDigest: h.built.requestDigest ?? null,
      hash: record.hash,
      text: `${h.start},"hash":"${record.hash}",${h.middle},"sig":"${record.sig}",${h.end}`,
    };
    return { record, stored };
  }
}

/** Record time: wall clock in ms, never earlier than the previous record's. */
function jobTime(head: Head | null): number {
  return Math.max(Date.now(), head?.time ?? 0);
}
