/**
 * Sorts the free-text reasons a session gives for ending a connection into a small fixed set, so
 * that a metric labelled by reason has a bounded number of series.
 */

/** The reason labels, in the order they are tried. */
export const DISCONNECT_REASONS = ['logout', 'timeout', 'slow_reader', 'store', 'fenced', 'fault', 'rejected', 'operator', 'peer_closed', 'other'] as const;

export type DisconnectReason = (typeof DISCONNECT_REASONS)[number];

const RULES: ReadonlyArray<[RegExp, DisconnectReason]> = [
  [/^logout$|logged out|logout/i, 'logout'],
  [/timed? ?out|timeout|heartbeat/i, 'timeout'],
  [/not reading|slow reader/i, 'slow_reader'],
  [/fenc|ownership|lease/i, 'fenced'],
  [/store/i, 'store'],
  [/^fault/i, 'fault'],
  [/invalid logon|incorrect|compid|begin ?string|seq(uence)? ?num|msgseqnum|rate|reject/i, 'rejected'],
  [/operator|drain|reset|admin|acceptor stopped|^closed$/i, 'operator'],
  [/connection closed|socket|econnreset|epipe/i, 'peer_closed'],
];

/** The label of a disconnect reason (its first matching rule, else `other`). */
export function classifyDisconnect(reason: string): DisconnectReason {
  for (const [re, label] of RULES) if (re.test(reason)) return label;
  return 'other';
}
