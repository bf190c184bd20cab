/**
 * QuickFIX's screen log: each entry as
 * `<YYYYMMDD-HH:MM:SS.sss, FIX.4.4:SENDER->TARGET, incoming>` then `  (<message>)` on the next line,
 * written to a stream (default stdout). Switches as QuickFIX's `ScreenLogShow*` settings.
 */
import { formatUtcTimestamp, type TimestampPrecision } from '../codec/values.js';
import { type Log, type LogFactory, type LogMessage, type LogSessionId, isHeartbeat, messageText } from './log.js';

/** Where screen log text goes. */
export interface TextSink {
  write(text: string): unknown;
}

/** Options of a screen log. QuickFIX setting names in brackets. */
export interface ScreenLogOptions {
  /** [`ScreenLogShowIncoming`, default true] */
  showIncoming?: boolean;
  /** [`ScreenLogShowOutgoing`, default true] */
  showOutgoing?: boolean;
  /** [`ScreenLogShowEvents`, default true] */
  showEvents?: boolean;
  /** [`ScreenLogShowHeartBeats`, default false] */
  showHeartbeats?: boolean;
  /** Show SOH as `|` (default false: the bytes as they are, like QuickFIX). */
  printable?: boolean;
  /** Fractional digits of the timestamps (default 3). */
  timestampPrecision?: TimestampPrecision;
  /** Destination (default `process.stdout`). */
  stream?: TextSink;
  /** Clock (epoch milliseconds), for tests. */
  now?: () => number;
}

/** Writes a session's messages and events to a stream as they happen. */
export class ScreenLog implements Log {
  private readonly stream: TextSink;

  constructor(
    private readonly options: ScreenLogOptions = {},
    /** `SessionID.toString()`, or `GLOBAL`. */
    readonly prefix = 'GLOBAL',
  ) {
    this.stream = options.stream ?? process.stdout;
  }

  get logsIncoming(): boolean {
    return this.options.showIncoming !== false;
  }

  onIncoming(message: LogMessage): void {
    if (this.options.showIncoming !== false && this.wanted(message)) this.entry('incoming', messageText(message));
  }

  onOutgoing(message: LogMessage): void {
    if (this.options.showOutgoing !== false && this.wanted(message)) this.entry('outgoing', messageText(message));
  }

  onEvent(text: string): void {
    if (this.options.showEvents !== false) this.entry('event', text);
  }

  async clear(): Promise<void> {}
  async backup(): Promise<void> {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}

  private wanted(message: LogMessage): boolean {
    return this.options.showHeartbeats === true || !isHeartbeat(message);
  }

  private entry(kind: string, text: string): void {
    const time = formatUtcTimestamp(this.options.now?.() ?? Date.now(), this.options.timestampPrecision ?? 3);
    const body = this.options.printable ? text.replaceAll('\x01', '|') : text;
    this.stream.write(`<${time}, ${this.prefix}, ${kind}>\n  (${body})\n`);
  }
}

/** Creates a `ScreenLog` per session, all with the same switches and stream. */
export class ScreenLogFactory implements LogFactory {
  constructor(readonly options: ScreenLogOptions = {}) {}

  async create(sessionId?: LogSessionId): Promise<ScreenLog> {
    return new ScreenLog(this.options, sessionId?.toString() ?? 'GLOBAL');
  }
}
