/**
 * @module cli
 * `rngseal <command>`: one entry point for operators, players and auditors.
 * Each command lives in commands/ and returns its exit code.
 */

import { auditCommand } from './commands/audit.js';
import { captureCommand } from './commands/capture.js';
import { certifyCommand } from './commands/certify.js';
import { devicesCommand } from './commands/devices.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { keygenCommand } from './commands/keygen.js';
import { migrateCommand } from './commands/migrate.js';
import { rngStreamCommand } from './commands/rng-stream.js';
import { serveCommand } from './commands/serve.js';
import { tokenCommand } from './commands/token.js';
import { verifyCommand } from './commands/verify.js';

export type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  serve: { run: serveCommand, summary: 'run the outcome service (SQLite and a generated key by default)' },
  keygen: { run: keygenCommand, summary: 'write a new Ed25519 signing key (mode 0600)' },
  migrate: { run: migrateCommand, summary: 'create or upgrade the store schema (SQLite path or postgres:// URL)' },
  export: { run: exportCommand, summary: 'write a store\'s chains, epochs and tokens to a file for rngseal import' },
  import: { run: importCommand, summary: 'verify an export and copy it into a store (SQLite ⇄ PostgreSQL)' },
  token: { run: tokenCommand, summary: 'create, list or revoke API tokens' },
  verify: { run: verifyCommand, summary: 'verify one round (outcome + commit + reveal) offline' },
  audit: { run: auditCommand, summary: 'verify a whole log: an NDJSON export or a running service' },
  certify: { run: certifyCommand, summary: 'statistical batteries and the lab report (certify nist | outcomes | report)' },
  devices: { run: devicesCommand, summary: 'list entropy devices on this machine (serial, HID, kernel hwrng)' },
  capture: { run: captureCommand, summary: 'write raw, conditioned or outcome data to a file for a test lab' },
  'rng-stream': { run: rngStreamCommand, summary: 'stream raw or conditioned bytes to stdout (the live feed for dieharder)' },
};

export const USAGE = `usage: rngseal <command> [options]

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`).join('\n')}

Run rngseal <command> --help for its options.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`rngseal: unknown command ${JSON.stringify(name)}\n${USAGE}\n`);
    return 2;
  }
  return command.run(rest);
}
