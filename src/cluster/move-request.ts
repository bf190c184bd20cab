/**
 * Moving a session by hand (pure; docs/cluster.md, "Moving a session by hand"): whether a session
 * can be moved to a node now, given the live members and the moves in progress. The node an
 * operator asks checks it before it leaves the request; the coordinator checks it again when it
 * turns the request into a move order (the cluster may have changed in between).
 */
import { FixoverError } from '../codec/errors.js';
import type { MemberRecord } from './membership.js';

/** Why a session cannot be moved: the codes of {@link ClusterMoveError}. */
export type MoveRefusalCode = 'not_in_cluster' | 'unknown_session' | 'unknown_node' | 'target_not_active' | 'session_not_held' | 'already_there' | 'already_moving';

/** A move cannot be asked for: `code` says why (see {@link MoveRefusalCode}), the message names the session, the node and what is possible. */
export class ClusterMoveError extends FixoverError {
  constructor(
    override readonly code: MoveRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** What a check found: the node holding the session now, or why it cannot move. */
export type MoveCheck = { readonly ok: true; readonly from: string } | { readonly ok: false; readonly code: MoveRefusalCode; readonly message: string };

const names = (members: readonly MemberRecord[]): string => members.map((m) => `${m.node} (${m.state})`).join(', ') || 'none';

/**
 * Whether `session` can move to node `to` now. `members` are the live members, `moving` the
 * sessions with a move order in progress, `known` whether this node knows the session (from its
 * settings) even when no member holds it.
 */
export function checkMove(session: string, to: string, members: readonly MemberRecord[], moving: ReadonlySet<string>, known: boolean): MoveCheck {
  const holders = members.filter((m) => m.sessions.includes(session));
  if (!known && holders.length === 0) return { ok: false, code: 'unknown_session', message: `no session ${session} in this cluster` };
  const target = members.find((m) => m.node === to);
  if (!target) return { ok: false, code: 'unknown_node', message: `no member ${to} in this cluster (members: ${names(members)})` };
  if (target.state !== 'active') return { ok: false, code: 'target_not_active', message: `node ${to} is ${target.state}, not active: it takes no session now` };
  if (holders.length === 0) return { ok: false, code: 'session_not_held', message: `session ${session} is not held by any member now (its counterparty is not logged on): it goes to the node it connects to` };
  if (holders.length > 1 || moving.has(session)) return { ok: false, code: 'already_moving', message: `session ${session} is being moved already` };
  if (holders[0].node === to) return { ok: false, code: 'already_there', message: `session ${session} is held by node ${to} already` };
  return { ok: true, from: holders[0].node };
}
