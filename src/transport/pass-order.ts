/**
 * The order in which one reconnect pass tries the endpoints. Applied in this sequence:
 * 1. the endpoint list, shuffled when `randomize` (uniform Fisher–Yates from the random source);
 * 2. with `priorityBackup`, the priority endpoints moved to the front, in priority order;
 * 3. endpoints with a ready warm standby moved ahead of those without (order kept otherwise);
 * 4. the endpoint whose logged-on session just dropped moved to the end;
 * 5. a preferred endpoint (failback target, `requestReconnect`) moved to the very front.
 */
import type { FailoverEndpoint } from './endpoint.js';
import { shuffled, type RandomSource } from './random.js';

/** Everything that decides the order of a pass. */
export interface PassOrderInput {
  readonly uris: readonly FailoverEndpoint[];
  readonly randomize: boolean;
  readonly random: RandomSource;
  /** Position among the priority endpoints (0 = highest), or -1 for a non-priority endpoint. */
  readonly priorityRank: (e: FailoverEndpoint) => number;
  /** Canonical URIs with a ready standby socket. */
  readonly ready: (uri: string) => boolean;
  readonly dropped: FailoverEndpoint | null;
  readonly preferred: FailoverEndpoint | null;
}

/** Stable partition: items passing `first` keep their order and come before the rest. */
function partition<T>(items: readonly T[], first: (t: T) => boolean): T[] {
  return [...items.filter(first), ...items.filter((t) => !first(t))];
}

/** The endpoints of one pass, in the order they are to be tried. */
export function passOrder(p: PassOrderInput): FailoverEndpoint[] {
  let list = p.randomize ? shuffled(p.uris, p.random) : [...p.uris];
  const prio = list.filter((e) => p.priorityRank(e) >= 0).sort((a, b) => p.priorityRank(a) - p.priorityRank(b));
  list = [...prio, ...list.filter((e) => p.priorityRank(e) < 0)];
  list = partition(list, (e) => p.ready(e.uri));
  if (p.dropped) {
    const d = p.dropped;
    list = [...list.filter((e) => e.uri !== d.uri), ...list.filter((e) => e.uri === d.uri)];
  }
  if (p.preferred) {
    const pr = p.preferred;
    list = [pr, ...list.filter((e) => e.uri !== pr.uri)];
  }
  return list;
}
