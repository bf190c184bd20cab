/** What the stores' typed failures share. */
import { FixoverError } from '../codec/errors.js';

/** A store failure; `cause` holds the underlying system or driver error. */
export abstract class StoreError extends FixoverError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /** The underlying error's code (`ENOSPC`, `ECONNREFUSED`, a SQLSTATE such as `57P01`) when there is one. */
  get causeCode(): string | undefined {
    const c = this.cause as { code?: unknown } | undefined;
    return typeof c?.code === 'string' ? c.code : undefined;
  }
}
