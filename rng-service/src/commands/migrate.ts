/**
 * @module commands/migrate
 * `rngseal migrate --store URL|PATH`: creates or upgrades the schema, as the
 * database owner (the service itself can then run as a role with SELECT and
 * INSERT only). Safe to run while instances start.
 */

import { resolve } from 'node:path';
import { isPostgresUrl, openStore, redactLocation } from '../store/open.js';
import { parse, run, UsageError } from './args.js';

const USAGE = 'usage: rngseal migrate --store postgres://owner@host/db | PATH (or RNGSEAL_STORE)';

export async function migrateCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values } = parse(args, { store: { type: 'string' } });
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    const location = values.store ?? process.env.RNGSEAL_STORE;
    if (!location) throw new UsageError('--store is required');
    const store = openStore(isPostgresUrl(location) ? location : resolve(location));
    try {
      await store.migrate();
      process.stdout.write(`migrated ${store.kind} store ${redactLocation(location)}\n`);
      return 0;
    } finally {
      await store.close();
    }
  });
}
