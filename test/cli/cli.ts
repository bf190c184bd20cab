/** Runs the fixover command (from source, through tsx) and captures its output. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** tsx's loader by absolute URL, so the command can run from any directory. */
export const TSX = import.meta.resolve('tsx');

/** Starts the command in the background (for servers); stdout lines are collected. */
export function start(
  args: string[],
  cwd = ROOT,
  /** A command the fixover command runs under (it execs its arguments), e.g. `unshare`. */
  wrapper: string[] = [],
  /** Node/V8 flags for the command's process, e.g. `--trace-gc-nvp`. */
  nodeArgs: string[] = [],
): { child: ChildProcess; output: () => string; waitFor: (re: RegExp, ms?: number) => Promise<RegExpMatchArray> } {
  const command = [process.execPath, ...nodeArgs, '--import', TSX, `${ROOT}src/cli/bin.ts`, ...args];
  const all = [...wrapper, ...command];
  const child = spawn(all[0], all.slice(1), { cwd, env: { ...process.env, FORCE_COLOR: '0' } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const waitFor = (re: RegExp, ms = 20_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const t0 = Date.now();
      const check = (): void => {
        const m = re.exec(out);
        if (m) return resolve(m);
        if (Date.now() - t0 > ms || child.exitCode !== null) return reject(new Error(`timed out waiting for ${re} in:\n${out}`));
        setTimeout(check, 50);
      };
      check();
    });
  return { child, output: () => out, waitFor };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function fixover(args: string[], input?: string | Buffer, cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, `${ROOT}src/cli/bin.ts`, ...args], { cwd, env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
