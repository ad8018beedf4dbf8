/**
 * @module engine/problem
 * Errors that reach a client, as RFC 9457 problem details. Anything else
 * becomes a 500 whose detail is hidden.
 */

export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    /** The request field at fault, as a JSON pointer-ish path (`draws[2].params.sides`). */
    readonly field?: string,
  ) {
    super(detail);
  }
}

export const badRequest = (field: string, detail: string): ProblemError =>
  new ProblemError(400, 'Invalid request', `${field}: ${detail}`, field);
export const notFound = (what: string): ProblemError => new ProblemError(404, 'Not found', `${what} not found`);
export const conflict = (detail: string, field?: string): ProblemError => new ProblemError(409, 'Conflict', detail, field);
