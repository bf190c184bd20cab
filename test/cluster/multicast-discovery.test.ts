/**
 * Multicast discovery between real processes, ONLY inside a private network namespace created here
 * (`unshare --net`, loopback up, a multicast route on it): nothing is ever sent on the host's
 * network. Skipped, saying why, where network namespaces are not available (not root, no
 * unshare or ip).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';

const scenario = new URL('./multicast-scenario.ts', import.meta.url).pathname;
const setup = 'ip link set lo up && ip route add 224.0.0.0/4 dev lo';

function namespaceProblem(): string | null {
  const r = spawnSync('unshare', ['--net', 'sh', '-c', setup], { encoding: 'utf8' });
  if (r.error) return `unshare is not available (${r.error.message})`;
  if (r.status !== 0) return `cannot make a private network namespace with a multicast route (unshare --net: ${(r.stderr || `exit ${r.status}`).trim()})`;
  return null;
}

const problem = namespaceProblem();

test('multicast://default in a private network namespace: three members see each other, another cluster and bad datagrams are ignored, one killed is removed after the lease, one stopped at once; cluster members get a topology', { skip: problem ? `skipped: ${problem}; multicast is only tested inside a private network namespace` : false, timeout: 40_000 }, async () => {
  const child = spawn('unshare', ['--net', 'sh', '-c', `${setup} && exec "${process.execPath}" --import tsx "${scenario}"`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.on('close', r));
  const line = out.trim().split('\n').at(-1) ?? '';
  const r = JSON.parse(line) as { ok: boolean; error?: string; topology: string; signed: boolean; leaseMs: number; lapseMs: number; leaveMs: number; afterGarbage: { B: string; X: string; otherClusterAtA: number; badAtB: number } };
  assert.equal(r.error, undefined);
  assert.ok(r.ok);
  assert.deepEqual(r.afterGarbage.B, 'A,B,C', 'bad datagrams changed nothing');
  assert.equal(r.afterGarbage.X, 'X', 'a member of another cluster on the same group sees only itself');
  assert.ok(r.afterGarbage.otherClusterAtA > 0, 'and its announcements are counted as another cluster\'s');
  assert.ok(r.afterGarbage.badAtB >= 4, 'bad datagrams are counted');
  assert.ok(r.lapseMs >= (r.leaseMs * 2) / 3 - 100, `a killed member is removed after its lease (${r.lapseMs} ms)`);
  assert.ok(r.leaveMs < 900, `a member that stops says leave: removed at once (${r.leaveMs} ms)`);
  assert.equal(r.topology, 'N1,N2', 'two ClusterNodes with ClusterDiscovery=multicast://…: the coordinator wrote a topology with both');
  assert.ok(r.signed, 'their messages were signed with ClusterSecretFile');
});
