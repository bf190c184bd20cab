/**
 * Draining a node (pure; docs/cluster.md, "Drain"): while draining, a node refuses every Logon (it
 * holds no new session) and the planner moves its sessions away once `DrainGracePeriod` passed;
 * the node is drained when it holds no session, or at `DrainDeadline` whatever it still holds.
 */

/** Where a drain stands. */
export type DrainProgress = { readonly kind: 'wait' } | { readonly kind: 'done'; readonly left: number; readonly byDeadline: boolean };

/** Whether a drain that began at `startedAt` is over, holding `held` sessions at `now`. */
export function drainProgress(held: number, startedAt: number, now: number, deadlineMs: number): DrainProgress {
  if (held === 0) return { kind: 'done', left: 0, byDeadline: false };
  if (now - startedAt >= deadlineMs) return { kind: 'done', left: held, byDeadline: true };
  return { kind: 'wait' };
}

/** The Logout text for a Logon refused because this node drains (names where to go when known). */
export function drainRefusal(node: string, others: ReadonlyArray<{ readonly node: string; readonly uris: readonly string[] }>): string {
  const where = others.length > 0 ? `; members: ${others.map((m) => `${m.node} (${m.uris.join(',')})`).join(', ')}` : '';
  return `node ${node} is draining${where}`;
}
