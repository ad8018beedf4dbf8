/**
 * @module software
 * Software identity for the boot record: SHA-256 over the installed code and
 * the lockfile, so an auditor can tell which build signed which records.
 */

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['verifier', 'drivers', 'certification', 'rng-service'];

export interface SoftwareIdentity {
  name: string;
  version: string;
  digest: string;
}

/** Digest over every file of each package's dist/ (sorted by path) and package-lock.json. */
export function softwareIdentity(root = ROOT): SoftwareIdentity {
  const hash = createHash('sha256');
  const files = PACKAGES.flatMap((p) => listFiles(join(root, p, 'dist'))).concat(join(root, 'package-lock.json'));
  for (const file of files.sort()) {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch {
      continue;
    }
    // Path and length framing: moving bytes between files changes the digest.
    hash.update(`${relative(root, file)}\0${data.length}\0`).update(data);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version, digest: hash.digest('hex') };
}

function listFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
