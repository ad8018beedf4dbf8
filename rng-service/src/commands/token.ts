/**
 * @module commands/token
 * `rngseal token create|list|revoke`: token administration on the store
 * directly, for when no admin token is at hand.
 */

import { resolve } from 'node:path';
import type { Scope } from '../store/log-store.js';
import { openStore } from '../store/open.js';
import { createToken, SCOPES } from '../tokens.js';
import { parse, run, UsageError } from './args.js';
import { storeLocation } from './store-arg.js';

const USAGE = `usage: rngseal token create --scope outcomes|admin [--label TEXT] [--data-dir DIR | --store STORE]
       rngseal token list [--data-dir DIR | --store STORE]
       rngseal token revoke ID [--data-dir DIR | --store STORE]
  STORE: a SQLite file or a postgres:// URL (or RNGSEAL_STORE); default DIR/rngseal.db`;

export async function tokenCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values, positionals } = parse(args, { scope: { type: 'string', multiple: true }, label: { type: 'string' }, 'data-dir': { type: 'string' }, store: { type: 'string' } }, true);
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    const dataDir = resolve(values['data-dir'] ?? process.env.RNGSEAL_DATA_DIR ?? 'rngseal-data');
    const store = openStore(storeLocation(values.store, '--store', resolve(dataDir, 'rngseal.db')));
    try {
      await store.migrate(); // as the service role: checks the schema and grants, changes nothing
      const [action, id] = positionals;
      if (action === 'create') {
        const scopes = (values.scope ?? []) as Scope[];
        if (scopes.length === 0 || scopes.some((s) => !SCOPES.includes(s))) throw new UsageError(`--scope: one or more of ${SCOPES.join(', ')}`);
        const { token, row } = await createToken(store, scopes, values.label ?? 'created with rngseal token');
        process.stdout.write(`${row.id} ${scopes.join(',')}\n${token}\n`);
      } else if (action === 'list') {
        for (const t of await store.tokens()) process.stdout.write(`${t.id}\t${t.scopes.join(',')}\t${t.revoked ? 'revoked' : 'active'}\t${t.label}\n`);
      } else if (action === 'revoke' && id) {
        if (!(await store.revokeToken(id, Date.now()))) throw new Error(`no active token ${id}`);
        process.stdout.write(`revoked ${id}\n`);
      } else throw new UsageError('expected create, list or revoke ID');
      return 0;
    } finally {
      await store.close();
    }
  });
}
