/**
 * @module checkpoint
 * The C2SP tlog-checkpoint note body (https://c2sp.org/tlog-checkpoint): the
 * signed statement "the log named origin has size leaves and this root".
 * It travels as the body of a signed note (note.ts).
 *
 *   <origin> 0x0A                 non-empty; in rngseal also the log's key name
 *   <size> 0x0A                   ASCII decimal, no sign, no leading zeros ("0" for the empty tree)
 *   base64(<root hash>) 0x0A      44 characters: the 32-byte RFC 9162 root of the first size leaves
 *   [<extension line> 0x0A]*      optional, each non-empty, opaque to monitors
 *
 * No line may contain a control character (the note forbids them) and no
 * line may be empty (a blank line would end the note body). A text is a
 * checkpoint only if it is exactly formatCheckpoint of what it parses to,
 * so one checkpoint has one spelling and one signature covers it.
 *
 * A checkpoint is a claim, not a proof: verifiers accept a new one only with
 * a consistency proof from the last one they hold (merkle.ts).
 */

import { fromBase64, toBase64 } from './bytes.js';
import { VerifyError } from './errors.js';

export interface Checkpoint {
  origin: string;
  /** Number of leaves, a safe integer. */
  size: number;
  /** 32-byte root hash. */
  root: Uint8Array;
  /** Extension lines, without newlines; omitted when there are none. */
  extensions?: readonly string[];
}

const CONTROL = /[\x00-\x1f]/;
const SIZE = /^(?:0|[1-9][0-9]*)$/;
// In a u-mode regexp only an unpaired surrogate is a code point of category Cs.
const LONE_SURROGATE = /\p{Cs}/u;

/** @throws TypeError naming the bad field */
export function formatCheckpoint({ origin, size, root, extensions }: Checkpoint): string {
  checkLine(origin, 'origin');
  if (!Number.isSafeInteger(size) || size < 0) throw new TypeError('size: expected a non-negative safe integer');
  if (!(root instanceof Uint8Array) || root.length !== 32) throw new TypeError('root: expected a 32-byte hash');
  if (extensions !== undefined && !Array.isArray(extensions)) throw new TypeError('extensions: expected an array of lines');
  (extensions ?? []).forEach((line, i) => checkLine(line, `extensions[${i}]`));
  return [origin, String(size), toBase64(root), ...(extensions ?? [])].map((line) => `${line}\n`).join('');
}

/**
 * Parses a checkpoint body strictly.
 * @throws VerifyError CHECKPOINT
 */
export function parseCheckpoint(text: string): Checkpoint {
  const fail = (why: string): never => {
    throw new VerifyError('CHECKPOINT', `checkpoint: ${why}`);
  };
  if (typeof text !== 'string') fail('expected a string');
  if (!text.endsWith('\n')) fail('does not end with a newline');
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n');
  if (origin === undefined || size === undefined || root === undefined) fail('fewer than three lines (origin, size, root)');
  if (!SIZE.test(size!)) fail(`size ${JSON.stringify(size)} is not a decimal without leading zeros`);
  const n = Number(size);
  if (!Number.isSafeInteger(n)) fail(`size ${size} is beyond 2^53 - 1`);
  let hash: Uint8Array;
  try {
    hash = fromBase64(root!, 'root');
  } catch {
    return fail('root hash is not canonical base64');
  }
  if (hash.length !== 32) fail(`root hash is ${hash.length} bytes, not 32`);
  const checkpoint: Checkpoint = { origin: origin!, size: n, root: hash };
  if (extensions.length > 0) checkpoint.extensions = extensions;
  let again: string;
  try {
    again = formatCheckpoint(checkpoint);
  } catch (err) {
    return fail((err as Error).message);
  }
  if (again !== text) fail('not in canonical form');
  return checkpoint;
}

function checkLine(line: unknown, field: string): void {
  if (typeof line !== 'string' || line.length === 0) throw new TypeError(`${field}: expected a non-empty line`);
  if (CONTROL.test(line)) throw new TypeError(`${field}: newlines and control characters are not allowed`);
  if (LONE_SURROGATE.test(line)) throw new TypeError(`${field}: not well-formed Unicode`);
}
