/**
 * @module @rngseal/drivers
 * Entropy sources behind one EntropySource interface.
 */
export * from './source.js';
export { OsSource } from './os.js';
export * from './health/index.js';
export * from './drbg/index.js';
