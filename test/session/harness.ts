/**
 * Drives a SessionCore deterministically: a fake clock, a real MemoryStore, and the bytes the core
 * writes collected as the "wire". The counterparty is played by the test.
 */
import { Parser, formatUtcTimestamp, type MessageView } from '../../src/codec/index.js';
import { SessionID, type Application, type SessionAction, type SessionEvent, type SessionOptions } from '../../src/session/index.js';
import { SessionCore } from '../../src/session/core.js';
import { applyStoreAction } from '../../src/session/apply.js';
import { MemoryStore } from '../../src/store/index.js';
import { frame } from '../codec/helpers.js';

export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

export class Harness {
  now = T0;
  readonly store = new MemoryStore();
  readonly core: SessionCore;
  /** Messages written to the socket, as `|` text. */
  readonly wire: string[] = [];
  readonly notes: string[] = [];
  /** Events other than notes and messages. */
  readonly events: SessionEvent[] = [];
  /** `pause-input` actions (milliseconds). */
  readonly pauses: number[] = [];
  /** When set, resends are handed to the core in chunks of this many stored messages (`resendChunk`). */
  resendChunkSize = 0;
  disconnects: string[] = [];
  waits: Promise<unknown>[] = [];
  readonly id: SessionID;
  /** When set, resend loads wait in `deferred` until `completeResends` (a store that answers later). */
  deferResend = false;
  readonly deferred: Array<{ begin: number; end: number }> = [];

  constructor(options: Partial<SessionOptions> = {}, app: Application<SessionID> = {}) {
    this.id = options.sessionId ?? new SessionID({ beginString: 'FIX.4.4', senderCompID: 'ISLD', targetCompID: 'TW' });
    this.core = new SessionCore({ role: 'acceptor', ...options, sessionId: this.id }, app, this.now);
  }

  apply(actions: SessionAction[]): void {
    for (const a of actions) {
      if (applyStoreAction(this.store, a, this.now)) continue;
      switch (a.type) {
        case 'send':
          if (a.write) this.wire.push(a.bytes.toString('latin1').split('\x01').join('|'));
          break;
        case 'load-resend':
          if (this.deferResend) {
            this.deferred.push({ begin: a.begin, end: a.end });
            break;
          }
          this.resend(a.begin, a.end);
          break;
        case 'pause-input':
          this.pauses.push(a.ms);
          break;
        case 'disconnect':
          this.disconnects.push(a.reason);
          break;
        case 'wait':
          this.waits.push(a.promise);
          break;
        case 'event':
          if (a.event.kind === 'note') this.notes.push(a.event.text);
          else if (a.event.kind !== 'incoming' && a.event.kind !== 'outgoing') this.events.push(a.event);
          break;
      }
    }
  }

  /** Answers the resend loads that were deferred. */
  completeResends(): this {
    for (const r of this.deferred.splice(0)) this.resend(r.begin, r.end);
    return this;
  }

  /** Answers a resend from the store: all at once, or in chunks (`resendChunkSize`) as the engine does. */
  private resend(begin: number, end: number): void {
    const size = this.resendChunkSize;
    if (size === 0) return this.apply(this.core.resendStored(begin, end, this.store.getRangeSync(begin, end), this.now));
    for (let from = begin; ; ) {
      const chunk = this.store.getRangeSync(from, end, { maxMessages: size, maxBytes: Infinity });
      const done = chunk.length < size || chunk[chunk.length - 1].seq >= end;
      this.apply(this.core.resendChunk(begin, end, chunk, done, this.now));
      if (done) return;
      from = chunk[chunk.length - 1].seq + 1;
    }
  }

  connect(): this {
    this.apply(this.core.connected(this.now));
    return this;
  }

  /** The counterparty sends `body` (fields after 35 and header defaults are added). */
  send(body: string, header: { seq?: number; possDup?: boolean; sendingTime?: string } = {}): this {
    const [first, ...rest] = body.split('|');
    const ts = header.sendingTime ?? formatUtcTimestamp(this.now, 3);
    const seq = header.seq === undefined ? '' : `34=${header.seq}|`;
    const dup = header.possDup ? '43=Y|' : '';
    const text = `${first}|${seq}49=${this.id.targetCompID}|52=${ts}|56=${this.id.senderCompID}|${dup}${rest.join('|')}`;
    this.apply(this.core.receive(frame(text, this.id.beginString), this.now));
    return this;
  }

  /** Raw bytes from the counterparty. */
  raw(bytes: Buffer): this {
    this.apply(this.core.receive(bytes, this.now));
    return this;
  }

  logon(seq = 1, extra = ''): this {
    return this.send(`35=A|98=0|108=30|${extra}`, { seq });
  }

  /** Moves the clock and ticks once per second on the way. */
  advance(ms: number): this {
    const end = this.now + ms;
    while (this.now < end) {
      this.now = Math.min(end, this.now + 1000);
      this.apply(this.core.tick(this.now));
    }
    return this;
  }

  /** Takes the messages written since the last call. */
  take(): string[] {
    return this.wire.splice(0);
  }

  /** Parses a wire message. */
  static view(text: string): MessageView {
    return new Parser().parse(Buffer.from(text.split('|').join('\x01'), 'latin1')).clone();
  }
}

/** Field value of a `|` message text. */
export function field(text: string, tag: number): string | undefined {
  for (const f of text.split('|')) {
    const i = f.indexOf('=');
    if (f.slice(0, i) === String(tag)) return f.slice(i + 1);
  }
  return undefined;
}
