/**
 * @module @rngseal/certification
 * Statistical batteries for certification labs: NIST SP 800-22 rev1a,
 * matching the reference implementation sts-2.1.2 (docs/nist-sp800-22.md).
 */
export * from './nist/index.js';
export * from './nist/pool.js';
export * from './nist/summary.js';
export * as outcomes from './outcomes/index.js';
export * as dieharder from './dieharder/index.js';
export * as labReport from './report/index.js';
