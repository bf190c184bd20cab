/**
 * Sorts the free-text reasons a session gives for ending a connection into a small fixed set, so
 * that a metric labelled by reason has a bounded number of series.
 */

/** The reason labels, in the order they are tried. */
export const DISCONNECT_REASONS = ['timeout', 'schedule', 'logout', 'slow_reader', 'fenced', 'store', 'fault', 'rejected', 'operator', 'peer_closed', 'other'] as const;

/** Why a connection ended, as counted in the metrics. */
export type DisconnectReason = (typeof DISCONNECT_REASONS)[number];

const RULES: ReadonlyArray<[RegExp, DisconnectReason]> = [
  // logon timeout, logout timeout, heartbeat timeout
  [/time(d)? ?out/i, 'timeout'],
  // the schedule ended the session (outside its window, or a new session instance reset it)
  [/outside session time|^session reset$/i, 'schedule'],
  [/operator|drain|admin|acceptor stopped|^closed$/i, 'operator'],
  [/logout|logged out/i, 'logout'],
  [/not reading|slow reader/i, 'slow_reader'],
  [/fenc|ownership|lease/i, 'fenced'],
  [/store/i, 'store'],
  [/^fault/i, 'fault'],
  // the counterparty broke the protocol: bad logon, numbers, CompIDs, BeginString, rate, errors
  [/logon|incorrect|compid|begin ?string|seq(uence)? ?num|msgseqnum|rate|reject|^error:/i, 'rejected'],
  [/connection closed|socket|econnreset|epipe/i, 'peer_closed'],
];

/** The label of a disconnect reason (its first matching rule, else `other`). */
export function classifyDisconnect(reason: string): DisconnectReason {
  for (const [re, label] of RULES) if (re.test(reason)) return label;
  return 'other';
}
