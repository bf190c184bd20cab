/**
 * What the failover policy tells the I/O layer to do (commands) and what it reports (events).
 * Every policy input returns a {@link PolicyOutput}; the I/O layer carries out the commands in
 * order, publishes the events, and arms one timer for `deadline`, calling `tick(now)` then.
 */
import type { FailoverEndpoint } from './endpoint.js';

/** Identifies an application send queued while disconnected (chosen by the I/O layer). */
export type SendId = string | number;

/** Whether the policy is establishing the first session or recovering a lost one. */
export type FailoverPhase = 'startup' | 'reconnect';

/**
 * Open a TCP connection to `endpoint` and log on over it. Report `connected` when TCP is up,
 * `loggedOn` after the Logon exchange, and `connectFailed` (or `disconnected`) for any failure
 * before that, including a connect timeout or a drop during logon.
 */
export interface ConnectCommand {
  readonly type: 'connect';
  readonly endpoint: FailoverEndpoint;
  /** The reconnect pass this attempt belongs to (1-based within the current phase). */
  readonly attempt: number;
}

/**
 * Hand the session to the warm standby socket already open to `endpoint` and log on over it
 * (no new TCP connect). Report `loggedOn` or `connectFailed` as for `connect`; do not report
 * `connected` (the policy has already done so).
 */
export interface UseBackupCommand {
  readonly type: 'useBackup';
  readonly endpoint: FailoverEndpoint;
  readonly attempt: number;
}

/** The policy waits `ms` between passes, until clock value `until` (informational: `deadline` covers it). */
export interface WaitCommand {
  readonly type: 'wait';
  readonly ms: number;
  readonly until: number;
}

/**
 * Read the endpoint list from `url` (a file path or an http(s) URL holding a comma-separated list)
 * and report `updateUris(list)` or `updateUrisFailed(reason)`. The pass starts when either
 * arrives, or with the old list at the deadline if neither does.
 */
export interface FetchUrisCommand {
  readonly type: 'fetchUris';
  readonly url: string;
}

/**
 * Log out cleanly from `from` at the next safe moment (no resend in progress), close the socket,
 * and report `disconnected`. The policy then asks for `to` (`connect` or `useBackup`) at once.
 */
export interface LogoutAndSwitchCommand {
  readonly type: 'logoutAndSwitch';
  readonly from: FailoverEndpoint;
  readonly to: FailoverEndpoint;
}

/**
 * The standby set with `backup=true`: keep one pre-connected socket (TCP only, no logon) to each
 * of these endpoints and close standbys to any other. Report `backupReady` when one is open and
 * `backupLost` when one fails or closes. Replaces the previous set.
 */
export interface KeepWarmCommand {
  readonly type: 'keepWarm';
  readonly endpoints: readonly FailoverEndpoint[];
}

/**
 * With `priorityBackup`, health-check these priority endpoints (for instance a TCP connect every
 * few seconds) and report `primaryHealthy` / `primaryUnhealthy`. An empty list stops probing.
 */
export interface ProbeCommand {
  readonly type: 'probe';
  readonly endpoints: readonly FailoverEndpoint[];
}

/** Send these queued application messages now, in this order (the session is logged on). */
export interface DeliverQueuedCommand {
  readonly type: 'deliverQueued';
  readonly ids: readonly SendId[];
}

/** Reconnecting has ended in failure: close everything and stop (final). */
export interface GiveUpCommand {
  readonly type: 'giveUp';
  readonly attempts: number;
}

/** `stop()` was called: log out if logged on, close every socket and standby, stop (final). */
export interface ShutdownCommand {
  readonly type: 'shutdown';
}

/** An instruction from the policy to the I/O layer. */
export type FailoverCommand =
  | ConnectCommand
  | UseBackupCommand
  | WaitCommand
  | FetchUrisCommand
  | LogoutAndSwitchCommand
  | KeepWarmCommand
  | ProbeCommand
  | DeliverQueuedCommand
  | GiveUpCommand
  | ShutdownCommand;

/** A typed event for the session API and the structured log. */
export type FailoverEvent =
  /** A logged-on session lost its connection (or was logged out for a failback). */
  | { readonly type: 'disconnected'; readonly endpoint: FailoverEndpoint; readonly reason: string }
  /** An attempt begins; `delayMs` is the wait before it (0 for all but the first of a pass). */
  | { readonly type: 'reconnecting'; readonly attempt: number; readonly endpoint: FailoverEndpoint; readonly delayMs: number; readonly phase: FailoverPhase; readonly standby: boolean }
  /** TCP is up (or a standby was taken); the Logon exchange follows. */
  | { readonly type: 'connected'; readonly endpoint: FailoverEndpoint }
  /** One attempt failed (refused, timed out, or dropped before logon). */
  | { readonly type: 'connectFailed'; readonly attempt: number; readonly endpoint: FailoverEndpoint; readonly reason: string }
  /** The session is logged on: the connection counts as good from here. */
  | { readonly type: 'loggedOn'; readonly endpoint: FailoverEndpoint }
  /** The session is logged on at another endpoint than before; `downtimeMs` without a session. */
  | { readonly type: 'failover'; readonly from: FailoverEndpoint; readonly to: FailoverEndpoint; readonly downtimeMs: number }
  /** Leaving a healthy backup for a priority endpoint (a `logoutAndSwitch` follows). */
  | { readonly type: 'failback'; readonly from: FailoverEndpoint; readonly to: FailoverEndpoint }
  /** Every `warnAfterReconnectAttempts` failed passes: still not connected. */
  | { readonly type: 'reconnectWarning'; readonly attempts: number; readonly uris: readonly string[] }
  /** Final: the attempt limit is reached, the policy has given up. */
  | { readonly type: 'reconnectFailed'; readonly attempts: number }
  /** The endpoint list changed. */
  | { readonly type: 'topology'; readonly uris: readonly string[] }
  /** `fetchUris` failed or timed out; the pass goes on with the previous list. */
  | { readonly type: 'updateUrisFailed'; readonly url: string; readonly reason: string }
  /** A queued send waited `timeout` ms without a logged-on session. */
  | { readonly type: 'sendTimedOut'; readonly id: SendId; readonly waitedMs: number }
  /** A queued send can never be delivered: the policy gave up or was stopped. */
  | { readonly type: 'sendFailed'; readonly id: SendId; readonly reason: 'gave-up' | 'stopped' }
  /** A cluster topology pushed by the acceptor was refused (another cluster's) or ignored (an older epoch). */
  | { readonly type: 'topologyRefused'; readonly reason: string }
  /** An input was not acted on (e.g. `updateUris` with `updateURIsSupported=false`). */
  | { readonly type: 'ignored'; readonly input: string; readonly reason: string };

/** The result of every policy input. */
export interface PolicyOutput {
  readonly commands: readonly FailoverCommand[];
  readonly events: readonly FailoverEvent[];
  /** The clock value at which `tick` must be called next; null when nothing is timed. */
  readonly deadline: number | null;
}

/** Where the policy is, for status displays and tests. */
export type PolicyStateName = 'idle' | 'fetching' | 'waiting' | 'connecting' | 'loggingOn' | 'loggedOn' | 'switching' | 'failed' | 'stopped';
