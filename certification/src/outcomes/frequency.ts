/**
 * @module outcomes/frequency
 * Chi-square goodness of fit of outcome values to their exact distribution:
 * Knuth's equidistribution (frequency) test, TAOCP vol. 2, 3rd ed.,
 * §3.3.2 A, generalised from uniform to any known distribution by the χ²
 * test of §3.3.1 A. The worked example of §3.3.1 (144 throws of two dice,
 * V = 7 7/48 with 10 degrees of freedom) is in test/outcomes-frequency.test.ts.
 */

import type { Distribution } from './distributions.js';
import { chiSquareCounts, checkValues, type ChiSquareOptions, type OutcomeTestResult } from './result.js';

/**
 * Counts `values` by category of `distribution` and runs the χ² test. A
 * value outside the support makes the result χ² = ∞, p = 0 (it cannot
 * happen under the hypothesis), with the values named in `warnings`.
 */
export function frequencyTest(values: readonly number[], distribution: Distribution, options: ChiSquareOptions = {}): OutcomeTestResult {
  checkValues('chi-square', values, 1);
  const counts = new Array<number>(distribution.probabilities.length).fill(0);
  const outside = new Set<number>();
  for (const v of values) {
    const c = distribution.classify(v);
    if (c < 0) outside.add(v);
    else counts[c]!++;
  }
  if (outside.size > 0) {
    const shown = [...outside].slice(0, 10).join(', ');
    return {
      name: 'chi-square',
      statistic: Infinity,
      df: distribution.probabilities.length - 1,
      pValue: 0,
      n: values.length,
      reference: 'chi-square',
      warnings: [`${outside.size} distinct value(s) outside ${distribution.description}: ${shown}${outside.size > 10 ? ' …' : ''}`],
    };
  }
  return chiSquareCounts('chi-square', counts, distribution.probabilities, { labels: distribution.labels, ...options });
}
