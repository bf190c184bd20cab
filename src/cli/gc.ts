/**
 * Garbage-collector tuning for the `fixover` command.
 *
 * V8 sizes its young generation by how much survives minor collections: in a FIX engine, where a
 * little of every message lives a while (in-flight orders, store batches, socket buffers), it
 * grows to its maximum (16 MiB semi-spaces in Node 20) and each minor collection then stops the
 * process for 2 to 4 ms, long enough to show in the latency tail. Kept from growing past its size
 * at start-up (2 MiB of new space in the executor, by `getHeapSpaceStatistics`), collections come
 * more often but pause 0.3 to 0.6 ms, and the engine's throughput is unchanged (see README).
 * Those long pauses came mostly from strings the send path made per message, kept alive by V8's
 * number-string cache and promoted (no longer made, see `integerText`); with them gone a held
 * collection pauses about 0.26 ms, and letting V8 grow the young generation gives about two
 * collections a second of 0.5 to 1.2 ms, which delay fewer orders but delay them past the p99.
 * Measured alternatives at 5,000 orders/s, before that change: a 4 MiB new space fixed when Node starts
 * (`node --min-semi-space-size=2 --max-semi-space-size=2`, not allowed in NODE_OPTIONS) halves the
 * collections at about the same pauses; 8 MiB quarters them with pauses up to 3 ms; 16 MiB pauses
 * 1.5 to 2 ms; growing to 4 MiB at run time (growth factor raised, then lowered) pauses 0.6 ms.
 *
 * Applied once, before the engine is loaded, unless the user sized the young generation
 * themselves (`--max-semi-space-size`, `--semi-space-growth-factor` in the command line or
 * NODE_OPTIONS), or set `FIXOVER_GC_TUNING=off`.
 */
import { setFlagsFromString } from 'node:v8';

/** What `tuneGarbageCollector` did. */
export type GcTuning = 'applied' | 'user-sized' | 'off';

export function tuneGarbageCollector(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): GcTuning {
  if (env.FIXOVER_GC_TUNING === 'off') return 'off';
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((a) => /^--(max|min)[-_]semi[-_]space[-_]size|^--semi[-_]space[-_]growth[-_]factor/.test(a))) return 'user-sized';
  setFlagsFromString('--semi-space-growth-factor=1');
  return 'applied';
}
