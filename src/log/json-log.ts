/**
 * Structured logging through pino: one JSON object per message or event, bound to the session,
 * e.g. `{"level":30,"time":...,"sessionId":"FIX.4.4:A->B","kind":"incoming","msgType":"D",
 * "seq":5,"fix":"8=FIX.4.4|9=...|10=123|","msg":"incoming"}`.
 */
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { type Log, type LogFactory, type LogMessage, type LogSessionId, headerField, isHeartbeat, messageText } from './log.js';

/** Options of a JSON log. */
export interface JsonLogOptions {
  /** A logger to derive from (default: a new pino logger on `destination` or stdout). */
  logger?: Logger;
  /** Where a new logger writes (ignored with `logger`). */
  destination?: DestinationStream;
  /** Level of message entries (default `info`); events use `info`. */
  messageLevel?: Level;
  /** Log Heartbeats (default false). */
  logHeartbeats?: boolean;
}

/** Logs a session's messages and events as structured pino entries. */
export class JsonLog implements Log {
  /** The pino logger, with the session id bound. */
  readonly logger: Logger;

  constructor(
    private readonly options: JsonLogOptions = {},
    sessionId?: LogSessionId,
  ) {
    const base = options.logger ?? (options.destination ? pino({}, options.destination) : pino());
    this.logger = base.child({ sessionId: sessionId?.toString() ?? 'GLOBAL' });
  }

  onIncoming(message: LogMessage): void {
    this.message('incoming', message);
  }

  onOutgoing(message: LogMessage): void {
    this.message('outgoing', message);
  }

  onEvent(text: string): void {
    this.logger.info({ kind: 'event' }, text);
  }

  async clear(): Promise<void> {}
  async backup(): Promise<void> {}

  flush(): Promise<void> {
    return new Promise((resolve, reject) => this.logger.flush((err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    return this.flush();
  }

  private message(kind: 'incoming' | 'outgoing', message: LogMessage): void {
    if (!this.options.logHeartbeats && isHeartbeat(message)) return;
    const seq = Number(headerField(message, 34));
    const entry = {
      kind,
      msgType: headerField(message, 35),
      seq: Number.isInteger(seq) ? seq : undefined,
      fix: messageText(message).replaceAll('\x01', '|'),
    };
    this.logger[this.options.messageLevel ?? 'info'](entry, kind);
  }
}

/** Creates a `JsonLog` per session, sharing one root logger. */
export class JsonLogFactory implements LogFactory {
  private readonly options: JsonLogOptions;

  constructor(options: JsonLogOptions = {}) {
    const logger = options.logger ?? (options.destination ? pino({}, options.destination) : pino());
    this.options = { ...options, logger };
  }

  async create(sessionId?: LogSessionId): Promise<JsonLog> {
    return new JsonLog(this.options, sessionId);
  }
}
