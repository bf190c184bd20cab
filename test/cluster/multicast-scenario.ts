/**
 * Run by multicast-discovery.test.ts INSIDE a private network namespace (never on the host's
 * network): starts member processes on `multicast://default` (A, B, C of cluster c1, and X of
 * cluster c2 on the same group), sends bad datagrams to the group, kills C with SIGKILL and stops
 * B with SIGTERM; then runs two cluster members (ClusterNode) on another group until their
 * coordinator wrote a topology with both; and prints one JSON line with what it observed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DEFAULT_MULTICAST } from '../../src/cluster/discovery-uri.js';
import { ClusterDirectory } from '../../src/cluster/cluster-directory.js';
import { ClusterNode } from '../../src/cluster/node.js';

interface Seen {
  members: string[];
  counts: Record<string, number>;
}

const driver = new URL('./member-driver.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fixover-multicast-'));
const leaseMs = 1500;
const views = new Map<string, Seen>();
const children: ChildProcess[] = [];

function start(node: string, cluster = 'c1'): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', driver, JSON.stringify({ cluster, node, discovery: 'multicast://default', leaseMs, dir })], { stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const x = JSON.parse(l) as Partial<Seen>;
    if (x.members) views.set(node, { members: x.members.map((m) => m.split(':')[0]), counts: x.counts! });
  });
  children.push(child);
  return child;
}

const sees = (node: string, list: string): boolean => views.get(node)?.members.join() === list;
async function until(ok: () => boolean, ms = 15_000): Promise<number> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out; views: ${JSON.stringify([...views])}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

try {
  start('A');
  start('B');
  const c = start('C');
  start('X', 'c2');
  await until(() => sees('A', 'A,B,C') && sees('B', 'A,B,C') && sees('C', 'A,B,C') && sees('X', 'X'));
  const badBefore = views.get('B')!.counts.bad;
  const g = dgram.createSocket('udp4');
  for (const bytes of ['not json', '{"fixover":"member","v":2}', '[1,2]', '{"fixover":"member","v":1,"kind":"announce","cluster":"c1","node":"evil"}']) {
    await new Promise((r) => g.send(Buffer.from(bytes), DEFAULT_MULTICAST.port, DEFAULT_MULTICAST.host, r));
  }
  g.close();
  await until(() => views.get('B')!.counts.bad >= badBefore + 4);
  // A reports its counts periodically: wait for a report made after it heard X's cluster.
  await until(() => views.get('A')!.counts.otherCluster > 0);
  const afterGarbage = { B: views.get('B')!.members.join(), X: views.get('X')!.members.join(), otherClusterAtA: views.get('A')!.counts.otherCluster, badAtB: views.get('B')!.counts.bad - badBefore };
  c.kill('SIGKILL');
  const lapseMs = await until(() => sees('A', 'A,B') && sees('B', 'A,B'));
  children[1].kill('SIGTERM');
  const leaveMs = await until(() => sees('A', 'A'));
  // Two cluster members (the node, its coordinator and the topology file) on another group.
  // Their messages are signed (ClusterSecretFile, relative to the settings folder).
  writeFileSync(join(dir, 'cluster.key'), 'west-secret-0123456789\n');
  const settings = (node: string): Record<string, string> => ({ ConnectionType: 'acceptor', ClusterName: 'west', NodeName: node, FileStorePath: dir, ClusterLeaseTimeout: '900', ClusterAdvertisedURI: `tcp://${node}:9877`, ClusterDiscovery: 'multicast://239.255.0.9:7099?ttl=0', ClusterSecretFile: 'cluster.key' });
  const nodes = ['N1', 'N2'].map((n) => ClusterNode.fromSettings({ sessions: new Map() }, [settings(n)], [], dir)!);
  for (const n of nodes) await n.start();
  const files = new ClusterDirectory(nodes[0].config.dir);
  let topology = '';
  await until(() => {
    void files.topology().then((t) => (topology = t?.members.map((m) => m.node).join() ?? ''));
    return topology === 'N1,N2';
  });
  const signed = nodes.every((n) => n.config.secret !== undefined);
  for (const n of nodes) await n.stop();
  console.log(JSON.stringify({ ok: true, leaseMs, afterGarbage, lapseMs, leaveMs, topology, signed }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e) }));
} finally {
  for (const ch of children) ch.kill('SIGKILL');
}
