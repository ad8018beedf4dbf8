/**
 * @module commands/export
 * `rngseal export --store URL|PATH [--chain ID…] [--out FILE] [--no-tokens]`:
 * a store's chains, epochs and tokens as one file for `rngseal import`
 * (format: transfer/format.ts, docs/postgres.md). The file holds sealed
 * seeds and token hashes, so it is written 0600.
 */

import { chmodSync, createWriteStream, existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isPostgresUrl, openStore } from '../store/open.js';
import type { EndLine } from '../transfer/format.js';
import { exportStore } from '../transfer/exporter.js';
import { parse, run } from './args.js';
import { storeLocation } from './store-arg.js';

const USAGE = `usage: rngseal export --store postgres://…|PATH [--chain ID…] [--out FILE] [--no-tokens]
  --store      the store to read (or RNGSEAL_STORE)
  --chain      a chain to export (repeatable); default every chain
  --out        the file to write (mode 0600); default standard output
  --no-tokens  leave the API tokens out (a copy for someone who must not hold them)`;

export async function exportCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values } = parse(args, { store: { type: 'string' }, chain: { type: 'string', multiple: true }, out: { type: 'string' }, 'no-tokens': { type: 'boolean' } });
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    const location = storeLocation(values.store);
    // Opening a SQLite path that is not there would create an empty store.
    if (!isPostgresUrl(location) && !existsSync(location)) throw new Error(`--store: ${location} does not exist`);
    const store = openStore(location);
    try {
      const lines = exportStore(store, { tokens: !values['no-tokens'], ...(values.chain ? { chains: values.chain } : {}) });
      let end: EndLine | undefined;
      const tap = async function* () {
        end = yield* lines;
      };
      await pipeline(Readable.from(tap()), values.out ? createWriteStream(values.out, { mode: 0o600 }) : process.stdout);
      if (values.out) chmodSync(values.out, 0o600); // an existing file keeps its mode otherwise
      for (const [chain, s] of Object.entries(end!.chains)) process.stderr.write(`exported chain ${chain}: ${s.records} records, ${s.epochs} epochs\n`);
      process.stderr.write(`exported ${end!.tokens} tokens\n`);
      return 0;
    } finally {
      await store.close();
    }
  });
}
