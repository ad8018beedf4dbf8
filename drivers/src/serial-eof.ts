/**
 * @module serial-eof
 * Makes a hung-up tty count as a disconnect with serialport's native Unix
 * bindings.
 *
 * When a USB serial device is unplugged, or a pty's master side closes,
 * Linux hangs the tty up and read(2) on it returns 0 (end of file) forever.
 * `@serialport/bindings-cpp` (13.0.0, unix-read.ts) retries a 0-byte read
 * immediately and recursively, so a hang-up that arrives while bytes are
 * flowing spins a thread-pool thread and is never reported (bindings-cpp
 * issue #162, unfixed upstream). On a non-blocking tty in raw mode, "no data"
 * is EAGAIN, never 0, so 0 can only mean the device is gone.
 *
 * `eofAwareBinding` wraps a binding so each opened Unix port reads through
 * the same fd and poller with that one difference: EOF rejects with a
 * disconnect error, which SerialPortStream turns into 'close'. Ports
 * without an fd (the mock binding, Windows) are left as they are.
 */

import { read as fsRead } from 'node:fs';
import { promisify } from 'node:util';
// The package's ESM entry ships no types; its CommonJS entry does.
import type { BindingInterface, BindingPortInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };

const readAsync = promisify(fsRead);

/** The parts of bindings-cpp's LinuxPortBinding / DarwinPortBinding used here. */
interface UnixPort extends BindingPortInterface {
  fd: number | null;
  poller: { once(event: 'readable', callback: (err: Error | null) => void): unknown };
}

export function eofAwareBinding(binding: BindingInterface): BindingInterface {
  return {
    list: () => binding.list(),
    open: async (options) => {
      const port = await binding.open(options);
      if (isUnixPort(port)) port.read = (buffer, offset, length) => readUnix(port, buffer, offset, length);
      return port;
    },
  };
}

function isUnixPort(port: BindingPortInterface): port is UnixPort {
  const candidate = port as Partial<UnixPort>;
  return typeof candidate.fd === 'number' && typeof candidate.poller?.once === 'function';
}

/** unix-read.ts's loop, with EOF as a disconnect and no recursion. */
async function readUnix(port: UnixPort, buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
  for (;;) {
    if (!port.isOpen || port.fd === null) throw canceled();
    try {
      const { bytesRead } = await readAsync(port.fd, buffer, offset, length, null);
      if (bytesRead === 0) throw Object.assign(new Error('end of file: the tty was hung up'), { disconnect: true });
      return { buffer, bytesRead };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw err;
      if (!port.isOpen) throw canceled();
      await new Promise<void>((resolve, reject) => port.poller.once('readable', (e) => (e ? reject(e) : resolve())));
    }
  }
}

function canceled(): Error {
  return Object.assign(new Error('Port is not open'), { canceled: true });
}
