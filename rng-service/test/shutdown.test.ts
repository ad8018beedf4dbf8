/**
 * SIGTERM under load: the service stops accepting, answers what it took,
 * commits before answering, closes the store and exits 0. Everything it
 * acknowledged is in the log after a restart.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnService, tempDir } from './helper.js';

describe('graceful shutdown', () => {
  it('SIGTERM during load: exit 0, every acknowledged outcome durable', async () => {
    const dir = tempDir();
    const first = await spawnService(dir);
    const token = readFileSync(join(dir, 'game-server.token'), 'utf8').trim();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const acked = new Map<string, unknown>();
    const send = async (i: number) => {
      try {
        const res = await fetch(`${first.url}/v1/outcome`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ requestId: `sd-${i}`, mapping: 'range', params: { min: 1, max: 1000 } }),
        });
        if (res.status === 200) acked.set(`sd-${i}`, (await res.json()).record);
      } catch {
        // refused after close: unacknowledged, fine
      }
    };
    // 40 clients send back to back; SIGTERM lands once some answers are in.
    let next = 0;
    let stop = false;
    const client = async () => {
      while (!stop) await send(next++);
    };
    const load = Promise.all(Array.from({ length: 40 }, client));
    while (acked.size < 50) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGTERM');
    setTimeout(() => (stop = true), 300);
    await load;
    expect(await first.exited).toBe(0);
    expect(acked.size).toBeGreaterThan(0);

    const second = await spawnService(dir);
    try {
      for (const [id, record] of acked) {
        const round = await (await fetch(`${second.url}/v1/rounds/${id}`)).json();
        expect(round.outcome, id).toEqual(record);
      }
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });
});
