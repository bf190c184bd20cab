/**
 * Fuzzes a live acceptor (see live-rig.ts and properties.ts): one counterparty sends generated
 * hostile traffic over real sockets while a second session of the same acceptor keeps filling
 * orders; nothing escapes to the process, memory stays bounded, and the fuzzing counterparty can
 * still log on and trade at the end. Replay a failure with FIXOVER_FUZZ_SEED and FIXOVER_FUZZ_PATH.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import v8 from 'node:v8';
import vm from 'node:vm';
import { fuzzParameters, knownSummary, liveProperty, newStats } from './properties.js';
import { LiveRig } from './live-rig.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

test('live acceptor: no error escapes, the other session keeps answering, memory bounded', async () => {
  const rig = await LiveRig.start();
  const stats = newStats();
  const t0 = Date.now();
  try {
    await rig.roundTrip('warm-up');
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const rss0 = process.memoryUsage().rss;
    await fc.assert(liveProperty(rig, stats), fuzzParameters(Number(process.env.FIXOVER_FUZZ_LIVE_RUNS ?? 250)));
    await rig.roundTrip('final');
    await rig.fuzzCanTrade();
    gc();
    const heap = process.memoryUsage().heapUsed - heap0;
    const rss = process.memoryUsage().rss - rss0;
      console.log(
      `live fuzz: ${stats.runs} runs, ${stats.messages} messages in ${Date.now() - t0} ms; ${rig.fuzz.faultCount} session faults; heap ${(heap / 1e6).toFixed(1)} MB, RSS ${(rss / 1e6).toFixed(1)} MB${stats.known.size ? `; known causes:${knownSummary(stats)}` : ''}`,
    );
    assert.deepEqual(rig.escaped, []);
    assert.equal(rig.good.faultCount, 0);
    assert.ok(heap < 32e6, `heap grew by ${heap} bytes`);
    assert.ok(rss < 128e6, `RSS grew by ${rss} bytes`);
    if (!process.env.FIXOVER_FUZZ_SEED) assert.ok(stats.messages >= 15_000, `only ${stats.messages} messages`);
  } finally {
    await rig.stop();
  }
});
