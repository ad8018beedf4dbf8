/**
 * @module report/geometry
 * Where the marks of the report's two plots go, in SVG user units, apart
 * from any markup (svg.ts draws them), so the numbers can be tested:
 *
 * - the p-value histogram: sts's ten bins [0, 0.1) … [0.9, 1] (the bins of
 *   its uniformity test, nist/analysis.ts), bar heights proportional to the
 *   counts, and the count each bin expects, total/10;
 * - the proportion chart of SP 800-22 §4.2.1 (its Figure 4-1): the
 *   proportion of passing sequences per sub-test, against the acceptable
 *   range p̂ ± 3√(p̂(1−p̂)/m) for that sub-test's m sequences.
 */

import { acceptableProportion } from '../nist/analysis.js';

export interface Frame {
  width: number;
  height: number;
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export const HISTOGRAM_FRAME: Frame = { width: 240, height: 150, top: 12, right: 8, bottom: 24, left: 34 };
export const PROPORTION_FRAME: Frame = { width: 900, height: 340, top: 12, right: 10, bottom: 150, left: 50 };

function plotWidth(f: Frame): number {
  return f.width - f.left - f.right;
}

function plotHeight(f: Frame): number {
  return f.height - f.top - f.bottom;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  count: number;
}

export interface HistogramGeometry {
  frame: Frame;
  bars: Bar[];
  /** The count at the top of the plot: the largest count, at least 1 (never below the mean, `expected`). */
  yMax: number;
  /** Count each bin expects under uniformity: total / number of bins. */
  expected: number;
  expectedY: number;
  /** y of the x axis (count 0). */
  baseline: number;
}

const BAR_GAP = 1;

export function histogramGeometry(counts: readonly number[], frame: Frame = HISTOGRAM_FRAME): HistogramGeometry {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = counts.length > 0 ? total / counts.length : 0;
  const yMax = Math.max(1, ...counts);
  const h = plotHeight(frame);
  const binWidth = plotWidth(frame) / Math.max(1, counts.length);
  const baseline = frame.top + h;
  const bars = counts.map((count, i) => {
    const height = (count / yMax) * h;
    return { x: frame.left + i * binWidth + BAR_GAP, y: baseline - height, width: binWidth - 2 * BAR_GAP, height, count };
  });
  return { frame, bars, yMax, expected, expectedY: baseline - (expected / yMax) * h, baseline };
}

/** One sub-test's proportion of passing sequences. */
export interface ProportionInput {
  /** The test it belongs to: points of one test are drawn together, under its name. */
  test: string;
  label: string;
  passing: number;
  counted: number;
  /** The verdict (sts compares the pass count with truncated integer bounds, so it can differ slightly from the band). */
  ok: boolean;
}

export interface ChartPoint extends ProportionInput {
  proportion: number;
  cx: number;
  cy: number;
}

/** A stretch of the plot where the acceptable range is the same: consecutive points of one test with equal m. */
export interface BandRect {
  x: number;
  width: number;
  y: number;
  height: number;
  min: number;
  max: number;
  m: number;
}

export interface GroupSpan {
  test: string;
  x0: number;
  x1: number;
  center: number;
}

export interface ProportionChartGeometry {
  frame: Frame;
  /** The proportion at the bottom and at the top of the plot. */
  domain: [number, number];
  /** y of a proportion. */
  y: (proportion: number) => number;
  points: ChartPoint[];
  bands: BandRect[];
  groups: GroupSpan[];
  pHat: number;
  pHatY: number;
  ticks: { value: number; y: number }[];
}

/** Slots a test takes at least, so that the name under a one-point test has room. */
const MIN_GROUP_SLOTS = 4;

/**
 * Points with counted = 0 have no proportion and must be left out by the
 * caller. Each test gets max(points, 4) slots plus one slot of gap.
 */
export function proportionChartGeometry(inputs: readonly ProportionInput[], alpha: number, frame: Frame = PROPORTION_FRAME): ProportionChartGeometry {
  const bad = inputs.find((p) => !(p.counted > 0));
  if (bad) throw new RangeError(`proportion chart: ${bad.label} has no counted sequences`);
  const groups = groupByTest(inputs);
  const slots = groups.reduce((a, g) => a + Math.max(MIN_GROUP_SLOTS, g.length) + 1, 0);
  const slot = plotWidth(frame) / Math.max(1, slots);

  const pHat = 1 - alpha;
  const ranges = inputs.map((p) => acceptableProportion(p.counted, alpha));
  const values = inputs.map((p) => p.passing / p.counted);
  const lowest = Math.min(pHat, ...values, ...ranges.map((r) => r.min));
  const highest = Math.max(1, ...ranges.map((r) => r.max));
  const lo = Math.max(0, Math.floor(lowest * 100) / 100 - 0.01);
  const hi = Math.ceil(highest * 100 + 0.1) / 100;
  const h = plotHeight(frame);
  const y = (v: number) => frame.top + ((hi - Math.min(hi, Math.max(lo, v))) / (hi - lo)) * h;

  const points: ChartPoint[] = [];
  const bands: BandRect[] = [];
  const spans: GroupSpan[] = [];
  let at = 0; // slot index
  let i = 0; // input index
  for (const group of groups) {
    const width = Math.max(MIN_GROUP_SLOTS, group.length);
    const first = at + (width - group.length) / 2; // points centred in the group
    spans.push({ test: group[0]!.test, x0: frame.left + at * slot, x1: frame.left + (at + width) * slot, center: frame.left + (at + width / 2) * slot });
    group.forEach((p, k) => {
      const cx = frame.left + (first + k + 0.5) * slot;
      const range = ranges[i]!;
      points.push({ ...p, proportion: values[i]!, cx, cy: y(values[i]!) });
      const last = bands[bands.length - 1];
      if (k > 0 && last && last.m === p.counted) last.width = cx + slot / 2 - last.x;
      else bands.push({ x: cx - slot / 2, width: slot, y: y(range.max), height: y(range.min) - y(range.max), min: range.min, max: range.max, m: p.counted });
      i++;
    });
    at += width + 1;
  }
  const ticks = Array.from({ length: 5 }, (_, k) => lo + ((hi - lo) * k) / 4).map((value) => ({ value, y: y(value) }));
  return { frame, domain: [lo, hi], y, points, bands, groups: spans, pHat, pHatY: y(pHat), ticks };
}

function groupByTest(inputs: readonly ProportionInput[]): ProportionInput[][] {
  const groups: ProportionInput[][] = [];
  for (const p of inputs) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.test === p.test) last.push(p);
    else groups.push([p]);
  }
  return groups;
}
