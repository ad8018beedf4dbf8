/**
 * @module health/rngtest
 * Runs the FIPS 140-2 battery over a byte stream exactly as rng-tools'
 * rngtest does when the stream is its standard input, so the two sets of
 * counts can be compared line for line:
 * - the first 4 bytes are read on their own and only prime the continuous
 *   run test (fips_init(): they are never tested themselves);
 * - then 2,500-byte blocks follow back to back: block k is bytes
 *   4 + 2500·k … 4 + 2500·(k+1) − 1 of the stream;
 * - a final partial block is read but not tested.
 * So a file of N·2500 bytes gives N − 1 tested blocks, and the continuous
 * test compares 32-bit words aligned to the stream's 4-byte boundaries.
 *
 * The runs test here is FIPS 140-2's, as fixed in rng-tools commit 53bec762
 * (rng-tools-debian 2.x carries the fix); Debian's rng-tools5 still has the
 * bug described in docs/fips140-rngtest.md and can count differently.
 */

import { FIPS140_BLOCK_BYTES, Fips140Battery, type Fips140BlockResult, type Fips140Counts } from './fips140.js';
import { checkSamples } from './failure.js';

export interface RngtestReport {
  /** "bits received from input": every byte read, priming and partial block included. */
  readonly bitsReceived: number;
  readonly counts: Fips140Counts;
  /** Per-block results, in stream order. */
  readonly blocks: readonly Fips140BlockResult[];
}

const PRIMING_BYTES = 4;

export function rngtestCompatible(stream: Uint8Array): RngtestReport {
  checkSamples(stream);
  const bitsReceived = stream.length * 8;
  if (stream.length < PRIMING_BYTES) {
    return { bitsReceived, counts: new Fips140Battery().counts, blocks: [] };
  }
  const battery = new Fips140Battery(stream.subarray(0, PRIMING_BYTES));
  const blocks: Fips140BlockResult[] = [];
  for (let at = PRIMING_BYTES; at + FIPS140_BLOCK_BYTES <= stream.length; at += FIPS140_BLOCK_BYTES) {
    blocks.push(battery.testBlock(stream.subarray(at, at + FIPS140_BLOCK_BYTES)));
  }
  return { bitsReceived, counts: battery.counts, blocks };
}
