/**
 * @module nist/non-overlapping-template
 * Non-overlapping template matching test — NIST SP 800-22 rev1a §2.7.
 *
 * The sequence is cut into N = 8 blocks of M = ⌊n/N⌋ bits. For each
 * aperiodic m-bit template B (m = 9 by default, 148 templates), W_j counts
 * the non-overlapping occurrences of B in block j (after a match the window
 * jumps m bits). μ = (M−m+1)/2^m, σ² = M(1/2^m − (2m−1)/2^{2m}),
 * χ² = Σ_j (W_j − μ)²/σ², P-value = igamc(N/2, χ²/2) — one per template.
 *
 * Speed: an aperiodic template cannot overlap itself, so the
 * non-overlapping count equals the number of window positions holding B.
 * One pass builds, per block, the histogram of all m-bit window values;
 * every template's W_j is then a table look-up.
 *
 * Where this follows sts-2.1.2:
 * - N = 8 is fixed in sts (overridable here as `N`, e.g. for the spec's
 *   §2.7.4 example with N = 2).
 * - Template choice and order: sts's template files (ascending), at most
 *   148 of them, every SKIP-th for m ≥ 11 (see templates.ts); m = 10 uses
 *   the first 148 of its 284 templates.
 * - μ ≤ 0 (M ≤ m − 1): sts writes no result; here all results are not
 *   applicable.
 */

import { igamc } from '../math/special.js';
import { intParam, notApplicable, type TestResult } from './bits.js';
import { stsTemplates } from './templates.js';

export const NAME = 'NonOverlappingTemplate';

export interface NonOverlappingTemplateParams {
  /** Template length m (default 9; 2 … 21). */
  m?: number;
  /** Number of blocks N (default 8, fixed in sts). */
  N?: number;
}

export function nonOverlappingTemplate(bits: Uint8Array, params: NonOverlappingTemplateParams = {}): TestResult {
  const m = intParam('NonOverlappingTemplate m', params.m ?? 9, 2, 21);
  const N = intParam('NonOverlappingTemplate N', params.N ?? 8, 1);
  const templates = stsTemplates(m);
  const n = bits.length;
  const M = Math.floor(n / N);
  const lambda = (M - m + 1) / Math.pow(2, m);
  if (!(lambda > 0)) return notApplicable(NAME, templates.length);
  const varWj = M * (1.0 / Math.pow(2.0, m) - (2.0 * m - 1.0) / Math.pow(2.0, 2.0 * m));
  const sigma = Math.pow(varWj, 0.5);

  // W[t][j]: occurrences of template t in block j
  const T = templates.length;
  const W = new Float64Array(T * N);
  const mask = (1 << m) - 1;
  const hist = new Int32Array(1 << m);
  for (let j = 0; j < N; j++) {
    hist.fill(0);
    const base = j * M;
    let v = 0;
    for (let k = 0; k < m - 1; k++) v = (v << 1) | bits[base + k]!;
    const end = base + M;
    for (let i = base + m - 1; i < end; i++) {
      v = ((v << 1) | bits[i]!) & mask;
      hist[v]!++;
    }
    for (let t = 0; t < T; t++) W[t * N + j] = hist[templates[t]!]!;
  }

  const pvalues: number[] = [];
  for (let t = 0; t < T; t++) {
    let chi2 = 0;
    for (let j = 0; j < N; j++) chi2 += Math.pow((W[t * N + j]! - lambda) / sigma, 2);
    pvalues.push(igamc(N / 2.0, chi2 / 2.0));
  }
  return { name: NAME, pvalues, applicable: pvalues.map(() => true) };
}
