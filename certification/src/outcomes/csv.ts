/**
 * @module outcomes/csv
 * Reads the outcome CSV that `rngseal capture --stage outcomes` writes
 * (docs/capture.md):
 *
 *     game=dice@1,count=2,sides=6        ← header: mapping id, then params
 *     3 5                                ← one outcome per line;
 *     6 1                                   arrays joined with spaces
 *
 * Param values are numbers; `weights` is a space-separated list and `reels`
 * a `|`-separated list of such lists. `float@1` rows hold the recorded
 * integer k (the number is k / 2^52).
 */

export type OutcomeParams = Record<string, number | number[] | number[][]>;

export interface OutcomeCsv {
  /** Mapping id as recorded, e.g. `dice@1`. */
  mapping: string;
  /** Mapping name without the version: `dice`. */
  game: string;
  params: OutcomeParams;
  /** One entry per outcome: the values of that outcome (one for range/float/weighted). */
  rows: number[][];
}

export function parseOutcomeCsv(text: string): OutcomeCsv {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  if (headerAt < 0) throw new SyntaxError('outcome CSV: no header line');
  const header = lines[headerAt]!.trim();
  const fields = header.split(',');
  const first = fields.shift()!;
  if (!first.startsWith('game=')) throw new SyntaxError(`outcome CSV line ${headerAt + 1}: header must start with game=<mapping>, got "${header.slice(0, 60)}"`);
  const mapping = first.slice(5).trim();
  const game = mapping.includes('@') ? mapping.slice(0, mapping.indexOf('@')) : mapping;
  const params: OutcomeParams = {};
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq <= 0) throw new SyntaxError(`outcome CSV header: parameter "${field}" is not key=value`);
    const key = field.slice(0, eq).trim();
    const raw = field.slice(eq + 1).trim();
    if (key === 'reels') params[key] = raw.split('|').map((r) => numberList(r, key));
    else if (key === 'weights') params[key] = numberList(raw, key);
    else params[key] = numberValue(raw, key);
  }
  const rows: number[][] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const row = line.split(/\s+/).map(Number);
    if (row.some((v) => !Number.isSafeInteger(v))) throw new SyntaxError(`outcome CSV line ${i + 1}: "${line.slice(0, 60)}" is not a list of integers`);
    rows.push(row);
  }
  return { mapping, game, params, rows };
}

function numberValue(raw: string, key: string): number {
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v)) throw new SyntaxError(`outcome CSV header: ${key}=${raw} is not a number`);
  return v;
}

function numberList(raw: string, key: string): number[] {
  return raw.trim().split(/\s+/).map((v) => numberValue(v, key));
}
