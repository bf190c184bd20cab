/**
 * The random source of the failover policy: endpoint shuffling and reconnect jitter. Injectable so
 * tests (and simulations) are deterministic.
 */

/** Returns a number in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * A small seeded generator (mulberry32): the same seed gives the same sequence on every platform.
 * Good enough for jitter and shuffling; not for anything secret.
 */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniformly shuffled copy (Fisher–Yates) drawing from `random`. */
export function shuffled<T>(items: readonly T[], random: RandomSource): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}
