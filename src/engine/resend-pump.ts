/**
 * Answers a session's resend requests from its store a bounded chunk at a time: one request
 * after the other, in the order they came, yielding to the event loop (and waiting for the socket
 * to take what was sent) between chunks, and resting between bursts of chunks so that a resend
 * takes at most its share of the time (`ResendCpuShare`). Memory stays flat whatever the range, and other sessions
 * of the process keep being served while a long resend goes out.
 */
import type { MessageStore, RangeLimit, StoredMessage } from '../store/store.js';

/** One `load-resend` action: the range, and the connection it was asked on. */
export interface ResendJob {
  readonly begin: number;
  readonly end: number;
  readonly connection: number;
}

/** What the pump needs from the session it serves. */
export interface ResendPumpHost {
  readonly store: MessageStore;
  /** Hands a chunk to the session core (`SessionCore.resendChunk`) and carries out its actions. */
  deliverChunk(job: ResendJob, messages: readonly StoredMessage[], done: boolean): void;
  /** The connection a job was asked on is still the one the session serves. */
  isCurrent(connection: number): boolean;
  /** Resolves once what was sent is written and the socket has room for more (or is gone). */
  yieldTurn(): Promise<void>;
  /** A store read failed (the rest of the range is gap-filled). */
  failed(err: unknown): void;
}

/** Default chunk: at most 8 messages and about 8 KiB (about a tenth of a millisecond of work; measured with npm run bench:fairness against 25 messages / 32 KiB, which doubled the neighbour's p99 during a resend). */
export const RESEND_CHUNK: RangeLimit = { maxMessages: 8, maxBytes: 8 * 1024 };

/**
 * `ResendCpuShare` by default: a resend takes at most a quarter of the time while it goes out
 * (measured with `npm run bench:fairness`: at 100 the neighbour's p99 during a 100,000-message
 * resend was 2.2–2.8x its idle p99, at 50 1.3–2.5x, at 25 1.3–2.1x; the resend then takes about
 * 6 s instead of 1.5 s).
 */
export const DEFAULT_RESEND_CPU_SHARE = 25;

/**
 * Paces a resend to a share of the time (pure: the caller gives the clock). The pump works in
 * bursts of `burstMs`; after each it pauses for as long as the share requires (a burst of 2 ms at
 * 50 % is followed by 2 ms of rest), so other sessions' traffic finds the process idle most of
 * the time rather than behind a queue of chunks. Time the pump spent waiting anyway (for the
 * socket to drain, for the store) counts as rest: a gap longer than a burst starts a new one.
 */
export class ResendPacer {
  private start = -Infinity;
  private last = -Infinity;

  /**
   * @param share percent of the time a resend may take (1–100; 100: no pauses)
   * @param burstMs how long the pump works before it rests
   */
  constructor(
    readonly share: number,
    private readonly burstMs = 2,
  ) {}

  /** Called before each chunk after the first, at `now` (ms): how long to rest first (0: none). */
  restBefore(now: number): number {
    if (this.share >= 100) return 0;
    if (now - this.last > this.burstMs) this.start = now;
    this.last = now;
    const busy = now - this.start;
    if (busy < this.burstMs) return 0;
    const rest = (busy * (100 - this.share)) / this.share;
    this.start = this.last = now + rest;
    return rest;
  }
}

/** Streams the answers to one session's resend requests from its store, chunk by chunk. */
export class ResendPump {
  private readonly jobs: ResendJob[] = [];
  private running = false;

  constructor(
    private readonly host: ResendPumpHost,
    private readonly limit: RangeLimit = RESEND_CHUNK,
    private readonly pacer: ResendPacer = new ResendPacer(DEFAULT_RESEND_CPU_SHARE),
  ) {}

  /** Queues a resend; it starts at once when none is going on. */
  add(job: ResendJob): void {
    this.jobs.push(job);
    if (!this.running) void this.pump();
  }

  /** Resend requests not fully answered yet (the one going out included). */
  get pending(): number {
    return this.jobs.length + (this.running ? 1 : 0);
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      for (let job = this.jobs.shift(); job; job = this.jobs.shift()) {
        try {
          await this.answer(job);
        } catch (err) {
          this.host.failed(err);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async answer(job: ResendJob): Promise<void> {
    const host = this.host;
    let from = job.begin;
    for (;;) {
      let messages: StoredMessage[];
      try {
        messages = host.isCurrent(job.connection) ? await host.store.getRange(from, job.end, this.limit) : [];
      } catch (err) {
        host.failed(err);
        messages = [];
      }
      // A connection that ended (or was replaced) gets nothing more of this resend.
      if (!host.isCurrent(job.connection)) messages = [];
      const done = messages.length === 0 || this.lastOfRange(messages, job.end);
      host.deliverChunk(job, messages, done);
      if (done) return;
      from = messages[messages.length - 1].seq + 1;
      await host.yieldTurn();
      const rest = this.pacer.restBefore(performance.now());
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  }

  /** The chunk ends the range: it reaches its end, or the store had no more within the limit. */
  private lastOfRange(messages: readonly StoredMessage[], end: number): boolean {
    if (messages[messages.length - 1].seq >= end) return true;
    if (messages.length >= this.limit.maxMessages) return false;
    let bytes = 0;
    for (const m of messages) bytes += m.bytes.length;
    return bytes < this.limit.maxBytes;
  }
}
