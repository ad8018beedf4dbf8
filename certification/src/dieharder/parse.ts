/**
 * @module dieharder/parse
 * Reads dieharder's standard table output and refuses output that only
 * looks like a result. dieharder exits 0 after most errors: it prints them
 * (to stdout or stderr) and stops, so the text has to be checked, not the
 * exit code. Recognised failures, each a DieharderError with a `kind`:
 *
 * - `error`   — any `Error` line: `# stdin_input_raw(): Error: EOF` (the
 *   stream ended), `# file_input_raw(): Error: Cannot open F, exiting.`,
 *   `… Error -- file F is too small.`, `Error:  dtest_num = -1.  No test found.`
 *   (unknown test name; exit code 1), …
 * - `rewound` — `# The file file_input_raw was rewound N times` with N > 0:
 *   the test read past the end of the file and went on with bytes it had
 *   already tested; its p-value is meaningless (often a false FAILED).
 * - `crash`   — killed by a signal or a non-zero exit (an unknown test
 *   number such as -d 999 is a SIGSEGV in 3.31.1).
 * - `no-results` / `missing` — no table rows, or fewer than expected.
 *
 * The table (`-D default`):
 *
 *         test_name   |ntup| tsamples |psamples|  p-value |Assessment|    Seed
 *    diehard_birthdays|   0|       100|     100|0.60952045|  PASSED  |4122663156
 *
 * Columns are found by the header line; the Seed column is only printed
 * with -s 1. Names are cut to 20 characters by dieharder itself.
 */

export type Assessment = 'PASSED' | 'WEAK' | 'FAILED';

export interface DieharderResult {
  /** Test name as printed (at most 20 characters). */
  test: string;
  ntup: number;
  tsamples: number;
  psamples: number;
  pvalue: number;
  assessment: Assessment;
  seed?: number;
}

export interface DieharderOutput {
  /** `stdin_input_raw`, `file_input_raw`, … */
  generator?: string;
  /** File name, for -g 201. */
  filename?: string;
  randsPerSecond?: number;
  results: DieharderResult[];
  /** Warning lines dieharder printed that are not errors. */
  warnings: string[];
}

export type DieharderErrorKind = 'error' | 'rewound' | 'crash' | 'no-results' | 'missing' | 'timeout' | 'spawn';

export class DieharderError extends Error {
  override readonly name = 'DieharderError';
  constructor(
    readonly kind: DieharderErrorKind,
    message: string,
    /** The dieharder output that showed the problem. */
    readonly output?: { stdout: string; stderr: string },
  ) {
    super(message);
  }
}

const ASSESSMENTS: readonly Assessment[] = ['PASSED', 'WEAK', 'FAILED'];

/** Parses the table without judging it (see checkDieharderOutput). */
export function parseDieharderTable(stdout: string): DieharderOutput {
  const out: DieharderOutput = { results: [], warnings: [] };
  let columns: string[] | null = null;
  let rngHeader: string[] | null = null;
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('#=')) continue;
    if (/\bWarning\b/i.test(line)) out.warnings.push(line.trim());
    if (line.startsWith('#')) continue;
    const cells = line.split('|').map((c) => c.trim());
    if (cells[cells.length - 1] === '') cells.pop();
    if (cells[0] === 'rng_name') {
      rngHeader = cells;
      continue;
    }
    if (rngHeader) {
      const at = (name: string) => cells[rngHeader!.indexOf(name)];
      out.generator = at('rng_name');
      const filename = at('filename');
      if (filename) out.filename = filename;
      const rate = Number(at('rands/second'));
      if (Number.isFinite(rate)) out.randsPerSecond = rate;
      rngHeader = null;
      continue;
    }
    if (cells[0] === 'test_name') {
      columns = cells;
      continue;
    }
    if (!columns || cells.length !== columns.length) continue;
    const at = (name: string) => cells[columns!.indexOf(name)];
    const assessment = at('Assessment') as Assessment;
    const pvalue = Number(at('p-value'));
    if (!ASSESSMENTS.includes(assessment) || !Number.isFinite(pvalue)) {
      throw new DieharderError('error', `dieharder: cannot read the result line "${line.trim()}"`);
    }
    const result: DieharderResult = {
      test: at('test_name')!,
      ntup: Number(at('ntup')),
      tsamples: Number(at('tsamples')),
      psamples: Number(at('psamples')),
      pvalue,
      assessment,
    };
    const seed = at('Seed');
    if (seed !== undefined && seed !== '') result.seed = Number(seed);
    out.results.push(result);
  }
  return out;
}

export interface CheckOptions {
  stderr?: string;
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  /** Rows expected (e.g. one per test run); fewer is a `missing` error. */
  expectRows?: number;
}

/**
 * Parses dieharder's output and throws DieharderError on anything that
 * makes the results untrustworthy (see the module comment).
 */
export function checkDieharderOutput(stdout: string, options: CheckOptions = {}): DieharderOutput {
  const stderr = options.stderr ?? '';
  const output = { stdout, stderr };
  const text = `${stdout}\n${stderr}`;
  const errors = text.split(/\r?\n/).filter((l) => /(^#\s*\w+\(\):\s*Error\b)|(^\s*Error\b)|(^\*\*\* Error\b)/.test(l)).map((l) => l.trim());
  if (errors.length > 0) throw new DieharderError('error', `dieharder reported an error: ${errors.join(' / ')}`, output);
  const rewinds = [...text.matchAll(/# The file (\S+) was rewound (\d+) times/g)].filter((m) => Number(m[2]) > 0);
  if (rewinds.length > 0) {
    const worst = Math.max(...rewinds.map((m) => Number(m[2])));
    throw new DieharderError(
      'rewound',
      `dieharder rewound the input file ${worst} time(s): the test re-read bytes it had already used, so its p-values are not valid. ` +
        'Use a larger file (scripts/dieharder/run-file.sh estimates the size) or a live stream (run-stream.sh).',
      output,
    );
  }
  if (options.signal) throw new DieharderError('crash', `dieharder was killed by ${options.signal}${options.signal === 'SIGSEGV' ? ' (3.31.1 does this for an unknown test number)' : ''}`, output);
  if (options.exitCode !== undefined && options.exitCode !== null && options.exitCode !== 0) {
    throw new DieharderError('crash', `dieharder exited with status ${options.exitCode}${options.exitCode === 139 ? ' (segmentation fault)' : ''}`, output);
  }
  const parsed = parseDieharderTable(stdout);
  if (parsed.results.length === 0) throw new DieharderError('no-results', 'dieharder printed no results', output);
  if (options.expectRows !== undefined && parsed.results.length < options.expectRows) {
    throw new DieharderError('missing', `dieharder printed ${parsed.results.length} result rows, expected ${options.expectRows}`, output);
  }
  return parsed;
}
