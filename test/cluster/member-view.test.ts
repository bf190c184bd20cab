import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeAnnouncement, parseAnnouncement, type Announcement } from '../../src/cluster/announcement.js';
import { MemberView } from '../../src/cluster/member-view.js';
import { nextTopology, topologyChange, type Topology } from '../../src/cluster/membership.js';
import { DEFAULT_MULTICAST, discoveryProblem, parseDiscovery } from '../../src/cluster/discovery-uri.js';

const self = { node: 'A', incarnation: 100 };
let seq = 0;
const msg = (node: string, extra: Partial<Announcement> = {}): Announcement => ({ kind: 'announce', cluster: 'c', node, incarnation: 1, seq: ++seq, uris: [`tcp://${node}:1`], state: 'active', sessions: [], weight: 1, leaseMs: 1000, inStateMs: 0, ...extra });

test('the view from announcements with a fake clock: join, renew, state change and leave by lapse each make a new epoch; session counts do not', () => {
  const v = new MemberView('c', self);
  let t: Topology | undefined;
  const step = (now: number): ReturnType<typeof topologyChange> => {
    const next = nextTopology(t, v.members(now), 'c', now);
    const c = topologyChange(t, next);
    assert.ok(t === undefined || next.epoch >= t.epoch, 'the epoch never falls');
    t = next;
    return c;
  };
  assert.equal(v.heard(msg('B'), 0), 'joined');
  assert.equal(v.heard(msg('C', { inStateMs: 300 }), 10), 'joined');
  assert.deepEqual(step(10).joined, ['B', 'C']);
  assert.equal(t!.epoch, 1);
  assert.equal(v.members(10)[1].since, -290, 'since: when heard less the time in state (the sender\'s clock is never compared)');
  assert.equal(v.heard(msg('B', { sessions: ['s2', 's1'] }), 600), 'renewed');
  assert.deepEqual(v.members(600)[0].sessions, ['s1', 's2']);
  step(600);
  assert.equal(t!.epoch, 1, 'sessions held are not a topology change');
  assert.equal(v.heard(msg('B', { state: 'draining' }), 700), 'renewed');
  assert.deepEqual(step(700).changed, ['B']);
  assert.equal(t!.epoch, 2);
  // C was last heard at 10 with a 1000 ms lease: still a member at 1010, gone at 1011.
  assert.deepEqual(step(1010), { joined: [], left: [], changed: [] });
  assert.deepEqual(step(1011).left, ['C']);
  assert.equal(t!.epoch, 3);
  assert.equal(v.heard(msg('C'), 1200), 'joined', 'a member that comes back joins again');
  assert.deepEqual(step(1200).joined, ['C']);
  assert.equal(t!.epoch, 4);
});

test('leave removes a member at once; a late older message does not bring it back; a restarted node (new incarnation) does', () => {
  const v = new MemberView('c', self);
  const early = msg('B');
  assert.equal(v.heard(msg('B'), 0), 'joined');
  assert.equal(v.heard(msg('B', { kind: 'leave' }), 100), 'left');
  assert.deepEqual(v.members(100), []);
  assert.equal(v.heard(early, 150), 'stale', 'a datagram sent before the leave, arriving after it');
  assert.deepEqual(v.members(150), []);
  assert.equal(v.heard(msg('B', { incarnation: 2, seq: 1 }), 200), 'joined', 'the restarted process');
  assert.equal(v.heard(msg('B', { incarnation: 1, seq: 999 }), 300), 'stale', 'the old process is superseded');
  assert.equal(v.heard(msg('B', { incarnation: 1, seq: 1000 }), 1201), 'joined', 'after a lapse any incarnation counts (a clock set back)');
  assert.equal(v.counts.stale, 2);
});

test('another cluster, this node\'s own messages and another process using this node\'s name are not members', () => {
  const v = new MemberView('c', self);
  assert.equal(v.heard(msg('X', { cluster: 'other' }), 0), 'otherCluster');
  assert.equal(v.heard(msg('A', { incarnation: 100 }), 0), 'self');
  assert.equal(v.heard(msg('A', { incarnation: 99 }), 0), 'duplicateName');
  assert.deepEqual(v.members(0), []);
  assert.deepEqual({ ...v.counts }, { bad: 0, otherCluster: 1, stale: 0, duplicateName: 1 });
});

test('messages round-trip; garbage is refused with what is wrong, never thrown', () => {
  const a = msg('B', { sessions: ['FIX.4.2:EXEC->BANZAI'] });
  assert.deepEqual(parseAnnouncement(encodeAnnouncement(a)), a);
  const problem = (s: string): string => (parseAnnouncement(Buffer.from(s)) as { problem: string }).problem;
  assert.equal(problem('hello'), 'not JSON');
  assert.equal(problem('[1]'), 'not a JSON object');
  assert.equal(problem('{"a":1}'), 'not a fixover membership message');
  assert.equal(problem('{"fixover":"member","v":2}'), 'version 2, expected 1');
  const ok = JSON.parse(encodeAnnouncement(a).toString()) as Record<string, unknown>;
  for (const [k, bad, why] of [
    ['kind', 'hello', 'kind "hello"'],
    ['node', '', 'no node name'],
    ['seq', -1, 'no incarnation or sequence number'],
    ['uris', 'tcp://b:1', 'uris is not a list of strings'],
    ['state', 'gone', 'state "gone"'],
    ['sessions', [1], 'sessions is not a list of strings'],
    ['weight', 0, 'weight is not an integer from 1 to 1000'],
    ['leaseMs', 1.5, 'leaseMs is not an integer from 500 to 600000'],
    ['leaseMs', 2 ** 40, 'leaseMs is not an integer from 500 to 600000'],
    ['inStateMs', null, 'inStateMs is not a non-negative integer'],
  ] as const) {
    assert.equal(problem(JSON.stringify({ ...ok, [k]: bad })), why, k);
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.jsonValue(), (bytes, json) => {
      const v = new MemberView('c', self);
      for (const b of [Buffer.from(bytes), Buffer.from(JSON.stringify(json)), Buffer.from(JSON.stringify({ ...ok, ...(typeof json === 'object' && json !== null && !Array.isArray(json) ? json : {}) }))]) {
        const r = parseAnnouncement(b);
        if (!('problem' in r)) v.heard(r, 0);
      }
      v.members(0);
    }),
    { numRuns: 500 },
  );
});

test('ClusterDiscovery forms: store, static peer lists, multicast groups; a bad one says what is valid and what is wrong', () => {
  assert.deepEqual(parseDiscovery('store'), { kind: 'store' });
  assert.deepEqual(parseDiscovery('static:(tcp://a:9877, tcp://[::1]:9878)'), { kind: 'static', peers: [{ host: 'a', port: 9877 }, { host: '::1', port: 9878 }] });
  assert.deepEqual(parseDiscovery('multicast://default'), { kind: 'multicast', group: DEFAULT_MULTICAST.host, port: DEFAULT_MULTICAST.port, ttl: 1, iface: undefined });
  assert.deepEqual(parseDiscovery('multicast://239.1.2.3:5000?ttl=4&interface=10.0.0.1'), { kind: 'multicast', group: '239.1.2.3', port: 5000, ttl: 4, iface: '10.0.0.1' });
  for (const [value, why] of [
    ['static:tcp://a:1', 'static:( … ): the peer list goes in parentheses'],
    ['static:(tcp://a)', 'static:( … ): "tcp://a" is not tcp://host:port'],
    ['static:(tcp://a:1,)', 'static:( … ): an empty entry in the peer list'],
    ['static:(tcp://a:70000)', 'static:( … ): "tcp://a:70000": the port must be 1 to 65535'],
    ['static:(udp://a:1)', 'static:( … ): "udp://a:1" is not tcp://host:port'],
    ['multicast://10.0.0.1:5000', 'multicast://10.0.0.1:5000: the group must be an IPv4 multicast address (224.0.0.0 to 239.255.255.255) with a port, or "default"'],
    ['multicast://239.1.2.3', 'multicast://239.1.2.3: the group must be an IPv4 multicast address (224.0.0.0 to 239.255.255.255) with a port, or "default"'],
    ['multicast://239.1.2.3:0', 'multicast://239.1.2.3:0: the port must be 1 to 65535'],
    ['multicast://default?ttl=300', 'multicast:// option "ttl=300": valid are ttl=0..255 and interface=<local IPv4 address>'],
    ['postgres', '"postgres" is none of these'],
  ]) {
    assert.equal(parseDiscovery(value), why, value);
    assert.ok(discoveryProblem(value)!.startsWith('store, static:(tcp://host:port,…)'), value);
  }
});

test('with a secret (ClusterSecretFile) messages are signed; unsigned, wrongly signed or altered ones are refused with the reason', () => {
  const secret = Buffer.from('0123456789abcdef0123');
  const a = msg('B');
  const signed = encodeAnnouncement(a, secret);
  assert.deepEqual(parseAnnouncement(signed, secret), a);
  const problem = (bytes: Buffer, key?: Buffer): string => (parseAnnouncement(bytes, key) as { problem: string }).problem;
  assert.equal(problem(encodeAnnouncement(a), secret), 'not signed (ClusterSecretFile is set here, not on the sender?)');
  assert.equal(problem(encodeAnnouncement(a, Buffer.from('another secret, 16+')), secret), 'wrong signature (another ClusterSecretFile secret?)');
  assert.equal(problem(Buffer.from(signed.toString().replace('"B"', '"Z"')), secret), 'wrong signature (another ClusterSecretFile secret?)', 'the node name was altered');
  assert.equal(problem(signed), 'signed (ClusterSecretFile is set on the sender, not here?)');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      assert.ok('problem' in parseAnnouncement(Buffer.concat([Buffer.from(bytes), Buffer.from(' '), Buffer.alloc(64, 0x61)]), secret));
    }),
    { numRuns: 200 },
  );
});
