/**
 * @module dieharder
 * Running dieharder 3.31.1 for a lab report (docs/dieharder.md): output
 * parsing that refuses errors dieharder reports with exit status 0, and a
 * runner that resolves WEAK results by rerunning with more psamples.
 */

export * from './parse.js';
export * from './run.js';
export * from './tests.js';
