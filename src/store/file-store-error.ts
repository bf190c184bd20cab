/** Typed failures of the file store. */
import { StoreError } from './store-error.js';

/** What went wrong: opening (directory or files not usable), an I/O failure, use after close. */
export type FileStoreErrorReason = 'open-failed' | 'io' | 'closed';

/** A file store failure; `path` names the file or directory and `cause` holds the system error. */
export class FileStoreError extends StoreError {
  constructor(
    readonly reason: FileStoreErrorReason,
    message: string,
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Wraps a system error raised while doing `what` on `path`. */
  static wrap(reason: FileStoreErrorReason, what: string, path: string, cause: unknown): FileStoreError {
    if (cause instanceof FileStoreError) return cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new FileStoreError(reason, `file store: cannot ${what} ${path}: ${detail}`, path, { cause });
  }
}
