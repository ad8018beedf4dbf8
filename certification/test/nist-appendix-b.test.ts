/**
 * @module test/nist-appendix-b
 * SP 800-22 Appendix B: every test on the first 10^6 bits of the binary
 * expansions of e, π, √2 and √3, computed here with BigInt arithmetic
 * (test/helpers/constants.ts), compared with what sts-2.1.2 printed for the
 * same bits (fixtures/sts-appendix-b.json; sts's own data/data.* files,
 * whose first 10^6 bits hash to the digests below). Also the Appendix B
 * cases with non-default parameters that the spec's worked examples use
 * (Serial m = 2, LinearComplexity M = 1000 on e; all tests on 10^5 bits of e).
 */

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { packBits, runBattery } from '../src/nist/index.js';
import { compareWithReference, loadFixture, makeInput, type ReferenceCase } from './helpers/reference.js';
import type { Constant } from './helpers/constants.js';

const fixture = loadFixture<{ reference: string; cases: ReferenceCase[] }>('sts-appendix-b.json');

/** SHA-256 of the first 10^6 bits (packed, MSB first) of sts-2.1.2's data/data.<constant>. */
const STS_DATA_SHA256: Record<Constant, string> = {
  e: '7ae61691f949a9a92d5ed8b65722bfcf0179964064d5f2c7e2a971b32ac97d49',
  pi: 'e31af8c5229974786fbac6931fb44f8596d4466eaa853f40df458fd352453155',
  sqrt2: '5de671f07b9fefe7c0ff7d9ca2146944157c17aa6032c3338d1b9c2ae8658a87',
  sqrt3: '4c75e3c54dd821f70215e1e016744a74bd8cfb76cbd9be35a37964ae57443cf2',
};

describe('Appendix B constants', () => {
  it.each(Object.entries(STS_DATA_SHA256))('%s: computed bits are sts’s data file bits', (c, digest) => {
    const bits = makeInput({ kind: 'constant', constant: c as Constant }, 1_000_000);
    expect(createHash('sha256').update(packBits(bits)).digest('hex')).toBe(digest);
  });
});

describe(`every test vs ${fixture.reference}`, () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const bits = makeInput(c.input, c.n);
    const results = runBattery(bits, { params: c.params });
    expect(results.map((r) => r.name)).toEqual(Object.keys(c.results));
    const problems = results.flatMap((r) => compareWithReference(r, c.results[r.name]!));
    expect(problems).toEqual([]);
    // sanity: every test applicable on 10^6 bits
    if (c.n === 1_000_000) expect(results.every((r) => r.applicable.every(Boolean))).toBe(true);
  });
});
