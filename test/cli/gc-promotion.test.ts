/**
 * Garbage the executor leaves per order dies young: minor collections promote next to nothing.
 * A number turned into a string for every message (MsgSeqNum, store records, order ids) is kept
 * in V8's number-string cache, an old-generation table, long enough to survive minor collections
 * and be promoted; that made each of them about half again as long (see README).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, TSX } from './cli.js';
import { seedConfig, sendSeedOrders } from './seed-orders.js';
import { freePort } from '../support/free-port.js';

test('minor collections in the executor promote almost nothing while it fills 40,000 orders', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-gc-'));
  const port = await freePort();
  writeFileSync(join(dir, 'executor.cfg'), seedConfig(port));
  const child = spawn(process.execPath, ['--trace-gc-nvp', '--import', TSX, `${ROOT}src/cli/bin.ts`, 'executor', 'executor.cfg'], { cwd: dir, env: { ...process.env, FORCE_COLOR: '0' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    for (let t0 = Date.now(); !/listening on \d+/.test(out); ) {
      assert.ok(Date.now() - t0 < 20_000 && child.exitCode === null, `the executor did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    let before = 0;
    const report = await sendSeedOrders(port, 40_000, 20, () => (before = out.length));
    assert.equal(report.filled, 40_000);
    // The minor collections made while the orders were filled (start-up code and warm-up excluded).
    const promoted = [...out.slice(before).matchAll(/gc=s .*?promoted=(\d+)/g)].map((m) => Number(m[1]));
    assert.ok(promoted.length >= 3, `minor collections during the run: ${promoted.length}\n${out.slice(-3000)}`);
    const sorted = [...promoted].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1];
    assert.ok(median < 2048, `median bytes promoted per minor collection: ${median} (all: ${promoted.join(' ')})`);
  } finally {
    child.kill('SIGKILL');
  }
});
