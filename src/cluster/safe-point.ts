/**
 * When a session may move (pure): at a safe point, or at the move's deadline whatever happens.
 * A safe point is a logged-on session with no resend or gap fill in progress and no application
 * message in either direction for the quiet interval (`RebalanceQuietInterval`).
 */

/** What a move needs to know about a session now. */
export interface SessionActivity {
  readonly loggedOn: boolean;
  /** A resend or gap fill is in progress (either direction). */
  readonly resending: boolean;
  /** When the last application message was received or sent (epoch ms; -Infinity: never). */
  readonly lastAppAt: number;
}

/** When a move may and must happen. */
export interface MoveTiming {
  /** When the move may start (the order's time plus its jitter). */
  readonly notBefore: number;
  /** When it happens even without a safe point. */
  readonly deadline: number;
  readonly quietMs: number;
}

/** `wait`: not yet; `quiet`: at a safe point; `deadline`: the deadline passed; `gone`: not logged on, nothing to move. */
export type MoveDecision = 'wait' | 'quiet' | 'deadline' | 'gone';

/** Whether to move a session now (see MoveDecision). */
export function moveDecision(s: SessionActivity, t: MoveTiming, now: number): MoveDecision {
  if (!s.loggedOn) return 'gone';
  if (now < t.notBefore) return 'wait';
  if (!s.resending && now - s.lastAppAt >= t.quietMs) return 'quiet';
  return now >= t.deadline ? 'deadline' : 'wait';
}

/** MsgType of an application message (not one of the session-level types 0–5 and A). */
export function isApplicationType(msgType: string): boolean {
  return !(msgType.length === 1 && '012345A'.includes(msgType));
}

/** The MsgType of raw FIX bytes (the third field), or '' when it cannot be found. */
export function msgTypeOf(bytes: Buffer): string {
  const at = bytes.indexOf('\x0135=');
  if (at < 0) return '';
  const end = bytes.indexOf(1, at + 4);
  return end < 0 ? '' : bytes.toString('latin1', at + 4, end);
}

/** A session this node handed over: when, to whom. */
export interface HandedOver {
  readonly at: number;
  readonly to: string;
  readonly toUris: readonly string[];
}

/**
 * Whether this node refuses a Logon for a session it handed over: within the minimum stay, while
 * the target is an active member (a client whose own address rotation brought it back is sent on
 * to the target, and sessions do not drift back). Null: accept (never handed over, the stay is
 * over, the target is gone, so the session must be served somewhere, or the session has been
 * handed over to this node since: `reservedHere`, its owner record reserves it for this node, as a
 * drain or a later move ordered; refusing it then would leave it nowhere until the reservation ran out).
 */
export function refuseReturn(h: HandedOver | undefined, now: number, minStayMs: number, targetActive: boolean, session: string, reservedHere = false): string | null {
  if (h === undefined || now - h.at >= minStayMs || !targetActive || reservedHere) return null;
  return `session ${session} moved to node ${h.to}${h.toUris.length > 0 ? ` (${h.toUris.join(',')})` : ''}`;
}
