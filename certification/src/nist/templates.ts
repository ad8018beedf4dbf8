/**
 * @module nist/templates
 * Aperiodic templates for the non-overlapping template matching test
 * (SP 800-22 rev1a §2.7), generated rather than read from files.
 *
 * An m-bit template B is aperiodic ("non-periodic" in sts) when no proper
 * prefix of B equals the suffix of the same length, i.e. B has no border;
 * two occurrences of such a template can never overlap. There are
 * 2, 4, 6, 12, 20, 40, 74, 148, 284, 568, … of them for m = 2, 3, 4, … .
 *
 * sts-2.1.2 reads them from templates/template<m>, which lists all of them
 * in ascending binary order, and uses at most 148 (MAXNUMOFTEMPLATES): with
 * c templates, SKIP = 1 if c < 148, else ⌊c/148⌋; it takes every SKIP-th
 * template starting with the first, up to min(148, ⌊c/SKIP⌋) of them. For
 * m = 10 (284 templates) that is the first 148; for m = 11 every 3rd.
 * `stsTemplates(m)` returns exactly that selection (checked against the
 * template files for m = 2 … 16; sts ships m = 17 … 21 compressed and
 * cannot open them, so its test writes no result there).
 */

import { intParam } from './bits.js';

/** Every aperiodic m-bit template, as m-bit integers (first bit = most significant), ascending. */
export function aperiodicTemplates(m: number): number[] {
  intParam('template length m', m, 1, 24);
  const out: number[] = [];
  const total = 2 ** m;
  for (let v = 0; v < total; v++) {
    let bordered = false;
    for (let k = 1; k < m; k++) {
      if (v >>> (m - k) === (v & ((1 << k) - 1))) {
        bordered = true;
        break;
      }
    }
    if (!bordered) out.push(v);
  }
  return out;
}

/** The maximum number of templates sts evaluates. */
export const MAX_TEMPLATES = 148;

const cache = new Map<number, number[]>();

/** The templates sts-2.1.2 uses for length m, in its order (m = 2 … 21). */
export function stsTemplates(m: number): number[] {
  intParam('NonOverlappingTemplate m', m, 2, 21);
  let sel = cache.get(m);
  if (!sel) {
    const all = aperiodicTemplates(m);
    const skip = all.length < MAX_TEMPLATES ? 1 : Math.floor(all.length / MAX_TEMPLATES);
    const count = Math.min(MAX_TEMPLATES, Math.floor(all.length / skip));
    sel = [];
    for (let i = 0; i < count; i++) sel.push(all[i * skip]!);
    cache.set(m, sel);
  }
  return sel;
}

/** A template as a string of '0'/'1'. */
export function templateToString(t: number, m: number): string {
  return t.toString(2).padStart(m, '0');
}
