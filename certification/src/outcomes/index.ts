/**
 * @module outcomes
 * Outcome-level statistical tests for game results (docs/capture.md): the
 * χ² goodness of fit to each game's exact distribution and Knuth's
 * empirical tests (TAOCP vol. 2, 3rd ed., §3.3.2): serial correlation,
 * runs, gap, poker and coupon collector's. Each returns its statistic,
 * degrees of freedom (χ² tests) and p-value; `analyseOutcomes` runs those
 * that apply to a captured outcome CSV.
 */

export * from './result.js';
export * from './distributions.js';
export { frequencyTest } from './frequency.js';
export { serialCorrelationTest } from './serial-correlation.js';
export { runsUpDownTest } from './runs-up-down.js';
export { runsUpTest, runsUpLengths, runsUpProbabilities, type RunsUpOptions } from './runs-up.js';
export { gapTest, gapLengths, gapProbabilities, type GapOptions } from './gap.js';
export { pokerTest, pokerProbabilities, type PokerOptions } from './poker.js';
export { couponCollectorTest, couponLengths, couponProbabilities, COUPON_MAX_D, type CouponOptions } from './coupon-collector.js';
export { occupancyTable } from './occupancy.js';
export { parseOutcomeCsv, type OutcomeCsv, type OutcomeParams } from './csv.js';
export { analyseOutcomes, type BatteryEntry, type BatteryReport } from './battery.js';
