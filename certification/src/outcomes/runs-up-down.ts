/**
 * @module outcomes/runs-up-down
 * The runs up and down test: the total number of runs (maximal stretches of
 * rising or of falling successive values) in X_1 … X_n. For independent,
 * continuously distributed values its mean and variance are
 *
 *   μ = (2n − 1)/3,   σ² = (16n − 29)/90,
 *
 * (H. Levene and J. Wolfowitz, "The covariance matrix of runs up and down",
 * Ann. Math. Stat. 15 (1944) 58–69; the normal approximation as used in
 * Banks, Carson, Nelson & Nicol, Discrete-Event System Simulation, §7.4.2),
 * and for n ≳ 20 it is close to normal. Knuth discusses runs in TAOCP
 * vol. 2, 3rd ed., §3.3.2 G, and warns that run lengths are not independent
 * — which is why this test uses only the total, whose variance is known
 * exactly, and the runs-up test (runs-up.ts) discards an element per run.
 *
 * Ties: the theory assumes no two successive values are equal. An equal
 * neighbour is dropped (so it neither starts nor ends a run) and counted in
 * `warnings`; discrete outcomes should be packed into wide numbers first
 * (battery.ts does) so that ties are negligible.
 */

import { checkValues, normalTwoSided, type OutcomeTestResult } from './result.js';

export function runsUpDownTest(values: readonly number[]): OutcomeTestResult {
  checkValues('runs-up-down', values, 3);
  let ties = 0;
  let n = 1;
  let runs = 0;
  let lastSign = 0;
  let previous = values[0]!;
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!;
    if (v === previous) {
      ties++;
      continue;
    }
    n++;
    const sign = v > previous ? 1 : -1;
    if (sign !== lastSign) runs++;
    lastSign = sign;
    previous = v;
  }
  const warnings: string[] = [];
  if (ties > 0) warnings.push(`${ties} tie(s) with the previous value dropped; the reference distribution assumes none`);
  if (n < 3) throw new RangeError(`runs-up-down: fewer than 3 values remain after dropping ${ties} ties`);
  const mu = (2 * n - 1) / 3;
  const sigma = Math.sqrt((16 * n - 29) / 90);
  const z = (runs - mu) / sigma;
  return { name: 'runs-up-down', statistic: runs, df: null, pValue: normalTwoSided(z), n, reference: 'normal', z, warnings };
}
