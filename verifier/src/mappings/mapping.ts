/**
 * @module mappings/mapping
 * A mapping turns the derived byte stream of one draw into a game result.
 * Each mapping has a versioned id (`dice@1`): a version never changes its
 * algorithm, so a recorded result can be recomputed forever.
 */

import type { ByteStream } from '../derive.js';
import type { Json } from '../canonical.js';

export type Params = { [key: string]: Json };

export interface Mapping<P extends Params = Params, R extends Json = Json> {
  /** `name@version`, recorded in every draw. */
  readonly id: string;
  /** Short name accepted in requests (`dice`). */
  readonly name: string;
  /**
   * Checks request parameters. Returns null when valid, or a message that
   * names the offending field relative to the params object (`sides: must be
   * an integer from 2 to 4294967296`).
   */
  validate(params: unknown): string | null;
  /**
   * Work the params ask for: result values, or the length of the lists the
   * mapping walks, whichever dominates. Requests are capped on the total.
   */
  cost(params: P): number;
  /** Computes the result, consuming bytes from `stream`. Params are valid. */
  run(stream: ByteStream, params: P): R;
}
