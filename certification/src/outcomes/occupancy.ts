/**
 * @module outcomes/occupancy
 * Occupancy probabilities for the poker and coupon collector's tests:
 * q(m, r) = P(m independent uniform draws from d values show exactly r
 * distinct values) = d(d−1)…(d−r+1) · S(m, r) / d^m, with S the Stirling
 * numbers of the second kind (Knuth, TAOCP vol. 2, 3rd ed., §3.3.2 D).
 *
 * Computed by the recurrence on the next draw instead of from factorials
 * and Stirling numbers, which overflow long before the probabilities do:
 *   q(m+1, r) = q(m, r) · r/d + q(m, r−1) · (d − r + 1)/d,  q(0, 0) = 1.
 * Every term is a probability, so there is no cancellation.
 */

/** Rows q(0..mMax, 0..d): row m holds P(r distinct after m draws). */
export function occupancyTable(d: number, mMax: number): Float64Array[] {
  if (!Number.isSafeInteger(d) || d < 1) throw new RangeError(`d: must be a positive integer, got ${d}`);
  if (!Number.isSafeInteger(mMax) || mMax < 0) throw new RangeError(`mMax: must be a non-negative integer, got ${mMax}`);
  const rows: Float64Array[] = [];
  let row = new Float64Array(d + 1);
  row[0] = 1;
  rows.push(row);
  for (let m = 1; m <= mMax; m++) {
    const next = new Float64Array(d + 1);
    for (let r = 1; r <= Math.min(m, d); r++) next[r] = row[r]! * (r / d) + row[r - 1]! * ((d - r + 1) / d);
    rows.push(next);
    row = next;
  }
  return rows;
}
