/**
 * A member process for the discovery tests: runs one NetworkDiscovery (static probes or multicast,
 * from the JSON in argv[2]) and prints, every 50 ms, one JSON line with the members it sees and
 * the messages it ignored. SIGTERM stops it cleanly (it says leave); SIGKILL is a crash.
 */
import { ClusterDirectory } from '../../src/cluster/cluster-directory.js';
import { NetworkDiscovery } from '../../src/cluster/network-discovery.js';
import { MulticastTransport } from '../../src/cluster/multicast-transport.js';
import { ProbeTransport } from '../../src/cluster/probe-transport.js';
import { parseDiscovery, parseTcpUri, type HostPort } from '../../src/cluster/discovery-uri.js';

interface DriverOptions {
  readonly cluster: string;
  readonly node: string;
  readonly discovery: string;
  readonly listen?: string;
  readonly leaseMs: number;
  readonly dir: string;
}

const o = JSON.parse(process.argv[2]) as DriverOptions;
const spec = parseDiscovery(o.discovery);
if (typeof spec === 'string') throw new Error(spec);
const transport =
  spec.kind === 'multicast'
    ? new MulticastTransport(spec)
    : spec.kind === 'static'
      ? new ProbeTransport({ peers: spec.peers, listen: parseTcpUri(o.listen!) as HostPort, timeoutMs: 300 })
      : undefined;
if (!transport) throw new Error('store discovery is not driven here');
const d = new NetworkDiscovery(new ClusterDirectory(o.dir), { cluster: o.cluster, node: o.node, uris: [`tcp://${o.node}:1`], weight: 1, leaseMs: o.leaseMs, sessions: () => [`S-${o.node}`] }, transport);
d.on('event', (e) => console.log(JSON.stringify({ event: e })));
await d.start('active');
const report = setInterval(async () => {
  const members = await d.members();
  console.log(JSON.stringify({ node: o.node, members: members.map((m) => `${m.node}:${m.state}:${m.sessions.join('+')}`), counts: d.counts }));
}, 50);
process.on('SIGTERM', () => {
  clearInterval(report);
  void d.stop().then(() => process.exit(0));
});
