/**
 * @module commands/import
 * `rngseal import --store URL|PATH [FILE] [--key KEY…]`: an `rngseal export`
 * file (standard input without FILE) into a store, verifying every chain as
 * `rngseal audit` does on the way in (transfer/importer.ts). Importing the
 * same file again adds nothing; a store holding a different record at any
 * (chain, seq) of the file is refused.
 */

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { openStore } from '../store/open.js';
import { importStore, type ImportReport } from '../transfer/importer.js';
import { parse, run, UsageError } from './args.js';
import { parseKeys } from './audit.js';
import { storeLocation } from './store-arg.js';

const USAGE = `usage: rngseal import --store postgres://…|PATH [FILE] [--key KEY…]
  --store  the store to write (created or migrated as needed; or RNGSEAL_STORE)
  FILE     an rngseal export; standard input when absent or -
  --key    the operator's public key or the log's verifier key (GET /v1/keys);
           without one, keys announced in the log's boot records are trusted (said in the report)`;

export async function importCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values, positionals } = parse(args, { store: { type: 'string' }, key: { type: 'string', multiple: true } }, true);
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    if (positionals.length > 1) throw new UsageError('give one export file');
    const { keys, origin } = parseKeys(values.key ?? []);
    const store = openStore(storeLocation(values.store));
    try {
      await store.migrate();
      const file = positionals[0];
      const input = file === undefined || file === '-' ? process.stdin : createReadStream(file);
      const report = await importStore(store, createInterface({ input, crlfDelay: Infinity }), { keys, ...(origin ? { origin } : {}) });
      printReport(report);
      return 0;
    } finally {
      await store.close();
    }
  });
}

function printReport(r: ImportReport): void {
  for (const c of r.chains) {
    const a = c.audit;
    const epochs = c.epochs.keptNewer ? 'kept the store\'s newer epoch rows' : `epochs: ${c.epochs.added} added, ${c.epochs.present} already there`;
    process.stdout.write(
      `imported chain ${c.chain}: ${a.records} records verified (${c.added} added, ${c.present} already there), head ${a.headHash}\n` +
        `   ${a.checkpoints} checkpoints with roots recomputed; ${a.epochsRevealed} epochs revealed and matched, ${a.epochsOpen.length} open; ${epochs}\n` +
        (a.trustedOnFirstUse ? '   WARNING: no --key given; trusted the keys announced in the log itself\n' : ''),
    );
  }
  process.stdout.write(`tokens: ${r.tokens.added} added, ${r.tokens.revoked} revoked, ${r.tokens.present} already there\n`);
}
