/**
 * What an operator wants to see scroll by: logons, logouts, disconnects (with their reason),
 * failovers, ownership changes, store faults and errors, from the sessions' events; rejects sent
 * and received, from the sessions' counts (read once a second, not on the hot path). Also the
 * sessions' message rates, from the same reading. The latest entries are kept.
 */
import { EventEmitter } from 'node:events';
import type { Engine } from '../engine/engine.js';
import type { Session } from '../engine/session.js';

/** The kinds of lines in the activity feed. */
export type ActivityKind = 'logon' | 'logout' | 'disconnect' | 'failover' | 'reject' | 'error' | 'ownership' | 'operation';

/** One line of the admin activity feed: when, which session, what kind, what happened. */
export interface ActivityEntry {
  /** ms since the epoch. */
  readonly at: number;
  readonly session?: string;
  readonly kind: ActivityKind;
  readonly text: string;
}

/** How many entries are kept. */
export const ACTIVITY_KEPT = 200;

/** Messages per second of a session, in and out, over the last reading period. */
export interface Rates {
  readonly inRate: number;
  readonly outRate: number;
}

interface Reading {
  at: number;
  messagesIn: number;
  messagesOut: number;
  rejectsIn: number;
  rejectsOut: number;
  rates: Rates;
}

/** The recent activity of an engine's sessions (logons, logouts, failovers, rejects, errors, operations) for the admin API and console. */
export class ActivityFeed extends EventEmitter<{ entry: [ActivityEntry]; tick: [] }> {
  private readonly entries: ActivityEntry[] = [];
  private readonly readings = new Map<Session, Reading>();
  private readonly attached = new WeakSet<Session>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly engine: Engine,
    /** How often counts are read (rates, rejects) and `tick` is emitted, in ms. */
    private readonly periodMs = 1000,
  ) {
    super();
    for (const s of engine.sessions.values()) this.attach(s);
    engine.on('session', (s) => this.attach(s));
    engine.on('phase', (p) => this.add({ kind: 'operation', text: `node ${engine.nodeName} ${p}` }));
  }

  /** Starts reading counts every period. */
  start(): void {
    this.read();
    this.timer ??= setInterval(() => {
      this.read();
      this.emit('tick');
    }, this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Adds an entry (also for operations made through the interface). */
  add(e: Omit<ActivityEntry, 'at'>, now = Date.now()): void {
    const entry = { at: now, ...e };
    this.entries.push(entry);
    if (this.entries.length > ACTIVITY_KEPT) this.entries.shift();
    this.emit('entry', entry);
  }

  /** The kept entries, oldest first. */
  recent(): readonly ActivityEntry[] {
    return [...this.entries];
  }

  /** A session's message rates over the last period (0 before two readings). */
  rates(s: Session): Rates {
    return this.readings.get(s)?.rates ?? { inRate: 0, outRate: 0 };
  }

  private attach(s: Session): void {
    if (this.attached.has(s)) return;
    this.attached.add(s);
    const session = s.id.toString();
    s.on('logon', () => this.add({ session, kind: 'logon', text: `logged on${s.remoteAddress ? ` from ${s.remoteAddress}` : ''}` }));
    s.on('logout', (reason) => this.add({ session, kind: 'logout', text: `logged out${reason ? `: ${reason}` : ''}` }));
    s.on('disconnected', (reason) => this.add({ session, kind: 'disconnect', text: `disconnected: ${reason}` }));
    s.on('ownership', (e) => this.add({ session, kind: 'ownership', text: `ownership ${e.state} by node ${e.node}, epoch ${e.epoch}${e.owner ? `; owner ${e.owner}` : ''}` }));
    s.on('storeFault', (e) => this.add({ session, kind: 'error', text: `store failed (${e.action}): ${e.reason}` }));
    s.on('fault', (e) => this.add({ session, kind: 'error', text: `fault in ${e.site}: ${e.error.message}` }));
    s.on('transport', (e) => {
      if (e.type === 'failover') this.add({ session, kind: 'failover', text: `failover ${e.from.uri} → ${e.to.uri} after ${e.downtimeMs} ms` });
      else if (e.type === 'reconnectFailed') this.add({ session, kind: 'error', text: `gave up reconnecting after ${e.attempts} attempts` });
    });
  }

  /** Reads every session's counts: rates, and an entry for new rejects. */
  private read(now = Date.now()): void {
    for (const s of this.engine.sessions.values()) {
      const st = s.core.stats;
      const cur = {
        at: now,
        messagesIn: st.messagesIn.total(),
        messagesOut: st.messagesOut.total(),
        rejectsIn: st.messagesIn.get('3') + st.messagesIn.get('j'),
        rejectsOut: st.messagesOut.get('3') + st.messagesOut.get('j'),
      };
      const last = this.readings.get(s);
      let rates: Rates = { inRate: 0, outRate: 0 };
      if (last) {
        const secs = Math.max(0.001, (now - last.at) / 1000);
        rates = { inRate: round((cur.messagesIn - last.messagesIn) / secs), outRate: round((cur.messagesOut - last.messagesOut) / secs) };
        const session = s.id.toString();
        if (cur.rejectsOut > last.rejectsOut) this.add({ session, kind: 'reject', text: `${cur.rejectsOut - last.rejectsOut} reject(s) sent` }, now);
        if (cur.rejectsIn > last.rejectsIn) this.add({ session, kind: 'reject', text: `${cur.rejectsIn - last.rejectsIn} reject(s) received` }, now);
      }
      this.readings.set(s, { ...cur, rates });
    }
  }
}

const round = (n: number): number => Math.round(n * 10) / 10;
