/**
 * `fixover conformance`: runs QuickFIX acceptance scripts. With `--settings` it starts fixover
 * itself (the acceptance application, stores in a temporary folder) and tests it; with `--port`
 * it tests any acceptor already running. Prints a line per failing file (or every file with
 * --verbose) and ends with `N passed, M failed`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFieldFormats, runSuite, type FileResult, type Mode } from '../conformance/index.js';
import { startEngine } from './run.js';

export interface ConformanceOptions {
  settings?: string;
  host: string;
  port?: number;
  mode: Mode;
  fields?: string;
  verbose?: boolean;
}

/** Runs the scripts; resolves with the results (the caller decides the exit code). */
export async function conformance(paths: string[], o: ConformanceOptions, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<FileResult[]> {
  if (paths.length === 0) throw Object.assign(new Error('give the .def files or folders to run'), { exitCode: 2 });
  if (!o.settings && o.port === undefined) throw Object.assign(new Error('give --settings (to start fixover) or --port (to test a running acceptor)'), { exitCode: 2 });
  const formats = o.fields ? parseFieldFormats(readFileSync(o.fields, 'latin1')) : new Map<string, RegExp>();
  let stop = async (): Promise<void> => undefined;
  let port = o.port ?? 0;
  if (o.settings) {
    const dataDir = mkdtempSync(join(tmpdir(), 'fixover-conformance-'));
    const { engine, ports } = await startEngine(o.settings, { app: 'acceptance', dataDir, listenPort: o.port ?? 0 });
    port = ports[0];
    stop = async () => {
      await engine.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  try {
    const results = await runSuite(paths, { host: o.host, port, mode: o.mode, formats }, (r) => {
      if (!r.passed) out(`FAIL ${r.file}${r.line ? `:${r.line}` : ''}: ${r.problem}`);
      else if (o.verbose) out(`ok   ${r.file} (${r.ms} ms)`);
    });
    const passed = results.filter((r) => r.passed).length;
    out(`${passed} passed, ${results.length - passed} failed`);
    return results;
  } finally {
    await stop();
  }
}
