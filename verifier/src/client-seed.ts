/**
 * @module client-seed
 * The player's contribution to a seeded outcome. It only protects the player
 * if it is unpredictable to the operator, so trivial values are refused.
 */

export const CLIENT_SEED_MIN = 8;
export const CLIENT_SEED_MAX = 256;

/** Returns null for an acceptable client seed, otherwise why it is refused. */
export function clientSeedProblem(seed: unknown): string | null {
  if (typeof seed !== 'string') return 'must be a string';
  if (!seed.isWellFormed()) return 'must be well-formed Unicode';
  if (seed.length < CLIENT_SEED_MIN || seed.length > CLIENT_SEED_MAX) {
    return `must be ${CLIENT_SEED_MIN} to ${CLIENT_SEED_MAX} characters`;
  }
  if (/[\u0000-\u001f\u007f]/.test(seed)) return 'must not contain control characters';
  // "aaaaaaaa", "abababab", "00000000": a seed with so few symbols is a default, not a choice.
  if (!hasDistinct(seed, 4)) return 'is trivial: use at least 4 distinct characters';
  return null;
}

/** Whether `text` has at least `n` distinct code points; stops as soon as it has (a Set of the whole seed costs more, per outcome). */
function hasDistinct(text: string, n: number): boolean {
  const seen: string[] = [];
  for (const c of text) {
    if (!seen.includes(c) && seen.push(c) >= n) return true;
  }
  return false;
}
