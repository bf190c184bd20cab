/** Typed failures of the PostgreSQL store and ownership. */
import { StoreError } from './store-error.js';

/**
 * What went wrong: the settings do not describe a usable server (`config`), the server cannot be
 * reached or refused us (`connect`), the schema could not be created or migrated (`schema`), a
 * statement failed (`query`), use after close (`closed`).
 */
export type PostgresStoreErrorReason = 'config' | 'connect' | 'schema' | 'query' | 'closed';

/** A PostgreSQL store failure; `target` names the server (never the password), `cause` holds the driver error. */
export class PostgresStoreError extends StoreError {
  constructor(
    readonly reason: PostgresStoreErrorReason,
    message: string,
    readonly target?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Wraps a driver error raised while doing `what` on `target`. */
  static wrap(reason: PostgresStoreErrorReason, what: string, target: string, cause: unknown): PostgresStoreError {
    if (cause instanceof PostgresStoreError) return cause;
    const detail = describe(cause);
    return new PostgresStoreError(reason, `PostgreSQL store: cannot ${what} (${target}): ${detail}`, target, { cause });
  }
}

function describe(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return e.errors.map(describe).join('; ');
  if (e instanceof Error) return e.message || (e as { code?: string }).code || e.name;
  return String(e);
}

/** True when the error means the connection or server went away (the operation may be retried later). */
export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && (/^(08|57P)/.test(code) || /^E[A-Z]+$/.test(code))) return true;
  const msg = e instanceof Error ? e.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(msg);
}
