/**
 * Failover endpoints: one `tcp://host:port` (or TLS, `ssl://host:port`) address with the options
 * passed to its transport. Identity is the canonical URI (`tcp://[::1]:9876`, host lower-cased,
 * no options), so the same address written twice, or once in `priorityURIs`, is recognised as the
 * same endpoint.
 */
import { FailoverUriError } from './errors.js';

/** One address the failover transport can connect to. */
export interface FailoverEndpoint {
  /**
   * `tcp`, or `ssl` for a TLS endpoint (`ssl://`, `tls://`, `nio+ssl://`, …): a TLS endpoint is
   * always reached over TLS, with the session's TLS settings or, without them, the system's
   * certificate authorities. A session with `SocketUseSSL=Y` uses TLS for `tcp://` endpoints too.
   */
  readonly scheme: 'tcp' | 'ssl';
  /** Host name or address, IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
  /** Canonical `tcp://host:port` (`ssl://host:port` for TLS): the endpoint's identity, used in events and logs. */
  readonly uri: string;
  /**
   * Transport options for this endpoint: the failover URI's `nested.*` options (prefix removed)
   * overlaid by the endpoint's own query options. The I/O layer interprets and checks them.
   */
  readonly options: Readonly<Record<string, string>>;
}

const TLS_SCHEMES = new Set(['ssl', 'tls', 'nio+ssl', 'https', 'wss', 'amqp+ssl', 'stomp+ssl', 'mqtt+ssl', 'auto+ssl']);

/** Canonical `tcp://host:port` (or `ssl://host:port`) of an address (IPv6 hosts in brackets, host lower-cased). */
export function canonicalUri(host: string, port: number, scheme: 'tcp' | 'ssl' = 'tcp'): string {
  const h = host.toLowerCase();
  return `${scheme}://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/** An endpoint from a host and port (and optional transport options; `ssl` for TLS). Throws on a bad port or empty host. */
export function tcpEndpoint(host: string, port: number, options: Readonly<Record<string, string>> = {}, scheme: 'tcp' | 'ssl' = 'tcp'): FailoverEndpoint {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (h === '' || /[\s/?#@[\]]/.test(h)) throw new FailoverUriError(`invalid host "${host}"`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new FailoverUriError(`invalid port ${port} for host ${host}: expected 1 to 65535`);
  return { scheme, host: h, port, uri: canonicalUri(h, port, scheme), options: { ...options } };
}

/** Splits `a=1&b=2` into ordered pairs, percent-decoding names and values. Empty parts are skipped. */
export function parseQuery(query: string, where: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of query.split('&')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new FailoverUriError(`${where}: "${part}" is not of the form option=value`);
    out.push([decode(part.slice(0, eq).trim(), where), decode(part.slice(eq + 1).trim(), where)]);
  }
  return out;
}

function decode(text: string, where: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new FailoverUriError(`${where}: bad percent-encoding in "${text}"`);
  }
}

/**
 * Parses one endpoint URI: `tcp://host:port`, `tcp://[::1]:port`, optionally followed by `/`
 * and `?option=value&…` (kept as transport options, overlaying `nested`). `ssl://`, `tls://` and
 * the other TLS schemes (`nio+ssl://`, …) are TLS endpoints (scheme `ssl`).
 */
export function parseEndpointUri(text: string, nested: Readonly<Record<string, string>> = {}): FailoverEndpoint {
  const s = text.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s)?.[1]?.toLowerCase();
  if (scheme === undefined) throw new FailoverUriError(`"${s}" is not an endpoint URI: expected tcp://host:port`);
  if (scheme !== 'tcp' && !TLS_SCHEMES.has(scheme)) throw new FailoverUriError(`"${s}": unsupported scheme ${scheme}://; fixover endpoints are tcp://host:port or ssl://host:port (TLS)`, undefined, ['tcp', 'ssl']);
  const m = /^[A-Za-z]+:\/\/(\[[^\]]*\]|[^:/?#[\]@]*)(?::([^/?#]*))?\/?(?:\?([^#]*))?$/.exec(s);
  if (!m) throw new FailoverUriError(`"${s}" is not an endpoint URI: expected tcp://host:port (IPv6 as tcp://[::1]:port)`);
  const [, rawHost, rawPort, query] = m;
  if (rawHost === '' || rawHost === '[]') throw new FailoverUriError(`"${s}": the host is missing: expected tcp://host:port`);
  if (rawPort === undefined || rawPort === '') throw new FailoverUriError(`"${s}": the port is missing: expected tcp://host:port`);
  if (!/^\d{1,5}$/.test(rawPort) || Number(rawPort) < 1 || Number(rawPort) > 65535) {
    throw new FailoverUriError(`"${s}": invalid port "${rawPort}": expected 1 to 65535`);
  }
  if (rawHost.startsWith('[') && !/^\[[0-9A-Fa-f:.]+(%[\w.-]+)?\]$/.test(rawHost)) throw new FailoverUriError(`"${s}": invalid IPv6 address ${rawHost}`);
  const options: Record<string, string> = { ...nested };
  if (query !== undefined) for (const [k, v] of parseQuery(query, `endpoint ${s}`)) options[k] = v;
  return tcpEndpoint(rawHost, Number(rawPort), options, TLS_SCHEMES.has(scheme) ? 'ssl' : 'tcp');
}

/**
 * Parses a comma-separated endpoint list, such as the content of an `updateURIsURL` file or a
 * `priorityURIs` value. Blank entries and surrounding whitespace (including new lines) are ignored;
 * duplicates keep their first position.
 */
export function parseEndpointList(text: string, nested: Readonly<Record<string, string>> = {}): FailoverEndpoint[] {
  const out: FailoverEndpoint[] = [];
  for (const part of splitTopLevel(text)) {
    if (part.trim() === '') continue;
    const ep = parseEndpointUri(part, nested);
    if (!out.some((e) => e.uri === ep.uri)) out.push(ep);
  }
  return out;
}

/** Splits on commas that are not inside brackets (IPv6 addresses contain no commas, but be safe). */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if ((c === ',' || c === '\n' || c === '\r') && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** True when both lists hold the same endpoints in the same order. */
export function sameEndpoints(a: readonly FailoverEndpoint[], b: readonly FailoverEndpoint[]): boolean {
  return a.length === b.length && a.every((e, i) => e.uri === b[i].uri);
}
