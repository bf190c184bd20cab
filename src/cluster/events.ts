import type { MoveReason } from './cluster-store.js';

/** What a cluster node reports (as events, and as log lines from `fixover run`/`executor`). */
export type ClusterEvent =
  /** A member joined, left, or changed state/URIs/weight; `epoch` is the new topology epoch. */
  | { readonly type: 'joined' | 'left' | 'changed'; readonly node: string; readonly epoch: number }
  /** This node became the coordinator (the one planner), or stopped being it. */
  | { readonly type: 'coordinator'; readonly node: string; readonly state: 'acquired' | 'lost'; readonly epoch: number; readonly reason?: string }
  /** The coordinator ordered a move. */
  | { readonly type: 'moveOrdered'; readonly session: string; readonly from: string; readonly to: string; readonly reason: MoveReason }
  /** This node started moving a session: at a safe point (`quiet`) or at the move's deadline. */
  | { readonly type: 'moving'; readonly session: string; readonly to: string; readonly reason: MoveReason; readonly at: 'quiet' | 'deadline' }
  /** This node started draining (`sessions` held), or finished: it holds `sessions` (0 unless the deadline passed). */
  | { readonly type: 'drain'; readonly state: 'started' | 'done'; readonly sessions: number }
  /** Something the node could not do (a file it could not read or write); it goes on. */
  | { readonly type: 'warning'; readonly text: string };

/** One line for a cluster event. */
export function describeClusterEvent(e: ClusterEvent): string {
  switch (e.type) {
    case 'joined':
    case 'left':
    case 'changed':
      return `member ${e.node} ${e.type}, topology epoch ${e.epoch}`;
    case 'coordinator':
      return `coordinator ${e.state} by node ${e.node}, epoch ${e.epoch}${e.reason ? ` (${e.reason})` : ''}`;
    case 'moveOrdered':
      return `move ordered: ${e.session} from ${e.from} to ${e.to} (${e.reason})`;
    case 'moving':
      return `moving ${e.session} to node ${e.to} (${e.reason}, ${e.at === 'quiet' ? 'at a quiet point' : 'at its deadline'})`;
    case 'drain':
      return e.state === 'started' ? `draining: no new logons, moving ${e.sessions} session(s) to the other members` : `drained${e.sessions > 0 ? `: deadline passed holding ${e.sessions} session(s)` : ': holds no session'}`;
    case 'warning':
      return `warning: ${e.text}`;
  }
}
