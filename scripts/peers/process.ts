/**
 * Processes and sockets for tests and benchmarks that run real FIX peers: free ports, waiting with
 * time limits, child processes with captured output and a sure way to stop them, and the
 * `fixover` command run from source through tsx. Shared by test/interop and bench/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { once } from 'node:events';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** tsx's loader by absolute URL, so the command can run from any directory. */
export const TSX = import.meta.resolve('tsx');

// ---------------------------------------------------------------------------------------------
// Small utilities

export async function freePort(): Promise<number> {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when `check` returns a truthy value; rejects after `ms` with `what` in the message. */
export async function waitUntil<T>(check: () => T | undefined | null | false, ms: number, what: string, every = 20): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/** Rejects with a clear message when `p` does not settle in time. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(1000, () => done(false));
  });
}

// ---------------------------------------------------------------------------------------------
// Child processes

export interface Proc {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (null after a signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal`, waits up to `ms` for the exit, then SIGKILLs. Safe to call after the exit. */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startProcess(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(command, args, { cwd, env: { ...process.env, FORCE_COLOR: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (e) => {
      out += `\nspawn error: ${e.message}\n`;
      resolve({ code: null, signal: null });
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));
  const waitFor = (re: RegExp, ms = 20_000): Promise<RegExpMatchArray> =>
    waitUntil(
      () => {
        const m = re.exec(out);
        if (m) return m;
        if (ended) throw new Error(`process exited while waiting for ${re}:\n${out}`);
        return undefined;
      },
      ms,
      `${re} in the output of ${command}:\n${out}`,
    );
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', ms = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
    if (!ended && child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => {
      if (!ended) child.kill('SIGKILL');
    }, ms);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return { child, output: () => out, waitFor, exited, stop };
}

/** Starts the `fixover` command from source (through tsx) in the background. */
export function startFixover(args: string[], cwd: string, nodeArgs: string[] = []): Proc {
  return startProcess(process.execPath, [...nodeArgs, '--import', TSX, `${ROOT}src/cli/bin.ts`, ...args], cwd);
}

/** Runs the `fixover` command to its end; SIGKILLed (and rejected) after `timeoutMs`. */
export async function runFixover(args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const p = startFixover(args, cwd);
  try {
    const r = await withTimeout(p.exited, timeoutMs, `fixover ${args.join(' ')}:\n${p.output()}`);
    return { code: r.code, output: p.output() };
  } finally {
    await p.stop('SIGKILL', 1000);
  }
}
