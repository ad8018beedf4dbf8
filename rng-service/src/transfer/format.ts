/**
 * @module transfer/format
 * The export file (`rngseal export`, `rngseal import`; docs/postgres.md):
 * NDJSON, one object per line, told apart by `kind`:
 *
 *   header  {"kind":"header","format":"rngseal-export","version":1,"store":"sqlite","exported":ms}
 *   record  {"kind":"record","text":CANONICAL RECORD,"requestId":…|null,"requestDigest":…|null}
 *   epoch   {"kind":"epoch","id","chain","sealedSeed":hex,"commitSeq","nextNonce","expires","revealSeq"}
 *   token   {"kind":"token","id","hash","scopes":[…],"label","created","revoked"}
 *   end     {"kind":"end","chains":{CHAIN:{"records","head","epochs"}},"tokens":n}
 *
 * Records carry their stored text as a string, so the bytes that were
 * hashed and signed travel unchanged, with the two request columns that are
 * not in the record (the request digest tells a retry from a reuse). Each
 * chain's records come in seq order, then its epochs. Seeds travel sealed
 * (seal.ts: only the signing key opens them), tokens as hashes. The end line
 * makes a truncated file detectable.
 *
 * Everything read here is untrusted input: each field is checked, and an
 * error names the line and the field.
 */

import { fromHex, toHex } from '@rngseal/verifier';
import type { EpochRow, Scope, StoredRecord, TokenRow } from '../store/log-store.js';

export const EXPORT_FORMAT = 'rngseal-export';
export const EXPORT_VERSION = 1;

export interface HeaderLine { kind: 'header'; format: typeof EXPORT_FORMAT; version: typeof EXPORT_VERSION; store: string; exported: number }
export interface RecordLine { kind: 'record'; text: string; requestId: string | null; requestDigest: string | null }
export interface EpochLine { kind: 'epoch'; id: string; chain: string; sealedSeed: string; commitSeq: number; nextNonce: number; expires: number | null; revealSeq: number | null }
export interface TokenLine { kind: 'token'; id: string; hash: string; scopes: Scope[]; label: string; created: number; revoked: number | null }
export interface ChainSummary { records: number; head: string; epochs: number }
export interface EndLine { kind: 'end'; chains: Record<string, ChainSummary>; tokens: number }
export type ExportLine = HeaderLine | RecordLine | EpochLine | TokenLine | EndLine;

/** A line that is not valid export syntax. */
export class ExportFormatError extends Error {
  override readonly name = 'ExportFormatError';
}

export function formatLine(line: ExportLine): string {
  return `${JSON.stringify(line)}\n`;
}

export const recordLine = (r: StoredRecord): RecordLine => ({ kind: 'record', text: r.text, requestId: r.requestId, requestDigest: r.requestDigest });

export const epochLine = (e: EpochRow): EpochLine => ({
  kind: 'epoch', id: e.id, chain: e.chain, sealedSeed: toHex(e.sealedSeed), commitSeq: e.commitSeq, nextNonce: e.nextNonce, expires: e.expires, revealSeq: e.revealSeq,
});

export const tokenLine = (t: TokenRow): TokenLine => ({ kind: 'token', id: t.id, hash: t.hash, scopes: t.scopes, label: t.label, created: t.created, revoked: t.revoked });

export function epochRow(line: EpochLine): EpochRow {
  const { id, chain, commitSeq, nextNonce, expires, revealSeq } = line;
  return { id, chain, sealedSeed: fromHex(line.sealedSeed, 'sealedSeed'), commitSeq, nextNonce, expires, revealSeq };
}

export function tokenRow(line: TokenLine): TokenRow {
  const { id, hash, scopes, label, created, revoked } = line;
  return { id, hash, scopes, label, created, revoked };
}

/** @throws ExportFormatError naming the line and field */
export function parseLine(text: string, lineNo: number): ExportLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ExportFormatError(`line ${lineNo}: not JSON`);
  }
  const f = new Fields(value, lineNo);
  switch (f.kind) {
    case 'header': {
      if (f.str('format') !== EXPORT_FORMAT || f.int('version') !== EXPORT_VERSION) throw f.error('format', `expected ${EXPORT_FORMAT} version ${EXPORT_VERSION}`);
      return { kind: 'header', format: EXPORT_FORMAT, version: EXPORT_VERSION, store: f.str('store'), exported: f.int('exported') };
    }
    case 'record':
      return { kind: 'record', text: f.str('text'), requestId: f.nullable('requestId', () => f.str('requestId')), requestDigest: f.nullable('requestDigest', () => f.hex('requestDigest', 64)) };
    case 'epoch':
      return {
        kind: 'epoch', id: f.str('id'), chain: f.str('chain'), sealedSeed: f.hex('sealedSeed'), commitSeq: f.int('commitSeq'), nextNonce: f.int('nextNonce'),
        expires: f.nullable('expires', () => f.int('expires')), revealSeq: f.nullable('revealSeq', () => f.int('revealSeq')),
      };
    case 'token':
      return {
        kind: 'token', id: f.str('id'), hash: f.hex('hash', 64), scopes: f.scopes('scopes'), label: f.str('label'), created: f.int('created'),
        revoked: f.nullable('revoked', () => f.int('revoked')),
      };
    case 'end':
      return { kind: 'end', chains: f.chains('chains'), tokens: f.int('tokens') };
    default:
      throw f.error('kind', `unknown kind ${JSON.stringify(f.kind)}`);
  }
}

/** Typed access to one line's members; every miss names the line and member. */
class Fields {
  readonly #o: Record<string, unknown>;
  readonly kind: unknown;

  constructor(value: unknown, private readonly lineNo: number) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ExportFormatError(`line ${lineNo}: not a JSON object`);
    this.#o = value as Record<string, unknown>;
    this.kind = this.#o.kind;
  }

  error(field: string, problem: string): ExportFormatError {
    return new ExportFormatError(`line ${this.lineNo}: ${field}: ${problem}`);
  }

  str(name: string, value = this.#o[name]): string {
    if (typeof value !== 'string') throw this.error(name, 'expected a string');
    return value;
  }

  int(name: string, value = this.#o[name]): number {
    if (!Number.isSafeInteger(value) || (value as number) < 0) throw this.error(name, 'expected a non-negative integer');
    return value as number;
  }

  hex(name: string, length?: number): string {
    const value = this.str(name);
    if (!/^(?:[0-9a-f]{2})+$/.test(value) || (length !== undefined && value.length !== length)) throw this.error(name, `expected ${length ?? 'even-length'} lower-case hex digits`);
    return value;
  }

  nullable<T>(name: string, read: () => T): T | null {
    return this.#o[name] === null ? null : read();
  }

  scopes(name: string): Scope[] {
    const value = this.#o[name];
    if (!Array.isArray(value) || value.length === 0 || !value.every((s) => s === 'outcomes' || s === 'admin')) throw this.error(name, 'expected a list of outcomes and admin');
    return value as Scope[];
  }

  chains(name: string): Record<string, ChainSummary> {
    const value = this.#o[name];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.error(name, 'expected an object');
    const out: Record<string, ChainSummary> = {};
    for (const [chain, s] of Object.entries(value as Record<string, Record<string, unknown>>)) {
      const at = `${name}.${chain}`;
      if (typeof s !== 'object' || s === null) throw this.error(at, 'expected an object');
      out[chain] = { records: this.int(`${at}.records`, s.records), head: this.str(`${at}.head`, s.head), epochs: this.int(`${at}.epochs`, s.epochs) };
    }
    return out;
  }
}
