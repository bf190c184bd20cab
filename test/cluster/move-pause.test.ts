/**
 * A node paused with SIGSTOP in the middle of a move never writes or sends after the hand-over
 * (issue 14 §6), between real `fixover executor` processes on a shared file store: node B holds
 * two fixover clients' sessions, node A joins and the rebalancer moves one to A. The instant the
 * client receives its ReconnectTo (U2) from B, B is stopped: the hand-over has started but B has
 * not handed the ownership over. The client logs on at A once B's lease lapsed (A holds the Logon
 * until then); the other client leaves the silent B too. Then A is stopped and B woken (SIGCONT):
 * the session store files are byte for byte what they were, and a relay in front of B saw not a
 * byte from it on the clients' connections (on any later one only a Logout naming the owner).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, type Session, type SessionSettingsRecord } from '../../src/engine/index.js';
import { Cluster, Relay, freePort, sleep, waitUntil } from '../failover/harness.js';

const CLUSTER = 'RebalanceClusterClients=Y\nUpdateClusterClients=Y\nRebalanceInterval=300\nRebalanceSettle=300\nRebalanceJitter=50\nRebalanceDeadline=3000\nRebalanceQuietInterval=50\nClusterLeaseTimeout=1500\nSocketAcceptAddress=127.0.0.1';
const names = ['C1', 'C2'];

test('SIGSTOP of the source node right after it told the client to move: it never writes to the store nor sends to the client afterwards', { timeout: 90_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb] = [await freePort(), await freePort()];
  const relay = new Relay(pb);
  await relay.start();
  const settings = names.map(
    (name): SessionSettingsRecord => ({
      BeginString: 'FIX.4.2',
      SenderCompID: name,
      TargetCompID: 'EXEC',
      ConnectionType: 'initiator',
      HeartBtInt: '30',
      UseDataDictionary: 'N',
      FileStorePath: join(cluster.dir, 'client-store'),
      SocketConnectURI: `failover:(tcp://127.0.0.1:${relay.port},tcp://127.0.0.1:${pa})?randomize=false&initialReconnectDelay=50&reconnectJitter=false`,
    }),
  );
  const engine = await Engine.create(settings, () => ({}), { tickMs: 200 });
  const sessions = names.map((n) => engine.session(`FIX.4.2:${n}->EXEC`));
  let b: Awaited<ReturnType<Cluster['startNode']>> | undefined;
  let stoppedAt = 0;
  let moved: Session | undefined;
  for (const s of sessions) {
    s.on('event', (e) => {
      // The instant the ReconnectTo arrives: B has started the hand-over and is stopped before the
      // client even answers it.
      if (e.kind === 'incoming' && stoppedAt === 0 && b && e.bytes.includes('\x0135=U2\x01')) {
        b.proc.child.kill('SIGSTOP');
        stoppedAt = Date.now();
        moved = s;
      }
    });
  }
  const files = (c: string): string[] => ['body', 'header', 'seqnums', 'session', 'owner'].map((x) => join(cluster.storeDir, `FIX.4.2-EXEC-${c}.${x}`));
  try {
    b = await cluster.startNode('B', pb, { clients: names, settings: CLUSTER });
    await engine.start();
    await waitUntil('both sessions on B', () => sessions.every((s) => s.isLoggedOn) && names.every((n) => cluster.owner(n)?.node === 'B' && cluster.owner(n)?.pid !== 0), 20_000);
    const epochs = new Map(names.map((n) => [n, cluster.owner(n)!.epoch]));
    const a = await cluster.startNode('A', pa, { clients: names, settings: CLUSTER });
    await waitUntil('a move ordered and B stopped mid-move', () => stoppedAt !== 0, 30_000);
    const name = moved!.id.senderCompID;
    // The moved client reaches A, which takes the session once B's lease lapsed; the other leaves the silent B too.
    await waitUntil('both sessions taken over by A', () => names.every((n) => cluster.owner(n)?.node === 'A' && cluster.owner(n)!.epoch > epochs.get(n)! && cluster.owner(n)?.pid !== 0) && sessions.every((s) => s.isLoggedOn), 30_000);
    process.stdout.write(`# ${name} moved while B was stopped: logged on at A ${Date.now() - stoppedAt} ms after the SIGSTOP (at most)\n`);
    assert.match(a.proc.output(), new RegExp(`node A: FIX\\.4\\.2:EXEC->${name} ownership acquired`));

    // Quiesce: the clients log out, A is killed; what the store holds now is final.
    await engine.stop();
    a.proc.child.kill('SIGKILL');
    await once(a.proc.child, 'exit');
    const before = names.flatMap(files).map((f) => (existsSync(f) ? readFileSync(f) : null));
    const woke = Date.now();
    b.proc.child.kill('SIGCONT');
    await b.proc.waitFor(new RegExp(`FIX\\.4\\.2:EXEC->${name} ownership lost, epoch ${epochs.get(name)!}`), 10_000);
    await sleep(1500);
    const after = names.flatMap(files).map((f) => (existsSync(f) ? readFileSync(f) : null));
    names.flatMap(files).forEach((f, i) => assert.ok(before[i] === null ? after[i] === null : after[i]?.equals(before[i]!), `B wrote nothing to ${f}`));
    // The wire: nothing from B on the two session connections; any later connection only refused.
    for (let conn = 0; conn < relay.connections; conn++) {
      const sent = relay.bytesSince(woke, conn).toString('latin1').replaceAll('\x01', '|');
      if (conn < 2) assert.equal(sent, '', `not a byte from the woken B on session connection ${conn}`);
      else if (sent !== '') for (const m of sent.split(/(?=8=FIX)/)) assert.match(m, /\|35=5\|.*\|58=[^|]*node A/, `only a refusal naming A on connection ${conn}: ${m}`);
    }
    // B says it lost the session once, with the epoch it held, and never handed it over.
    const out = b.proc.output();
    assert.equal(out.match(new RegExp(`EXEC->${name} ownership lost`, 'g'))?.length, 1, out.slice(-3000));
    assert.doesNotMatch(out, new RegExp(`handed FIX\\.4\\.2:EXEC->${name} over`));
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    b?.proc.child.kill('SIGCONT');
    relay.close();
    await engine.stop();
    cluster.killAll();
  }
});
