#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in ../dist (built by `npm ci`).
import('../dist/cli.js').then((cli) => cli.main(process.argv.slice(2))).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`rngseal: ${err?.message ?? err}\n`); process.exitCode = 1; },
);
