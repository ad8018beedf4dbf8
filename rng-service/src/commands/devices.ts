/**
 * @module commands/devices
 * `rngseal devices`: the entropy devices this machine has, each with the
 * source spec to serve from it.
 */

import { listDevices } from '@rngseal/drivers';
import { parse, run } from './args.js';

const USAGE = 'usage: rngseal devices [--json]';

export async function devicesCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values } = parse(args, { json: { type: 'boolean' } });
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    const { devices, warnings } = await listDevices();
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ devices, warnings }, null, 2)}\n`);
      return 0;
    }
    if (devices.length === 0) process.stdout.write('no entropy devices found\n');
    for (const d of devices) {
      process.stdout.write(`${d.kind.padEnd(6)} ${d.path.padEnd(22)} ${(d.usb ?? '').padEnd(10)} ${d.description}\n       --source '${d.spec}'\n`);
    }
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    return 0;
  });
}
