/**
 * Prometheus metrics of an engine, through prom-client on a registry of their own. What the
 * sessions count as they work (messages by type, bytes, sequence numbers, flush times) is read when
 * the metrics are scraped (collect callbacks); what happens rarely (logons, disconnects, ownership
 * changes, failovers) is counted from the sessions' events. Every series is labelled by session ID
 * and node: both come from the settings (and acceptor templates), MsgTypes from a bounded set
 * (see MsgTypeCounts) and disconnect reasons from a fixed list, so series cannot grow without limit.
 */
import { Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import type { Engine } from '../engine/engine.js';
import type { Session } from '../engine/session.js';
import type { MsgTypeCounts } from '../session/session-stats.js';
import { classifyDisconnect, DISCONNECT_REASONS } from './disconnect-reasons.js';
import { registerProcessMetrics, type ProcessMetricsLevel } from './process-metrics.js';
import { certificatesInUse } from './tls-status.js';

/** Every metric name starts with this. */
export const METRIC_PREFIX = 'fixover_';

/** Buckets of the time to recover after a failover (seconds). */
export const RECOVERY_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

type SessionLabels = 'session' | 'node';

/** A series' labels: one frozen object per session (and MsgType, kind or bucket), kept from scrape to scrape. */
type SeriesLabels = Readonly<Record<string, string | number>>;

/** One value of a metric read at scrape time, in the form prom-client's registry renders. */
interface ReadValue {
  value: number;
  labels: SeriesLabels;
  /** The series' labels, kept: prom-client formats a `sharedLabels` object once and reuses the text. */
  sharedLabels: SeriesLabels;
  metricName?: string;
}

/** Adds a value of a read metric. */
type Push = (value: number, labels: SeriesLabels, metricName?: string) => void;

const NO_LABELS: SeriesLabels = Object.freeze({});

/**
 * A metric whose values are read from the sessions when scraped, handed to prom-client's registry
 * as they are: no counter state to reset and refill, no label hashing or validation per series,
 * and the session and node labels as `sharedLabels` objects kept per session (the registry
 * formats each once and reuses the text), so a scrape of many sessions stays short.
 */
class ReadMetric {
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
    private readonly read: (push: Push) => void,
  ) {}

  get(): { name: string; help: string; type: string; aggregator: string; values: ReadValue[] } {
    const values: ReadValue[] = [];
    this.read((value, sharedLabels, metricName) => void values.push(metricName === undefined ? { value, labels: NO_LABELS, sharedLabels } : { value, labels: NO_LABELS, sharedLabels, metricName }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {}
}

/** A session's series labels: `{session, node}`, and that plus one more label (msg_type, kind, le) by its value. */
interface SessionSeries {
  readonly base: Readonly<Record<SessionLabels, string>>;
  readonly more: Map<string, SeriesLabels>;
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
  /** Each session's series labels, kept (see ReadMetric). */
  private readonly seriesOf = new WeakMap<Session, SessionSeries>();

  /**
   * `processMetrics`: also the process's own metrics (CPU, memory, heap, event loop…): `basic`
   * (the default, also `true`) reads them only when scraped; `full` adds prom-client's GC duration
   * histogram and event-loop delay percentiles, which work all the time and cost throughput;
   * `off` (or `false`) serves none.
   */
  constructor(
    private readonly engine: Engine,
    options: { processMetrics?: boolean | ProcessMetricsLevel } = {},
  ) {
    const registers = [this.registry];
    const sessions = (): Iterable<Session> => engine.sessions.values();
    const node = (): string => engine.nodeName;
    const base = (s: Session): SeriesLabels => this.series(s).base;
    /** The session's labels and `name`=`value` (the sets are bounded: MsgTypes, kinds, buckets). */
    const plus = (s: Session, name: string, value: string | number): SeriesLabels => {
      const more = this.series(s).more;
      const key = `${name}\u0000${value}`;
      let l = more.get(key);
      if (!l) more.set(key, (l = Object.freeze({ ...this.series(s).base, [name]: value })));
      return l;
    };
    const add = (name: string, help: string, type: 'counter' | 'gauge' | 'histogram', read: (push: Push) => void): void =>
      this.registry.registerMetric(new ReadMetric(METRIC_PREFIX + name, help, type, read) as unknown as Metric);
    /** A counter read from each session when scraped. */
    const read = (name: string, help: string, each: (s: Session, push: (v: number, labels?: SeriesLabels) => void) => void): void =>
      add(name, help, 'counter', (push) => {
        for (const s of sessions()) each(s, (v, labels) => push(v, labels ?? base(s)));
      });
    const gauge = (name: string, help: string, value: (s: Session) => number): void =>
      add(name, help, 'gauge', (push) => {
        for (const s of sessions()) push(value(s), base(s));
      });
    const byType = (s: Session, counts: MsgTypeCounts, push: (v: number, labels?: SeriesLabels) => void): void => {
      for (const [t, n] of counts.entries()) push(n, plus(s, 'msg_type', t));
    };
    read('messages_received_total', 'Messages received, by MsgType', (s, push) => byType(s, s.core.stats.messagesIn, push));
    read('messages_sent_total', 'Messages written to the connection, by MsgType (resends and gap fills included)', (s, push) => byType(s, s.core.stats.messagesOut, push));
    read('bytes_received_total', 'Bytes of the FIX messages received', (s, push) => push(s.core.stats.bytesIn));
    read('bytes_sent_total', 'Bytes of the FIX messages written', (s, push) => push(s.core.stats.bytesOut));
    read('garbled_messages_received_total', 'Frames received that could not be read', (s, push) => push(s.core.stats.garbledIn));
    read('resend_requests_received_total', 'ResendRequests (35=2) received: the counterparty missed messages', (s, push) => push(s.core.stats.messagesIn.get('2')));
    read('resend_requests_sent_total', 'ResendRequests (35=2) sent: a sequence gap was detected', (s, push) => push(s.core.stats.messagesOut.get('2')));
    read('messages_resent_total', 'Stored messages sent again (PossDupFlag=Y) to answer ResendRequests', (s, push) => push(s.core.stats.messagesResent));
    read('rejects_sent_total', 'Rejects sent: session (35=3) and business (35=j)', (s, push) => {
      push(s.core.stats.messagesOut.get('3'), plus(s, 'kind', 'session'));
      push(s.core.stats.messagesOut.get('j'), plus(s, 'kind', 'business'));
    });
    read('rejects_received_total', 'Rejects received: session (35=3) and business (35=j)', (s, push) => {
      push(s.core.stats.messagesIn.get('3'), plus(s, 'kind', 'session'));
      push(s.core.stats.messagesIn.get('j'), plus(s, 'kind', 'business'));
    });
    read('session_faults_total', 'Unexpected errors that ended a connection of the session', (s, push) => push(s.faultCount));
    gauge('next_sender_seq', 'Next sequence number the session sends (MsgSeqNum of its next message)', (s) => s.core.nextSenderSeq);
    gauge('next_target_seq', 'Next sequence number the session expects from the counterparty', (s) => s.core.nextTargetSeq);
    gauge('logged_on', '1 while the session is logged on both ways', (s) => (s.isLoggedOn ? 1 : 0));
    gauge('connected', '1 while a connection is attached to the session', (s) => (s.hasSocket ? 1 : 0));
    gauge('in_schedule', '1 while the session is inside its schedule (StartTime..EndTime)', (s) => (s.core.isSessionTime(Date.now()) ? 1 : 0));
    gauge('queued_above_gap', 'Messages received above a sequence gap, waiting for it to be filled', (s) => s.core.queuedAboveGap.messages);
    gauge('ownership_epoch', "This node's ownership epoch of the session (0: not owned here, or no ownership)", (s) => s.ownerEpoch);
    gauge('last_received_timestamp_seconds', 'When a message was last received (Unix time, 0: never)', (s) => s.core.stats.lastReceivedAt / 1000);
    // A histogram read from the sessions' LatencyHistograms (milliseconds kept, seconds shown).
    const flush = METRIC_PREFIX + 'store_flush_seconds';
    add('store_flush_seconds', 'Time to make a batch of writes durable in the store (flush), per session', 'histogram', (push) => {
      for (const s of sessions()) {
        const h = s.flushTimes;
        const cumulative = h.cumulative();
        for (let i = 0; i < h.bounds.length; i++) push(cumulative[i], plus(s, 'le', h.bounds[i] / 1000), `${flush}_bucket`);
        push(cumulative[cumulative.length - 1], plus(s, 'le', '+Inf'), `${flush}_bucket`);
        push(h.sum / 1000, base(s), `${flush}_sum`);
        push(h.count, base(s), `${flush}_count`);
      }
    });
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
    // TLS: one expiry series per own certificate file (bounded by the settings), the failed handshakes, the reloads.
    new Gauge<'node' | 'certificate'>({
      name: METRIC_PREFIX + 'tls_certificate_expiry_timestamp_seconds',
      help: 'When the own certificate in use expires (notAfter, Unix time), per certificate file',
      labelNames: ['node', 'certificate'],
      registers,
      collect(this: Gauge<'node' | 'certificate'>) {
        this.reset();
        for (const c of certificatesInUse(engine)) this.set({ node: node(), certificate: c.path }, Date.parse(c.notAfter) / 1000);
      },
    });
    new Counter<'node'>({
      name: METRIC_PREFIX + 'tls_handshake_failures_total',
      help: 'TLS handshakes that failed (or peers refused after one) on the acceptor ports and initiator sessions',
      labelNames: ['node'],
      registers,
      collect(this: Counter<'node'>) {
        this.reset();
        if (engine.tlsContexts.length > 0) this.inc({ node: node() }, engine.tlsFailureCount);
      },
    });
    const reloads = new Counter<'node' | 'result'>({
      name: METRIC_PREFIX + 'tls_reloads_total',
      help: 'Reloads of the certificate, key and trust files (SIGHUP or the admin API), by result (ok, failed: the certificates in use stayed)',
      labelNames: ['node', 'result'],
      registers,
    });
    if (engine.tlsContexts.length > 0) for (const result of ['ok', 'failed']) reloads.inc({ node: node(), result }, 0);
    engine.on('tlsReload', (e) => reloads.inc({ node: node(), result: e ? 'failed' : 'ok' }));
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
    const level = options.processMetrics ?? 'basic';
    registerProcessMetrics(this.registry, level === true ? 'basic' : level === false ? 'off' : level);
    for (const s of engine.sessions.values()) this.attach(s);
    engine.on('session', (s) => this.attach(s));
  }

  /** A session's series labels: the same objects from scrape to scrape while the node name stays. */
  private series(s: Session): SessionSeries {
    const node = this.engine.nodeName;
    let l = this.seriesOf.get(s);
    if (l === undefined || l.base.node !== node) this.seriesOf.set(s, (l = { base: Object.freeze({ session: s.id.toString(), node }), more: new Map() }));
    return l;
  }

  /** Counts a session's events (once per session). */
  private attach(s: Session): void {
    if (this.attached.has(s)) return;
    this.attached.add(s);
    const labels = (): Readonly<Record<SessionLabels, string>> => this.series(s).base;
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
