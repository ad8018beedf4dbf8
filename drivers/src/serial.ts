/**
 * @module serial
 * USB noise generators that enumerate as CDC-ACM serial ports
 * (/dev/ttyACM*), spoken to through `serialport`:
 *
 * - `truerng` — ubld.it TrueRNG v1–v3 (04d8:f5fe): streams whitened bytes
 *   while DTR is set, which the Linux tty layer asserts on open. No commands.
 * - `neug` — FSIJ NeuG on the FST-01 (234b:0001): streams SHA-256-conditioned
 *   ADC noise; the tty only has to be raw. No commands.
 * - `truerngpro` — TrueRNGpro (16d0:0aa0) and TrueRNGpro V2 (04d8:ebb5): the
 *   mode is selected by a baud-rate "knock": open/close at 110, 300, 110,
 *   then open at the mode's baud (TRUERNGPRO_MODES).
 * - `onerng` — Moonbase Otago OneRNG (1d50:6086): assert RTS (the firmware
 *   sends nothing while the host's RTS is clear), write `cmdN` to pick the
 *   noise source (ONERNG_MODES), `cmdw` to flush its pool, `cmdO` to run; on
 *   close `cmdo` (stop) and `cmdw` (flush), as the vendor's onerng.sh does.
 *
 * Incoming bytes wait in a bounded ByteQueue; when it fills the port is
 * paused (backpressure) instead of dropping bytes. A port 'close' or 'error'
 * that we did not ask for (USB unplug, pty hang-up: EOF, EIO or ENXIO on
 * read; see serial-eof for the EOF case) is a disconnect: 'disconnect' is
 * emitted and every read rejects with SourceError DISCONNECTED until
 * `open()` succeeds again.
 */

import { setTimeout as sleep } from 'node:timers/promises';
// The package's ESM entry ships no types; its CommonJS entry does.
import type { BindingInterface, SetOptions } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { SerialPortStream } from '@serialport/stream';
import { ByteQueue } from './byte-queue.js';
import { knownSerial, type SerialDriverName } from './known-devices.js';
import { eofAwareBinding } from './serial-eof.js';
import { EventedSource, SourceError, checkEntropyClaim, checkReadSize, type SourceIdentity } from './source.js';
import { usbInfoForTty } from './sysfs.js';

export type { SerialDriverName } from './known-devices.js';

/** One selectable device mode: how to select it and what it claims. */
export interface SerialMode {
  readonly name: string;
  readonly description: string;
  /** Default min-entropy per byte; absent means the spec must give `h=`. */
  readonly H?: number;
  /** ASCII or framed diagnostic output: not usable as an entropy stream. */
  readonly diagnostic?: boolean;
}

export interface TrueRngProMode extends SerialMode {
  readonly baud: number;
}

export interface OneRngMode extends SerialMode {
  /** The command selecting it: `cmd0` … `cmd7`. */
  readonly command: string;
}

/**
 * TrueRNGpro modes, selected by the baud rate opened after the 110/300/110
 * knock. Sources: ubld.it "How-To Change TrueRNGpro's Mode" (modes up to
 * 38400) and ubld.it's truerng_read_example.py (57600…230400, V2 only).
 * Normal and single-generator modes are whitened on the device. The raw
 * binary mode packs 10-bit ADC samples into bytes carrying 2-bit sequence
 * tags, so its bytes are not noise samples; like the ASCII modes it is
 * refused as an entropy stream.
 */
export const TRUERNGPRO_MODES: Readonly<Record<string, TrueRngProMode>> = {
  normal: { name: 'normal', baud: 300, H: 7.5, description: 'both generators combined and whitened' },
  psdebug: { name: 'psdebug', baud: 1200, diagnostic: true, description: 'power-supply voltage in mV, ASCII' },
  rngdebug: { name: 'rngdebug', baud: 2400, diagnostic: true, description: 'generator debug values 0xRRR 0xRRR, ASCII' },
  rng1white: { name: 'rng1white', baud: 4800, H: 7.5, description: 'generator 1 only, whitened' },
  rng2white: { name: 'rng2white', baud: 9600, H: 7.5, description: 'generator 2 only, whitened' },
  rawbin: { name: 'rawbin', baud: 19200, diagnostic: true, description: 'raw 10-bit ADC samples of both generators with 2-bit sequence tags' },
  rawasc: { name: 'rawasc', baud: 38400, diagnostic: true, description: 'raw ADC samples of both generators, ASCII "AAAA,BBBB"' },
  unwhitened: { name: 'unwhitened', baud: 57600, description: 'RNG1 − RNG2, unwhitened (TrueRNGpro V2 only)' },
  normalasc: { name: 'normalasc', baud: 115200, diagnostic: true, description: 'normal output as ASCII (TrueRNGpro V2 only)' },
  normalascslow: { name: 'normalascslow', baud: 230400, diagnostic: true, description: 'normal output as ASCII, paced (TrueRNGpro V2 only)' },
};

/** The knock preceding the mode baud, per ubld.it. */
export const TRUERNGPRO_KNOCK: readonly number[] = [110, 300, 110];

/**
 * OneRNG noise-source commands. The digit is a bit mask in the firmware
 * (OneRNG/firmware cdc_app.c): bit 0 disables the CRC16 whitener, bit 1
 * enables the RF noise source, bit 2 disables the avalanche diode. Only the
 * vendor's default (cmd0) has a vendor entropy rating: onerng.sh feeds rngd
 * with ONERNG_ENTROPY=.93750, i.e. 7.5 bits per byte. The other modes need a
 * measured `h=`; the two silent modes produce no noise and are refused.
 */
export const ONERNG_MODES: readonly OneRngMode[] = [
  { name: 'avalanche', command: 'cmd0', H: 7.5, description: 'avalanche noise, CRC16-whitened (vendor default)' },
  { name: 'avalanche-raw', command: 'cmd1', description: 'avalanche noise, raw' },
  { name: 'avalanche-rf', command: 'cmd2', description: 'avalanche and RF noise, CRC16-whitened' },
  { name: 'avalanche-rf-raw', command: 'cmd3', description: 'avalanche and RF noise, raw' },
  { name: 'silent', command: 'cmd4', diagnostic: true, description: 'no noise source (used for firmware image extraction)' },
  { name: 'silent-raw', command: 'cmd5', diagnostic: true, description: 'no noise source, whitener off' },
  { name: 'rf', command: 'cmd6', description: 'RF noise only, CRC16-whitened' },
  { name: 'rf-raw', command: 'cmd7', description: 'RF noise only, raw' },
];

/** OneRNG control commands, each sent as the firmware's `cmd` prefix + letter + newline (as `echo` does). */
export const ONERNG_COMMANDS = { run: 'cmdO', stop: 'cmdo', flush: 'cmdw' } as const;

export interface SerialSourceOptions {
  path: string;
  driver: SerialDriverName;
  /** truerngpro: a TRUERNGPRO_MODES key; onerng: 0–7 or an ONERNG_MODES name. */
  mode?: string;
  /** Overrides the driver's default min-entropy claim (bits per byte). */
  minEntropy?: number;
  /** Baud rate for drivers without a baud protocol (CDC-ACM ignores it). */
  baudRate?: number;
  /** serialport binding; defaults to the native one (`serialport`'s autodetect). */
  binding?: BindingInterface;
  /** Receive buffer bound; the port is paused when it fills. Default 1 MiB. */
  bufferBytes?: number;
  /** Pause after the first knock open, as ubld.it's script does. Default 500 ms. */
  knockDelayMs?: number;
  /** sysfs root for the USB identity lookup. Default /sys. */
  sysfsRoot?: string;
}

/** What a driver does on open, resolved from driver + mode at construction. */
interface Plan {
  description: string;
  H: number | undefined;
  baud: number;
  knock: boolean;
  onerngCommand?: string;
}

const DEFAULT_BAUD = 115200;

export class SerialSource extends EventedSource {
  readonly sampleBits = 8 as const;
  readonly minEntropy: number;
  readonly #options: SerialSourceOptions;
  readonly #plan: Plan;
  readonly #queue: ByteQueue;
  #identity: SourceIdentity;
  #port: SerialPortStream | null = null;
  #state: 'closed' | 'open' | 'disconnected' = 'closed';
  #fault: SourceError | null = null;
  #opening: Promise<void> | null = null;

  constructor(options: SerialSourceOptions) {
    super();
    const device = `serial:${options.path}`;
    this.#options = options;
    this.#plan = planFor(options, device);
    this.#identity = { kind: 'serial', path: options.path, description: this.#plan.description };
    const H = options.minEntropy ?? this.#plan.H;
    if (H === undefined) {
      throw new SourceError('CONFIG', device, `${this.#plan.description} has no default min-entropy claim; measure it (SP 800-90B non-IID estimators) and give h=`);
    }
    this.minEntropy = checkEntropyClaim(device, H, 8);
    this.#queue = new ByteQueue(options.bufferBytes ?? 1 << 20, () => this.#port?.resume());
  }

  get identity(): SourceIdentity {
    return this.#identity;
  }

  /** True while the port is paused because the receive buffer is full. */
  get paused(): boolean {
    return this.#port?.isPaused() ?? false;
  }

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.#queue.size;
  }

  async open(): Promise<void> {
    if (this.#state === 'open') return;
    this.#opening ??= this.#connect().finally(() => (this.#opening = null));
    return this.#opening;
  }

  async read(max: number): Promise<Uint8Array> {
    checkReadSize(max);
    if (this.#state !== 'open') throw this.#fault ?? new SourceError('READ', this.deviceName, 'not open');
    return this.#queue.read(max);
  }

  async close(): Promise<void> {
    await this.#opening?.catch(() => {});
    const port = this.#port;
    this.#port = null;
    this.#state = 'closed';
    this.#fault = null;
    this.#queue.fail(new SourceError('READ', this.deviceName, 'source closed'));
    if (!port?.isOpen) return;
    // Best effort: a device being closed may already be gone.
    if (this.#plan.onerngCommand) await this.#sendCommands(port, [ONERNG_COMMANDS.stop, ONERNG_COMMANDS.flush]).catch(() => {});
    await closePort(port);
  }

  async #connect(): Promise<void> {
    const binding = eofAwareBinding(this.#options.binding ?? (await nativeBinding(this.deviceName)));
    await this.#describe();
    if (this.#plan.knock) await this.#knock(binding);
    const port = await openPort(binding, this.#options.path, this.#plan.baud, this.deviceName);
    this.#queue.reset();
    this.#port = port;
    this.#attach(port);
    try {
      if (this.#plan.onerngCommand) await this.#startOneRng(port, this.#plan.onerngCommand);
    } catch (err) {
      this.#port = null;
      await closePort(port);
      throw new SourceError('OPEN', this.deviceName, `OneRNG start-up failed: ${(err as Error).message}`, { cause: err });
    }
    this.#state = 'open';
    this.#fault = null;
  }

  /** Fills identity from sysfs and refuses a known device driven by the wrong protocol. */
  async #describe(): Promise<void> {
    const info = await usbInfoForTty(this.#options.path, this.#options.sysfsRoot);
    const known = knownSerial(info?.usb);
    if (known && known.driver !== this.#options.driver) {
      throw new SourceError('CONFIG', this.deviceName, `USB ${info!.usb} is a ${known.model}: use driver=${known.driver}, not driver=${this.#options.driver}`);
    }
    const product = [info?.manufacturer, info?.product].filter(Boolean).join(' ');
    this.#identity = {
      kind: 'serial',
      path: this.#options.path,
      ...(info && { usb: info.usb }),
      ...(info?.serial && { serial: info.serial }),
      ...(info?.firmware && { firmware: info.firmware }),
      description: product ? `${this.#plan.description} (${product})` : this.#plan.description,
    };
  }

  async #knock(binding: BindingInterface): Promise<void> {
    for (const [i, baud] of TRUERNGPRO_KNOCK.entries()) {
      const port = await openPort(binding, this.#options.path, baud, this.deviceName);
      if (i === 0) await sleep(this.#options.knockDelayMs ?? 500);
      await closePort(port);
    }
  }

  async #startOneRng(port: SerialPortStream, modeCommand: string): Promise<void> {
    await setFlags(port, { rts: true, dtr: true });
    // Select the source first, then flush what the pool gathered under the
    // previous mode, then run: the first bytes read are all from this mode.
    await this.#sendCommands(port, [modeCommand, ONERNG_COMMANDS.flush, ONERNG_COMMANDS.run]);
  }

  async #sendCommands(port: SerialPortStream, commands: string[]): Promise<void> {
    for (const command of commands) await writeAll(port, Buffer.from(`${command}\n`, 'latin1'));
  }

  #attach(port: SerialPortStream): void {
    port.on('data', (chunk: Buffer) => {
      if (port === this.#port && !this.#queue.push(chunk)) port.pause();
    });
    // Our own close() detaches the port first, so a 'close' seen here was not asked for.
    port.on('close', (err: Error | null) => {
      if (port === this.#port) this.#lost(err ?? new Error('port closed'));
    });
    // Kept after detaching too: an unhandled 'error' event would crash the process.
    port.on('error', (err: Error) => {
      if (port === this.#port) this.#lost(err);
    });
  }

  #lost(cause: Error): void {
    const port = this.#port;
    if (!port) return;
    this.#port = null;
    this.#state = 'disconnected';
    const error = new SourceError('DISCONNECTED', this.deviceName, `device disconnected (${cause.message})`, { cause });
    this.#fault = error;
    this.#queue.fail(error);
    // Release the descriptor so a re-plugged device can be opened again.
    if (port.isOpen) port.close(() => {});
    this.announceDisconnect(error);
  }
}

function planFor(options: SerialSourceOptions, device: string): Plan {
  const baud = options.baudRate ?? DEFAULT_BAUD;
  const noMode = (driver: string) => {
    if (options.mode !== undefined) throw new SourceError('CONFIG', device, `driver=${driver} has no modes (got mode=${options.mode})`);
  };
  switch (options.driver) {
    case 'truerng':
      noMode('truerng');
      return { description: 'TrueRNG v1–v3: whitened avalanche noise over CDC-ACM', H: 7.5, baud, knock: false };
    case 'neug':
      noMode('neug');
      return { description: 'NeuG: SHA-256-conditioned ADC noise over CDC-ACM', H: 7.5, baud, knock: false };
    case 'truerngpro':
      return truerngproPlan(options, device);
    case 'onerng':
      return onerngPlan(options, device, baud);
    default:
      throw new SourceError('CONFIG', device, `unknown serial driver '${String(options.driver)}' (truerng, truerngpro, neug, onerng)`);
  }
}

function truerngproPlan(options: SerialSourceOptions, device: string): Plan {
  const name = options.mode ?? 'normal';
  const mode = TRUERNGPRO_MODES[name];
  if (!mode) throw new SourceError('CONFIG', device, `unknown TrueRNGpro mode '${name}' (${Object.keys(TRUERNGPRO_MODES).join(', ')})`);
  if (mode.diagnostic) throw new SourceError('CONFIG', device, `TrueRNGpro mode ${name} is diagnostic output (${mode.description}), not an entropy stream`);
  if (options.baudRate !== undefined) throw new SourceError('CONFIG', device, 'driver=truerngpro selects its baud rate from the mode; do not give baud=');
  return { description: `TrueRNGpro mode ${name} (${mode.baud} baud): ${mode.description}`, H: mode.H, baud: mode.baud, knock: true };
}

function onerngPlan(options: SerialSourceOptions, device: string, baud: number): Plan {
  const wanted = options.mode ?? 'avalanche';
  const mode = ONERNG_MODES.find((m) => m.name === wanted || m.command === `cmd${wanted}`);
  if (!mode) throw new SourceError('CONFIG', device, `unknown OneRNG mode '${wanted}' (0–7 or ${ONERNG_MODES.map((m) => m.name).join(', ')})`);
  if (mode.diagnostic) throw new SourceError('CONFIG', device, `OneRNG mode ${mode.command} (${mode.description}) produces no noise`);
  return { description: `OneRNG ${mode.command}: ${mode.description}`, H: mode.H, baud, knock: false, onerngCommand: mode.command };
}

/** The native binding, loaded on first use so a host without serial devices never loads it. */
async function nativeBinding(device: string): Promise<BindingInterface> {
  try {
    const { SerialPort } = await import('serialport');
    return SerialPort.binding;
  } catch (err) {
    throw new SourceError('OPEN', device, `serialport native binding unavailable: ${(err as Error).message}`, { cause: err });
  }
}

function openPort(binding: BindingInterface, path: string, baudRate: number, device: string): Promise<SerialPortStream> {
  const port = new SerialPortStream({ binding, path, baudRate, autoOpen: false, highWaterMark: 64 * 1024 });
  return new Promise((resolve, reject) => {
    port.open((err) => {
      if (err) reject(new SourceError('OPEN', device, `cannot open at ${baudRate} baud: ${err.message}`, { cause: err }));
      else resolve(port);
    });
  });
}

function closePort(port: SerialPortStream): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve) => port.close(() => resolve()));
}

function setFlags(port: SerialPortStream, flags: SetOptions): Promise<void> {
  return new Promise((resolve, reject) => port.set(flags, (err) => (err ? reject(err) : resolve())));
}

function writeAll(port: SerialPortStream, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    port.write(bytes, (err) => {
      if (err) return reject(err);
      port.drain((drainErr) => (drainErr ? reject(drainErr) : resolve()));
    });
  });
}
