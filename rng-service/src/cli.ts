/**
 * @module cli
 * `rngseal <command>`: one entry point for operators, players and auditors.
 * Each command lives in commands/ and returns its exit code.
 */

export type Command = (args: string[]) => Promise<number>;

/**
 * Each command's module is loaded only when it runs: `rngseal audit` or
 * `verify` need not load the service (fastify, pg, SQLite, device drivers).
 */
const lazy = <M,>(load: () => Promise<M>, pick: (m: M) => Command): Command => async (args) => pick(await load())(args);

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  serve: { run: lazy(() => import('./commands/serve.js'), (m) => m.serveCommand), summary: 'run the outcome service (SQLite and a generated key by default)' },
  keygen: { run: lazy(() => import('./commands/keygen.js'), (m) => m.keygenCommand), summary: 'write a new Ed25519 signing key (mode 0600)' },
  migrate: { run: lazy(() => import('./commands/migrate.js'), (m) => m.migrateCommand), summary: 'create or upgrade the store schema (SQLite path or postgres:// URL)' },
  export: { run: lazy(() => import('./commands/export.js'), (m) => m.exportCommand), summary: 'write a store\'s chains, epochs and tokens to a file for rngseal import' },
  import: { run: lazy(() => import('./commands/import.js'), (m) => m.importCommand), summary: 'verify an export and copy it into a store (SQLite ⇄ PostgreSQL)' },
  token: { run: lazy(() => import('./commands/token.js'), (m) => m.tokenCommand), summary: 'create, list or revoke API tokens' },
  verify: { run: lazy(() => import('./commands/verify.js'), (m) => m.verifyCommand), summary: 'verify one round (outcome + commit + reveal) offline' },
  audit: { run: lazy(() => import('./commands/audit.js'), (m) => m.auditCommand), summary: 'verify a whole log: an NDJSON export or a running service' },
  certify: { run: lazy(() => import('./commands/certify.js'), (m) => m.certifyCommand), summary: 'statistical batteries and the lab report (certify nist | outcomes | report)' },
  devices: { run: lazy(() => import('./commands/devices.js'), (m) => m.devicesCommand), summary: 'list entropy devices on this machine (serial, HID, kernel hwrng)' },
  capture: { run: lazy(() => import('./commands/capture.js'), (m) => m.captureCommand), summary: 'write raw, conditioned or outcome data to a file for a test lab' },
  'rng-stream': { run: lazy(() => import('./commands/rng-stream.js'), (m) => m.rngStreamCommand), summary: 'stream raw or conditioned bytes to stdout (the live feed for dieharder)' },
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
