/**
 * @module commands/args
 * Shared argument parsing: unknown flags are errors with the usage text.
 */

import { writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Value<T> = T extends { type: 'boolean' } ? boolean : T extends { multiple: true } ? string[] : string;

export interface Parsed<O extends Options> {
  values: { [K in keyof O]?: Value<O[K]> } & { help?: boolean };
  positionals: string[];
}

export function parse<O extends Options>(args: string[], options: O, allowPositionals = false): Parsed<O> {
  try {
    const parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
    return parsed as unknown as Parsed<O>;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Runs a command body, turning expected failures into a message and an exit code. */
export async function run(usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    const e = err as Error;
    if (e instanceof UsageError) {
      process.stderr.write(`rngseal: ${e.message}\n${usage}\n`);
      return 2;
    }
    process.stderr.write(`rngseal: ${e.message}\n`);
    return 1;
  }
}

/**
 * Writes a command's JSON document to the --json file and its text summary
 * to stdout; with no file (or `-`), the JSON takes stdout and the summary
 * goes to stderr, so a pipe gets only JSON.
 */
export function writeJsonAndSummary(jsonFlag: string | undefined, json: string, summary: string): void {
  if (jsonFlag !== undefined && jsonFlag !== '-') {
    writeFileSync(jsonFlag, json);
    process.stdout.write(summary);
  } else {
    process.stdout.write(json);
    process.stderr.write(summary);
  }
}
