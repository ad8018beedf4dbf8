/**
 * @module store/open
 * Picks the store from the `--store` setting: a `postgres://` or
 * `postgresql://` URL opens PostgreSQL, anything else is a SQLite file path.
 */

import type { LogStore } from './log-store.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

export function openStore(location: string): LogStore {
  return isPostgresUrl(location) ? new PostgresStore(location) : new SqliteStore(location);
}

/** The location with any password removed, for messages and logs. */
export function redactLocation(location: string): string {
  return location.replace(/(\/\/[^:@/]*):[^@/]*@/, '$1:***@');
}
