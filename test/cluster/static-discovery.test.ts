import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ClusterDirectory } from '../../src/cluster/cluster-directory.js';
import { NetworkDiscovery } from '../../src/cluster/network-discovery.js';
import { ProbeTransport } from '../../src/cluster/probe-transport.js';
import { ClusterNode } from '../../src/cluster/node.js';
import { formatClusterStatus, readClusterStatus } from '../../src/cluster/status.js';
import { encodeAnnouncement } from '../../src/cluster/announcement.js';
import type { ClusterEvent } from '../../src/cluster/events.js';
import { freePort } from '../support/free-port.js';

const driver = new URL('./member-driver.ts', import.meta.url).pathname;
const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** A member process; `seen` is the last list of members it printed. */
function member(options: object): { child: ChildProcess; seen: () => string[]; lines: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', driver, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let seen: string[] = [];
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(l);
    const x = JSON.parse(l) as { members?: string[] };
    if (x.members) seen = x.members.map((m) => m.split(':')[0]);
  });
  return { child, seen: () => seen, lines };
}

test('static discovery between three processes on loopback: all see each other; one killed is removed after the lease, one stopped at once', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-static-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const list = `static:(${ports.map((p) => `tcp://127.0.0.1:${p}`).join(',')})`;
  const leaseMs = 1500;
  const nodes = ['A', 'B', 'C'].map((node, i) => member({ cluster: 'c1', node, discovery: list, listen: `tcp://127.0.0.1:${ports[i]}`, leaseMs, dir }));
  const [a, b, c] = nodes;
  try {
    await until('every node sees A, B and C', () => nodes.every((n) => n.seen().join() === 'A,B,C'), 20_000);
    const killedAt = Date.now();
    c.child.kill('SIGKILL');
    await until('A and B no longer see C', () => a.seen().join() === 'A,B' && b.seen().join() === 'A,B');
    const lapse = Date.now() - killedAt;
    assert.ok(lapse >= (leaseMs * 2) / 3 - 100, `C was removed ${lapse} ms after the kill: not before its lease (${leaseMs} ms, last heard at most a third of it before)`);
    const stoppedAt = Date.now();
    b.child.kill('SIGTERM');
    await until('A no longer sees B', () => a.seen().join() === 'A');
    assert.ok(Date.now() - stoppedAt < 900, 'a member that stops says leave: removed at once, not after its lease');
    assert.ok(a.lines.some((l) => l.includes('"C:active:S-C"')), 'the view carries state and sessions');
  } finally {
    for (const n of nodes) n.child.kill('SIGKILL');
  }
});

test('static probes: garbage, a silent connection, another cluster and a second process of the same name are ignored and counted; the node keeps working', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-static-'));
  const [pa, pb] = [await freePort(), await freePort()];
  const list = `127.0.0.1`;
  const make = (node: string, port: number, peer: number): NetworkDiscovery =>
    new NetworkDiscovery(new ClusterDirectory(dir), { cluster: 'c1', node, uris: [`tcp://${node}:1`], weight: 1, leaseMs: 600, sessions: () => [] }, new ProbeTransport({ peers: [{ host: list, port: peer }], listen: { host: list, port }, timeoutMs: 200 }));
  const a = make('A', pa, pb);
  const warnings: string[] = [];
  a.on('event', (e: ClusterEvent) => e.type === 'warning' && warnings.push(e.text));
  await a.start('active');
  const b = make('B', pb, pa);
  try {
    const send = async (bytes: Buffer | null): Promise<string> => {
      const s = net.connect(pa, list);
      await once(s, 'connect');
      let answer = '';
      s.on('data', (d: Buffer) => (answer += d.toString()));
      s.on('error', () => undefined);
      if (bytes) s.write(bytes);
      await new Promise((r) => s.on('close', r));
      return answer;
    };
    const other = encodeAnnouncement({ kind: 'probe', cluster: 'c2', node: 'X', incarnation: 1, seq: 1, uris: [], state: 'active', sessions: [], weight: 1, leaseMs: 600, inStateMs: 0 });
    const sameName = encodeAnnouncement({ kind: 'probe', cluster: 'c1', node: 'A', incarnation: 1, seq: 1, uris: [], state: 'active', sessions: [], weight: 1, leaseMs: 600, inStateMs: 0 });
    assert.equal(await send(Buffer.from('GET / HTTP/1.0\r\n\r\n')), '', 'garbage gets no answer');
    assert.equal(await send(Buffer.from('{"fixover":"member","v":1,"kind":"probe"}\n')), '', 'an incomplete message gets no answer');
    assert.equal(await send(Buffer.alloc(2 << 20, 0x41)), '', 'more than 1 MiB is cut off');
    assert.equal(await send(null), '', 'a silent connection is closed after the probe timeout');
    assert.equal(await send(Buffer.concat([other, Buffer.from('\n')])), '', 'another cluster gets no answer');
    assert.equal(await send(Buffer.concat([sameName, Buffer.from('\n')])), '', 'another process with this node name gets no answer');
    assert.deepEqual({ ...a.counts }, { bad: 4, otherCluster: 1, stale: 0, duplicateName: 1 });
      const reported = (): number => warnings.reduce((n, w) => n + Number(/^ignored (\d+) membership message/.exec(w)?.[1] ?? 0), 0);
      await until('the ignored messages are reported as warnings (at most one a renewal)', () => reported() === 5);
      assert.match(warnings.at(-1)!, /\(last from .*another process announces this node's name A\); 4 bad so far/);
    await b.start('active');
    await until('A and B see each other', async () => (await a.members()).length === 2 && (await b.members()).length === 2);
    await b.stop();
    await until('A sees B leave', async () => (await a.members()).length === 1, 2000);
  } finally {
    await a.stop();
    await b.stop();
  }
});

test('a cluster member with ClusterDiscovery=static: the coordinator writes a topology with both members; one stopping leaves a new epoch', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-static-node-'));
  const [pa, pb] = [await freePort(), await freePort()];
  const settings = (node: string, port: number): Record<string, string> => ({
    ConnectionType: 'acceptor',
    ClusterName: 'east',
    NodeName: node,
    FileStorePath: dir,
    ClusterLeaseTimeout: '900',
    ClusterAdvertisedURI: `tcp://127.0.0.1:${port + 1}`,
    ClusterDiscovery: `static:(tcp://127.0.0.1:${pa},tcp://127.0.0.1:${pb})`,
    ClusterProbeListen: `tcp://127.0.0.1:${port}`,
  });
  const a = ClusterNode.fromSettings({ sessions: new Map() }, [settings('A', pa)], [])!;
  const b = ClusterNode.fromSettings({ sessions: new Map() }, [settings('B', pb)], [])!;
  assert.equal(a.discovery.constructor.name, 'NetworkDiscovery');
  await a.start();
  await b.start();
  const files = new ClusterDirectory(a.config.dir);
  try {
    await until('the topology has A and B', async () => (await files.topology())?.members.map((m) => m.node).join() === 'A,B');
    assert.deepEqual((await files.members()).records, [], 'no member files: discovery went over the network');
    assert.deepEqual((await a.status()).members.map((m) => m.node), ['A', 'B'], 'a running node\'s status shows the members it knows');
    const printed = formatClusterStatus(await readClusterStatus(files, 'east', []), Date.now());
    assert.match(printed, /members:\n {2}\(from the topology written .* ago: members discovered over the network keep no files\)\n {2}A {2}active {2}tcp:\/\/127\.0\.0\.1:\d+ {2}weight 1 {2}0 session\(s\)\n {2}B {2}active/);
    const epoch = (await files.topology())!.epoch;
    await b.stop();
    await until('the topology has A only', async () => (await files.topology())?.members.map((m) => m.node).join() === 'A');
    assert.ok((await files.topology())!.epoch > epoch, 'the epoch grew');
    await until('A reports B left', () => a.discovery.topology?.members.length === 1);
  } finally {
    await a.stop();
    await b.stop();
  }
});

test('static probes with ClusterSecretFile: nodes sharing the secret see each other; one without it or with another is not a member, and is counted', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-static-secret-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const secret = Buffer.from('a shared secret of the cluster');
  const make = (node: string, i: number, key: Buffer | undefined): NetworkDiscovery =>
    new NetworkDiscovery(new ClusterDirectory(dir), { cluster: 'c1', node, uris: [], weight: 1, leaseMs: 600, sessions: () => [] }, new ProbeTransport({ peers: ports.map((port) => ({ host: '127.0.0.1', port })), listen: { host: '127.0.0.1', port: ports[i] }, timeoutMs: 200 }), key);
  const nodes = [make('A', 0, secret), make('B', 1, secret), make('M', 2, undefined)];
  try {
    for (const n of nodes) await n.start('active');
    const names = async (n: NetworkDiscovery): Promise<string> => (await n.members()).map((m) => m.node).join();
    await until('A and B see each other', async () => (await names(nodes[0])) === 'A,B' && (await names(nodes[1])) === 'A,B');
    await until('A counted M\'s unsigned probes', () => nodes[0].counts.bad > 0);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(await names(nodes[0]), 'A,B', 'M never became a member of A');
    assert.equal(await names(nodes[2]), 'M', 'M gets no answer it can read: A and B answer only signed probes');
  } finally {
    for (const n of nodes) await n.stop();
  }
});
