/**
 * Metrics benchmark: how long rendering `/metrics` takes (`EngineMetrics.text()`, what a scrape
 * costs the event loop) for an engine with 1, 100 and 1,000 sessions, each having counted a few
 * MsgTypes both ways, without the process metrics (the same for any number of sessions).
 *
 *   npm run bench:metrics              full run
 *   npm run bench:metrics -- --quick   short run (fewer rounds, up to 100 sessions)
 *
 * Prints one line per size and a JSON line each: milliseconds per render (median of rounds),
 * lines and bytes rendered. A scrape blocks the engine's event loop for about this long; with
 * Prometheus's usual 15 s interval it is rare, the session benchmark's `fixover-ops` case scrapes
 * every second.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/index.js';
import { executorApplication } from '../src/apps/index.js';
import { storeFor } from '../src/cli/run.js';
import { EngineMetrics } from '../src/admin/index.js';

const QUICK = process.argv.includes('--quick');
const SIZES = QUICK ? [1, 100] : [1, 100, 1000];
const ROUNDS = QUICK ? 20 : 100;

async function measure(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-metrics-bench-'));
  const records = Array.from({ length: n }, (_, i) => ({ BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: `C${i}`, ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1', FileStorePath: dir, UseDataDictionary: 'N' }));
  const engine = await Engine.create(records, (sender) => executorApplication({ send: (m, id) => void sender.send(m, id) }), { store: storeFor });
  try {
    // The counts a trading session has: logon, heartbeats, orders and fills, a reject.
    for (const s of engine.sessions.values()) {
      for (const [t, k] of [['A', 1], ['0', 5], ['D', 100], ['8', 100], ['3', 1], ['AE', 2]] as const) {
        for (let i = 0; i < k; i++) {
          s.core.stats.messagesIn.add(t);
          s.core.stats.messagesOut.add(t);
        }
      }
    }
    const metrics = new EngineMetrics(engine, { processMetrics: false });
    let text = '';
    for (let i = 0; i < 5; i++) text = await metrics.text();
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      text = await metrics.text();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const ms = Math.round(times[times.length >> 1] * 1000) / 1000;
    const lines = text.split('\n').length;
    process.stdout.write(`${String(n).padStart(5)} session(s): ${ms} ms per /metrics render (median of ${ROUNDS}), ${lines} lines, ${text.length} bytes\n`);
    process.stdout.write(`${JSON.stringify({ bench: 'metrics', case: `render-${n}-sessions`, unit: 'ms', median: ms, lines, bytes: text.length })}\n`);
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const n of SIZES) await measure(n);
