/**
 * The audit trail of changing operations made through the HTTP interface: who (the operator the
 * request names, authenticated by the admin token, and its address), what (action and target),
 * when, and the outcome. Each entry is written as one line to a stream (the process's standard
 * output by default) and the latest are kept for `/api/audit` and the console.
 */
import { EventEmitter } from 'node:events';

/** One changing operation done through the admin API: who, from where, what, on what, and the outcome. */
export interface AuditEntry {
  /** ISO 8601 time. */
  readonly at: string;
  /** The operator named by the request (`X-Fixover-Operator`), else `unnamed`. */
  readonly who: string;
  /** The address the request came from. */
  readonly remote: string;
  /** logout, disconnect, reset, set-seq, refresh, drain. */
  readonly action: string;
  /** A session ID, or `node`. */
  readonly target: string;
  /** The request's parameters (text, numbers). */
  readonly detail?: string;
  /** ok, or what went wrong (refused: bad or missing token, no token configured, error). */
  readonly outcome: string;
}

/** How many entries are kept in memory. */
export const AUDIT_KEPT = 200;

/** The trail of changing operations done through the admin API. */
export class AuditLog extends EventEmitter<{ entry: [AuditEntry] }> {
  private readonly entries: AuditEntry[] = [];

  /** `write`: where each entry goes as a line (default: standard output). */
  constructor(private readonly write: (line: string) => void = (line) => void process.stdout.write(line)) {
    super();
  }

  /** Records an entry. */
  record(entry: Omit<AuditEntry, 'at'>, now = Date.now()): AuditEntry {
    const e: AuditEntry = { at: new Date(now).toISOString(), ...entry };
    this.entries.push(e);
    if (this.entries.length > AUDIT_KEPT) this.entries.shift();
    this.write(`fixover: admin: ${e.at} ${e.who}@${e.remote} ${e.action} ${e.target}${e.detail ? ` (${e.detail})` : ''}: ${e.outcome}\n`);
    this.emit('entry', e);
    return e;
  }

  /** The kept entries, oldest first. */
  recent(): readonly AuditEntry[] {
    return [...this.entries];
  }
}
