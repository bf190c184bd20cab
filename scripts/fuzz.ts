/**
 * The long fuzz run: `npm run fuzz -- --minutes N [--core-only]`. Runs the properties of the test
 * suite's fuzzers (test/fuzz/properties.ts: the session core, and a live acceptor in this process)
 * in rounds with fresh random seeds for N minutes (default 1), reports messages per second and the
 * known causes met, and stops at the first counterexample: printed shrunk, with the seed and path
 * that replay it (FIXOVER_FUZZ_SEED=… FIXOVER_FUZZ_PATH=… node scripts/run-tests.mjs test/fuzz).
 * Exit code 0: nothing found, 1: a counterexample.
 */
import fc from 'fast-check';
import { coreProperty, knownSummary, liveProperty, newStats, type FuzzStats } from '../test/fuzz/properties.js';
import { LiveRig } from '../test/fuzz/live-rig.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

const minutes = Number(option('--minutes') ?? 1);
if (!(minutes > 0)) {
  process.stderr.write('usage: npm run fuzz -- --minutes N [--core-only]\n');
  process.exit(2);
}
const live = !process.argv.includes('--core-only');

const summary = (name: string, s: FuzzStats, ms: number): string => {
  const rate = Math.round((s.messages * 1000) / Math.max(1, ms));
  return `${name}: ${s.runs} runs, ${s.messages} messages, ${rate} messages/s${s.known.size ? `; known causes:${knownSummary(s)}` : ''}`;
};

function failed<T>(name: string, details: fc.RunDetails<T>): boolean {
  if (!details.failed) return false;
  process.stdout.write(`\n${name}: counterexample found (seed ${details.seed}, path ${details.counterexamplePath ?? ''})\n`);
  process.stdout.write(`${fc.defaultReportMessage(details) ?? ''}\n`);
  return true;
}

async function main(): Promise<number> {
  const end = Date.now() + minutes * 60_000;
  const core = newStats();
  const liveStats = newStats();
  let coreMs = 0;
  let liveMs = 0;
  const rig = live ? await LiveRig.start() : undefined;
  let lastReport = Date.now();
  try {
    while (Date.now() < end) {
      const seed = Math.floor(Math.random() * 0x7fffffff);
      let t = Date.now();
      if (failed('session core', fc.check(coreProperty(core), { numRuns: 200, seed }))) return 1;
      coreMs += Date.now() - t;
      if (rig) {
        t = Date.now();
        if (failed('live acceptor', await fc.check(liveProperty(rig, liveStats), { numRuns: 20, seed }))) return 1;
        liveMs += Date.now() - t;
      }
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        process.stdout.write(`${summary('session core', core, coreMs)}\n${rig ? `${summary('live acceptor', liveStats, liveMs)}\n` : ''}`);
      }
    }
    if (rig) {
      await rig.roundTrip('final');
      await rig.fuzzCanTrade();
    }
    process.stdout.write(`done after ${minutes} minute(s), nothing found\n${summary('session core', core, coreMs)}\n`);
    if (rig) process.stdout.write(`${summary('live acceptor', liveStats, liveMs)}; ${rig.fuzz.faultCount} session faults\n`);
    return 0;
  } finally {
    await rig?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
