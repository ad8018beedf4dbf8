/**
 * @module os
 * The operating system's CSPRNG through node:crypto (OpenSSL's DRBG, seeded by
 * the kernel). Not a hardware source: it is the default where no device is
 * configured, and its boot record says so.
 */

import { randomFillSync } from 'node:crypto';
import type { EntropySource, SourceIdentity } from './source.js';

export class OsSource implements EntropySource {
  readonly identity: SourceIdentity = {
    kind: 'os',
    description: `node:crypto randomFill (OpenSSL ${process.versions.openssl} DRBG seeded by the kernel)`,
  };
  readonly sampleBits = 8 as const;
  // OpenSSL's DRBG output is treated as full entropy, as SP 800-90A output is.
  readonly minEntropy = 8;

  async open(): Promise<void> {}

  async read(max: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`max: must be a positive integer, got ${max}`);
    return randomFillSync(new Uint8Array(max));
  }

  async close(): Promise<void> {}
}
