/**
 * Runs `.def` scripts against a FIX acceptor: folders in parallel with each other, the files of a
 * folder one after another in name order (they share a session). Every wait has a timeout: 10 s,
 * 40 s for the heartbeat scripts (`4a_*`, `6_*`); 60 s per message in lenient mode.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseDef, type Step } from './def-file.js';
import { prepareMessage } from './prepare.js';
import { compare, type Mode } from './match.js';
import { TestConnection } from './connection.js';

export interface RunOptions {
  host: string;
  port: number;
  mode: Mode;
  formats: ReadonlyMap<string, RegExp>;
}

export interface FileResult {
  readonly file: string;
  readonly passed: boolean;
  readonly line?: number;
  readonly problem?: string;
  readonly ms: number;
}

const show = (b: Buffer): string => b.toString('latin1').split('\x01').join('|');

function waitMs(file: string, mode: Mode): number {
  if (mode === 'lenient') return 60_000;
  return /^(4a|6)_/.test(basename(file)) ? 40_000 : 10_000;
}

/** Runs one script; the result says where and why it failed. */
export async function runDefFile(file: string, o: RunOptions): Promise<FileResult> {
  const t0 = Date.now();
  const conns = new Map<string, TestConnection>();
  const fail = (step: Step, problem: string): FileResult => ({ file, passed: false, line: step.line, problem, ms: Date.now() - t0 });
  try {
    const steps = parseDef(readFileSync(file, 'latin1'), file);
    const wait = waitMs(file, o.mode);
    for (const step of steps) {
      const conn = conns.get(step.conn);
      switch (step.kind) {
        case 'connect':
          conn?.close();
          conns.set(step.conn, await TestConnection.open(o.host, o.port, 10_000));
          break;
        case 'disconnect':
          conn?.close();
          conns.delete(step.conn);
          break;
        case 'send':
          if (!conn) return fail(step, `connection ${step.conn} is not open`);
          conn.send(prepareMessage(step.text, Date.now()));
          break;
        case 'expect': {
          if (!conn) return fail(step, `connection ${step.conn} is not open`);
          const got = await conn.next(wait);
          const expected = prepareMessage(step.text, Date.now());
          if (typeof got === 'string') return fail(step, `expected ${show(expected)} but the connection ${got === 'closed' ? 'was closed' : `was silent for ${wait} ms`}`);
          const diff = compare(expected, got, o.mode, o.formats);
          if (diff) return fail(step, `${diff}\n    expected ${show(expected)}\n    received ${show(got)}`);
          break;
        }
        case 'expect-disconnect': {
          if (!conn) return fail(step, `connection ${step.conn} is not open`);
          const got = await conn.next(10_000);
          if (got !== 'closed') return fail(step, typeof got === 'string' ? 'the engine did not close the connection within 10 s' : `expected a disconnect, received ${show(got)}`);
          break;
        }
      }
    }
    return { file, passed: true, ms: Date.now() - t0 };
  } catch (e) {
    return { file, passed: false, problem: e instanceof Error ? e.message : String(e), ms: Date.now() - t0 };
  } finally {
    for (const c of conns.values()) c.close();
  }
}

/** The `.def` files of a folder (or the file itself), in name order. */
export function defFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.def'))
    .sort()
    .map((f) => join(path, f));
}

/** Runs folders in parallel, files within a folder in order; `report` sees each result as it comes. */
export async function runSuite(paths: readonly string[], o: RunOptions, report: (r: FileResult) => void = () => undefined): Promise<FileResult[]> {
  const all = await Promise.all(
    paths.map(async (p) => {
      const results: FileResult[] = [];
      for (const f of defFiles(p)) {
        const r = await runDefFile(f, o);
        report(r);
        results.push(r);
      }
      return results;
    }),
  );
  return all.flat();
}
