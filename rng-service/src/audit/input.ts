/**
 * @module audit/input
 * What `rngseal audit` reads: an NDJSON export file, or a running service's
 * GET /v1/export up to the head the service has when the audit starts. The
 * audit reads its input twice (a first pass for reveals and announced keys),
 * and both reads must see the same records: a file must not change meanwhile
 * (a change fails the audit), and a service's log only grows, so two exports
 * up to one head are the same — or the service is caught lying.
 */

import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { UsageError } from '../commands/args.js';
import { CHUNK_BYTES } from './chunks.js';

export interface AuditInput {
  /** Reads the input from its start. */
  read(): AsyncIterable<Uint8Array>;
  /** Size in bytes, when known (a file). */
  bytes: number | null;
  /** Number of records, when known (a service's head seq + 1). */
  records: number | null;
}

/** Reads of one chunk each: larger ones make larger chunks, which keep more records alive per worker. */
const READ_BYTES = CHUNK_BYTES;

export function fileInput(path: string): AuditInput {
  const { size } = statSync(path);
  return { read: () => createReadStream(path, { highWaterMark: READ_BYTES }), bytes: size, records: null };
}

/** A service's chain up to its current head (none when the chain has no records). */
export async function serviceInput(base: string, chain?: string): Promise<AuditInput> {
  const headUrl = serviceUrl(base, '/v1/head', chain);
  const response = await fetch(headUrl);
  if (response.status === 404) return { read: async function* () {}, bytes: null, records: 0 };
  if (!response.ok) throw new UsageError(`${headUrl}: HTTP ${response.status}`);
  const { seq } = (await response.json()) as { seq: number };
  const exportUrl = serviceUrl(base, '/v1/export', chain);
  exportUrl.searchParams.set('to', String(seq));
  return { read: () => exportBytes(exportUrl), bytes: null, records: seq + 1 };
}

function serviceUrl(base: string, path: string, chain?: string): URL {
  const url = new URL(path, base);
  if (chain) url.searchParams.set('chain', chain);
  return url;
}

async function* exportBytes(url: URL): AsyncGenerator<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new UsageError(`${url}: HTTP ${response.status}`);
  yield* Readable.fromWeb(response.body as never) as AsyncIterable<Uint8Array>;
}
