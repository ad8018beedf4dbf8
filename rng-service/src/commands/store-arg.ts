/**
 * @module commands/store-arg
 * The `--store` option of the store commands (migrate, export, import, token): a
 * postgres:// URL, or a SQLite file path resolved against the working
 * directory; RNGSEAL_STORE when the flag is absent.
 */

import { resolve } from 'node:path';
import { isPostgresUrl } from '../store/open.js';
import { UsageError } from './args.js';

/**
 * The store location from the flag, the environment, or `fallback`.
 * @throws UsageError when none is set
 */
export function storeLocation(flag: string | undefined, name = '--store', fallback?: string): string {
  const location = flag ?? process.env.RNGSEAL_STORE ?? fallback;
  if (!location) throw new UsageError(`${name} is required (or RNGSEAL_STORE)`);
  return isPostgresUrl(location) ? location : resolve(location);
}
