/**
 * `ClusterDiscovery` and `ClusterProbeListen` values, parsed (pure): how the members of a cluster
 * learn of each other (docs/cluster.md, "Membership"). Used by the settings checks (a bad value is
 * an error naming what is valid) and by the node to choose its discovery driver.
 */

/** A host and port (a static peer, a multicast group, a listening address). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** How members find each other. */
export type DiscoverySpec =
  /** Member records as files in the shared FileStorePath directory. */
  | { readonly kind: 'store' }
  /** A fixed list of peers' probe addresses, each asked for its member record over TCP. */
  | { readonly kind: 'static'; readonly peers: readonly HostPort[] }
  /** UDP announcements to a multicast group (`ttl`: hops; `iface`: the local IPv4 address to use). */
  | { readonly kind: 'multicast'; readonly group: string; readonly port: number; readonly ttl: number; readonly iface: string | undefined };

/** `multicast://default`: an organization-local group (239.255.0.0/16) and port chosen for fixover ("F"=70, "X"=88). */
export const DEFAULT_MULTICAST: HostPort = { host: '239.255.70.88', port: 7088 };

/** What `ClusterDiscovery` accepts, for error messages. */
export const DISCOVERY_EXPECTED = `store, static:(tcp://host:port,…) (the peers' ClusterProbeListen addresses) or multicast://group:port[?ttl=1&interface=address] (multicast://default is ${DEFAULT_MULTICAST.host}:${DEFAULT_MULTICAST.port})`;

const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)$/;

/** `tcp://host:port` (IPv6 in brackets), or a description of what is wrong. */
export function parseTcpUri(value: string): HostPort | string {
  const m = /^tcp:\/\/(.+):(\d{1,5})$/.exec(value.trim());
  if (!m || !HOST.test(m[1])) return `"${value.trim()}" is not tcp://host:port`;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `"${value.trim()}": the port must be 1 to 65535`;
  return { host: m[1].startsWith('[') ? m[1].slice(1, -1) : m[1], port };
}

/** True for a dotted IPv4 address in 224.0.0.0/4. */
function isMulticastV4(host: string): boolean {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return false;
  const first = Number(parts[0]);
  return first >= 224 && first <= 239;
}

function isIPv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** A `ClusterDiscovery` value as a spec, or a description of what is wrong with it. */
export function parseDiscovery(value: string): DiscoverySpec | string {
  const v = value.trim();
  if (v === 'store') return { kind: 'store' };
  if (v.startsWith('static:')) {
    const m = /^static:\((.*)\)$/.exec(v);
    if (!m) return 'static:( … ): the peer list goes in parentheses';
    const peers: HostPort[] = [];
    for (const u of m[1].split(',')) {
      if (u.trim() === '') return 'static:( … ): an empty entry in the peer list';
      const p = parseTcpUri(u);
      if (typeof p === 'string') return `static:( … ): ${p}`;
      peers.push(p);
    }
    return { kind: 'static', peers };
  }
  if (v.startsWith('multicast://')) {
    const [where, query = ''] = v.slice('multicast://'.length).split('?', 2);
    let group = DEFAULT_MULTICAST.host;
    let port = DEFAULT_MULTICAST.port;
    if (where !== 'default') {
      const m = /^([0-9.]+):(\d{1,5})$/.exec(where);
      if (!m || !isMulticastV4(m[1])) return `multicast://${where}: the group must be an IPv4 multicast address (224.0.0.0 to 239.255.255.255) with a port, or "default"`;
      port = Number(m[2]);
      if (port < 1 || port > 65535) return `multicast://${where}: the port must be 1 to 65535`;
      group = m[1];
    }
    let ttl = 1;
    let iface: string | undefined;
    for (const kv of query === '' ? [] : query.split('&')) {
      const [k, val = ''] = kv.split('=', 2);
      if (k === 'ttl' && /^\d{1,3}$/.test(val) && Number(val) <= 255) ttl = Number(val);
      else if (k === 'interface' && isIPv4(val)) iface = val;
      else return `multicast:// option "${kv}": valid are ttl=0..255 and interface=<local IPv4 address>`;
    }
    return { kind: 'multicast', group, port, ttl, iface };
  }
  return `"${v}" is none of these`;
}

/** Null when `ClusterDiscovery` is valid, else what is valid and what is wrong. */
export function discoveryProblem(value: string): string | null {
  const r = parseDiscovery(value);
  return typeof r === 'string' ? `${DISCOVERY_EXPECTED}; ${r}` : null;
}
