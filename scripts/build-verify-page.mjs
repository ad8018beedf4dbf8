#!/usr/bin/env node
/**
 * Builds the player's verifier page (verifier/web/) into ONE self-contained
 * HTML file: the bundled script (the verifier from its TypeScript sources,
 * @noble only) and the styles inlined, no URL of any kind. Its own
 * Content-Security-Policy admits exactly that script and style, by hash, and
 * no network access at all, so even a page opened from disk cannot load or
 * send anything.
 *
 *   node scripts/build-verify-page.mjs [--out FILE]    (default verifier/dist-web/verify.html)
 */

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, transform } from 'esbuild';

const WEB = fileURLToPath(new URL('../verifier/web/', import.meta.url));
export const VERIFY_PAGE_OUT = fileURLToPath(new URL('../verifier/dist-web/verify.html', import.meta.url));

/** Writes the page to `out` (atomically: a reader never sees half a file) and returns its text. */
export async function buildVerifyPage(out = VERIFY_PAGE_OUT) {
  const script = await bundleScript();
  const style = (await transform(readFileSync(`${WEB}style.css`, 'utf8'), { loader: 'css', minify: true })).code.trim();
  const html = assemble(readFileSync(`${WEB}index.html`, 'utf8'), script, style);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, html);
  renameSync(tmp, out);
  return html;
}

async function bundleScript() {
  const result = await build({
    entryPoints: [`${WEB}main.ts`],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    // The verifier's TypeScript sources, as under vitest: no dependency on a tsc build.
    conditions: ['source'],
    minify: true,
    legalComments: 'eof', // @noble's MIT notices travel with the copy
    charset: 'utf8',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text.trim();
}

function assemble(template, script, style) {
  // Inline text must not end its own element or open an HTML comment.
  if (/<\/script|<!--/i.test(script)) throw new Error('verify page: the bundled script contains "</script" or "<!--"');
  if (/<\/style/i.test(style)) throw new Error('verify page: the stylesheet contains "</style"');
  const csp = [
    "default-src 'none'",
    `script-src '${sha256(script)}'`,
    `style-src '${sha256(style)}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  // Function replacements: the script may contain "$&" and other replacement patterns.
  const html = fill(fill(fill(template, '__CSP__', csp), '__STYLE__', style), '__SCRIPT__', script);
  // The CSP already forbids all of it; this keeps a regression from shipping at all.
  const reference = /\b(?:src|href|action|srcset)\s*=|url\(|@import|https?:\/\/|\bfetch\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon/i.exec(html);
  if (reference) throw new Error(`verify page: a network reference slipped in: ${reference[0]}`);
  return html;
}

function fill(template, marker, text) {
  if (template.split(marker).length !== 2) throw new Error(`verify page: expected one ${marker} in index.html`);
  return template.replace(marker, () => text);
}

function sha256(text) {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const html = await buildVerifyPage(values.out);
  process.stdout.write(`verify page: ${values.out ?? VERIFY_PAGE_OUT} (${Buffer.byteLength(html)} bytes)\n`);
}
