/**
 * @module commands/migrate
 * `rngseal migrate --store URL|PATH [--grant ROLE]`: creates or upgrades the
 * schema, as the database owner. With --grant (PostgreSQL), it then gives
 * the service's role exactly what it needs (store/postgres-roles.ts) and
 * nothing more, so the service runs without DDL, UPDATE or DELETE on the log.
 * Safe to run while instances start; run it again after every upgrade.
 */

import { isPostgresUrl, openStore, redactLocation } from '../store/open.js';
import { PostgresStore } from '../store/postgres.js';
import { parse, run, UsageError } from './args.js';
import { storeLocation } from './store-arg.js';

const USAGE = `usage: rngseal migrate --store postgres://owner@host/db [--grant ROLE]
       rngseal migrate --store PATH            (SQLite)
  --store   the store, as its owner (or RNGSEAL_STORE)
  --grant   PostgreSQL: the role the service connects as gets SELECT and INSERT on the log, and
            UPDATE only of epoch progress, token revocation and leases (docs/postgres.md)`;

export async function migrateCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values } = parse(args, { store: { type: 'string' }, grant: { type: 'string' } });
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    const location = storeLocation(values.store);
    const role = values.grant;
    if (role !== undefined && !isPostgresUrl(location)) throw new UsageError('--grant: roles exist only in a postgres:// store');
    if (role !== undefined && !/^[^\0]{1,63}$/.test(role)) throw new UsageError('--grant: a role name of 1–63 characters');
    const store = openStore(location);
    try {
      await store.migrate();
      process.stdout.write(`migrated ${store.kind} store ${redactLocation(location)}\n`);
      if (role !== undefined) {
        await (store as PostgresStore).grantService(role);
        process.stdout.write(`granted role ${role} the service's privileges\n`);
      }
      return 0;
    } finally {
      await store.close();
    }
  });
}
