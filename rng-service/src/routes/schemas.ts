/**
 * @module routes/schemas
 * JSON Schemas of the API. Requests are strict (unknown fields are refused
 * and named); response schemas keep anything not listed out of the answer.
 */

export const REQUEST_ID = { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$', description: 'Idempotency key chosen by the caller' } as const;
export const EPOCH_ID = { type: 'string', pattern: '^[0-9a-f]{32}$' } as const;

export const problem = {
  $id: 'problem',
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    field: { type: 'string' },
    instance: { type: 'string' },
  },
} as const;

export const record = {
  $id: 'record',
  type: 'object',
  // Members are not listed so they serialise in the record's canonical order.
  description: 'A signed log record: v, chain, seq, time, type, prev, key, body, hash, sig (docs/PROTOCOL.md §1)',
  additionalProperties: true,
} as const;

const draw = {
  type: 'object',
  required: ['mapping', 'params'],
  additionalProperties: false,
  properties: {
    mapping: { type: 'string', maxLength: 64, description: 'dice, range, draw, shuffle, weighted, reels, float (or a versioned id such as dice@1)' },
    params: { type: 'object', description: "The mapping's parameters (docs/PROTOCOL.md §Mappings)" },
  },
} as const;

const outcomeCommon = {
  requestId: REQUEST_ID,
  epoch: { ...EPOCH_ID, description: 'Seeded epoch; omit for a direct draw' },
  clientSeed: { type: 'string', maxLength: 256, description: "The player's seed; required with epoch" },
} as const;

export const outcomesBody = {
  type: 'object',
  required: ['requestId', 'draws'],
  additionalProperties: false,
  properties: { ...outcomeCommon, draws: { type: 'array', minItems: 1, maxItems: 1000, items: draw } },
} as const;

export const outcomeBody = {
  type: 'object',
  required: ['requestId', 'mapping', 'params'],
  additionalProperties: false,
  properties: { ...outcomeCommon, ...draw.properties },
} as const;

export const epochBody = {
  type: 'object',
  required: ['requestId'],
  additionalProperties: false,
  properties: {
    requestId: REQUEST_ID,
    expiresIn: { type: 'integer', minimum: 1, maximum: 31_536_000, description: 'Seconds until the epoch closes and is revealed' },
  },
} as const;

export const outcomeReply = {
  type: 'object',
  properties: {
    record: { $ref: 'record#' },
    results: { type: 'array', items: {} },
  },
} as const;

export const epochReply = {
  type: 'object',
  properties: {
    epoch: { type: 'string' },
    commitment: { type: 'string' },
    expires: { type: ['integer', 'null'] },
    record: { $ref: 'record#' },
    revealed: { $ref: 'record#' },
  },
} as const;

const base64Hashes = { type: 'array', items: { type: 'string' }, description: 'Base64 32-byte hashes, RFC 9162 order (leaf side first)' } as const;

export const inclusionReply = {
  type: 'object',
  properties: { chain: { type: 'string' }, seq: { type: 'integer' }, size: { type: 'integer' }, proof: base64Hashes },
} as const;

export const consistencyReply = {
  type: 'object',
  properties: { chain: { type: 'string' }, from: { type: 'integer' }, to: { type: 'integer' }, proof: base64Hashes },
} as const;

export const receiptReply = {
  type: 'object',
  description: 'A round with inclusion proofs against a signed checkpoint (docs/PROTOCOL.md §8.6)',
  properties: {
    version: { type: 'integer' },
    outcome: { $ref: 'record#' },
    commit: { $ref: 'record#' },
    reveal: { $ref: 'record#' },
    checkpoint: { type: 'string', description: 'The signed checkpoint note' },
    proofs: { type: 'object', description: 'seq → inclusion proof against the checkpoint', additionalProperties: base64Hashes },
  },
} as const;

export const errorReplies = {
  400: { $ref: 'problem#' },
  401: { $ref: 'problem#' },
  403: { $ref: 'problem#' },
  404: { $ref: 'problem#' },
  409: { $ref: 'problem#' },
  503: { $ref: 'problem#' },
} as const;
