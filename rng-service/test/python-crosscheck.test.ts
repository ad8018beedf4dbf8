/**
 * docs/vectors.json against an implementation that shares no code with
 * rngseal: verifier/test/fixtures/verify_vectors.py, written from
 * docs/PROTOCOL.md alone with Python's standard library (JCS, hashes, key
 * ids, HMAC stream, uniform, every mapping, chain rules, Merkle proofs,
 * checkpoint notes; not Ed25519, which the standard library lacks).
 *
 * It must accept the published vectors, and must reject a copy in which one
 * mapping result was changed, naming that case.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helper.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = join(ROOT, 'verifier/test/fixtures/verify_vectors.py');
const VECTORS = join(ROOT, 'docs/vectors.json');
const SECTIONS = ['records', 'streams', 'uniform', 'mappings', 'merkle', 'checkpoint'];

function runPython(file: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('python3', [SCRIPT, file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`could not run python3 (is Python 3 installed?): ${r.error.message}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('Python cross-check of docs/vectors.json', () => {
  it('accepts the published vectors, with a count line per section', () => {
    const { code, stdout, stderr } = runPython(VECTORS);
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stderr).toBe('');
    for (const section of SECTIONS) {
      const line = stdout.split('\n').find((l) => l.startsWith(`${section}: `));
      expect(line, `no line for ${section} in:\n${stdout}`).toBeDefined();
      const counts = [...line!.matchAll(/(\d+) /g)].map((m) => Number(m[1]));
      expect(counts[0], line).toBeGreaterThan(0);
    }
    // Every mapping, and the record draws, were recomputed.
    expect(stdout).toMatch(/^mappings: \d+ cases over 7 mappings$/m);
    expect(stdout).toMatch(/^records: \d+ valid .*, [1-9]\d* draws recomputed, [1-9]\d* invalid rejected/m);
    expect(stdout).toContain('Ed25519 signatures not verified');
  });

  it('rejects a copy with one mapping result altered, naming the case', () => {
    const vectors = JSON.parse(readFileSync(VECTORS, 'utf8')) as { mappings: { cases: { name: string; mapping: string; result: unknown }[] } };
    const target = vectors.mappings.cases.find((c) => c.mapping === 'dice@1');
    expect(target).toBeDefined();
    const result = target!.result as number[];
    result[0] = (result[0]! % 6) + 1; // still a legal roll, just not this one
    const dir = tempDir('rngseal-vectors-');
    dirs.push(dir);
    const file = join(dir, 'vectors.json');
    writeFileSync(file, `${JSON.stringify(vectors, null, 2)}\n`);

    const { code, stdout, stderr } = runPython(file);
    expect(code, `${stdout}\n${stderr}`).not.toBe(0);
    expect(code).toBe(1);
    expect(stderr).toContain(`MISMATCH mappings: case '${target!.name}'`);
    // Only that case is reported.
    expect(stderr.split('\n').filter((l) => l.startsWith('MISMATCH'))).toHaveLength(1);
  });
});
