/**
 * The CompID binding of client certificates (`CertificateCompIDBinding`): an acceptor accepts a
 * session's Logon only over a connection whose verified client certificate names the session's
 * counterparty CompID (its TargetCompID, the SenderCompID the client logs on with), so the
 * certificate of firm A cannot log on as firm B. Pure: works on the fields Node reports.
 */
import type { CompIdBinding } from './tls-settings.js';

/** The parts of a peer certificate read here (as `TLSSocket.getPeerCertificate()` gives them). */
export interface PeerCertificateNames {
  readonly subject?: { readonly CN?: string | readonly string[] } | null;
  /** `DNS:a, DNS:b, email:x@y, URI:…, IP Address:…` */
  readonly subjectaltname?: string;
}

/** The names a certificate holds: its subject CNs and its subject alternative names (DNS, email, URI, IP). */
export function certificateNames(cert: PeerCertificateNames): { cn: string[]; san: string[] } {
  const raw = cert.subject?.CN;
  const cn = raw === undefined ? [] : typeof raw === 'string' ? [raw] : [...raw];
  const san: string[] = [];
  for (const part of splitSan(cert.subjectaltname ?? '')) {
    const m = /^(DNS|email|URI|IP Address):(.*)$/.exec(part.trim());
    if (m) san.push(m[2].replace(/^"(.*)"$/, '$1'));
  }
  return { cn, san };
}

/** Splits a subjectaltname string on the commas between entries (quoted values may hold commas). */
function splitSan(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur);
  return out;
}

/**
 * Null when the certificate may log on as `compId` under `binding`, else why not (for the refusal).
 * Names are compared exactly (CompIDs are case-sensitive).
 */
export function compIdBindingProblem(binding: CompIdBinding, cert: PeerCertificateNames | null | undefined, compId: string): string | null {
  if (binding === 'none') return null;
  if (!cert || (!cert.subject && !cert.subjectaltname)) return `no client certificate to bind to CompID ${compId}`;
  const { cn, san } = certificateNames(cert);
  const names = binding === 'cn' ? cn : binding === 'san' ? san : [...cn, ...san];
  if (names.includes(compId)) return null;
  const where = binding === 'cn' ? 'subject CN' : binding === 'san' ? 'subject alternative names' : 'subject CN or alternative names';
  return `client certificate (${where}: ${names.length > 0 ? names.join(', ') : 'none'}) does not name CompID ${compId}`;
}
