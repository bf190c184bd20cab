/** Typed failures of the file store. */
import { FixoverError } from '../codec/errors.js';

/** What went wrong: opening (directory or files not usable), an I/O failure, use after close. */
export type FileStoreErrorReason = 'open-failed' | 'io' | 'closed';

/** A file store failure; `path` names the file or directory and `cause` holds the system error. */
export class FileStoreError extends FixoverError {
  constructor(
    readonly reason: FileStoreErrorReason,
    message: string,
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }

  /** The system error code (`EACCES`, `ENOSPC`, ...) when there is one. */
  get code(): string | undefined {
    const c = this.cause as { code?: unknown } | undefined;
    return typeof c?.code === 'string' ? c.code : undefined;
  }

  /** Wraps a system error raised while doing `what` on `path`. */
  static wrap(reason: FileStoreErrorReason, what: string, path: string, cause: unknown): FileStoreError {
    if (cause instanceof FileStoreError) return cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new FileStoreError(reason, `file store: cannot ${what} ${path}: ${detail}`, path, { cause });
  }
}
