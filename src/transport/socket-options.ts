/**
 * TCP socket options from the settings: `SocketTcpNoDelay`/`SocketNodelay`, `SocketKeepAlive`,
 * `SocketSendBufferSize`, `SocketReceiveBufferSize`.
 *
 * Node has no API for the kernel buffer sizes of a TCP socket (SO_SNDBUF / SO_RCVBUF), so they are
 * set with setsockopt(2) through ffi-rs on the socket's descriptor. Where that is not possible (no
 * prebuilt ffi-rs for the platform, no descriptor) `applySocketOptions` says why instead of
 * pretending, and the socket keeps the system's sizes.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

export interface SocketOptions {
  /** `SocketTcpNoDelay` / `SocketNodelay` (default true). */
  noDelay?: boolean;
  /** `SocketKeepAlive`. */
  keepAlive?: boolean;
  /** `SocketSendBufferSize`: SO_SNDBUF in bytes (0 or absent: the system's default). */
  sendBufferSize?: number;
  /** `SocketReceiveBufferSize`: SO_RCVBUF in bytes (0 or absent: the system's default). */
  receiveBufferSize?: number;
}

/** The socket-level constants of the platforms with a prebuilt ffi-rs. */
const CONSTANTS: Record<string, { level: number; sndbuf: number; rcvbuf: number; libc: string }> = {
  linux: { level: 1, sndbuf: 7, rcvbuf: 8, libc: '' },
  darwin: { level: 0xffff, sndbuf: 0x1001, rcvbuf: 0x1002, libc: 'libc.dylib' },
};

type Ffi = typeof import('ffi-rs');
let ffi: Ffi | null | undefined;
let ffiProblem = '';

function loadFfi(): Ffi | null {
  if (ffi !== undefined) return ffi;
  const c = CONSTANTS[process.platform];
  if (!c) {
    ffiProblem = `socket buffer sizes are not supported on ${process.platform}`;
    return (ffi = null);
  }
  try {
    const f = createRequire(import.meta.url)('ffi-rs') as Ffi;
    f.open({ library: 'fixover-libc', path: c.libc });
    return (ffi = f);
  } catch (e) {
    ffiProblem = `socket buffer sizes need ffi-rs, which did not load here: ${(e as Error).message}`;
    return (ffi = null);
  }
}

function descriptor(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

function setInt(f: Ffi, fd: number, level: number, option: number, value: number): number {
  const ptr = f.createPointer({ paramsType: [f.DataType.I32], paramsValue: [value] });
  return f.load({
    library: 'fixover-libc',
    funcName: 'setsockopt',
    retType: f.DataType.I32,
    paramsType: [f.DataType.I32, f.DataType.I32, f.DataType.I32, f.DataType.External, f.DataType.I32],
    paramsValue: [fd, level, option, ptr[0], 4],
  }) as number;
}

/** Reads SO_SNDBUF / SO_RCVBUF of a connected socket (for tests and diagnostics); undefined where unsupported. */
export function socketBufferSizes(socket: Socket): { send: number; receive: number } | undefined {
  const f = loadFfi();
  const fd = descriptor(socket);
  const c = CONSTANTS[process.platform];
  if (!f || fd === undefined || !c) return undefined;
  const get = (option: number): number => {
    const value = f.createPointer({ paramsType: [f.DataType.I32], paramsValue: [0] });
    const length = f.createPointer({ paramsType: [f.DataType.I32], paramsValue: [4] });
    const rc = f.load({
      library: 'fixover-libc',
      funcName: 'getsockopt',
      retType: f.DataType.I32,
      paramsType: [f.DataType.I32, f.DataType.I32, f.DataType.I32, f.DataType.External, f.DataType.External],
      paramsValue: [fd, c.level, option, value[0], length[0]],
    }) as number;
    if (rc !== 0) return -1;
    return (f.restorePointer({ retType: [f.DataType.I32], paramsValue: value }) as number[])[0];
  };
  return { send: get(c.sndbuf), receive: get(c.rcvbuf) };
}

const warned = new Set<string>();

/**
 * Applies the options to a connected socket. Returns the problems met (empty when every option
 * took effect); each distinct problem is also reported once as a process warning. Never throws.
 */
export function applySocketOptions(socket: Socket, options: SocketOptions): string[] {
  const problems = setOptions(socket, options);
  for (const p of problems) {
    if (warned.has(p)) continue;
    warned.add(p);
    process.emitWarning(p, 'FixoverSocketOptions');
  }
  return problems;
}

function setOptions(socket: Socket, options: SocketOptions): string[] {
  socket.setNoDelay(options.noDelay ?? true);
  if (options.keepAlive) socket.setKeepAlive(true);
  const problems: string[] = [];
  const wanted: Array<[string, number, 'sndbuf' | 'rcvbuf']> = [];
  if (options.sendBufferSize) wanted.push(['SocketSendBufferSize', options.sendBufferSize, 'sndbuf']);
  if (options.receiveBufferSize) wanted.push(['SocketReceiveBufferSize', options.receiveBufferSize, 'rcvbuf']);
  if (wanted.length === 0) return problems;
  const f = loadFfi();
  const fd = descriptor(socket);
  const c = CONSTANTS[process.platform];
  if (!f || !c) return wanted.map(([name]) => `${name} not applied: ${ffiProblem}`);
  if (fd === undefined) return wanted.map(([name]) => `${name} not applied: the socket has no descriptor`);
  for (const [name, value, which] of wanted) {
    if (setInt(f, fd, c.level, c[which], value) !== 0) problems.push(`${name}=${value} not applied: setsockopt failed`);
  }
  return problems;
}
