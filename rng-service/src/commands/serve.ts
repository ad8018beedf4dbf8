/**
 * @module commands/serve
 * `rngseal serve`: starts the service and stops it cleanly on SIGTERM/SIGINT.
 */

import { loadConfig, SERVE_OPTIONS, settingsHelp } from '../config.js';
import { startService } from '../service.js';
import { parse, run } from './args.js';

const USAGE = `usage: rngseal serve [options]   (each option also reads its environment variable)

${settingsHelp()}

Defaults: --data-dir ./rngseal-data, --host 127.0.0.1, --port 8080, --source os,
SQLite store and signing key in the data directory (created on first start).`;

export async function serveCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values } = parse(args, SERVE_OPTIONS);
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const service = await startService(loadConfig(values as Record<string, string | boolean | undefined>));
    // The handlers go in before the ready line: a supervisor may send SIGTERM
    // as soon as it reads it, and must get a clean stop, not a signal death.
    const stopped = new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        service.app.log.info({ signal }, 'shutting down');
        void service.stop().then(resolve);
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
    process.stderr.write(`rngseal: serving chain ${service.chain} at ${service.url} (API docs at ${service.url}/docs)\n`);
    await stopped;
    return 0;
  });
}
