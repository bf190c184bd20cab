/**
 * Prometheus metrics of an engine, through prom-client on a registry of their own. What the
 * sessions count as they work (messages by type, bytes, sequence numbers, flush times) is read when
 * the metrics are scraped (collect callbacks); what happens rarely (logons, disconnects, ownership
 * changes, failovers) is counted from the sessions' events. Every series is labelled by session ID
 * and node: both come from the settings (and acceptor templates), MsgTypes from a bounded set
 * (see MsgTypeCounts) and disconnect reasons from a fixed list, so series cannot grow without limit.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { Engine } from '../engine/engine.js';
import type { Session } from '../engine/session.js';
import type { LatencyHistogram } from '../engine/latency-histogram.js';
import { classifyDisconnect, DISCONNECT_REASONS } from './disconnect-reasons.js';

/** Every metric name starts with this. */
export const METRIC_PREFIX = 'fixover_';

/** Buckets of the time to recover after a failover (seconds). */
export const RECOVERY_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

type SessionLabels = 'session' | 'node';

/** A histogram read from the sessions' {@link LatencyHistogram}s at scrape time (milliseconds kept, seconds shown). */
class SessionLatencyMetric {
  readonly aggregator = 'sum';
  readonly type = 'histogram';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => Array<{ labels: Record<string, string>; histogram: LatencyHistogram }>,
  ) {}

  get(): { name: string; help: string; type: string; aggregator: string; values: Array<{ value: number; labels: Record<string, string | number>; metricName: string }> } {
    const values: Array<{ value: number; labels: Record<string, string | number>; metricName: string }> = [];
    for (const { labels, histogram } of this.read()) {
      const cumulative = histogram.cumulative();
      histogram.bounds.forEach((b, i) => values.push({ value: cumulative[i], labels: { ...labels, le: b / 1000 }, metricName: `${this.name}_bucket` }));
      values.push({ value: cumulative[cumulative.length - 1], labels: { ...labels, le: '+Inf' }, metricName: `${this.name}_bucket` });
      values.push({ value: histogram.sum / 1000, labels, metricName: `${this.name}_sum` });
      values.push({ value: histogram.count, labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {}
}

/** The metrics of one engine; `text()` renders them for `/metrics`. */
export class EngineMetrics {
  readonly registry = new Registry();
  private readonly logons: Counter<SessionLabels>;
  private readonly logouts: Counter<SessionLabels>;
  private readonly disconnects: Counter<SessionLabels | 'reason'>;
  private readonly storeFaults: Counter<SessionLabels | 'action'>;
  private readonly ownershipChanges: Counter<SessionLabels | 'state'>;
  private readonly fencing: Counter<SessionLabels>;
  private readonly reconnects: Counter<SessionLabels>;
  private readonly connectFailures: Counter<SessionLabels>;
  private readonly failovers: Counter<SessionLabels>;
  private readonly recovery: Histogram<SessionLabels>;
  private readonly attached = new WeakSet<Session>();

  /** `processMetrics`: also the process's CPU, memory, event loop lag… (prom-client's default metrics). */
  constructor(
    private readonly engine: Engine,
    options: { processMetrics?: boolean } = {},
  ) {
    const registers = [this.registry];
    const sessions = (): Session[] => [...engine.sessions.values()];
    const node = (): string => engine.nodeName;
    const labels = (s: Session): Record<SessionLabels, string> => ({ session: s.id.toString(), node: node() });
    /** A counter whose values are read from the sessions when scraped. */
    const read = <L extends string>(name: string, help: string, labelNames: readonly L[], each: (s: Session, set: (extra: Partial<Record<L, string>>, v: number) => void) => void): void => {
      new Counter<SessionLabels | L>({
        name: METRIC_PREFIX + name,
        help,
        labelNames: ['session', 'node', ...labelNames],
        registers,
        collect(this: Counter<SessionLabels | L>) {
          this.reset();
          for (const s of sessions()) each(s, (extra, v) => this.inc({ ...labels(s), ...extra } as Partial<Record<SessionLabels | L, string>>, v));
        },
      });
    };
    const gauge = (name: string, help: string, value: (s: Session) => number): void => {
      new Gauge<SessionLabels>({
        name: METRIC_PREFIX + name,
        help,
        labelNames: ['session', 'node'],
        registers,
        collect(this: Gauge<SessionLabels>) {
          this.reset();
          for (const s of sessions()) this.set(labels(s), value(s));
        },
      });
    };
    read('messages_received_total', 'Messages received, by MsgType', ['msg_type'], (s, set) => {
      for (const [t, n] of s.core.stats.messagesIn.entries()) set({ msg_type: t }, n);
    });
    read('messages_sent_total', 'Messages written to the connection, by MsgType (resends and gap fills included)', ['msg_type'], (s, set) => {
      for (const [t, n] of s.core.stats.messagesOut.entries()) set({ msg_type: t }, n);
    });
    read('bytes_received_total', 'Bytes of the FIX messages received', [], (s, set) => set({}, s.core.stats.bytesIn));
    read('bytes_sent_total', 'Bytes of the FIX messages written', [], (s, set) => set({}, s.core.stats.bytesOut));
    read('garbled_messages_received_total', 'Frames received that could not be read', [], (s, set) => set({}, s.core.stats.garbledIn));
    read('resend_requests_received_total', 'ResendRequests (35=2) received: the counterparty missed messages', [], (s, set) => set({}, s.core.stats.messagesIn.get('2')));
    read('resend_requests_sent_total', 'ResendRequests (35=2) sent: a sequence gap was detected', [], (s, set) => set({}, s.core.stats.messagesOut.get('2')));
    read('messages_resent_total', 'Stored messages sent again (PossDupFlag=Y) to answer ResendRequests', [], (s, set) => set({}, s.core.stats.messagesResent));
    read('rejects_sent_total', 'Rejects sent: session (35=3) and business (35=j)', ['kind'], (s, set) => {
      set({ kind: 'session' }, s.core.stats.messagesOut.get('3'));
      set({ kind: 'business' }, s.core.stats.messagesOut.get('j'));
    });
    read('rejects_received_total', 'Rejects received: session (35=3) and business (35=j)', ['kind'], (s, set) => {
      set({ kind: 'session' }, s.core.stats.messagesIn.get('3'));
      set({ kind: 'business' }, s.core.stats.messagesIn.get('j'));
    });
    read('session_faults_total', 'Unexpected errors that ended a connection of the session', [], (s, set) => set({}, s.faultCount));
    gauge('next_sender_seq', 'Next sequence number the session sends (MsgSeqNum of its next message)', (s) => s.core.nextSenderSeq);
    gauge('next_target_seq', 'Next sequence number the session expects from the counterparty', (s) => s.core.nextTargetSeq);
    gauge('logged_on', '1 while the session is logged on both ways', (s) => (s.isLoggedOn ? 1 : 0));
    gauge('connected', '1 while a connection is attached to the session', (s) => (s.hasSocket ? 1 : 0));
    gauge('in_schedule', '1 while the session is inside its schedule (StartTime..EndTime)', (s) => (s.core.isSessionTime(Date.now()) ? 1 : 0));
    gauge('queued_above_gap', 'Messages received above a sequence gap, waiting for it to be filled', (s) => s.core.queuedAboveGap.messages);
    gauge('ownership_epoch', "This node's ownership epoch of the session (0: not owned here, or no ownership)", (s) => s.ownerEpoch);
    gauge('last_received_timestamp_seconds', 'When a message was last received (Unix time, 0: never)', (s) => s.core.stats.lastReceivedAt / 1000);
    this.registry.registerMetric(
      new SessionLatencyMetric(METRIC_PREFIX + 'store_flush_seconds', 'Time to make a batch of writes durable in the store (flush), per session', () =>
        sessions().map((s) => ({ labels: labels(s), histogram: s.flushTimes })),
      ) as unknown as Metric,
    );
    new Gauge<'node'>({
      name: METRIC_PREFIX + 'node_ready',
      help: '1 while the node is running with every acceptor listening (what /readyz answers)',
      labelNames: ['node'],
      registers,
      collect(this: Gauge<'node'>) {
        this.reset();
        this.set({ node: node() }, engine.ready ? 1 : 0);
      },
    });
    new Gauge<'node'>({
      name: METRIC_PREFIX + 'node_draining',
      help: '1 once the node was drained',
      labelNames: ['node'],
      registers,
      collect(this: Gauge<'node'>) {
        this.reset();
        this.set({ node: node() }, engine.phase === 'draining' ? 1 : 0);
      },
    });
    const counter = <L extends string>(name: string, help: string, extra: readonly L[] = []): Counter<SessionLabels | L> =>
      new Counter<SessionLabels | L>({ name: METRIC_PREFIX + name, help, labelNames: ['session', 'node', ...extra], registers });
    this.logons = counter('logons_total', 'Logons completed');
    this.logouts = counter('logouts_total', 'Logouts (the session stopped being logged on)');
    this.disconnects = counter('disconnects_total', `Connections that ended, by reason (${DISCONNECT_REASONS.join(', ')})`, ['reason']);
    this.storeFaults = counter('store_faults_total', 'Store failures that stopped the session (disconnected: a connection dropped; refused: one refused)', ['action']);
    this.ownershipChanges = counter('ownership_changes_total', 'Ownership changes of the session on this node (acquired, refused, lost, released)', ['state']);
    this.fencing = counter('fencing_events_total', 'Times this node was fenced off a session (it lost ownership: another node took over or the lease ran out)');
    this.reconnects = counter('reconnect_attempts_total', 'Initiator: connection attempts scheduled');
    this.connectFailures = counter('connect_failures_total', 'Initiator: connection attempts that failed');
    this.failovers = counter('failovers_total', 'Initiator: logons on another address than the last one');
    this.recovery = new Histogram<SessionLabels>({
      name: METRIC_PREFIX + 'failover_recovery_seconds',
      help: 'Initiator: time from losing the connection to logging on again through another address',
      labelNames: ['session', 'node'],
      buckets: RECOVERY_BUCKETS_S,
      registers,
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    for (const s of engine.sessions.values()) this.attach(s);
    engine.on('session', (s) => this.attach(s));
  }

  /** Counts a session's events (once per session). */
  private attach(s: Session): void {
    if (this.attached.has(s)) return;
    this.attached.add(s);
    const labels = (): Record<SessionLabels, string> => ({ session: s.id.toString(), node: this.engine.nodeName });
    s.on('logon', () => this.logons.inc(labels()));
    s.on('logout', () => this.logouts.inc(labels()));
    s.on('disconnected', (reason) => this.disconnects.inc({ ...labels(), reason: classifyDisconnect(reason) }));
    s.on('storeFault', (e) => this.storeFaults.inc({ ...labels(), action: e.action }));
    s.on('ownership', (e) => {
      this.ownershipChanges.inc({ ...labels(), state: e.state });
      if (e.state === 'lost') this.fencing.inc(labels());
    });
    s.on('transport', (e) => {
      if (e.type === 'reconnecting') this.reconnects.inc(labels());
      else if (e.type === 'connectFailed') this.connectFailures.inc(labels());
      else if (e.type === 'failover') {
        this.failovers.inc(labels());
        this.recovery.observe(labels(), e.downtimeMs / 1000);
      }
    });
  }

  /** The Content-Type of {@link text}. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in Prometheus's text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
