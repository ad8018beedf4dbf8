/**
 * @module commands/keygen
 * `rngseal keygen --out FILE`: a new Ed25519 key, PKCS#8 PEM, mode 0600.
 */

import { toHex } from '@rngseal/verifier';
import { generateKeyFile } from '../signer.js';
import { parse, run, UsageError } from './args.js';

const USAGE = 'usage: rngseal keygen --out FILE';

export async function keygenCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values } = parse(args, { out: { type: 'string' } });
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    if (!values.out) throw new UsageError('--out FILE is required');
    const signer = generateKeyFile(values.out);
    process.stdout.write(`wrote ${values.out} (mode 0600)\npublic key ${toHex(signer.publicKey)}\nkey id ${signer.keyId}\n`);
    return 0;
  });
}
