/**
 * What the admin interface shows of a node's TLS: the own certificates in use (file, setting,
 * subject, expiry, days left), the expiry warnings, the failed handshakes so far, and why a reload
 * was refused (file, setting, problem of each file that failed).
 */
import type { Engine } from '../engine/engine.js';
import { TlsSettingsError } from '../transport/tls-settings.js';

/** An own certificate in use (one per file, however many ports or sessions use it). */
export interface CertificateStatus {
  /** The file it was read from. */
  readonly path: string;
  /** The setting that names the file, e.g. ServerCertificateFile. */
  readonly setting: string;
  readonly subject: string;
  /** ISO 8601 time. */
  readonly notBefore: string;
  /** ISO 8601 time. */
  readonly notAfter: string;
  /** Whole days until it expires (negative: expired). */
  readonly daysLeft: number;
  /** The expiry warning (within CertificateExpiryWarningDays, or expired), when there is one. */
  readonly warning?: string;
}

/** The TLS of a node as `GET /api/node/tls` answers it. */
export interface TlsStatus {
  /** Some acceptor port or initiator session uses TLS. */
  readonly tls: boolean;
  readonly certificates: readonly CertificateStatus[];
  /** The expiry warnings (what `fixover run` prints at start-up and daily). */
  readonly warnings: readonly string[];
  /** Failed TLS handshakes since start. */
  readonly handshakeFailures: number;
}

/** Why one file was not reloaded. */
export interface TlsReloadReason {
  /** The file at fault, when known. */
  readonly file?: string;
  /** The setting naming it, when known. */
  readonly setting?: string;
  readonly problem: string;
}

/** The certificates in use, one per file, with their expiry (as of `now`). */
export function certificatesInUse(engine: Engine, now: number = Date.now()): CertificateStatus[] {
  const byPath = new Map<string, CertificateStatus>();
  for (const context of engine.tlsContexts) {
    const c = context.certificate;
    if (!c || byPath.has(c.path)) continue;
    const warning = context.expiryWarning(now);
    byPath.set(c.path, {
      path: c.path,
      setting: c.setting,
      subject: c.subject,
      notBefore: c.validFrom.toISOString(),
      notAfter: c.validTo.toISOString(),
      daysLeft: Math.floor((c.validTo.getTime() - now) / 86_400_000),
      ...(warning ? { warning } : {}),
    });
  }
  return [...byPath.values()];
}

/** The node's TLS: certificates in use, warnings and failed handshakes. */
export function tlsStatus(engine: Engine, now: number = Date.now()): TlsStatus {
  const certificates = certificatesInUse(engine, now);
  return { tls: engine.tlsContexts.length > 0, certificates, warnings: certificates.flatMap((c) => (c.warning ? [c.warning] : [])), handshakeFailures: engine.tlsFailureCount };
}

/** Each failure of a reload as file, setting and problem (once, when several ports or sessions share the file). */
export function reloadReasons(errors: readonly Error[]): TlsReloadReason[] {
  const out = new Map<string, TlsReloadReason>();
  for (const e of errors) {
    const r: TlsReloadReason = e instanceof TlsSettingsError ? { ...(e.file !== undefined ? { file: e.file } : {}), setting: e.setting, problem: e.problem } : { problem: e.message };
    out.set(`${r.file}\u0000${r.setting}\u0000${r.problem}`, r);
  }
  return [...out.values()];
}
