/**
 * @module sim-pty
 * Serves a SimSource on a real pseudo-terminal, so the serial driver can be
 * exercised end to end through serialport's native binding exactly as with
 * a USB CDC-ACM device: `socat - pty,raw,echo=0,link=PATH,wait-slave` makes
 * the pty and relays our pipe into its master side; the consumer opens PATH.
 *
 * Backpressure is end to end: a paused consumer stops reading the pty, socat
 * stops reading our pipe, and the pump waits for 'drain'. The simulator's
 * disconnect fault kills socat — the master closes, the consumer's reads
 * fail with EIO as on a USB unplug, and the link disappears — and socat is
 * started again on the same link once the simulator reappears. If the
 * consumer closes its side, socat exits on EIO and is restarted, as a
 * device stays plugged in when a program lets go of it.
 *
 * The simulator counts bytes it produced, and up to a pipe's worth (64 KiB)
 * can sit in socat's stdin before anyone reads the pty: give the
 * disconnect fault a `rate` so it happens while the consumer is reading.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimSource } from './sim.js';
import { SourceError } from './source.js';
import { pathExists } from './sysfs.js';

export interface SimPtyOptions {
  sim: SimSource;
  /** Directory for the pty link; default a new temporary directory (removed on close). */
  dir?: string;
  /** Link name inside `dir`. Default `tty`. */
  name?: string;
  /** socat executable. Default `socat` on PATH. */
  socat?: string;
  /** Bytes per simulator read. Default 4096. */
  chunkBytes?: number;
}

export class SimPty {
  /** The path to open with SerialSource. */
  readonly path: string;
  readonly #options: SimPtyOptions;
  readonly #dir: string;
  readonly #ownsDir: boolean;
  #child: ChildProcess | null = null;
  #closing = false;
  #pump: Promise<void> = Promise.resolve();
  #starts = 0;
  #stderr = '';
  #failure: Error | null = null;

  private constructor(options: SimPtyOptions, dir: string, ownsDir: boolean) {
    this.#options = options;
    this.#dir = dir;
    this.#ownsDir = ownsDir;
    this.path = join(dir, options.name ?? 'tty');
  }

  /** Opens the simulator, starts socat and resolves once the pty link exists. */
  static async start(options: SimPtyOptions): Promise<SimPty> {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'rngseal-simpty-')));
    const pty = new SimPty(options, dir, options.dir === undefined);
    await options.sim.open();
    await pty.#spawn();
    pty.#pump = pty.#run().catch((err: unknown) => {
      pty.#failure = err as Error;
    });
    return pty;
  }

  /** How many times socat has been started (1 + restarts). */
  get starts(): number {
    return this.#starts;
  }

  /** Why the pump stopped, if it stopped on an error rather than close(). */
  get failure(): Error | null {
    return this.#failure;
  }

  /** Whether the pty currently exists (false while the simulator is unplugged). */
  get present(): boolean {
    return this.#child !== null;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#options.sim.close();
    await this.#kill();
    await this.#pump;
    if (this.#ownsDir) await rm(this.#dir, { recursive: true, force: true });
  }

  async #run(): Promise<void> {
    const sim = this.#options.sim;
    while (!this.#closing) {
      let chunk: Uint8Array;
      try {
        chunk = await sim.read(this.#options.chunkBytes ?? 4096);
      } catch (err) {
        if (this.#closing) return;
        if (err instanceof SourceError && err.fault === 'DISCONNECTED') {
          await this.#kill();
          await this.#awaitReappearance();
          continue;
        }
        throw err;
      }
      await this.#write(chunk);
    }
  }

  /** Retries the simulator's open() until it is back, then recreates the pty. */
  async #awaitReappearance(): Promise<void> {
    while (!this.#closing) {
      try {
        await this.#options.sim.open();
        await this.#spawn();
        return;
      } catch (err) {
        if (!(err instanceof SourceError && err.fault === 'OPEN')) throw err;
        await sleep(10);
      }
    }
  }

  async #spawn(): Promise<void> {
    const args = ['-d', '-d', '-', `pty,raw,echo=0,link=${this.path},wait-slave,pty-interval=0.01`];
    const child = spawn(this.#options.socat ?? 'socat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.#starts++;
    this.#child = child;
    child.stdin!.on('error', () => {}); // EPIPE after socat exits: those bytes went nowhere, like an unplugged device's
    child.stderr!.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-2000)));
    child.on('exit', () => this.#exited(child));
    await this.#waitForLink(child);
  }

  async #waitForLink(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 5000;
    for (;;) {
      if (await pathExists(this.path)) return;
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`socat did not create ${this.path}: ${this.#stderr.trim() || 'no output'}`);
      }
      await sleep(5);
    }
  }

  /** socat exits when the consumer closes the pty: start it again, the device is still there. */
  #exited(child: ChildProcess): void {
    if (child !== this.#child) return; // killed on purpose
    this.#child = null;
    if (this.#closing) return;
    this.#spawn().catch((err: Error) => (this.#failure = err));
  }

  async #kill(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM'); // socat removes its link on SIGTERM
    await exited;
  }

  /** Writes a chunk to socat, waiting for 'drain' (or socat's exit, which drops it). */
  async #write(chunk: Uint8Array): Promise<void> {
    const child = this.#child;
    const stdin = child?.stdin;
    if (!child || !stdin || stdin.destroyed) {
      await sleep(5); // the pty is being recreated: the bytes are lost, as on a real link
      return;
    }
    if (stdin.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        stdin.off('drain', done);
        child.off('exit', done);
        resolve();
      };
      stdin.on('drain', done);
      child.on('exit', done);
    });
  }
}
