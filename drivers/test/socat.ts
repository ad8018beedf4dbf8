/**
 * @module test/socat
 * A real pseudo-terminal pair for the serial tests:
 * `socat -d -d pty,raw,echo=0,link=DIR/a pty,raw,echo=0,link=DIR/b` relays
 * bytes written to one end out of the other. Killing socat closes both
 * masters, which is what a USB unplug looks like to a tty reader.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PtyPair {
  a: string;
  b: string;
  /** SIGTERM, and wait until socat has exited (it removes both links). */
  kill(): Promise<void>;
}

export async function startPtyPair(dir: string): Promise<PtyPair> {
  const a = `${dir}/a`;
  const b = `${dir}/b`;
  const child: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 5000;
  // socat logs "starting data transfer loop" once both ptys exist and are linked.
  while (!(existsSync(a) && existsSync(b) && log.includes('starting data transfer loop'))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`socat did not create ${a} and ${b}: ${log}`);
    await sleep(5);
  }
  return {
    a,
    b,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
