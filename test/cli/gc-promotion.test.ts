/**
 * Garbage the executor leaves per order dies young: minor collections promote next to nothing.
 * A number turned into a string for every message (MsgSeqNum, store records, order ids) is kept
 * in V8's number-string cache, an old-generation table, long enough to survive minor collections
 * and be promoted; that made each of them about half again as long (see README).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from './cli.js';
import { seedConfig, sendSeedOrders } from './seed-orders.js';
import { freePort } from '../support/free-port.js';

test('minor collections in the executor promote almost nothing while it fills 40,000 orders', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-gc-'));
  const port = await freePort();
  writeFileSync(join(dir, 'executor.cfg'), seedConfig(port));
  const server = start(['executor', 'executor.cfg'], dir, [], ['--trace-gc-nvp']);
  try {
    await server.waitFor(/listening on \d+/);
    let before = 0;
    const report = await sendSeedOrders(port, 40_000, 20, () => (before = server.output().length));
    assert.equal(report.filled, 40_000);
    // The minor collections made while the orders were filled (start-up code and warm-up excluded).
    const promoted = [...server.output().slice(before).matchAll(/gc=s .*?promoted=(\d+)/g)].map((m) => Number(m[1]));
    assert.ok(promoted.length >= 3, `minor collections during the run: ${promoted.length}\n${server.output().slice(-3000)}`);
    const sorted = [...promoted].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1];
    assert.ok(median < 2048, `median bytes promoted per minor collection: ${median} (all: ${promoted.join(' ')})`);
  } finally {
    server.child.kill('SIGKILL');
  }
});
