/**
 * @module transfer/importer
 * An export file (transfer/format.ts) into a store, verified as it goes.
 *
 * Each chain goes through the verifier's ChainAuditor, exactly as `rngseal
 * audit` walks it: links, hashes, signatures (under the given keys, or the
 * ones its boot records announce), commits, nonces, reveals, outcomes
 * recomputed where the seed is known, and every checkpoint's root
 * recomputed. Records are written a page at a time, each page only after
 * every record in it verified, with the Merkle tree hashes they add (built
 * here, as the service would) in the same transaction.
 *
 * A (chain, seq) the store already has must hold the very same record: it
 * is skipped, so importing a file twice, or again after an interruption,
 * adds only what is missing. A different record there is refused, and so is
 * anything else that disagrees. Epoch rows and tokens are written last, only
 * once the end line has vouched that the file is complete and every epoch
 * row agreed with the records; a store whose chain has moved past the file
 * keeps its own epoch rows (newer ones).
 *
 * A chain that an instance is writing (its writer lease is held) is refused:
 * stop the service first. What a failure leaves: the pages already written,
 * a verified prefix of each chain; no epochs or tokens. Fix the input and
 * import again.
 */

import { ChainAuditor, parseRecord, VerifyError, type AuditReport, type LogRecord } from '@rngseal/verifier';
import { opensslVerify } from '../chain-check.js';
import type { EpochRow, LogStore, StoredRecord, TokenRow } from '../store/log-store.js';
import { backfillTree } from '../tlog/backfill.js';
import { TreeFrontier } from '../tlog/frontier.js';
import { storeHashReader } from '../tlog/store-reader.js';
import { leafHash } from '../tlog/tree.js';
import { EpochLedger, type EpochProgress } from './epoch-ledger.js';
import { epochRow, parseLine, tokenRow, type EndLine, type EpochLine, type ExportLine, type RecordLine, type TokenLine } from './format.js';

const PAGE = 1000;

export interface ImportOptions {
  /** Trusted public keys; none: the keys the chain's boot records announce (trust on first use, reported). */
  keys: Uint8Array[];
  /** The checkpoint origin every checkpoint must carry; default the first checkpoint's. */
  origin?: string;
}

export interface ChainImported {
  chain: string;
  audit: AuditReport;
  added: number;
  /** Records the store had already (identical). */
  present: number;
  epochs: { added: number; present: number; keptNewer: boolean };
}

export interface ImportReport {
  chains: ChainImported[];
  tokens: { added: number; revoked: number; present: number };
}

/** The file disagrees with itself, with its records, or with the store. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
}

export async function importStore(store: LogStore, lines: AsyncIterable<string>, options: ImportOptions): Promise<ImportReport> {
  const chains = new Map<string, ChainImport>();
  const epochs = new Map<string, EpochLine>();
  const tokens = new Map<string, TokenLine>();
  let end: EndLine | null = null;
  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    const line = lineNo === 1 ? header(text) : parseLine(text, lineNo);
    if (lineNo > 1 && line.kind === 'header') throw new ImportError(`line ${lineNo}: a second header`);
    if (end) throw new ImportError(`line ${lineNo}: after the end line`);
    if (line.kind === 'record') {
      const record = parseRecordAt(line, lineNo);
      let chain = chains.get(record.chain);
      if (!chain) chains.set(record.chain, (chain = await ChainImport.open(store, record.chain, options)));
      await chain.push(record, line);
    } else if (line.kind === 'epoch') {
      if (epochs.has(line.id)) throw new ImportError(`line ${lineNo}: epoch ${line.id} appears twice`);
      epochs.set(line.id, line);
    } else if (line.kind === 'token') {
      if (tokens.has(line.id)) throw new ImportError(`line ${lineNo}: token ${line.id} appears twice`);
      tokens.set(line.id, line);
    } else if (line.kind === 'end') end = line;
  }
  if (lineNo === 0) throw new ImportError('the export is empty');
  for (const chain of chains.values()) await chain.flush();
  if (!end) {
    throw new ImportError(`the export has no end line (truncated?): its verified records were imported, its epochs and tokens were not; import the complete file again`);
  }
  checkEnd(end, [...chains.values()], epochs, tokens.size);
  const epochPlans = await Promise.all([...chains.values()].map((c) => c.planEpochs(epochs)));
  const tokenPlan = await planTokens(store, [...tokens.values()]);
  const imported: ChainImported[] = [];
  for (const [i, chain] of [...chains.values()].entries()) imported.push(await chain.finish(epochPlans[i]!));
  return { chains: imported, tokens: await writeTokens(store, tokenPlan) };
}

/** The first line must be the header: anything else is not an export (a /v1/export NDJSON, say). */
function header(text: string): ExportLine {
  let line: ExportLine | null = null;
  try {
    line = parseLine(text, 1);
  } catch {
    // reported below
  }
  if (line?.kind !== 'header') throw new ImportError('line 1: not an rngseal export (no header line; make one with rngseal export)');
  return line;
}

function parseRecordAt(line: RecordLine, lineNo: number): LogRecord {
  try {
    return parseRecord(line.text);
  } catch (err) {
    throw new ImportError(`line ${lineNo}: ${(err as Error).message}`);
  }
}

/** The end line must describe exactly what came before it. */
function checkEnd(end: EndLine, chains: ChainImport[], epochs: Map<string, EpochLine>, tokens: number): void {
  const seen = new Set(chains.map((c) => c.chain));
  for (const chain of Object.keys(end.chains)) if (!seen.has(chain)) throw new ImportError(`end line: chain ${chain} has no records in the export`);
  for (const e of epochs.values()) if (!seen.has(e.chain)) throw new ImportError(`epoch ${e.id}: chain ${e.chain} has no records in the export`);
  for (const c of chains) {
    const summary = end.chains[c.chain];
    if (!summary) throw new ImportError(`end line: chain ${c.chain} is not listed`);
    if (summary.records !== c.records || summary.head !== c.head) {
      throw new ImportError(`chain ${c.chain}: the end line says ${summary.records} records up to head ${summary.head}, the export has ${c.records} up to ${c.head}`);
    }
    const lines = [...epochs.values()].filter((e) => e.chain === c.chain).length;
    if (summary.epochs !== lines) throw new ImportError(`chain ${c.chain}: the end line says ${summary.epochs} epochs, the export has ${lines}`);
  }
  if (end.tokens !== tokens) throw new ImportError(`end line: says ${end.tokens} tokens, the export has ${tokens}`);
}

interface EpochPlan {
  write: EpochRow[];
  present: number;
  keptNewer: boolean;
}

/** One chain's import: its audit, its epoch ledger, the store's head and tree when it began. */
class ChainImport {
  readonly #ledger = new EpochLedger();
  #page: Array<{ record: LogRecord; line: RecordLine }> = [];
  #last: LogRecord | null = null;
  #added = 0;
  #present = 0;

  private constructor(
    private readonly store: LogStore,
    readonly chain: string,
    private readonly auditor: ChainAuditor,
    /** The store's head seq when the import began, -1 for none. */
    private readonly storeHead: number,
    private readonly tree: TreeFrontier,
  ) {}

  static async open(store: LogStore, chain: string, options: ImportOptions): Promise<ChainImport> {
    // Appends from here and from a running writer would race for the same seqs; one would fail half-way.
    const writer = (await store.leases?.list())?.find((l) => l.chain === chain && l.remainingMs > 0);
    if (writer) throw new ImportError(`chain ${chain}: instance ${writer.holder} holds its writer lease: stop the instances writing to it before importing`);
    await backfillTree(store, chain); // a store written before it kept a tree
    const head = (await store.head(chain))?.seq ?? -1;
    const tree = await TreeFrontier.load(head + 1, storeHashReader(store, chain));
    const auditor = new ChainAuditor({ keys: options.keys, verifySignature: opensslVerify, ...(options.origin ? { origin: options.origin } : {}) });
    return new ChainImport(store, chain, auditor, head, tree);
  }

  get records(): number {
    return this.#last ? this.#last.seq + 1 : 0;
  }

  get head(): string | null {
    return this.#last?.hash ?? null;
  }

  async push(record: LogRecord, line: RecordLine): Promise<void> {
    try {
      this.auditor.push(record, line.text);
    } catch (err) {
      if (err instanceof VerifyError) throw new ImportError(`chain ${this.chain}: ${err.message}`);
      throw err;
    }
    // Without its request id, a retry of the record's request would draw again.
    const request = (record.body as { request?: unknown }).request ?? null;
    if (line.requestId !== request || (line.requestId === null) !== (line.requestDigest === null)) {
      throw new ImportError(`chain ${this.chain}: record ${record.seq}: requestId ${JSON.stringify(line.requestId)} is not the record's request ${JSON.stringify(request)}, or has no digest`);
    }
    this.#ledger.push(record);
    this.#last = record;
    this.#page.push({ record, line });
    if (this.#page.length >= PAGE) await this.flush();
  }

  /** Checks the page's records the store has, and appends the rest with their tree hashes. */
  async flush(): Promise<void> {
    const page = this.#page;
    this.#page = [];
    const held = page.filter((p) => p.record.seq <= this.storeHead);
    if (held.length > 0) await this.#compare(held);
    const fresh = page.filter((p) => p.record.seq > this.storeHead);
    if (fresh.length === 0) return;
    const treeHashes = fresh.flatMap((p) => this.tree.append(leafHash(Buffer.from(p.line.text, 'utf8'))));
    await this.store.append({ chain: this.chain, records: fresh.map((p) => stored(p.record, p.line)), epochs: [], treeHashes });
    this.#added += fresh.length;
  }

  async #compare(held: Array<{ record: LogRecord; line: RecordLine }>): Promise<void> {
    const first = held[0]!.record.seq;
    const rows = await this.store.range(this.chain, first, held[held.length - 1]!.record.seq, held.length);
    held.forEach(({ record, line }, i) => {
      const row = rows[i];
      if (row?.seq !== record.seq) throw new ImportError(`chain ${this.chain}: the store is missing record ${record.seq} below its head`);
      if (row.text !== line.text || row.requestId !== line.requestId || row.requestDigest !== line.requestDigest) {
        throw new ImportError(`chain ${this.chain}: the store already has a different record ${record.seq}: refusing to import over it`);
      }
    });
    this.#present += held.length;
  }

  /** The epoch rows to write: each must match its records; the store's own must match too, unless its chain is ahead. */
  async planEpochs(lines: Map<string, EpochLine>): Promise<EpochPlan> {
    const ledger = this.#ledger.epochs();
    const rows = ledger.map((progress) => expectedRow(progress, lines.get(progress.id)));
    const extra = [...lines.values()].find((l) => l.chain === this.chain && !ledger.some((p) => p.id === l.id));
    if (extra) throw new ImportError(`chain ${this.chain}: epoch ${extra.id} is not committed by any exported record`);
    const storeHead = (await this.store.head(this.chain))?.seq ?? -1;
    if (storeHead > this.#last!.seq) return { write: [], present: 0, keptNewer: true };
    const plan: EpochPlan = { write: [], present: 0, keptNewer: false };
    for (const row of rows) {
      const have = await this.store.epoch(row.id);
      if (!have) plan.write.push(row);
      else if (sameEpoch(have, row)) plan.present++;
      else throw new ImportError(`chain ${this.chain}: the store's row of epoch ${row.id} differs from the export's`);
    }
    return plan;
  }

  async finish(plan: EpochPlan): Promise<ChainImported> {
    if (plan.write.length > 0) await this.store.append({ chain: this.chain, records: [], epochs: plan.write, treeHashes: [] });
    return {
      chain: this.chain,
      audit: this.auditor.finish(),
      added: this.#added,
      present: this.#present,
      epochs: { added: plan.write.length, present: plan.present, keptNewer: plan.keptNewer },
    };
  }
}

/** The exported row of an epoch, which must say what its records say. */
function expectedRow(progress: EpochProgress, line: EpochLine | undefined): EpochRow {
  if (!line) throw new ImportError(`chain ${progress.chain}: epoch ${progress.id} (committed at seq ${progress.commitSeq}) has no epoch line`);
  for (const field of ['chain', 'commitSeq', 'nextNonce', 'expires', 'revealSeq'] as const) {
    if (line[field] !== progress[field]) {
      throw new ImportError(`epoch ${progress.id}: the export says ${field} ${JSON.stringify(line[field])}, its records say ${JSON.stringify(progress[field])}`);
    }
  }
  return epochRow(line);
}

function sameEpoch(a: EpochRow, b: EpochRow): boolean {
  return a.chain === b.chain && a.commitSeq === b.commitSeq && a.nextNonce === b.nextNonce && a.expires === b.expires && a.revealSeq === b.revealSeq
    && Buffer.from(a.sealedSeed).equals(Buffer.from(b.sealedSeed));
}

function stored(record: LogRecord, line: RecordLine): StoredRecord {
  return { chain: record.chain, seq: record.seq, type: record.type, requestId: line.requestId, requestDigest: line.requestDigest, hash: record.hash, text: line.text };
}

interface TokenPlan {
  add: TokenRow[];
  revoke: TokenRow[];
  present: number;
}

/** A token the store has must be the same token; a revocation in the export carries over, never the reverse. */
async function planTokens(store: LogStore, lines: TokenLine[]): Promise<TokenPlan> {
  const have = new Map((await store.tokens()).map((t) => [t.id, t]));
  const plan: TokenPlan = { add: [], revoke: [], present: 0 };
  for (const row of lines.map(tokenRow)) {
    const own = have.get(row.id);
    if (!own) plan.add.push(row);
    else if (own.hash !== row.hash || own.scopes.join(' ') !== row.scopes.join(' ') || own.label !== row.label || own.created !== row.created) {
      throw new ImportError(`token ${row.id}: the store has a different token under this id`);
    } else if (row.revoked !== null && own.revoked === null) plan.revoke.push(row);
    else plan.present++;
  }
  return plan;
}

async function writeTokens(store: LogStore, plan: TokenPlan): Promise<ImportReport['tokens']> {
  for (const t of plan.add) await store.addToken(t);
  for (const t of plan.revoke) await store.revokeToken(t.id, t.revoked!);
  return { added: plan.add.length, revoked: plan.revoke.length, present: plan.present };
}
