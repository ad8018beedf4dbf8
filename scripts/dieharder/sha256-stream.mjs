#!/usr/bin/env node
/**
 * A deterministic test stream for dieharder: block i is
 * SHA-256(UTF-8(`rngseal-dieharder/${seed}/`) ‖ i as 8-byte big-endian), the
 * blocks concatenated. Not a random source: it exists so fixtures and
 * wrapper tests are reproducible (dieharder -g 200 on stdin, or a file for
 * -g 201).
 *
 *   node scripts/dieharder/sha256-stream.mjs [--seed S] [--bytes N] > file
 *   node scripts/dieharder/sha256-stream.mjs --seed 1 | dieharder -g 200 -d 0
 *
 * Writes until --bytes N (default: forever) or until the reader closes the
 * pipe (EPIPE is a normal end, exit 0).
 */

import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, bytes: { type: 'string' } } });
const limit = values.bytes === undefined ? Infinity : Number(values.bytes);
if (!(limit >= 0)) {
  process.stderr.write(`sha256-stream: --bytes must be a non-negative integer, got ${values.bytes}\n`);
  process.exit(2);
}
const prefix = Buffer.from(`rngseal-dieharder/${values.seed}/`);
const CHUNK = 1 << 16;
let counter = 0n;
let written = 0;

function next(size) {
  const out = Buffer.allocUnsafe(size + 32);
  const index = Buffer.alloc(8);
  for (let at = 0; at < size; at += 32) {
    index.writeBigUInt64BE(counter++);
    createHash('sha256').update(prefix).update(index).digest().copy(out, at);
  }
  return out.subarray(0, size);
}

process.stdout.on('error', (err) => process.exit(err.code === 'EPIPE' ? 0 : 1));
function pump() {
  while (written < limit) {
    const chunk = next(Math.min(CHUNK, limit - written));
    written += chunk.length;
    if (!process.stdout.write(chunk)) return void process.stdout.once('drain', pump);
  }
}
pump();
