/**
 * @module commands/store-arg
 * The `--store` option of the store commands (migrate, export, import): a
 * postgres:// URL, or a SQLite file path resolved against the working
 * directory; RNGSEAL_STORE when the flag is absent.
 */

import { resolve } from 'node:path';
import { isPostgresUrl } from '../store/open.js';
import { UsageError } from './args.js';

/** The store location from the flag or the environment. @throws UsageError when neither is set */
export function storeLocation(flag: string | undefined, name = '--store'): string {
  const location = flag ?? process.env.RNGSEAL_STORE;
  if (!location) throw new UsageError(`${name} is required (or RNGSEAL_STORE)`);
  return isPostgresUrl(location) ? location : resolve(location);
}
