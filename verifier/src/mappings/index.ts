/**
 * @module mappings
 * The registry of mappings: lookup by full id (`dice@1`, as recorded in a
 * draw, so old records keep their algorithm) or by short name (the current
 * version, as accepted in requests).
 */

import { dice } from './dice.js';
import { draw } from './draw.js';
import { float } from './float.js';
import type { Mapping } from './mapping.js';
import { range } from './range.js';
import { reels } from './reels.js';
import { shuffle } from './shuffle.js';
import { weighted } from './weighted.js';

// A float@1 result is an integer; a page showing the number needs this.
export { floatValue } from './float.js';

export const MAPPINGS: readonly Mapping[] = Object.freeze([range, dice, draw, shuffle, weighted, reels, float]);

// Maps, not objects: a name such as `__proto__` must find nothing.
const BY_ID = new Map(MAPPINGS.map((m) => [m.id, m]));
const BY_NAME = new Map<string, Mapping>();
for (const m of MAPPINGS) {
  const current = BY_NAME.get(m.name);
  if (current === undefined || version(m) > version(current)) BY_NAME.set(m.name, m);
}

/** The mapping with this exact `name@version` id. */
export function mappingById(id: string): Mapping | undefined {
  return BY_ID.get(id);
}

/** The current (highest) version of the mapping with this short name. */
export function mappingByName(name: string): Mapping | undefined {
  return BY_NAME.get(name);
}

function version(m: Mapping): number {
  return Number(m.id.slice(m.id.lastIndexOf('@') + 1));
}
