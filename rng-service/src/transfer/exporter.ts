/**
 * @module transfer/exporter
 * A store as export lines (transfer/format.ts): each chain up to its head at
 * the moment it is reached, its epochs as of that head, then the tokens.
 * Records are append-only and sealed seeds never change, so exporting from
 * a store a service is still writing to gives a consistent file; what is
 * appended after a chain's head was read is simply not in it.
 */

import type { LogRecord } from '@rngseal/verifier';
import type { LogStore } from '../store/log-store.js';
import { EpochLedger } from './epoch-ledger.js';
import { epochLine, EXPORT_FORMAT, EXPORT_VERSION, formatLine, recordLine, tokenLine, type EndLine } from './format.js';

const PAGE = 1000;

export interface ExportOptions {
  /** The chains to export; default all. */
  chains?: string[];
  /** Include the API tokens (their hashes). */
  tokens: boolean;
}

/** Yields the file in chunks; returns its end line (the counts). */
export async function* exportStore(store: LogStore, options: ExportOptions): AsyncGenerator<string, EndLine> {
  yield formatLine({ kind: 'header', format: EXPORT_FORMAT, version: EXPORT_VERSION, store: store.kind, exported: Date.now() });
  const end: EndLine = { kind: 'end', chains: {}, tokens: 0 };
  for (const chain of new Set(options.chains ?? (await store.chains()))) {
    const ledger = new EpochLedger();
    const head = await store.head(chain);
    if (!head) throw new Error(`chain ${chain}: no records in this store`);
    for (let next = 0; next <= head.seq; ) {
      const page = await store.range(chain, next, head.seq, PAGE);
      let chunk = '';
      for (const row of page) {
        if (row.seq !== next) throw new Error(`chain ${chain}: record ${next} is missing from the store`);
        ledger.push(parseStored(row.text, chain, row.seq));
        chunk += formatLine(recordLine(row));
        next++;
      }
      if (page.length === 0) throw new Error(`chain ${chain}: record ${next} is missing from the store`);
      yield chunk;
    }
    const epochs = ledger.epochs();
    for (const progress of epochs) {
      const row = await store.epoch(progress.id);
      if (!row || row.chain !== chain) throw new Error(`chain ${chain}: epoch ${progress.id}, committed at seq ${progress.commitSeq}, has no epoch row`);
      yield formatLine(epochLine({ ...progress, sealedSeed: row.sealedSeed }));
    }
    end.chains[chain] = { records: head.seq + 1, head: head.hash, epochs: epochs.length };
  }
  if (options.tokens) {
    const tokens = await store.tokens();
    for (const t of tokens) yield formatLine(tokenLine(t));
    end.tokens = tokens.length;
  }
  yield formatLine(end);
  return end;
}

function parseStored(text: string, chain: string, seq: number): LogRecord {
  try {
    return JSON.parse(text) as LogRecord;
  } catch {
    throw new Error(`chain ${chain}: stored record ${seq} is not JSON`);
  }
}
