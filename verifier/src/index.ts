/**
 * @module @rngseal/verifier
 * Browser-safe verification of rngseal records, rounds and logs. Imports only
 * @noble/* and its own files, never a node: module, so the same code runs in
 * the service, in the CLI tools and in a player's browser.
 */
export * from './bytes.js';
export * from './canonical.js';
export * from './errors.js';
export * from './record.js';
export * from './keys.js';
export * from './bodies.js';
export * from './client-seed.js';
export * from './derive.js';
export * from './fairness.js';
export * from './chain.js';
export * from './self-test-record.js';
export {
  examineRecord, nobleHashing, type ExamineOptions, type HeldOutcome, type OutcomeFacts, type RecordFacts, type RecordHashing,
} from './record-facts.js';
export * from './mappings/index.js';
export type { Mapping, Params } from './mappings/mapping.js';
export * from './round.js';
export * from './merkle.js';
export * from './note.js';
export * from './checkpoint.js';
export * from './accumulator.js';
export * from './checkpoint-record.js';
export * from './receipt.js';
