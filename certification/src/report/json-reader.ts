/**
 * @module report/json-reader
 * Strict reading of a JSON document the lab report is given. The files come
 * from disk, maybe hand-edited or of the wrong kind, so every value is
 * checked before use and an error names the document and the field path
 * (`nist.json: tests[3].histogram[0]: expected an array of 10 counts`).
 */

export class ReportInputError extends Error {
  override readonly name = 'ReportInputError';
  constructor(
    /** The document, as the caller named it (usually its path). */
    readonly document: string,
    /** Field path in the document, e.g. `tests[3].proportion[0].passing`; '' for the document itself. */
    readonly field: string,
    problem: string,
  ) {
    super(`${document}: ${field || '(document)'}: ${problem}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** One value of the document and where it sits. */
export class JsonField {
  constructor(
    readonly document: string,
    readonly value: unknown,
    readonly path = '',
  ) {}

  fail(problem: string): never {
    throw new ReportInputError(this.document, this.path, problem);
  }

  private expected(what: string): never {
    return this.fail(`expected ${what}, got ${describe(this.value)}`);
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  /** The member `key` of this object (undefined when absent). */
  get(key: string): JsonField {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) this.expected('an object');
    return new JsonField(this.document, (this.value as Record<string, unknown>)[key], this.path ? `${this.path}.${key}` : key);
  }

  items(length?: number): JsonField[] {
    if (!Array.isArray(this.value)) return this.expected(length === undefined ? 'an array' : `an array of ${length}`);
    if (length !== undefined && this.value.length !== length) this.fail(`expected ${length} entries, got ${this.value.length}`);
    return this.value.map((v, i) => new JsonField(this.document, v, `${this.path}[${i}]`));
  }

  string(): string {
    return typeof this.value === 'string' ? this.value : this.expected('a string');
  }

  number(): number {
    return typeof this.value === 'number' && Number.isFinite(this.value) ? this.value : this.expected('a number');
  }

  /** A count: a non-negative integer. */
  count(): number {
    const n = this.number();
    return Number.isInteger(n) && n >= 0 ? n : this.expected('a non-negative integer');
  }

  /** A probability in [0, 1]. */
  probability(): number {
    const p = this.number();
    return p >= 0 && p <= 1 ? p : this.expected('a number from 0 to 1');
  }

  boolean(): boolean {
    return typeof this.value === 'boolean' ? this.value : this.expected('true or false');
  }

  oneOf<T extends string>(allowed: readonly T[]): T {
    const s = this.string();
    return (allowed as readonly string[]).includes(s) ? (s as T) : this.expected(`one of ${allowed.join(', ')}`);
  }

  /** read(this), or undefined when the value is absent or null. */
  optional<T>(read: (field: JsonField) => T): T | undefined {
    return this.present ? read(this) : undefined;
  }
}
