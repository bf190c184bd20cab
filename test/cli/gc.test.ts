/** The `fixover` command's garbage-collector tuning (src/cli/gc.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT, TSX } from './cli.js';
import { tuneGarbageCollector } from '../../src/cli/gc.js';

/**
 * Runs a child that applies the tuning and then allocates with some survivors, as an engine does;
 * reports the young generation's size (V8's new_space, bytes) when tuned and the largest it saw.
 */
function youngGeneration(env: NodeJS.ProcessEnv): { how: string; atStart: number; peak: number } {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    const { tuneGarbageCollector } = await import(${JSON.stringify(`${ROOT}src/cli/gc.ts`)});
    const youngSize = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const how = tuneGarbageCollector();
    const atStart = youngSize();
    let keep = [];
    let peak = 0;
    for (let round = 0; round < 300; round++) {
      for (let i = 0; i < 5000; i++) {
        const o = { seq: i, text: 'order-' + i };
        if (i % 50 === 0) keep.push(o);
      }
      if (keep.length > 5000) keep = keep.slice(-2000);
      peak = Math.max(peak, youngSize());
    }
    console.log(JSON.stringify({ how, atStart, peak }));
  `;
  const r = spawnSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '', ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { how: string; atStart: number; peak: number };
}

test('the tuning stops the young generation from growing; without it V8 grows it', () => {
  const tuned = youngGeneration({});
  assert.equal(tuned.how, 'applied');
  assert.equal(tuned.peak, tuned.atStart, `young generation ${tuned.atStart} B when tuned, peak ${tuned.peak} B`);
  const untuned = youngGeneration({ FIXOVER_GC_TUNING: 'off' });
  assert.equal(untuned.how, 'off');
  assert.ok(untuned.peak >= 2 * untuned.atStart, `young generation ${untuned.atStart} B at the start, peak ${untuned.peak} B (the control: it grows)`);
});

test('a young generation sized by the user, or FIXOVER_GC_TUNING=off, is left alone', () => {
  assert.equal(tuneGarbageCollector(['--max-semi-space-size=32'], {}), 'user-sized');
  assert.equal(tuneGarbageCollector([], { NODE_OPTIONS: '--enable-source-maps --semi-space-growth-factor=4' }), 'user-sized');
  assert.equal(tuneGarbageCollector(['--min_semi_space_size=8'], {}), 'user-sized');
  assert.equal(tuneGarbageCollector([], { FIXOVER_GC_TUNING: 'off' }), 'off');
});
