/** Sends everything to several logs at once (e.g. a file log and a JSON log). */
import type { Log, LogFactory, LogMessage, LogSessionId } from './log.js';

/** A log that forwards every call to each of its logs. */
export class CompositeLog implements Log {
  constructor(readonly logs: readonly Log[]) {}

  get logsIncoming(): boolean {
    return this.logs.some((l) => l.logsIncoming !== false);
  }

  onIncoming(message: LogMessage): void {
    for (const l of this.logs) l.onIncoming(message);
  }

  onOutgoing(message: LogMessage): void {
    for (const l of this.logs) l.onOutgoing(message);
  }

  onEvent(text: string): void {
    for (const l of this.logs) l.onEvent(text);
  }

  clear(): Promise<void> {
    return this.all((l) => l.clear());
  }

  backup(): Promise<void> {
    return this.all((l) => l.backup());
  }

  flush(): Promise<void> {
    return this.all((l) => l.flush());
  }

  close(): Promise<void> {
    return this.all((l) => l.close());
  }

  /** Runs `fn` on every log; rejects with the first failure once all have settled. */
  private async all(fn: (log: Log) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(this.logs.map(fn));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** Creates a `CompositeLog` of one log from each factory. */
export class CompositeLogFactory implements LogFactory {
  constructor(readonly factories: readonly LogFactory[]) {}

  async create(sessionId?: LogSessionId): Promise<CompositeLog> {
    return new CompositeLog(await Promise.all(this.factories.map((f) => f.create(sessionId))));
  }
}
