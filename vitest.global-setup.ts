/**
 * Every temporary file of a test run (data directories, keys, captures,
 * private PostgreSQL clusters, browser profiles) goes under one directory,
 * removed when the run ends: TMPDIR is what os.tmpdir() and the tools the
 * tests start (sqlite3, socat, chromium, initdb) read.
 */

import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'rngseal-tests-'));
  chmodSync(root, 0o711); // the private PostgreSQL clusters run as the postgres user below it
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
