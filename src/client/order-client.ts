/**
 * A headless order-entry client (the role of QuickFIX's Banzai / tradeclient): sends
 * NewOrderSingle messages with unique ClOrdIDs at a fixed rate or with a fixed number in flight,
 * matches ExecutionReports, and reports what happened: orders sent, filled, missing, duplicated
 * (PossDup/PossResend-flagged and unflagged separately), rejects, latency percentiles, and every
 * disconnect and reconnect with its time.
 */
import * as hdr from 'hdr-histogram-js';
import { Message } from '../codec/message.js';
import type { MessageView } from '../codec/message-view.js';
import type { Application } from '../session/actions.js';
import type { SessionID } from '../session/session-id.js';

/** How an {@link OrderClient} sends: how many orders, at a fixed rate or with a window in flight, which symbol. */
export interface OrderClientOptions {
  /** Number of orders to send. */
  orders: number;
  /** Orders per second (fixed rate); mutually exclusive with `window`. */
  rate?: number;
  /** Orders in flight (closed loop); default 1 when no rate is given. */
  window?: number;
  /** Symbol of every order (default IBM). */
  symbol?: string;
  /** Give up waiting for fills this long after the last order was sent (ms, default 10000). */
  settleMs?: number;
  /** ClOrdID prefix (default a time-based one, unique per run). */
  prefix?: string;
}

/** Latency percentiles of an order client run, in microseconds. */
export interface LatencySummary {
  /** Microseconds. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  count: number;
}

/** What an {@link OrderClient} run measured: orders sent and filled, duplicates, latency, failovers. */
export interface ClientReport {
  sent: number;
  filled: number;
  missing: number;
  duplicates: { flagged: number; unflagged: number };
  rejects: number;
  latencyUs: LatencySummary;
  disconnects: Array<{ at: string; reason: string }>;
  logons: Array<{ at: string }>;
  startedAt: string;
  endedAt: string;
  elapsedMs: number;
  events: Array<{ at: string; event: string; detail?: unknown }>;
}

/** What the client needs from a session. */
export interface OrderSink {
  send(message: Message): boolean;
  readonly isLoggedOn: boolean;
}

/** The headless order-entry client behind `fixover client`: sends orders at a rate or window and reports fills, duplicates and latency. */
export class OrderClient {
  private readonly sentAt = new Map<string, number>();
  private readonly filled = new Set<string>();
  private readonly histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  private readonly report: ClientReport;
  private sent = 0;
  private inFlight = 0;
  private wake: (() => void) | null = null;
  private readonly prefix: string;
  private stopped = false;
  private readonly createdAt: number;

  constructor(
    private readonly sink: OrderSink,
    private readonly options: OrderClientOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.createdAt = now();
    this.prefix = options.prefix ?? `C${Date.now().toString(36)}-`;
    const t = new Date().toISOString();
    this.report = {
      sent: 0,
      filled: 0,
      missing: 0,
      duplicates: { flagged: 0, unflagged: 0 },
      rejects: 0,
      latencyUs: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, count: 0 },
      disconnects: [],
      logons: [],
      startedAt: t,
      endedAt: t,
      elapsedMs: 0,
      events: [],
    };
  }

  /** Records a named event (failover events from the transport, for example). */
  record(event: string, detail?: unknown): void {
    this.report.events.push({ at: new Date().toISOString(), event, detail });
  }

  /** Callbacks to install on the client session. */
  application(): Application<SessionID> {
    return {
      onLogon: () => {
        this.report.logons.push({ at: new Date().toISOString() });
        this.poke();
      },
      onLogout: () => {
        this.report.disconnects.push({ at: new Date().toISOString(), reason: 'logout or disconnect' });
      },
      fromApp: (m: MessageView) => this.onMessage(m),
      fromAdmin: (m: MessageView) => {
        if (m.msgType === '3') this.report.rejects++;
      },
    };
  }

  private onMessage(m: MessageView): void {
    if (m.msgType === 'j' || m.msgType === '3') {
      this.report.rejects++;
      return;
    }
    if (m.msgType !== '8') return;
    const status = m.get(39);
    if (status === '8') {
      this.report.rejects++;
      return;
    }
    if (status !== '2') return;
    const id = m.get(11) ?? '';
    const flagged = m.get(43) === 'Y' || m.get(97) === 'Y';
    if (this.filled.has(id)) {
      if (flagged) this.report.duplicates.flagged++;
      else this.report.duplicates.unflagged++;
      return;
    }
    const t0 = this.sentAt.get(id);
    if (t0 === undefined) return;
    this.filled.add(id);
    this.inFlight--;
    this.histogram.recordValue(Math.max(1, Math.round((this.now() - t0) * 1000)));
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private order(): Message {
    const id = `${this.prefix}${this.sent + 1}`;
    const m = new Message('D').set(11, id).set(21, '1').set(55, this.options.symbol ?? 'IBM').set(54, '1').set(38, 100).set(40, '2').set(44, '10.5');
    m.body.setTimestamp(60, Date.now());
    this.sentAt.set(id, this.now());
    return m;
  }

  /** The report so far, without sending anything (a client that never logged on). */
  snapshot(): ClientReport {
    return this.finish(this.createdAt);
  }

  /** Stops sending new orders (SIGINT/SIGTERM): `run` then waits for the fills of those sent and reports. */
  stop(): void {
    this.stopped = true;
    this.poke();
  }

  /** Sends every order, waits for the fills (or the settle time), and returns the report. */
  async run(): Promise<ClientReport> {
    const start = this.now();
    const { orders, rate } = this.options;
    const window = rate ? Infinity : (this.options.window ?? 1);
    while (this.sent < orders && !this.stopped) {
      if (!this.sink.isLoggedOn) {
        await this.waitForChange(50);
        continue;
      }
      if (rate) {
        const due = start + ((this.sent + 1) * 1000) / rate;
        const wait = due - this.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      } else if (this.inFlight >= window) {
        await this.waitForChange(1000);
        continue;
      }
      this.sink.send(this.order());
      this.sent++;
      this.inFlight++;
    }
    const settleUntil = this.now() + (this.options.settleMs ?? 10_000);
    while (this.filled.size < this.sent && this.now() < settleUntil) await this.waitForChange(100);
    return this.finish(start);
  }

  private finish(start: number): ClientReport {
    const r = this.report;
    const h = this.histogram;
    r.sent = this.sent;
    r.filled = this.filled.size;
    r.missing = this.sent - this.filled.size;
    r.latencyUs = {
      p50: h.getValueAtPercentile(50),
      p90: h.getValueAtPercentile(90),
      p99: h.getValueAtPercentile(99),
      p999: h.getValueAtPercentile(99.9),
      max: h.maxValue,
      count: h.totalCount,
    };
    r.endedAt = new Date().toISOString();
    r.elapsedMs = Math.round(this.now() - start);
    return r;
  }
}
