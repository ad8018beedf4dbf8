/**
 * @module test/spec
 * The source spec grammar as tables: what each accepted spec parses to, the
 * error (naming the offending part) for each rejected one, and that the
 * parsed specs create and open the right sources.
 */

import { describe, expect, it, vi } from 'vitest';
import { HidSource, HwrngSource, OsSource, SerialSource, SimSource, SourceError, createSource, openSourceSpec, parseSourceSpec, type SourceSpec } from '../src/index.js';
import { MockBinding } from './mock-binding.js';

/** A spec without its text, per variant. */
type Parsed = SourceSpec extends infer S ? (S extends SourceSpec ? Omit<S, 'text'> : never) : never;

const good: Array<[string, Parsed[]]> = [
  ['os', [{ kind: 'os' }]],
  ['serial:/dev/ttyACM0?driver=truerng', [{ kind: 'serial', path: '/dev/ttyACM0', driver: 'truerng' }]],
  ['serial:/dev/ttyACM1?driver=truerngpro&mode=rng1white&h=7', [{ kind: 'serial', path: '/dev/ttyACM1', driver: 'truerngpro', mode: 'rng1white', minEntropy: 7 }]],
  ['serial:/dev/ttyACM2?driver=onerng,mode=7,h=3.5', [{ kind: 'serial', path: '/dev/ttyACM2', driver: 'onerng', mode: '7', minEntropy: 3.5 }]],
  ['serial:/dev/ttyACM3?driver=neug&baud=9600', [{ kind: 'serial', path: '/dev/ttyACM3', driver: 'neug', baudRate: 9600 }]],
  ['serial:/dev/serial/by-id/usb-ubld.it_TrueRNG%2Bpro-if00?driver=truerngpro', [{ kind: 'serial', path: '/dev/serial/by-id/usb-ubld.it_TrueRNG+pro-if00', driver: 'truerngpro' }]],
  ['hid:1209:5070', [{ kind: 'hid', usb: '1209:5070' }]],
  ['hid:20A0:42B1?h=6&timeout=500', [{ kind: 'hid', usb: '20a0:42b1', minEntropy: 6, timeoutMs: 500 }]],
  ['hid:/dev/hidraw3', [{ kind: 'hid', path: '/dev/hidraw3' }]],
  ['hwrng', [{ kind: 'hwrng', path: '/dev/hwrng' }]],
  ['hwrng:/dev/chaoskey0?h=6', [{ kind: 'hwrng', path: '/dev/chaoskey0', minEntropy: 6 }]],
  ['sim', [{ kind: 'sim', options: {} }]],
  ['sim:seed=1,fault=stuck,rate=100000', [{ kind: 'sim', options: { seed: '1', fault: 'stuck', rate: 100000 } }]],
  ['sim?seed=1&fault=stuck&rate=100000', [{ kind: 'sim', options: { seed: '1', fault: 'stuck', rate: 100000 } }]],
  ['sim:seed=x,fault=repeat,at=64,block=8,h=6', [{ kind: 'sim', options: { seed: 'x', fault: 'repeat', at: 64, block: 8, minEntropy: 6 } }]],
  ['sim:fault=bias,p=0.25,at=0?value=7', [{ kind: 'sim', options: { fault: 'bias', p: 0.25, at: 0, value: 7 } }]],
  ['sim:fault=disconnect,at=100,reappear=250', [{ kind: 'sim', options: { fault: 'disconnect', at: 100, reappear: 250 } }]],
  [
    'hwrng + serial:/dev/ttyACM0?driver=neug+sim:seed=2,rate=5',
    [
      { kind: 'hwrng', path: '/dev/hwrng' },
      { kind: 'serial', path: '/dev/ttyACM0', driver: 'neug' },
      { kind: 'sim', options: { seed: '2', rate: 5 } },
    ],
  ],
];

const bad: Array<[string, RegExp]> = [
  ['', /source spec: is empty/],
  ['os + ', /source spec #2: is empty/],
  ['usb:/dev/x', /usb:\/dev\/x: unknown source kind 'usb'/],
  ['os:/dev/x', /os:\/dev\/x: os takes no target/],
  ['os?h=8', /os\?h=8: unknown parameter 'h' \(this kind takes none\)/],
  ['serial:/dev/ttyACM0', /serial:\/dev\/ttyACM0: serial needs driver=/],
  ['serial:ttyACM0?driver=truerng', /needs a device path/],
  ['serial:/dev/ttyACM0?driver=truerngx', /driver: unknown 'truerngx'/],
  ['serial:/dev/ttyACM0?driver=truerng&speed=9600', /unknown parameter 'speed' \(allowed: driver, mode, h, baud\)/],
  ['serial:/dev/ttyACM0?driver=truerng&driver=neug', /parameter 'driver' given twice/],
  ['serial:/dev/ttyACM0?driver=truerng&h=high', /h: 'high' is not a number/],
  ['serial:/dev/ttyACM0?driver=truerng&baud=-1', /baud: '-1' is not a non-negative integer/],
  ['serial:/dev/ttyACM0?driver', /parameter 'driver' is not key=value/],
  ['serial:/dev/tty%ZZ?driver=truerng', /malformed %-escape/],
  ['hid', /hid needs vvvv:pppp or a device path/],
  ['hid:solo', /hid target 'solo' is neither vvvv:pppp nor a path/],
  ['hwrng:hwrng', /hwrng target 'hwrng' is not a path/],
  ['sim:seed=1,fault=melt', /sim:seed=1,fault=melt: fault: unknown 'melt'/],
  ['sim:seed=1,speed=3', /unknown parameter 'speed'/],
  ['sim:rate=fast', /rate: 'fast' is not a number/],
];

describe('parseSourceSpec', () => {
  it.each(good)('%s', (text, expected) => {
    const specs = parseSourceSpec(text);
    expect(specs.map(({ text: _text, ...rest }) => rest)).toEqual(expected);
    expect(specs.map((s) => s.text)).toEqual(text.split('+').map((s) => s.trim()));
  });

  it.each(bad)('rejects %j', (text, message) => {
    let error: unknown;
    try {
      parseSourceSpec(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ fault: 'CONFIG' });
    expect((error as Error).message).toMatch(message);
  });
});

describe('createSource and openSourceSpec', () => {
  it('creates the source class each kind names, with its claim', () => {
    const [os, serial, hid, hwrng, sim] = parseSourceSpec('os+serial:/dev/ttyACM0?driver=truerngpro&mode=rng2white+hid:1209:5070?h=6+hwrng+sim:seed=1,h=5').map((s) => createSource(s));
    expect(os).toBeInstanceOf(OsSource);
    expect(serial).toBeInstanceOf(SerialSource);
    expect(serial!.identity.description).toContain('9600 baud');
    expect(hid).toBeInstanceOf(HidSource);
    expect(hid!.minEntropy).toBe(6);
    expect(hwrng).toBeInstanceOf(HwrngSource);
    expect(sim).toBeInstanceOf(SimSource);
    expect(sim!.minEntropy).toBe(5);
  });

  it('creation refuses claims a driver cannot make', () => {
    expect(() => createSource(parseSourceSpec('serial:/dev/ttyACM0?driver=onerng&mode=7')[0]!)).toThrow(/give h=/);
    expect(() => createSource(parseSourceSpec('hwrng:/dev/chaoskey0')[0]!)).toThrow(/give h=/);
    expect(() => createSource(parseSourceSpec('sim:h=9')[0]!)).toThrow(/outside \(0, 8\]/);
  });

  it('opens every source of a list', async () => {
    MockBinding.createPort('/dev/ttySPEC0', { echo: false, record: true });
    try {
      const sources = await openSourceSpec('sim:seed=1 + serial:/dev/ttySPEC0?driver=truerng + os', { serialBinding: MockBinding });
      expect(sources.map((s) => s.identity.kind)).toEqual(['sim', 'serial', 'os']);
      expect(await sources[0]!.read(4)).toEqual(new SimSource({ seed: 1 }).bytesAt(0, 4));
      expect(await sources[2]!.read(4)).toHaveLength(4);
      await Promise.all(sources.map((s) => s.close()));
    } finally {
      MockBinding.reset();
    }
  });

  it('closes what it opened when a later source fails', async () => {
    const close = vi.spyOn(SimSource.prototype, 'close');
    try {
      const error = await openSourceSpec('sim:seed=1+hwrng:/dev/no-such-rng?h=7').catch((e: unknown) => e);
      expect(error).toMatchObject({ fault: 'OPEN', device: 'hwrng:/dev/no-such-rng' });
      expect(close).toHaveBeenCalledTimes(1);
    } finally {
      close.mockRestore();
    }
  });
});
