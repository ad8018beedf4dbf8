/**
 * @module test/helpers/reference
 * Inputs and expectations for the comparisons with sts-2.1.2 outputs kept in
 * test/fixtures (see fixtures/README.md).
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BatteryParams, TestResult } from '../../src/nist/index.js';
import { unpackBits } from '../../src/nist/index.js';
import { constantBits, type Constant } from './constants.js';

/** SHA-256 in counter mode: SHA-256(utf8(seed) ‖ uint32be(i)) for i = 0, 1, …, concatenated. */
export function sha256Stream(seed: string, nBytes: number): Uint8Array {
  const out = new Uint8Array(nBytes);
  const prefix = Buffer.from(seed, 'utf8');
  const ctr = Buffer.alloc(4);
  for (let i = 0, off = 0; off < nBytes; i++, off += 32) {
    ctr.writeUInt32BE(i);
    const d = createHash('sha256').update(prefix).update(ctr).digest();
    out.set(d.subarray(0, Math.min(32, nBytes - off)), off);
  }
  return out;
}

/** The first n bits of the SHA-256 counter-mode stream for `seed`, most significant bit first. */
export function sha256Bits(seed: string, n: number): Uint8Array {
  return unpackBits(sha256Stream(seed, Math.ceil(n / 8)), n);
}

export type InputSpec =
  | { kind: 'constant'; constant: Constant }
  | { kind: 'sha256'; seed: string }
  | { kind: 'alternating' }
  | { kind: 'sha256-and'; seeds: [string, string] };

const constantCache = new Map<Constant, Uint8Array>();

/** Builds the input described by a fixture case. */
export function makeInput(spec: InputSpec, n: number): Uint8Array {
  switch (spec.kind) {
    case 'constant': {
      let bits = constantCache.get(spec.constant);
      if (!bits || bits.length < n) {
        bits = constantBits(spec.constant, Math.max(n, 1_000_000));
        constantCache.set(spec.constant, bits);
      }
      return bits.subarray(0, n);
    }
    case 'sha256':
      return sha256Bits(spec.seed, n);
    case 'alternating': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = i & 1; // 0101…
      return out;
    }
    case 'sha256-and': {
      const a = sha256Bits(spec.seeds[0], n);
      const b = sha256Bits(spec.seeds[1], n);
      return a.map((x, i) => x & b[i]!);
    }
  }
}

export interface ReferenceCase {
  name: string;
  input: InputSpec;
  n: number;
  params: BatteryParams;
  /** results.txt lines per test, as sts printed them. */
  results: Record<string, string[]>;
}

export function loadFixture<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8')) as T;
}

/** sts's maximum printing error is 5e-7; the required agreement is 2e-6. */
export const TOLERANCE = 2e-6;

/**
 * Compares one result with the lines sts printed for it; returns problems.
 * Not applicable results must correspond to what sts prints in that case:
 * nothing, "nan"/"-nan", 0.000000 (RandomExcursions(Variant), Rank) or
 * 1.000000 (BlockFrequency with no complete block).
 */
export function compareWithReference(r: TestResult, printed: string[]): string[] {
  const problems: string[] = [];
  const ref = printed.map((s) => (/nan/i.test(s) ? NaN : Number(s)));
  if (ref.length !== 0 && ref.length !== r.pvalues.length) {
    problems.push(`${r.name}: sts printed ${ref.length} values, got ${r.pvalues.length}`);
  }
  for (let i = 0; i < r.pvalues.length; i++) {
    const rv = ref[i];
    if (!r.applicable[i]) {
      const ok = rv === undefined || Number.isNaN(rv) || rv === 0 || (r.name === 'BlockFrequency' && rv === 1);
      if (!ok) problems.push(`${r.name}[${i}]: not applicable here, sts printed ${printed[i]}`);
      if (!Number.isNaN(r.pvalues[i]!)) problems.push(`${r.name}[${i}]: not applicable but p = ${r.pvalues[i]}`);
      continue;
    }
    if (rv === undefined || Number.isNaN(rv)) {
      problems.push(`${r.name}[${i}]: sts printed no value, got ${r.pvalues[i]}`);
      continue;
    }
    const d = Math.abs(r.pvalues[i]! - rv);
    if (!(d <= TOLERANCE)) problems.push(`${r.name}[${i}]: ${r.pvalues[i]} vs sts ${printed[i]} (|Δ| = ${d.toExponential(2)})`);
  }
  return problems;
}
