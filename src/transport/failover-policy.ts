/**
 * The failover policy: a sans-I/O state machine deciding where and when an initiator connects.
 * The I/O layer feeds it what happened (with the clock value `now`, in ms) and carries out the
 * {@link FailoverCommand}s it returns; the policy never touches a socket, a timer or the clock.
 *
 * Rules (ActiveMQ's failover transport, adapted to FIX):
 * - A pass tries the endpoints one after another without delay, in the order of {@link passOrder}
 *   (random unless `randomize=false`; the endpoint that just dropped last, or first when the
 *   counterparty's side closed the connection without a Logout: a blip, see `disconnected`).
 * - The start-up pass runs at once. After a logged-on session drops, pass 1 waits
 *   `delay(1)`; after a failed pass k the next waits `delay(k+1)` (start-up: `delay(k)`), where
 *   `delay` is {@link reconnectDelay}: back-off or schedule, then jitter. A ready warm standby
 *   (`backup=true`) skips the wait and is used without a new TCP connect.
 * - A connection counts as good only after a FIX Logon: TCP up then a drop before logon is a
 *   failed attempt, and the pass goes on.
 * - Attempts are passes: `reconnecting.attempt` is the pass number, reported for every endpoint
 *   tried. After a failed pass, with limit L = `startupMaxReconnectAttempts` before the first
 *   logon (when not -1) and `maxReconnectAttempts` otherwise, the policy gives up once L passes
 *   have failed (as ActiveMQ: L = 0 at start-up still makes one pass; L = 0 after a drop gives up
 *   at once). Giving up emits `reconnectFailed` and a `giveUp` command; it is final.
 * - Every `warnAfterReconnectAttempts` failed passes, a `reconnectWarning` event.
 * - `priorityBackup`: priority endpoints come first in every pass. On a backup, the I/O layer is
 *   asked to probe them; once one has been healthy for `priorityFailbackDelay` ms without a break,
 *   the policy logs out of the backup (`logoutAndSwitch`) and connects to it.
 * - `backup=true`: `keepWarm` names up to `backupPoolSize` endpoints (priority first, never the
 *   current one) to hold standby sockets to; a standby that fails cools down (back-off, at least
 *   {@link MIN_STANDBY_COOLDOWN_MS}) before it is asked for again.
 * - `updateURIsURL`: before every pass the I/O layer reads the list (`fetchUris`); a list given
 *   by `updateUris` applies from the next pass and never moves a logged-on session.
 * - `timeout`: sends queued while disconnected are delivered after the next logon, or fail with
 *   `sendTimedOut` after `timeout` ms (-1 or 0: they wait).
 * - `stop()` ends everything at once, whatever the policy was waiting for.
 */
import { reconnectDelay } from './delays.js';
import { sameEndpoints, type FailoverEndpoint } from './endpoint.js';
import type { FailoverConfig } from './failover-config.js';
import { passOrder } from './pass-order.js';
import type { FailoverCommand, FailoverEvent, FailoverPhase, PolicyOutput, PolicyStateName, SendId } from './policy-types.js';
import { shuffled, type RandomSource } from './random.js';
import { SendQueue } from './send-queue.js';
import { StandbyPool } from './standby-pool.js';

/** A standby socket that failed is not asked for again sooner than this. */
export const MIN_STANDBY_COOLDOWN_MS = 100;
/** Default time the I/O layer has to answer `fetchUris` before the pass goes on with the old list. */
export const DEFAULT_FETCH_URIS_TIMEOUT_MS = 5000;

/** Construction options of a {@link FailoverPolicy}. */
export interface FailoverPolicyOptions {
  /** Random source for shuffling and jitter (default `Math.random`); inject a seeded one in tests. */
  readonly random?: RandomSource;
  /** How long to wait for `updateUris` after `fetchUris` (default {@link DEFAULT_FETCH_URIS_TIMEOUT_MS}). */
  readonly fetchUrisTimeoutMs?: number;
}

type State =
  | { readonly kind: 'idle' | 'failed' | 'stopped' }
  | { readonly kind: 'waiting' | 'fetching'; readonly until: number; readonly delayMs: number; readonly since: number }
  | { readonly kind: 'connecting' | 'loggingOn'; readonly endpoint: FailoverEndpoint }
  | { readonly kind: 'loggedOn'; readonly endpoint: FailoverEndpoint; readonly since: number }
  | { readonly kind: 'switching'; readonly from: FailoverEndpoint; readonly to: FailoverEndpoint };

const EMPTY: PolicyOutput = Object.freeze({ commands: [], events: [], deadline: null });

/** The failover state machine of one initiator session. See the module comment for its rules. */
export class FailoverPolicy {
  private readonly random: RandomSource;
  private readonly fetchTimeout: number;
  private state: State = { kind: 'idle' };
  private uris: FailoverEndpoint[];
  /** The configured list, or the last `updateUris` list; `uris` is `pushed` then this. */
  private base: FailoverEndpoint[];
  /** A cluster's pushed member endpoints (`pushUris`), in front of `base`. */
  private pushed: FailoverEndpoint[] = [];
  private warmOrder: FailoverEndpoint[];
  private everLoggedOn = false;
  private phase: FailoverPhase = 'startup';
  private pass = 0;
  private failedPasses = 0;
  private queue: FailoverEndpoint[] = [];
  private passDelay = 0;
  private firstOfPass = false;
  private dropped: FailoverEndpoint | null = null;
  private preferred: FailoverEndpoint | null = null;
  private lastSession: FailoverEndpoint | null = null;
  private lostAt: number | null = null;
  private readonly sends: SendQueue;
  private readonly standby = new StandbyPool();
  private readonly healthySince = new Map<string, number>();
  private probing: readonly FailoverEndpoint[] = [];
  private commands: FailoverCommand[] = [];
  private events: FailoverEvent[] = [];

  constructor(
    readonly config: FailoverConfig,
    options: FailoverPolicyOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.fetchTimeout = options.fetchUrisTimeoutMs ?? DEFAULT_FETCH_URIS_TIMEOUT_MS;
    this.uris = [...config.uris];
    this.base = this.uris;
    this.warmOrder = this.orderForStandbys();
    this.sends = new SendQueue(config.timeout);
  }

  /** Where the policy is now. */
  get stateName(): PolicyStateName {
    return this.state.kind;
  }

  /** The endpoint of the current connection attempt or session, if any. */
  get currentEndpoint(): FailoverEndpoint | null {
    const s = this.state;
    if (s.kind === 'connecting' || s.kind === 'loggingOn' || s.kind === 'loggedOn') return s.endpoint;
    if (s.kind === 'switching') return s.from;
    return null;
  }

  /** The endpoint list in use (the configured one, or the last `updateUris` list). */
  get endpoints(): readonly FailoverEndpoint[] {
    return this.uris;
  }

  /** The number of queued sends waiting for a session. */
  get queuedSends(): number {
    return this.sends.size;
  }

  // ---- inputs ------------------------------------------------------------------------------

  /** Starts connecting: the first pass begins at once. Ignored unless idle, stopped or failed. */
  start(now: number): PolicyOutput {
    if (this.state.kind !== 'idle' && this.state.kind !== 'stopped' && this.state.kind !== 'failed') return this.ignore('start', 'already started');
    return this.run(now, () => {
      this.phase = this.everLoggedOn ? 'reconnect' : 'startup';
      this.pass = 0;
      this.failedPasses = 0;
      this.dropped = null;
      this.startPass(now, 0);
    });
  }

  /** TCP to `endpoint` is up (not reported for a standby handed over with `useBackup`). */
  connected(endpoint: FailoverEndpoint, now: number): PolicyOutput {
    return this.run(now, () => {
      const s = this.state;
      if (s.kind !== 'connecting' || s.endpoint.uri !== endpoint.uri) return this.ignored('connected', `not connecting to ${endpoint.uri}`);
      this.state = { kind: 'loggingOn', endpoint: s.endpoint };
      this.events.push({ type: 'connected', endpoint: s.endpoint });
    });
  }

  /** The attempt on `endpoint` failed before logon: refused, timed out, or dropped during logon. */
  connectFailed(endpoint: FailoverEndpoint, now: number, reason: string): PolicyOutput {
    return this.run(now, () => {
      const s = this.state;
      if ((s.kind !== 'connecting' && s.kind !== 'loggingOn') || s.endpoint.uri !== endpoint.uri) {
        return this.ignored('connectFailed', `no attempt on ${endpoint.uri} in progress`);
      }
      this.attemptFailed(s.endpoint, now, reason);
    });
  }

  /** The FIX Logon on `endpoint` succeeded: from here the connection counts as good. */
  loggedOn(endpoint: FailoverEndpoint, now: number): PolicyOutput {
    return this.run(now, () => {
      const s = this.state;
      if ((s.kind !== 'connecting' && s.kind !== 'loggingOn') || s.endpoint.uri !== endpoint.uri) {
        return this.ignored('loggedOn', `no attempt on ${endpoint.uri} in progress`);
      }
      if (s.kind === 'connecting') this.events.push({ type: 'connected', endpoint: s.endpoint });
      const ep = s.endpoint;
      this.state = { kind: 'loggedOn', endpoint: ep, since: now };
      this.everLoggedOn = true;
      this.phase = 'reconnect';
      this.pass = 0;
      this.failedPasses = 0;
      this.queue = [];
      this.dropped = null;
      this.preferred = null;
      this.events.push({ type: 'loggedOn', endpoint: ep });
      if (this.lastSession && this.lastSession.uri !== ep.uri) {
        this.events.push({ type: 'failover', from: this.lastSession, to: ep, downtimeMs: this.lostAt === null ? 0 : now - this.lostAt });
      }
      this.lastSession = ep;
      this.lostAt = null;
      const ids = this.sends.drain();
      if (ids.length > 0) this.commands.push({ type: 'deliverQueued', ids });
      this.warmOrder = this.orderForStandbys();
    });
  }

  /**
   * The current connection closed. Before logon this is a failed attempt; on a logged-on session
   * it starts reconnecting; after `logoutAndSwitch` it moves on to the switch target.
   *
   * `closedByPeer`: the logged-on connection was ended from the counterparty's side without a
   * Logout (a TCP close or reset: its host answered, so this is a connection blip or a process
   * that died, not a silent node). The next pass then tries the same endpoint first, so a blip
   * does not move the session to another node (a dead process refuses the connection at once and
   * the pass goes on). Otherwise (a heartbeat timeout, a Logout) the endpoint goes last.
   */
  disconnected(now: number, reason: string, closedByPeer = false): PolicyOutput {
    return this.run(now, () => {
      const s = this.state;
      if (s.kind === 'connecting' || s.kind === 'loggingOn') return this.attemptFailed(s.endpoint, now, reason);
      if (s.kind === 'loggedOn') {
        this.events.push({ type: 'disconnected', endpoint: s.endpoint, reason });
        this.lostAt = now;
        return closedByPeer ? this.beginOutage(now, null, s.endpoint, false) : this.beginOutage(now, s.endpoint, null);
      }
      if (s.kind === 'switching') {
        this.events.push({ type: 'disconnected', endpoint: s.from, reason });
        return this.beginOutage(now, null, s.to);
      }
      this.ignored('disconnected', `no connection (${s.kind})`);
    });
  }

  /** The clock reached the last output's `deadline` (calling it early or late is harmless). */
  tick(now: number): PolicyOutput {
    return this.run(now, () => undefined);
  }

  /** Stops at once, whatever the policy is waiting for: a `shutdown` command; queued sends fail. */
  stop(now: number): PolicyOutput {
    if (this.state.kind === 'stopped') return EMPTY;
    this.commands = [];
    this.events = [];
    for (const id of this.sends.drain()) this.events.push({ type: 'sendFailed', id, reason: 'stopped' });
    this.state = { kind: 'stopped' };
    this.standby.clear();
    this.healthySince.clear();
    this.probing = [];
    this.commands.push({ type: 'shutdown' });
    void now;
    return { commands: this.commands, events: this.events, deadline: null };
  }

  /**
   * A new endpoint list (from `updateURIsURL`, or pushed by a cluster). Applies from the next
   * pass; a logged-on session stays where it is. Ignored when empty or with `updateURIsSupported=false`.
   */
  updateUris(list: readonly FailoverEndpoint[], now: number): PolicyOutput {
    return this.run(now, () => {
      const s = this.state;
      if (!this.config.updateURIsSupported) this.ignored('updateUris', 'updateURIsSupported=false');
      else if (list.length === 0) this.ignored('updateUris', 'the list is empty; keeping the previous one');
      else {
        this.base = this.distinct(list);
        this.setList();
      }
      if (s.kind === 'fetching') this.beginPass(now, s.delayMs);
    });
  }

  /**
   * A cluster's pushed member endpoints (docs/cluster.md): they go in front of the configured list
   * (or the last `updateUris` list), never replacing it, so a client whose pushed members are all
   * down still tries its configured addresses; applies from the next pass, a logged-on session
   * stays. An empty list removes the pushed ones. Ignored with `updateURIsSupported=false`.
   */
  pushUris(list: readonly FailoverEndpoint[], now: number): PolicyOutput {
    return this.run(now, () => {
      if (!this.config.updateURIsSupported) return this.ignored('pushUris', 'updateURIsSupported=false');
      this.pushed = this.distinct(list);
      this.setList();
    });
  }

  private distinct(list: readonly FailoverEndpoint[]): FailoverEndpoint[] {
    const next: FailoverEndpoint[] = [];
    for (const e of list) {
      if (!next.some((x) => x.uri === e.uri)) next.push({ ...e, options: { ...this.config.nested, ...e.options } });
    }
    return next;
  }

  /** `uris` = pushed, then the base list; a `topology` event when it changed. */
  private setList(): void {
    const next = [...this.pushed, ...this.base.filter((e) => !this.pushed.some((p) => p.uri === e.uri))];
    if (sameEndpoints(next, this.uris)) return;
    this.uris = next;
    this.warmOrder = this.orderForStandbys();
    this.events.push({ type: 'topology', uris: next.map((e) => e.uri) });
  }

  /** `fetchUris` failed: the pass goes on with the previous list. */
  updateUrisFailed(now: number, reason: string): PolicyOutput {
    return this.run(now, () => {
      const s = this.state;
      if (s.kind !== 'fetching') return this.ignored('updateUrisFailed', 'no fetch in progress');
      this.events.push({ type: 'updateUrisFailed', url: this.config.updateURIsURL ?? '', reason });
      this.beginPass(now, s.delayMs);
    });
  }

  /** A probe found the priority endpoint healthy (call on every good probe; the first one counts). */
  primaryHealthy(endpoint: FailoverEndpoint, now: number): PolicyOutput {
    return this.run(now, () => {
      if (this.priorityRank(endpoint) < 0) return this.ignored('primaryHealthy', `${endpoint.uri} is not a priority endpoint`);
      if (!this.probing.some((p) => p.uri === endpoint.uri)) return this.ignored('primaryHealthy', `${endpoint.uri} is not being probed`);
      if (!this.healthySince.has(endpoint.uri)) this.healthySince.set(endpoint.uri, now);
    });
  }

  /** A probe of the priority endpoint failed: its healthy time starts again from zero. */
  primaryUnhealthy(endpoint: FailoverEndpoint, now: number): PolicyOutput {
    return this.run(now, () => {
      this.healthySince.delete(endpoint.uri);
    });
  }

  /** The standby socket to `endpoint` (asked for with `keepWarm`) is open. */
  backupReady(endpoint: FailoverEndpoint, now: number): PolicyOutput {
    return this.run(now, () => {
      if (!this.standby.markReady(endpoint)) return this.ignored('backupReady', `${endpoint.uri} is not in the standby set`);
      if (this.priorityRank(endpoint) >= 0 && !this.healthySince.has(endpoint.uri)) this.healthySince.set(endpoint.uri, now);
      const s = this.state;
      if (s.kind === 'waiting' && this.uris.some((e) => e.uri === endpoint.uri)) this.startPass(now, now - s.since);
    });
  }

  /** The standby socket to `endpoint` failed or closed. */
  backupLost(endpoint: FailoverEndpoint, now: number, reason: string): PolicyOutput {
    return this.run(now, () => {
      void reason;
      this.standby.markLost(endpoint, now, (n) => Math.max(MIN_STANDBY_COOLDOWN_MS, reconnectDelay(this.config, n, this.random)));
      this.healthySince.delete(endpoint.uri);
    });
  }

  /**
   * An application send while no session is logged on: it waits for the next logon
   * (`deliverQueued`) or fails with `sendTimedOut` after `timeout` ms. When logged on it is
   * delivered at once; after give-up or stop it fails at once.
   */
  sendWhileDisconnected(id: SendId, now: number): PolicyOutput {
    return this.run(now, () => {
      const k = this.state.kind;
      if (k === 'loggedOn') this.commands.push({ type: 'deliverQueued', ids: [id] });
      else if (k === 'failed') this.events.push({ type: 'sendFailed', id, reason: 'gave-up' });
      else if (k === 'stopped') this.events.push({ type: 'sendFailed', id, reason: 'stopped' });
      else this.sends.add(id, now);
    });
  }

  /**
   * A request to move to `endpoint` (the counterparty, an operator, a cluster). With
   * `reconnectSupported`: a logged-on session logs out and moves; otherwise the endpoint goes first
   * in the next pass (at once when waiting between passes). Unknown endpoints join the list.
   */
  requestReconnect(endpoint: FailoverEndpoint, now: number): PolicyOutput {
    return this.run(now, () => {
      if (!this.config.reconnectSupported) return this.ignored('requestReconnect', 'reconnectSupported=false');
      const s = this.state;
      if (s.kind === 'idle' || s.kind === 'failed' || s.kind === 'stopped') return this.ignored('requestReconnect', `not running (${s.kind})`);
      let ep = this.uris.find((e) => e.uri === endpoint.uri);
      if (!ep) {
        ep = { ...endpoint, options: { ...this.config.nested, ...endpoint.options } };
        this.uris = [...this.uris, ep];
        this.base = [...this.base, ep];
        this.warmOrder = this.orderForStandbys();
        this.events.push({ type: 'topology', uris: this.uris.map((e) => e.uri) });
      }
      if (s.kind === 'loggedOn') {
        if (s.endpoint.uri === ep.uri) return this.ignored('requestReconnect', `already logged on at ${ep.uri}`);
        this.switchTo(s.endpoint, ep, now);
        return;
      }
      this.preferred = ep;
      if (s.kind === 'waiting') this.startPass(now, now - s.since);
    });
  }

  // ---- internals ---------------------------------------------------------------------------

  private ignore(input: string, reason: string): PolicyOutput {
    return { commands: [], events: [{ type: 'ignored', input, reason }], deadline: this.deadline() };
  }

  private ignored(input: string, reason: string): void {
    this.events.push({ type: 'ignored', input, reason });
  }

  private run(now: number, body: () => void): PolicyOutput {
    this.commands = [];
    this.events = [];
    const k = this.state.kind;
    if (k !== 'stopped' && k !== 'failed') this.onTimers(now);
    body();
    this.reconcile(now);
    this.checkFailback(now);
    this.reconcile(now);
    return { commands: this.commands, events: this.events, deadline: this.deadline() };
  }

  /** Timers due at `now`: send time-outs, standby cool-downs, the wait between passes, the fetch. */
  private onTimers(now: number): void {
    for (const { id, waitedMs } of this.sends.expire(now)) this.events.push({ type: 'sendTimedOut', id, waitedMs });
    this.standby.expire(now);
    const s = this.state;
    if (s.kind === 'waiting' && now >= s.until) this.startPass(now, s.delayMs);
    else if (s.kind === 'fetching' && now >= s.until) {
      this.events.push({ type: 'updateUrisFailed', url: this.config.updateURIsURL ?? '', reason: `no answer within ${this.fetchTimeout} ms` });
      this.beginPass(now, s.delayMs);
    }
  }

  private limit(): number {
    const c = this.config;
    return this.phase === 'startup' && c.startupMaxReconnectAttempts !== -1 ? c.startupMaxReconnectAttempts : c.maxReconnectAttempts;
  }

  /** A logged-on session is gone (dropped, or left for a switch): start a new reconnect phase. */
  private beginOutage(now: number, dropped: FailoverEndpoint | null, preferred: FailoverEndpoint | null, immediate = preferred !== null): void {
    this.phase = 'reconnect';
    this.pass = 0;
    this.failedPasses = 0;
    this.dropped = dropped;
    this.preferred = preferred;
    if (dropped) this.healthySince.delete(dropped.uri);
    if ((dropped || !immediate) && this.limit() === 0) return this.giveUp();
    this.schedulePass(now, immediate);
  }

  /** Waits before the next pass, unless it may start at once. */
  private schedulePass(now: number, immediate: boolean): void {
    const n = this.pass + 1;
    if (immediate || (this.phase === 'startup' && n === 1) || this.standby.anyReady(this.uris)) return this.startPass(now, 0);
    const d = reconnectDelay(this.config, this.phase === 'startup' ? n - 1 : n, this.random);
    if (d <= 0) return this.startPass(now, 0);
    this.state = { kind: 'waiting', until: now + d, delayMs: d, since: now };
    this.commands.push({ type: 'wait', ms: d, until: now + d });
  }

  /** Starts a pass, reading the endpoint list first when `updateURIsURL` is set. */
  private startPass(now: number, delayMs: number): void {
    const url = this.config.updateURIsURL;
    if (url !== null && this.config.updateURIsSupported) {
      this.state = { kind: 'fetching', until: now + this.fetchTimeout, delayMs, since: now };
      this.commands.push({ type: 'fetchUris', url });
      return;
    }
    this.beginPass(now, delayMs);
  }

  private beginPass(now: number, delayMs: number): void {
    this.pass++;
    this.queue = passOrder({
      uris: this.uris,
      randomize: this.config.randomize,
      random: this.random,
      priorityRank: (e) => this.priorityRank(e),
      ready: (uri) => this.standby.isReady(uri),
      dropped: this.dropped,
      preferred: this.preferred,
    });
    this.preferred = null;
    this.passDelay = delayMs;
    this.firstOfPass = true;
    this.nextAttempt(now);
  }

  private nextAttempt(now: number): void {
    const ep = this.queue.shift();
    if (!ep) return this.passFailed(now);
    const delayMs = this.firstOfPass ? this.passDelay : 0;
    this.firstOfPass = false;
    const standby = this.standby.isReady(ep.uri);
    this.events.push({ type: 'reconnecting', attempt: this.pass, endpoint: ep, delayMs, phase: this.phase, standby });
    if (standby) {
      this.standby.take(ep);
      this.state = { kind: 'loggingOn', endpoint: ep };
      this.commands.push({ type: 'useBackup', endpoint: ep, attempt: this.pass });
      this.events.push({ type: 'connected', endpoint: ep });
    } else {
      this.state = { kind: 'connecting', endpoint: ep };
      this.commands.push({ type: 'connect', endpoint: ep, attempt: this.pass });
    }
  }

  private attemptFailed(ep: FailoverEndpoint, now: number, reason: string): void {
    this.events.push({ type: 'connectFailed', attempt: this.pass, endpoint: ep, reason });
    this.healthySince.delete(ep.uri);
    this.nextAttempt(now);
  }

  private passFailed(now: number): void {
    this.failedPasses++;
    const limit = this.limit();
    if (limit !== -1 && this.failedPasses >= limit) return this.giveUp();
    const warn = this.config.warnAfterReconnectAttempts;
    if (warn > 0 && this.failedPasses % warn === 0) {
      this.events.push({ type: 'reconnectWarning', attempts: this.failedPasses, uris: this.uris.map((e) => e.uri) });
    }
    this.schedulePass(now, false);
  }

  private giveUp(): void {
    this.state = { kind: 'failed' };
    this.events.push({ type: 'reconnectFailed', attempts: this.failedPasses });
    for (const id of this.sends.drain()) this.events.push({ type: 'sendFailed', id, reason: 'gave-up' });
    this.commands.push({ type: 'giveUp', attempts: this.failedPasses });
    this.standby.clear();
    this.healthySince.clear();
    this.probing = [];
  }

  private switchTo(from: FailoverEndpoint, to: FailoverEndpoint, now: number): void {
    this.state = { kind: 'switching', from, to };
    this.lostAt = now;
    this.commands.push({ type: 'logoutAndSwitch', from, to });
  }

  // ---- priority ----------------------------------------------------------------------------

  private priorityList(): readonly FailoverEndpoint[] {
    if (!this.config.priorityBackup) return [];
    if (this.config.priorityURIs.length > 0) return this.config.priorityURIs;
    return this.uris.length > 0 ? [this.uris[0]] : [];
  }

  private priorityRank(e: FailoverEndpoint): number {
    return this.priorityList().findIndex((p) => p.uri === e.uri);
  }

  /** On a backup, the earliest time a healthy priority endpoint becomes due for failback. */
  private failbackDue(): { at: number; to: FailoverEndpoint } | null {
    const s = this.state;
    if (s.kind !== 'loggedOn' || this.priorityRank(s.endpoint) >= 0) return null;
    let best: { at: number; to: FailoverEndpoint } | null = null;
    for (const p of this.priorityList()) {
      const since = this.healthySince.get(p.uri);
      const ep = this.uris.find((e) => e.uri === p.uri);
      if (since === undefined || !ep) continue;
      const at = since + this.config.priorityFailbackDelay;
      if (best === null || at < best.at) best = { at, to: ep };
    }
    return best;
  }

  private checkFailback(now: number): void {
    const s = this.state;
    const due = this.failbackDue();
    if (s.kind !== 'loggedOn' || due === null || due.at > now) return;
    this.events.push({ type: 'failback', from: s.endpoint, to: due.to });
    this.switchTo(s.endpoint, due.to, now);
  }

  // ---- desired I/O state -------------------------------------------------------------------

  /** Candidate standbys: priority endpoints first, then the list (shuffled when `randomize`). */
  private orderForStandbys(): FailoverEndpoint[] {
    const base = this.config.randomize ? shuffled(this.uris, this.random) : [...this.uris];
    const prio = base.filter((e) => this.priorityRank(e) >= 0).sort((a, b) => this.priorityRank(a) - this.priorityRank(b));
    return [...prio, ...base.filter((e) => this.priorityRank(e) < 0)];
  }

  /** Brings the probe set and the standby set in line with the state; emits commands for changes. */
  private reconcile(now: number): void {
    const s = this.state;
    if (s.kind === 'stopped' || s.kind === 'failed') return;
    const onBackup = s.kind === 'loggedOn' && this.config.priorityBackup && this.priorityRank(s.endpoint) < 0;
    const probe = onBackup ? this.priorityList().filter((p) => this.uris.some((e) => e.uri === p.uri)) : [];
    if (!sameEndpoints(probe, this.probing)) {
      if (probe.length === 0) this.healthySince.clear();
      for (const p of probe) if (this.standby.isReady(p.uri) && !this.healthySince.has(p.uri)) this.healthySince.set(p.uri, now);
      this.probing = probe;
      this.commands.push({ type: 'probe', endpoints: probe });
    }
    if (!this.config.backup || s.kind === 'idle') return;
    // No standby to the endpoint being connected to: while a pass tries it (the one a blip dropped,
    // retried first), the standby to the next one stays ready.
    const current = s.kind === 'loggedOn' || s.kind === 'loggingOn' || s.kind === 'connecting' ? s.endpoint.uri : s.kind === 'switching' ? s.from.uri : null;
    const candidates = this.warmOrder.filter((e) => this.uris.some((u) => u.uri === e.uri));
    const next = this.standby.recompute(candidates, current, this.config.backupPoolSize);
    if (next) this.commands.push({ type: 'keepWarm', endpoints: next });
  }

  private deadline(): number | null {
    const s = this.state;
    if (s.kind === 'stopped' || s.kind === 'failed') return null;
    const all: number[] = [];
    if (s.kind === 'waiting' || s.kind === 'fetching') all.push(s.until);
    const send = this.sends.nextDeadline();
    if (send !== null) all.push(send);
    const cool = this.standby.nextDeadline();
    if (cool !== null && this.config.backup) all.push(cool);
    const due = this.failbackDue();
    if (due !== null) all.push(due.at);
    return all.length === 0 ? null : Math.min(...all);
  }
}
