/**
 * @module test/serial-mock
 * The serial drivers' device protocols, observed through
 * @serialport/binding-mock: the TrueRNGpro baud-rate knock (every open and
 * its baud rate, recorded by wrapping the binding), OneRNG's RTS and exact
 * command bytes (the mock port's recording), backpressure without loss,
 * the mode tables' claims, and the USB identity read from a fake sysfs.
 */

import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ONERNG_MODES, SerialSource, TRUERNGPRO_KNOCK, TRUERNGPRO_MODES } from '../src/index.js';
import { MockBinding, type MockPortBinding } from './mock-binding.js';

interface OpenRecord {
  path: string;
  baudRate: number;
  port: MockPortBinding;
  sets: Array<Record<string, boolean | undefined>>;
}

/** MockBinding with every open() and set() recorded, in order. */
function recordingBinding() {
  const opens: OpenRecord[] = [];
  const binding = {
    list: () => MockBinding.list(),
    async open(options: Parameters<typeof MockBinding.open>[0]) {
      const port = await MockBinding.open(options);
      const record: OpenRecord = { path: options.path, baudRate: options.baudRate, port, sets: [] };
      const set = port.set.bind(port);
      port.set = async (flags) => {
        record.sets.push({ ...flags });
        return set(flags);
      };
      opens.push(record);
      return port;
    },
  };
  return { binding, opens };
}

const PATH = '/dev/ttyMOCK0';

describe('TrueRNGpro baud-rate knock', () => {
  beforeEach(() => MockBinding.createPort(PATH, { echo: false, record: true }));
  afterEach(() => MockBinding.reset());

  it('opens at 110, 300, 110 (closing each), then stays open at the mode baud', async () => {
    for (const [name, mode] of Object.entries(TRUERNGPRO_MODES)) {
      if (mode.diagnostic) continue;
      const { binding, opens } = recordingBinding();
      const source = new SerialSource({ path: PATH, driver: 'truerngpro', mode: name, binding, knockDelayMs: 0, ...(mode.H === undefined && { minEntropy: 2 }) });
      await source.open();
      expect(opens.map((o) => o.baudRate), name).toEqual([...TRUERNGPRO_KNOCK, mode.baud]);
      expect(opens.every((o) => o.path === PATH)).toBe(true);
      expect(opens.slice(0, 3).map((o) => o.port.isOpen)).toEqual([false, false, false]);
      expect(opens[3]!.port.isOpen).toBe(true);
      expect(opens[3]!.port.recording.length, 'TrueRNGpro takes no commands').toBe(0);
      expect(source.identity.description).toContain(`${mode.baud} baud`);
      await source.close();
      expect(opens[3]!.port.isOpen).toBe(false);
    }
  });

  it('documents the vendor mode table: normal is 300 baud, V2 modes up to 230400', () => {
    expect(Object.fromEntries(Object.entries(TRUERNGPRO_MODES).map(([k, m]) => [k, m.baud]))).toEqual({
      normal: 300,
      psdebug: 1200,
      rngdebug: 2400,
      rng1white: 4800,
      rng2white: 9600,
      rawbin: 19200,
      rawasc: 38400,
      unwhitened: 57600,
      normalasc: 115200,
      normalascslow: 230400,
    });
  });

  it('defaults to normal mode with a 7.5-bit claim; refuses diagnostic modes and unmeasured raw modes', () => {
    expect(new SerialSource({ path: PATH, driver: 'truerngpro' }).minEntropy).toBe(7.5);
    expect(() => new SerialSource({ path: PATH, driver: 'truerngpro', mode: 'rawasc' })).toThrow(/diagnostic/);
    expect(() => new SerialSource({ path: PATH, driver: 'truerngpro', mode: 'unwhitened' })).toThrow(/no default min-entropy claim.*h=/);
    expect(new SerialSource({ path: PATH, driver: 'truerngpro', mode: 'unwhitened', minEntropy: 3 }).minEntropy).toBe(3);
    expect(() => new SerialSource({ path: PATH, driver: 'truerngpro', mode: 'turbo' })).toThrow(/unknown TrueRNGpro mode 'turbo'/);
    expect(() => new SerialSource({ path: PATH, driver: 'truerngpro', baudRate: 9600 })).toThrow(/baud/);
    expect(() => new SerialSource({ path: PATH, driver: 'truerng', minEntropy: 9 })).toThrow(/outside \(0, 8\]/);
  });

  it('reads the stream that follows the knock', async () => {
    const { binding, opens } = recordingBinding();
    const source = new SerialSource({ path: PATH, driver: 'truerngpro', binding, knockDelayMs: 0 });
    await source.open();
    opens[3]!.port.emitData(Buffer.from([1, 2, 3, 4, 5]));
    expect(await source.read(100)).toEqual(Uint8Array.of(1, 2, 3, 4, 5));
    await source.close();
  });
});

describe('OneRNG commands', () => {
  beforeEach(() => MockBinding.createPort(PATH, { echo: false, record: true }));
  afterEach(() => MockBinding.reset());

  it('asserts RTS, then writes cmd0, cmdw, cmdO; on close cmdo, cmdw', async () => {
    const { binding, opens } = recordingBinding();
    const source = new SerialSource({ path: PATH, driver: 'onerng', binding });
    expect(source.minEntropy).toBe(7.5);
    await source.open();
    expect(opens).toHaveLength(1);
    const port = opens[0]!.port;
    expect(opens[0]!.sets).toEqual([{ brk: false, cts: false, dtr: true, rts: true }]);
    expect(port.recording.toString('latin1')).toBe('cmd0\ncmdw\ncmdO\n');

    port.emitData(Buffer.from('noise bytes'));
    expect(Buffer.from(await source.read(64)).toString()).toBe('noise bytes');

    await source.close();
    expect(port.recording.toString('latin1')).toBe('cmd0\ncmdw\ncmdO\ncmdo\ncmdw\n');
    expect(port.isOpen).toBe(false);
  });

  it('selects each noise source by its command; measured h= required off the vendor default', async () => {
    expect(ONERNG_MODES.map((m) => m.command)).toEqual(['cmd0', 'cmd1', 'cmd2', 'cmd3', 'cmd4', 'cmd5', 'cmd6', 'cmd7']);
    for (const [mode, command] of [['7', 'cmd7'], ['rf', 'cmd6'], ['avalanche-raw', 'cmd1'], ['2', 'cmd2']] as const) {
      const { binding, opens } = recordingBinding();
      const source = new SerialSource({ path: PATH, driver: 'onerng', mode, minEntropy: 4, binding });
      await source.open();
      expect(opens[0]!.port.recording.toString('latin1')).toBe(`${command}\ncmdw\ncmdO\n`);
      await source.close();
    }
    expect(() => new SerialSource({ path: PATH, driver: 'onerng', mode: '1' })).toThrow(/cmd1.*no default min-entropy claim/);
    expect(() => new SerialSource({ path: PATH, driver: 'onerng', mode: '4', minEntropy: 4 })).toThrow(/no noise/);
    expect(() => new SerialSource({ path: PATH, driver: 'onerng', mode: '9' })).toThrow(/unknown OneRNG mode/);
    expect(() => new SerialSource({ path: PATH, driver: 'truerng', mode: 'normal' })).toThrow(/has no modes/);
  });
});

describe('receive buffer', () => {
  beforeEach(() => MockBinding.createPort(PATH, { echo: false, record: true, maxReadSize: 512 }));
  afterEach(() => MockBinding.reset());

  it('pauses the port when full instead of dropping bytes, and resumes when drained', async () => {
    const { binding, opens } = recordingBinding();
    const capacity = 4096;
    const source = new SerialSource({ path: PATH, driver: 'truerng', binding, bufferBytes: capacity });
    await source.open();
    const sent = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
    opens[0]!.port.emitData(sent);

    for (let i = 0; i < 200 && !source.paused; i++) await sleep(2);
    expect(source.paused).toBe(true);
    // The overshoot is bounded by what the stream had in flight: one read.
    expect(source.buffered).toBeGreaterThanOrEqual(capacity);
    expect(source.buffered).toBeLessThanOrEqual(capacity + 64 * 1024);

    const received: Buffer[] = [];
    let total = 0;
    let maxBuffered = 0;
    while (total < sent.length) {
      maxBuffered = Math.max(maxBuffered, source.buffered);
      const chunk = await source.read(3000);
      received.push(Buffer.from(chunk));
      total += chunk.length;
    }
    expect(Buffer.concat(received).equals(sent)).toBe(true);
    expect(maxBuffered).toBeLessThanOrEqual(capacity + 64 * 1024);
    await source.close();
  });
});

describe('USB identity from sysfs', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'rngseal-serial-sysfs-'));
    // /dev/ttyACM7 stand-in, and a sysfs tty whose USB device is a TrueRNG.
    await mkdir(join(root, 'dev'));
    await writeFile(join(root, 'dev', 'ttyACM7'), '');
    const usbDev = join(root, 'sys', 'devices', 'pci0000:00', 'usb1', '1-2');
    await mkdir(join(usbDev, '1-2:1.0', 'tty', 'ttyACM7'), { recursive: true });
    for (const [k, v] of Object.entries({ idVendor: '04d8', idProduct: 'f5fe', serial: 'TRNG-0042', manufacturer: 'ubld.it', product: 'TrueRNG', bcdDevice: '0300' })) {
      await writeFile(join(usbDev, k), `${v}\n`);
    }
    await mkdir(join(root, 'sys', 'class', 'tty', 'ttyACM7'), { recursive: true });
    await symlink(join(usbDev, '1-2:1.0'), join(root, 'sys', 'class', 'tty', 'ttyACM7', 'device'));
    MockBinding.createPort(join(root, 'dev', 'ttyACM7'), { echo: false, record: true });
  });

  afterEach(async () => {
    MockBinding.reset();
    await rm(root, { recursive: true, force: true });
  });

  it('records VID:PID, serial and release in the identity', async () => {
    const path = join(root, 'dev', 'ttyACM7');
    const source = new SerialSource({ path, driver: 'truerng', binding: MockBinding, sysfsRoot: join(root, 'sys') });
    await source.open();
    expect(source.identity).toEqual({
      kind: 'serial',
      path,
      usb: '04d8:f5fe',
      serial: 'TRNG-0042',
      firmware: '0300',
      description: 'TrueRNG v1–v3: whitened avalanche noise over CDC-ACM (ubld.it TrueRNG)',
    });
    await source.close();
  });

  it('refuses to drive a recognised device with another driver', async () => {
    const source = new SerialSource({ path: join(root, 'dev', 'ttyACM7'), driver: 'onerng', binding: MockBinding, sysfsRoot: join(root, 'sys') });
    await expect(source.open()).rejects.toMatchObject({ fault: 'CONFIG', message: expect.stringMatching(/04d8:f5fe.*TrueRNG.*driver=truerng/) });
  });
});
