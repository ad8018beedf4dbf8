/**
 * A signing key replaced between two starts: the chain goes on under the new
 * key (a boot record announces it), and a receipt for a round signed by the
 * old key, under a checkpoint signed by the new one, verifies with both of
 * the log's verifier keys, and with neither alone.
 */

import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatVerifierKey, parseVerifierKey, verifyReceipt, VerifyError } from '@rngseal/verifier';
import { describe, expect, it } from 'vitest';
import { opensslVerify } from '../src/chain-check.js';
import { runCli, startTestService, tempDir } from './helper.js';

const dice = { mapping: 'dice', params: { count: 2, sides: 6 } };

/** The check a receipt fails with these keys, or 'ok'. */
function check(receipt: unknown, keys: string[]): string {
  try {
    verifyReceipt(receipt as never, keys, opensslVerify);
    return 'ok';
  } catch (err) {
    if (err instanceof VerifyError) return err.check;
    throw err;
  }
}

describe('signing key replaced', () => {
  it('a receipt spanning two keys verifies with both vkeys, in the library and the CLI, and fails with one', async () => {
    const dir = tempDir();
    const first = await startTestService({ 'checkpoint-every': '2' }, dir);
    expect((await first.call('POST', '/v1/outcome', { requestId: 'old-key-round', ...dice })).status).toBe(200);
    const oldVkey = (await first.call('GET', '/v1/keys')).json[0].vkey as string;
    await first.stop();

    renameSync(join(dir, 'signing-key.pem'), join(dir, 'signing-key.old.pem'));
    const second = await startTestService({ 'checkpoint-every': '2' }, dir); // generates a new key
    try {
      const keys = (await second.call('GET', '/v1/keys')).json as Array<{ vkey: string }>;
      expect(keys.map((k) => k.vkey)).toContain(oldVkey);
      const newVkey = keys.map((k) => k.vkey).find((k) => k !== oldVkey)!;
      expect(newVkey).toBeDefined();
      // Records under the new key, and so a checkpoint signed by it.
      for (const id of ['new-1', 'new-2', 'new-3']) expect((await second.call('POST', '/v1/outcome', { requestId: id, ...dice })).status).toBe(200);
      const receipt = (await second.call('GET', '/v1/receipts/old-key-round')).json;

      expect(check(receipt, [oldVkey, newVkey])).toBe('ok');
      expect(check(receipt, [newVkey, oldVkey])).toBe('ok');
      expect(check(receipt, [newVkey])).toBe('KEY'); // the record is signed by the old key
      expect(check(receipt, [oldVkey])).toBe('CHECKPOINT'); // the checkpoint by the new one

      const file = join(dir, 'receipt.json');
      writeFileSync(file, JSON.stringify(receipt));
      const both = await runCli(['verify', file, '--key', oldVkey, '--key', newVkey]);
      expect(both.code, both.stdout + both.stderr).toBe(0);
      expect(both.stdout).toContain('VERIFIED record');
      const one = await runCli(['verify', file, '--key', newVkey]);
      expect(one.code).toBe(1);
      expect(one.stdout).toMatch(/^FAILED KEY: /m);
      const otherLog = formatVerifierKey('rngseal/other', parseVerifierKey(newVkey).publicKey);
      const mixed = await runCli(['verify', file, '--key', oldVkey, '--key', otherLog]);
      expect(mixed.code).toBe(2);
      expect(mixed.stderr).toContain('two logs');
    } finally {
      await second.stop();
    }
  });
});
