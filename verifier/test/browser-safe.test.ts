/**
 * The verifier must run in a player's browser: no node: module, no Buffer,
 * no process. esbuild bundles it for the browser platform, which fails on any
 * Node-only import, and the bundle is searched for Node globals.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('verifier is browser-safe', () => {
  it('no source file imports a node: module or uses Buffer/process', () => {
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from ['"]node:|require\(|\bBuffer\.|\bprocess\./);
    }
  });

  it('bundles for the browser platform with only @noble dependencies', async () => {
    const result = await build({
      entryPoints: [join(SRC, 'index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const external = inputs.filter((p) => p.includes('node_modules'));
    expect(external.every((p) => p.includes('node_modules/@noble/')), external.join('\n')).toBe(true);
    expect(result.outputFiles[0]!.text).not.toMatch(/\bBuffer\.|process\.env|require\("node:/);
  });
});
