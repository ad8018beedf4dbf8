/** clientSeedProblem: the rules a client seed must meet, at their edges. */

import { describe, expect, it } from 'vitest';
import { clientSeedProblem } from '../src/client-seed.js';

describe('clientSeedProblem', () => {
  it('needs four distinct code points, counted anywhere in the seed', () => {
    for (const seed of ['aaaaaaab', 'abcabcabcabc', '🎲🎲🎲aaab', 'aaaaaaaaaaaaaaaaaaabc']) expect(clientSeedProblem(seed), seed).toMatch(/trivial/);
    for (const seed of ['aaaaabcd', 'abcdabcd', '🎲🎰aabbb', 'aaaaaaaaaaaaaaaaaaabcd']) expect(clientSeedProblem(seed), seed).toBeNull();
  });

  it('counts a surrogate pair as one character, as a Set of the string does', () => {
    // Four UTF-16 code units but two code points.
    expect(clientSeedProblem('🎲🎰🎲🎰🎲🎰')).toMatch(/trivial/);
    expect(clientSeedProblem('🎲🎰🃏🀄')).toBeNull();
  });

  it('names length, control characters and type before triviality', () => {
    expect(clientSeedProblem('abc')).toMatch(/8 to 256/);
    expect(clientSeedProblem('abcd\u0001efgh')).toMatch(/control/);
    expect(clientSeedProblem(12345678)).toMatch(/string/);
    expect(clientSeedProblem('\ud800abcdefgh')).toMatch(/well-formed/);
  });
});
