/**
 * @module outcomes/serial-correlation
 * Knuth's serial correlation test, TAOCP vol. 2, 3rd ed., §3.3.2 K.
 *
 * The cyclic serial correlation coefficient of U_0 … U_{n−1} at lag 1 is
 *
 *   C = (n·Σ U_j U_{j+1} − (Σ U_j)²) / (n·Σ U_j² − (Σ U_j)²),   U_n = U_0,
 *
 * computed here in the algebraically identical centred form
 * C = Σ (U_j − Ū)(U_{j+1} − Ū) / Σ (U_j − Ū)², which keeps its precision for
 * large values (float@1 results reach 2^52). Knuth gives, for independent
 * values, the mean and standard deviation
 *
 *   μ_n = −1/(n − 1),   σ_n = (1/(n − 1)) · √(n(n − 3)/(n + 1)),   n > 2,
 *
 * (derived by Dixon, Ann. Math. Stat. 15 (1944), for normal variables; Knuth
 * notes they serve well for uniform ones, and C is asymptotically normal).
 * The p-value is two-sided for z = (C − μ_n)/σ_n: both strong positive and
 * strong negative correlation fail. `lag` k > 1 correlates U_j with U_{j+k}
 * (cyclically), as Knuth suggests; the same μ_n, σ_n are used.
 */

import { checkValues, normalTwoSided, type OutcomeTestResult } from './result.js';

export function serialCorrelationTest(values: readonly number[], lag = 1): OutcomeTestResult {
  checkValues('serial-correlation', values, 4);
  const n = values.length;
  if (!Number.isSafeInteger(lag) || lag < 1 || lag >= n) throw new RangeError(`serial-correlation: lag must be an integer from 1 to ${n - 1}, got ${lag}`);
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let num = 0;
  let den = 0;
  for (let j = 0; j < n; j++) {
    const a = values[j]! - mean;
    num += a * (values[(j + lag) % n]! - mean);
    den += a * a;
  }
  const mu = -1 / (n - 1);
  const sigma = Math.sqrt((n * (n - 3)) / (n + 1)) / (n - 1);
  if (den === 0) {
    // Every value equal: no randomness at all, C is undefined.
    return { name: 'serial-correlation', statistic: NaN, df: null, pValue: 0, n, reference: 'normal', warnings: ['all values are equal: C is undefined and the sequence is not random'] };
  }
  const c = num / den;
  const z = (c - mu) / sigma;
  return { name: 'serial-correlation', statistic: c, df: null, pValue: normalTwoSided(z), n, reference: 'normal', z, warnings: [] };
}
