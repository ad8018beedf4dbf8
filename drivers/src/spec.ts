/**
 * @module spec
 * Source spec strings, as given in configuration (`RNGSEAL_SOURCE=…`,
 * `--source …`), parsed into SourceSpec objects and turned into sources.
 *
 * Grammar (ABNF; whitespace around `+` is ignored):
 *
 *     list    = source *( "+" source )          ; several sources, mixed
 *     source  = kind [ ":" target ] [ "?" params ]
 *     kind    = "os" / "serial" / "hid" / "hwrng" / "sim"
 *     params  = param *( ( "&" / "," ) param )
 *     param   = key "=" value
 *
 * `+` only ever separates sources: it never occurs in a kind, key or value
 * (write `%2B` for a literal plus in a path; targets and values are
 * percent-decoded). `,` and `&` only ever separate params, so `sim`'s comma
 * lists cannot be mistaken for a list of sources. For `sim` the target *is*
 * its parameter list: `sim:seed=1,fault=stuck` = `sim?seed=1&fault=stuck`.
 *
 *     os
 *     serial:/dev/ttyACM0?driver=truerng
 *     serial:/dev/ttyACM1?driver=truerngpro&mode=normal&h=7
 *     serial:/dev/ttyACM2?driver=onerng&mode=0
 *     hid:1209:5070              hid:/dev/hidraw3?h=7
 *     hwrng                      hwrng:/dev/chaoskey0?h=6
 *     sim:seed=1,fault=stuck,at=4096,rate=100000
 *     hwrng + serial:/dev/ttyACM0?driver=neug
 */

import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { HidSource, type HidSourceOptions } from './hid.js';
import { HwrngSource } from './hwrng.js';
import type { SerialDriverName } from './known-devices.js';
import { OsSource } from './os.js';
import { SerialSource } from './serial.js';
import { SIM_FAULTS, SimSource, type SimFault, type SimOptions } from './sim.js';
import { SourceError, type EntropySource } from './source.js';

export type SourceSpec =
  | { kind: 'os'; text: string }
  | { kind: 'serial'; text: string; path: string; driver: SerialDriverName; mode?: string; minEntropy?: number; baudRate?: number }
  | { kind: 'hid'; text: string; path?: string; usb?: string; minEntropy?: number; timeoutMs?: number }
  | { kind: 'hwrng'; text: string; path: string; minEntropy?: number }
  | { kind: 'sim'; text: string; options: SimOptions };

export type SourceKind = SourceSpec['kind'];

/** Injection points for createSource (tests, and hosts with their own bindings). */
export interface CreateSourceDeps {
  serialBinding?: BindingInterface;
  hidOpenDevice?: HidSourceOptions['openDevice'];
  hidListDevices?: HidSourceOptions['listDevices'];
  sysfsRoot?: string;
}

const DRIVERS: readonly SerialDriverName[] = ['truerng', 'truerngpro', 'neug', 'onerng'];
const KINDS: readonly SourceKind[] = ['os', 'serial', 'hid', 'hwrng', 'sim'];

/** Keys each kind accepts; anything else is an error naming the key. */
const KEYS: Record<SourceKind, readonly string[]> = {
  os: [],
  serial: ['driver', 'mode', 'h', 'baud'],
  hid: ['h', 'timeout'],
  hwrng: ['h'],
  sim: ['seed', 'rate', 'fault', 'at', 'value', 'p', 'block', 'reappear', 'h'],
};

/** Parses a list of source specs; throws SourceError CONFIG naming the bad part. */
export function parseSourceSpec(text: string): SourceSpec[] {
  if (text.trim() === '') throw new SourceError('CONFIG', 'source spec', 'is empty');
  return text.split('+').map((part, i) => {
    const item = part.trim();
    if (item === '') throw new SourceError('CONFIG', `source spec #${i + 1}`, `is empty (in "${text}")`);
    return parseOne(item);
  });
}

function parseOne(text: string): SourceSpec {
  const fail = (message: string) => new SourceError('CONFIG', text, message);
  const query = text.indexOf('?');
  const head = query < 0 ? text : text.slice(0, query);
  const colon = head.indexOf(':');
  const kind = (colon < 0 ? head : head.slice(0, colon)).trim();
  const rawTarget = colon < 0 ? undefined : head.slice(colon + 1);
  if (!KINDS.includes(kind as SourceKind)) throw fail(`unknown source kind '${kind}' (${KINDS.join(', ')})`);
  let paramText = query < 0 ? '' : text.slice(query + 1);
  let target = rawTarget === undefined ? undefined : decode(rawTarget, fail);
  if (kind === 'sim' && rawTarget !== undefined) {
    paramText = [rawTarget, paramText].filter(Boolean).join('&');
    target = undefined;
  }
  const params = parseParams(paramText, KEYS[kind as SourceKind], fail);
  return build(kind as SourceKind, text, target, params, fail);
}

function parseParams(text: string, allowed: readonly string[], fail: (m: string) => SourceError): Map<string, string> {
  const params = new Map<string, string>();
  if (text === '') return params;
  for (const item of text.split(/[&,]/)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw fail(`parameter '${item}' is not key=value`);
    const key = item.slice(0, eq).trim().toLowerCase();
    if (!allowed.includes(key)) throw fail(`unknown parameter '${key}'${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (this kind takes none)'}`);
    if (params.has(key)) throw fail(`parameter '${key}' given twice`);
    params.set(key, decode(item.slice(eq + 1).trim(), fail));
  }
  return params;
}

function build(kind: SourceKind, text: string, target: string | undefined, params: Map<string, string>, fail: (m: string) => SourceError): SourceSpec {
  const h = params.has('h') ? number(params, 'h', fail) : undefined;
  const withH = h === undefined ? {} : { minEntropy: h };
  switch (kind) {
    case 'os':
      if (target !== undefined) throw fail('os takes no target');
      return { kind, text };
    case 'serial': {
      if (!target?.startsWith('/')) throw fail('serial needs a device path: serial:/dev/ttyACM0?driver=…');
      const driver = params.get('driver');
      if (!driver) throw fail(`serial needs driver= (${DRIVERS.join(', ')})`);
      if (!DRIVERS.includes(driver as SerialDriverName)) throw fail(`driver: unknown '${driver}' (${DRIVERS.join(', ')})`);
      const mode = params.get('mode');
      const baud = params.has('baud') ? integer(params, 'baud', fail) : undefined;
      return { kind, text, path: target, driver: driver as SerialDriverName, ...(mode !== undefined && { mode }), ...withH, ...(baud !== undefined && { baudRate: baud }) };
    }
    case 'hid': {
      if (!target) throw fail('hid needs vvvv:pppp or a device path: hid:1209:5070, hid:/dev/hidraw3');
      const timeout = params.has('timeout') ? integer(params, 'timeout', fail) : undefined;
      const where = /^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/.test(target) ? { usb: target.toLowerCase() } : target.startsWith('/') ? { path: target } : null;
      if (!where) throw fail(`hid target '${target}' is neither vvvv:pppp nor a path`);
      return { kind, text, ...where, ...withH, ...(timeout !== undefined && { timeoutMs: timeout }) };
    }
    case 'hwrng':
      if (target !== undefined && !target.startsWith('/')) throw fail(`hwrng target '${target}' is not a path`);
      return { kind, text, path: target ?? '/dev/hwrng', ...withH };
    case 'sim':
      return { kind, text, options: simOptions(params, fail) };
  }
}

function simOptions(params: Map<string, string>, fail: (m: string) => SourceError): SimOptions {
  const o: SimOptions = {};
  const seed = params.get('seed');
  if (seed !== undefined) o.seed = seed;
  const fault = params.get('fault');
  if (fault !== undefined) {
    if (!SIM_FAULTS.includes(fault as SimFault)) throw fail(`fault: unknown '${fault}' (${SIM_FAULTS.join(', ')})`);
    o.fault = fault as SimFault;
  }
  if (params.has('rate')) o.rate = number(params, 'rate', fail);
  if (params.has('at')) o.at = integer(params, 'at', fail);
  if (params.has('value')) o.value = integer(params, 'value', fail);
  if (params.has('p')) o.p = number(params, 'p', fail);
  if (params.has('block')) o.block = integer(params, 'block', fail);
  if (params.has('reappear')) o.reappear = integer(params, 'reappear', fail);
  if (params.has('h')) o.minEntropy = number(params, 'h', fail);
  return o;
}

/** Creates the source a spec describes (not opened). Throws CONFIG for impossible claims or modes. */
export function createSource(spec: SourceSpec, deps: CreateSourceDeps = {}): EntropySource {
  const sysfs = deps.sysfsRoot === undefined ? {} : { sysfsRoot: deps.sysfsRoot };
  switch (spec.kind) {
    case 'os':
      return new OsSource();
    case 'serial':
      return new SerialSource({
        path: spec.path,
        driver: spec.driver,
        ...(spec.mode !== undefined && { mode: spec.mode }),
        ...(spec.minEntropy !== undefined && { minEntropy: spec.minEntropy }),
        ...(spec.baudRate !== undefined && { baudRate: spec.baudRate }),
        ...(deps.serialBinding && { binding: deps.serialBinding }),
        ...sysfs,
      });
    case 'hid':
      return new HidSource({
        ...(spec.path !== undefined && { path: spec.path }),
        ...(spec.usb !== undefined && { usb: spec.usb }),
        ...(spec.minEntropy !== undefined && { minEntropy: spec.minEntropy }),
        ...(spec.timeoutMs !== undefined && { timeoutMs: spec.timeoutMs }),
        ...(deps.hidOpenDevice && { openDevice: deps.hidOpenDevice }),
        ...(deps.hidListDevices && { listDevices: deps.hidListDevices }),
        ...sysfs,
      });
    case 'hwrng':
      return new HwrngSource({ path: spec.path, ...(spec.minEntropy !== undefined && { minEntropy: spec.minEntropy }), ...sysfs });
    case 'sim':
      return new SimSource(spec.options);
  }
}

/**
 * Parses, creates and opens every source of a spec list. If one fails to
 * open, those already opened are closed again before the error is thrown.
 */
export async function openSourceSpec(text: string, deps: CreateSourceDeps = {}): Promise<EntropySource[]> {
  const sources = parseSourceSpec(text).map((spec) => createSource(spec, deps));
  const opened: EntropySource[] = [];
  try {
    for (const source of sources) {
      await source.open();
      opened.push(source);
    }
  } catch (err) {
    await Promise.all(opened.map((s) => s.close().catch(() => {})));
    throw err;
  }
  return sources;
}

function decode(value: string, fail: (m: string) => SourceError): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw fail(`'${value}' has a malformed %-escape`);
  }
}

function number(params: Map<string, string>, key: string, fail: (m: string) => SourceError): number {
  const raw = params.get(key)!;
  const value = Number(raw);
  if (raw === '' || !Number.isFinite(value)) throw fail(`${key}: '${raw}' is not a number`);
  return value;
}

function integer(params: Map<string, string>, key: string, fail: (m: string) => SourceError): number {
  const value = number(params, key, fail);
  if (!Number.isSafeInteger(value) || value < 0) throw fail(`${key}: '${params.get(key)}' is not a non-negative integer`);
  return value;
}
