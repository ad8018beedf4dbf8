/**
 * @module mappings/params
 * Parameter checks shared by the mappings. Each returns null when the value
 * is acceptable, or a message naming the field, so that `validate` reports
 * the first problem in the caller's own terms.
 */

type Check = string | null;

const MAX_NAMED = 5;

/**
 * Wraps a validator so that it never throws: params arrive from outside,
 * and a hostile value (a throwing getter, a revoked proxy) must yield a
 * message, not an exception.
 */
export function neverThrows(check: (params: unknown) => Check): (params: unknown) => Check {
  return (params) => {
    try {
      return check(params);
    } catch {
      return 'params: could not be read as JSON';
    }
  };
}

/** A plain JSON object whose keys are exactly `keys`. */
export function checkShape(params: unknown, keys: readonly string[]): Check {
  if (!isPlainObject(params)) return 'params: must be a JSON object';
  const extra = Object.keys(params).filter((key) => !keys.includes(key));
  if (extra.length > 0) return `${nameAll(extra)}: unknown field${extra.length > 1 ? 's' : ''}`;
  const missing = keys.find((key) => !Object.hasOwn(params, key));
  return missing === undefined ? null : `${missing}: is required`;
}

/** An integer from min to max inclusive (both within the safe range). */
export function checkInt(value: unknown, field: string, min: number, max: number): Check {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
    ? null
    : `${field}: must be an integer from ${min} to ${max}`;
}

/** An array of 1 to max entries; entries are checked by the caller. */
export function checkArray(value: unknown, field: string, max: number): Check {
  return Array.isArray(value) && value.length >= 1 && value.length <= max
    ? null
    : `${field}: must be an array of 1 to ${max} entries`;
}

// Like canonical.ts: JSON objects only, so a Map or Date is not taken for `{}`.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// A flood of unknown keys must not make an unbounded message.
function nameAll(keys: string[]): string {
  const named = keys.slice(0, MAX_NAMED).join(', ');
  return keys.length > MAX_NAMED ? `${named} and ${keys.length - MAX_NAMED} more` : named;
}
