/**
 * @module health
 * Health testing of raw entropy: the SP 800-90B §4.3/§4.4 start-up and
 * continuous health tests, and the FIPS 140-2 statistical battery that
 * rngd/rngtest run.
 */

export { binomialUpperCritical } from './binomial.js';
export { DEFAULT_ALPHA, aptCutoff, aptWindow, rctCutoff } from './cutoffs.js';
export { type HealthFailure, type HealthParams, type HealthTestName, checkHealthParams } from './failure.js';
export { RepetitionCountTest } from './rct.js';
export { AdaptiveProportionTest } from './apt.js';
export { HealthMonitor } from './monitor.js';
export {
  STARTUP_MIN_SAMPLES,
  type StartupResult,
  startupByteCount,
  startupSampleCount,
  startupTest,
} from './startup.js';
export { FIPS140_BLOCK_BYTES, Fips140Battery, type Fips140BlockResult, type Fips140Counts } from './fips140.js';
export { type RngtestReport, rngtestCompatible } from './rngtest.js';
