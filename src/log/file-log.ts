/**
 * QuickFIX C++'s file log (`FileLogPath`): `<prefix>.messages.current.log` and
 * `<prefix>.event.current.log`, each line `YYYYMMDD-HH:MM:SS.sss : <message or event>`. Lines are
 * buffered and appended asynchronously, in order; `backup()` renames the files to
 * `<prefix>.messages.backup.<n>.log` / `<prefix>.event.backup.<n>.log` like QuickFIX.
 */
import { constants } from 'node:fs';
import { type FileHandle, access, mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { formatUtcTimestamp, type TimestampPrecision } from '../codec/values.js';
import { type Log, type LogFactory, type LogMessage, type LogSessionId, isHeartbeat, messageBytes } from './log.js';

/** Options of a file log. QuickFIX setting names in brackets. */
export interface FileLogOptions {
  /** Directory of the log files, created when missing [`FileLogPath`]. */
  path: string;
  /** Directory for `backup()` files [`FileLogBackupPath`, default `path`]. */
  backupPath?: string;
  /** Log Heartbeats in the messages file [`FileLogHeartbeats`, default false]. */
  logHeartbeats?: boolean;
  /** Fractional digits of the line timestamps (default 3: milliseconds). */
  timestampPrecision?: TimestampPrecision;
  /** Called when a background write fails (default: a process warning). */
  onError?: (error: Error) => void;
  /** Clock (epoch milliseconds), for tests. */
  now?: () => number;
}

const APPEND = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** One session's (or the global) file log. Create it with `FileLog.open`. */
export class FileLog implements Log {
  private messages!: FileHandle;
  private events!: FileHandle;
  private messageBuf: Uint8Array[] = [];
  private eventBuf: Uint8Array[] = [];
  private scheduled = false;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Full names of the current files. */
  readonly messagesFile: string;
  readonly eventFile: string;

  private constructor(
    private readonly options: FileLogOptions,
    readonly prefix: string,
  ) {
    this.messagesFile = join(options.path || '.', `${prefix}.messages.current.log`);
    this.eventFile = join(options.path || '.', `${prefix}.event.current.log`);
  }

  /** Creates the directories and opens (appending to) the current files. */
  static async open(options: FileLogOptions, prefix: string): Promise<FileLog> {
    const log = new FileLog(options, prefix);
    await mkdir(options.path || '.', { recursive: true });
    if (options.backupPath) await mkdir(options.backupPath, { recursive: true });
    await log.openFiles();
    return log;
  }

  onIncoming(message: LogMessage): void {
    this.message(message);
  }

  onOutgoing(message: LogMessage): void {
    this.message(message);
  }

  onEvent(text: string): void {
    if (this.closed) return;
    this.eventBuf.push(Buffer.from(`${this.stamp()} : ${text}\n`, 'utf8'));
    this.schedule();
  }

  /** Empties both files (buffered lines are dropped). */
  clear(): Promise<void> {
    this.messageBuf = [];
    this.eventBuf = [];
    return this.serial(async () => {
      await this.messages.truncate(0);
      await this.events.truncate(0);
    });
  }

  /** Renames the current files to the first free `.backup.<n>.log` names and starts new ones. */
  backup(): Promise<void> {
    return this.serial(async () => {
      await this.writeBuffered();
      await this.closeFiles();
      const dir = this.options.backupPath || this.options.path || '.';
      for (let n = 1; ; n++) {
        const messages = join(dir, `${this.prefix}.messages.backup.${n}.log`);
        const events = join(dir, `${this.prefix}.event.backup.${n}.log`);
        if ((await exists(messages)) || (await exists(events))) continue;
        await rename(this.messagesFile, messages);
        await rename(this.eventFile, events);
        break;
      }
      await this.openFiles();
    });
  }

  flush(): Promise<void> {
    return this.serial(() => this.writeBuffered());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.serial(async () => {
      try {
        await this.writeBuffered();
      } finally {
        await this.closeFiles();
      }
    });
  }

  private message(message: LogMessage): void {
    if (this.closed || (!this.options.logHeartbeats && isHeartbeat(message))) return;
    // One line, copied: an incoming message is a view into the framer's buffer, which is reused
    // before the line is written.
    const stamp = `${this.stamp()} : `;
    const bytes = messageBytes(message);
    const line = Buffer.allocUnsafe(stamp.length + bytes.length + 1);
    line.write(stamp, 0, 'latin1');
    line.set(bytes, stamp.length);
    line[line.length - 1] = 0x0a;
    this.messageBuf.push(line);
    this.schedule();
  }

  private stamp(): string {
    return formatUtcTimestamp(this.options.now?.() ?? Date.now(), this.options.timestampPrecision ?? 3);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush().catch((e: unknown) => this.reportError(e));
    });
  }

  private reportError(e: unknown): void {
    const error = e instanceof Error ? e : new Error(String(e));
    if (this.options.onError) this.options.onError(error);
    else process.emitWarning(`fixover file log ${this.prefix}: ${error.message}`);
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const p = this.chain.then(fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async writeBuffered(): Promise<void> {
    const messages = this.messageBuf;
    const events = this.eventBuf;
    this.messageBuf = [];
    this.eventBuf = [];
    if (messages.length > 0) await this.messages.writev(messages);
    if (events.length > 0) await this.events.writev(events);
  }

  private async openFiles(): Promise<void> {
    this.messages = await open(this.messagesFile, APPEND, 0o644);
    this.events = await open(this.eventFile, APPEND, 0o644).catch(async (e: unknown) => {
      await this.messages.close();
      throw e;
    });
  }

  private async closeFiles(): Promise<void> {
    await Promise.all([this.messages.close(), this.events.close()]);
  }
}

/** Creates a `FileLog` per session (`<BeginString>-<Sender>-<Target>[-<Qualifier>]`), or `GLOBAL`. */
export class FileLogFactory implements LogFactory {
  constructor(readonly options: FileLogOptions) {}

  create(sessionId?: LogSessionId): Promise<FileLog> {
    return FileLog.open(this.options, sessionId?.filePrefix ?? 'GLOBAL');
  }
}
