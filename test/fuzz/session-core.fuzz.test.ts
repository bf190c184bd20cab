/**
 * Fuzzes the session core (see properties.ts): at least 80,000 hostile messages per run of the
 * suite. A failure prints the shrunk steps, the seed and the path; replay it with
 * FIXOVER_FUZZ_SEED=<seed> FIXOVER_FUZZ_PATH=<path> node scripts/run-tests.mjs test/fuzz/session-core.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { coreProperty, fuzzParameters, knownSummary, newStats } from './properties.js';

test('session core: no error escapes, numbers usable, queues bounded, output well-formed', () => {
  const stats = newStats();
  const t0 = Date.now();
  fc.assert(coreProperty(stats), fuzzParameters(Number(process.env.FIXOVER_FUZZ_CORE_RUNS ?? 1000)));
  console.log(`core fuzz: ${stats.runs} runs, ${stats.messages} messages in ${Date.now() - t0} ms${stats.known.size ? `; known causes:${knownSummary(stats)}` : ''}`);
  if (!process.env.FIXOVER_FUZZ_SEED) assert.ok(stats.messages >= 80_000, `only ${stats.messages} messages`);
});
