/**
 * The fuzz properties, shared by the test suite (test/fuzz/*.test.ts) and the long run
 * (`npm run fuzz -- --minutes N`, scripts/fuzz.ts).
 */
import fc from 'fast-check';
import { CoreRig, type Finding } from './core-rig.js';
import { fuzzSteps } from './generators.js';
import type { LiveRig } from './live-rig.js';

/** Totals over the runs of a property. */
export interface FuzzStats {
  runs: number;
  /** Messages the counterparty sent (a repeated message counts each time). */
  messages: number;
  /** Faults and invariant breaks with a known cause, by cause. */
  known: Map<string, number>;
  /** The first instance of each known cause (its first line). */
  examples: Map<string, string>;
}

export const newStats = (): FuzzStats => ({ runs: 0, messages: 0, known: new Map(), examples: new Map() });

function count(stats: FuzzStats, known: string, text: string): void {
  stats.known.set(known, (stats.known.get(known) ?? 0) + 1);
  if (!stats.examples.has(known)) stats.examples.set(known, text.split('\n')[0].slice(0, 300));
}

/** The known causes met, with counts and a first example each. */
export function knownSummary(stats: FuzzStats): string {
  return [...stats.known].map(([k, n]) => `\n  ${k}: ${n} (e.g. ${stats.examples.get(k)})`).join('');
}

function record(stats: FuzzStats, findings: readonly Finding[]): void {
  for (const f of findings) if (f.known) count(stats, f.known, f.text);
}

/** An unknown finding as the property's failure (the counterexample is printed with it). */
function fail(findings: readonly Finding[]): void {
  const bad = findings.filter((f) => !f.known);
  if (bad.length > 0) throw new Error(bad.map((f) => `${f.kind} at step ${f.step}: ${f.text}`).join('\n'));
}

/**
 * The session core: logged on, then any steps; no error escapes the core (known causes aside,
 * see knownCause), the numbers stay usable, the queues within their limits, and every message it
 * writes is well-formed.
 */
export function coreProperty(stats: FuzzStats, maxSteps = 40): fc.IPropertyWithHooks<[boolean, ReturnType<typeof fuzzSteps> extends fc.Arbitrary<infer T> ? T : never]> {
  return fc.property(fc.boolean(), fuzzSteps(maxSteps), (dictionary, steps) => {
    const rig = new CoreRig(dictionary);
    rig.run(steps);
    stats.runs++;
    stats.messages += rig.peer.messages;
    record(stats, rig.findings);
    fail(rig.findings);
  });
}

/** fast-check parameters: a seed (and path) from FIXOVER_FUZZ_SEED / FIXOVER_FUZZ_PATH replay a failure. */
export function fuzzParameters(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.FIXOVER_FUZZ_SEED;
  const path = process.env.FIXOVER_FUZZ_PATH;
  return { numRuns, ...(seed ? { seed: Number(seed) } : {}), ...(path ? { path } : {}) };
}

/**
 * A live acceptor (see LiveRig): the FUZZ counterparty sends any steps over a real socket; no
 * error escapes to the process, the boundary's faults have known causes only, and the GOOD
 * session fills an order after every run.
 */
export function liveProperty(rig: LiveRig, stats: FuzzStats, maxSteps = 40): fc.IAsyncPropertyWithHooks<[ReturnType<typeof fuzzSteps> extends fc.Arbitrary<infer T> ? T : never]> {
  let n = 0;
  return fc.asyncProperty(fuzzSteps(maxSteps), async (steps) => {
    const before = rig.messages;
    const faults = rig.faults.length;
    await rig.run(steps);
    stats.runs++;
    stats.messages += rig.messages - before;
    await rig.roundTrip(`good-${++n}`);
    const fresh = rig.faults.slice(faults);
    for (const f of fresh) if (f.known) count(stats, f.known, f.text);
    if (rig.escaped.length > 0) throw new Error(`escaped to the process:\n${rig.escaped.join('\n')}`);
    const unknown = fresh.filter((f) => !f.known);
    if (unknown.length > 0) throw new Error(`faults:\n${unknown.map((f) => f.text).join('\n')}`);
  });
}
