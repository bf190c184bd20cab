/**
 * The pause a session owner survives is predictable and close to the lease (issue 14 §8), and the
 * fencing guarantee holds: with a fake clock, an owner renewing on its schedule is paused at every
 * phase; it survives every pause up to `minToleranceMs`, none over `maxToleranceMs`, and whenever
 * it still believes it may write, no other node can take the session over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { leaseHolds, leaseTiming } from '../../src/fencing/lease-timing.js';
import { FileOwnership, StoreFencedError } from '../../src/fencing/index.js';

test('the timing of the default 5 s lease: renew every 500 ms, margin 250 ms, tolerance 4.25–4.75 s', () => {
  assert.deepEqual(leaseTiming(5000), { leaseMs: 5000, renewEveryMs: 500, marginMs: 250, minToleranceMs: 4250, maxToleranceMs: 4750 });
  // Before: renewal every lease/3 and a fence at 0.9 × lease gave 0.57–0.9 × lease (2.83–4.5 s).
  const t = leaseTiming(5000);
  assert.ok(t.minToleranceMs >= 0.85 * t.leaseMs && t.maxToleranceMs <= 0.95 * t.leaseMs);
});

test('pure: a pause at any phase is survived up to the minimum tolerance, never past the maximum, and never past the lease', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1000, max: 600_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 700_000 }), (leaseMs, phase, pause) => {
      const t = leaseTiming(leaseMs);
      // The last renewal started at 0; the pause begins `phase` of a renewal period later (the next
      // renewal, due at renewEveryMs, does not run while paused).
      const from = Math.floor(phase * (t.renewEveryMs - 1));
      const wake = from + pause;
      const survives = leaseHolds(t, 0, wake);
      if (pause <= t.minToleranceMs) assert.ok(survives, `pause ${pause} at ${from} of lease ${leaseMs}`);
      if (pause > t.maxToleranceMs) assert.ok(!survives);
      // Safety: another node may take over once the record (renewedAt 0) is older than the lease.
      if (survives) assert.ok(wake < leaseMs - t.marginMs + 1 && wake < leaseMs);
    }),
  );
});

function owners(leaseMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-lease-'));
  let clock = 1_000_000;
  const now = () => clock;
  const alive = () => true;
  const a = new FileOwnership({ dir, prefix: 'P', node: 'a', leaseMs, now, isAlive: alive });
  const b = new FileOwnership({ dir, prefix: 'P', node: 'b', leaseMs, now, isAlive: alive });
  return { a, b, advance: (ms: number) => (clock += ms) };
}

test('file ownership with a fake clock: paused right before a renewal was due, the owner survives the minimum tolerance', async () => {
  const t = leaseTiming(5000);
  const { a, b, advance } = owners(5000);
  await a.acquire();
  for (let i = 0; i < 5; i++) {
    advance(t.renewEveryMs);
    await a.renew();
  }
  // Paused just before the next renewal: the worst phase.
  advance(t.renewEveryMs - 1);
  advance(t.minToleranceMs - (t.renewEveryMs - 1));
  assert.ok(a.holds(), 'survived');
  await a.check();
  assert.equal((await b.acquire()).acquired, false, 'nobody could take it over meanwhile');
  await a.renew();
  assert.ok(a.holds());
});

test('file ownership with a fake clock: the owner fences itself at lease − margin after its last renewal started, before another node may take over', async () => {
  const t = leaseTiming(5000);
  const { a, b, advance } = owners(5000);
  await a.acquire();
  advance(t.renewEveryMs);
  await a.renew();
  advance(t.maxToleranceMs);
  assert.ok(a.holds(), 'still holds at exactly lease − margin');
  assert.equal((await b.acquire()).acquired, false);
  advance(1);
  assert.ok(!a.holds(), 'fenced 1 ms later');
  await assert.rejects(a.check(), StoreFencedError);
  // The margin later, and not before, another node takes the session.
  advance(t.marginMs - 1);
  assert.equal((await b.acquire()).acquired, false, 'the record lease has not run out yet');
  advance(1);
  assert.equal((await b.acquire()).acquired, true);
  await assert.rejects(a.renew(), StoreFencedError);
});

test('file ownership with a fake clock: pauses of every phase, stepping through a renewal period', async () => {
  const t = leaseTiming(2000);
  for (let phase = 0; phase < t.renewEveryMs; phase += 20) {
    for (const pause of [t.minToleranceMs, t.maxToleranceMs - phase, t.maxToleranceMs - phase + 1]) {
      const { a, b, advance } = owners(2000);
      await a.acquire();
      advance(t.renewEveryMs);
      await a.renew();
      advance(phase + pause);
      const survives = phase + pause <= t.maxToleranceMs;
      assert.equal(a.holds(), survives, `phase ${phase} pause ${pause}`);
      if (a.holds()) assert.equal((await b.acquire()).acquired, false, 'the fence holds: nobody else can own it while the owner may write');
    }
  }
});
