/**
 * Flip every byte of a good round (outcome, commit and reveal records, as
 * their canonical text): each mutant either fails to parse or fails
 * verification — none verifies with a different meaning.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecord, fromHex, parseRecord, verifyRound, VerifyError, type LogRecord, type Round } from '@rngseal/verifier';
import { opensslVerify } from '../src/chain-check.js';
import { startTestService, type TestService } from './helper.js';

let s: TestService;
let round: Round;
let key: Uint8Array;

beforeAll(async () => {
  s = await startTestService();
  key = fromHex((await s.call('GET', '/v1/keys')).json[0].publicKey);
  const e = (await s.call('POST', '/v1/epochs', { requestId: 'mut-e' })).json;
  await s.call('POST', '/v1/outcomes', {
    requestId: 'mut-1',
    epoch: e.epoch,
    clientSeed: 'mutation-seed',
    draws: [{ mapping: 'reels', params: { reels: [[1, 2, 3], [3, 2, 1]] } }, { mapping: 'float', params: {} }],
  });
  await s.call('POST', `/v1/epochs/${e.epoch}/reveal`);
  round = (await s.call('GET', '/v1/rounds/mut-1')).json;
});
afterAll(() => s.stop());

describe('byte-flip mutations of a round', () => {
  it('the unmodified round verifies', () => {
    expect(verifyRound(round, [key], opensslVerify).status).toBe('verified');
  });

  for (const part of ['outcome', 'commit', 'reveal'] as const) {
    it(`every flipped byte of the ${part} record is caught`, () => {
      const text = encodeRecord(round[part] as LogRecord);
      let caught = 0;
      for (let i = 0; i < text.length; i++) {
        const mutant = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ 1) + text.slice(i + 1);
        try {
          verifyRound({ ...round, [part]: parseRecord(mutant) }, [key], opensslVerify);
        } catch (err) {
          expect(err, `byte ${i}`).toBeInstanceOf(VerifyError);
          caught++;
          continue;
        }
        throw new Error(`${part} byte ${i} (${JSON.stringify(text[i])}) flipped still verifies`);
      }
      expect(caught).toBe(text.length);
    });
  }
});
