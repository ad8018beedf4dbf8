/**
 * @module nist
 * NIST SP 800-22 rev1a statistical test suite, reproducing the p-values of
 * the reference implementation sts-2.1.2 (within 2e-6), including the places
 * where sts deviates from the spec text (each test file lists them).
 *
 * ```ts
 * const bits = unpackBits(bytes, 1_000_000);
 * const results = runBattery(bits);                  // all 15 tests, sts defaults
 * const report = analyse(sequences.map((b) => runBattery(b)));
 * ```
 */

import { checkBits, type TestResult } from './bits.js';
import { approximateEntropy, type ApproximateEntropyParams } from './approximate-entropy.js';
import { blockFrequency, type BlockFrequencyParams } from './block-frequency.js';
import { cumulativeSums, type CumulativeSumsParams } from './cumulative-sums.js';
import { dft, type DftParams } from './dft.js';
import { frequency, type FrequencyParams } from './frequency.js';
import { linearComplexityTest, type LinearComplexityParams } from './linear-complexity.js';
import { longestRun, type LongestRunParams } from './longest-run.js';
import { nonOverlappingTemplate, type NonOverlappingTemplateParams } from './non-overlapping-template.js';
import { overlappingTemplate, type OverlappingTemplateParams } from './overlapping-template.js';
import { randomExcursions, type RandomExcursionsParams } from './random-excursions.js';
import { randomExcursionsVariant, type RandomExcursionsVariantParams } from './random-excursions-variant.js';
import { rank, type RankParams } from './rank.js';
import { runs, type RunsParams } from './runs.js';
import { serial, type SerialParams } from './serial.js';
import { universal, type UniversalParams } from './universal.js';

export { checkBits, packBits, parseAsciiBits, stsBinaryBitstreams, stsBinaryStride, unpackBits, type TestResult } from './bits.js';
export {
  acceptableProportion,
  analyse,
  formatFinalAnalysisReport,
  stsRoundTrip,
  type ProportionResult,
  type SubtestAnalysis,
  type TestAnalysis,
  type UniformityResult,
} from './analysis.js';
export { aperiodicTemplates, stsTemplates, templateToString } from './templates.js';
export { rankProbabilities } from './rank.js';
export { overlappingClassProbability } from './overlapping-template.js';
export { universalBlockLength, universalStatistics, type UniversalStatistics } from './universal.js';
export {
  approximateEntropy,
  blockFrequency,
  cumulativeSums,
  dft,
  frequency,
  linearComplexityTest,
  longestRun,
  nonOverlappingTemplate,
  overlappingTemplate,
  randomExcursions,
  randomExcursionsVariant,
  rank,
  runs,
  serial,
  universal,
};
export type {
  ApproximateEntropyParams,
  BlockFrequencyParams,
  CumulativeSumsParams,
  DftParams,
  FrequencyParams,
  LinearComplexityParams,
  LongestRunParams,
  NonOverlappingTemplateParams,
  OverlappingTemplateParams,
  RandomExcursionsParams,
  RandomExcursionsVariantParams,
  RankParams,
  RunsParams,
  SerialParams,
  UniversalParams,
};

/** Parameters of each test, keyed by its reference name. */
export interface BatteryParams {
  Frequency?: FrequencyParams;
  BlockFrequency?: BlockFrequencyParams;
  CumulativeSums?: CumulativeSumsParams;
  Runs?: RunsParams;
  LongestRun?: LongestRunParams;
  Rank?: RankParams;
  FFT?: DftParams;
  NonOverlappingTemplate?: NonOverlappingTemplateParams;
  OverlappingTemplate?: OverlappingTemplateParams;
  Universal?: UniversalParams;
  ApproximateEntropy?: ApproximateEntropyParams;
  RandomExcursions?: RandomExcursionsParams;
  RandomExcursionsVariant?: RandomExcursionsVariantParams;
  Serial?: SerialParams;
  LinearComplexity?: LinearComplexityParams;
}

export type TestName = keyof BatteryParams;

/** The 15 tests by reference name, in the reference's order. */
export const TESTS: { readonly [K in TestName]: (bits: Uint8Array, params?: BatteryParams[K]) => TestResult } = {
  Frequency: frequency,
  BlockFrequency: blockFrequency,
  CumulativeSums: cumulativeSums,
  Runs: runs,
  LongestRun: longestRun,
  Rank: rank,
  FFT: dft,
  NonOverlappingTemplate: nonOverlappingTemplate,
  OverlappingTemplate: overlappingTemplate,
  Universal: universal,
  ApproximateEntropy: approximateEntropy,
  RandomExcursions: randomExcursions,
  RandomExcursionsVariant: randomExcursionsVariant,
  Serial: serial,
  LinearComplexity: linearComplexityTest,
};

/** Test names in the reference's order. */
export const TEST_NAMES = Object.keys(TESTS) as TestName[];

export interface BatteryOptions {
  /** Tests to run (default: all); they run and are returned in the reference's order. */
  tests?: readonly string[];
  /** Per-test parameters; defaults are sts-2.1.2's. */
  params?: BatteryParams;
}

/** Runs the selected tests on one sequence (one bit per element). */
export function runBattery(bits: Uint8Array, options: BatteryOptions = {}): TestResult[] {
  checkBits(bits);
  const wanted = options.tests ?? TEST_NAMES;
  for (const t of wanted) {
    if (!(TEST_NAMES as readonly string[]).includes(t)) throw new RangeError(`unknown test ${JSON.stringify(t)}`);
  }
  const params = options.params ?? {};
  const out: TestResult[] = [];
  for (const name of TEST_NAMES) {
    if (!wanted.includes(name)) continue;
    const fn = TESTS[name] as (bits: Uint8Array, params?: object) => TestResult;
    out.push(fn(bits, params[name]));
  }
  return out;
}
