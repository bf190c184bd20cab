/**
 * Rebalancing a client that does not announce cluster support, with the real thing: QuickFIX C++'s
 * example `tradeclient` (Debian `libquickfix17 libquickfix-doc`, see ../shared/peers/README.md),
 * two of them, each listing both nodes QuickFIX style (SocketConnectHost/Port,
 * SocketConnectHost1/Port1, ReconnectInterval=1), driven through its stdin menu.
 *
 * Node B alone serves both clients; node A starts; with RebalanceClusterClients=Y one session moves
 * to A: QuickFIX gets a Logout whose text names A, and its own address rotation brings it to A.
 * The moved client is then restarted on its store with B first in its list: B refuses its Logon
 * with a Logout naming the owner A, and the rotation brings it to A again. Orders sent before the
 * move, after it and after the restart are all filled once; both sides' sequence numbers continue
 * (no reset) and agree at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { gunzipSync } from 'node:zlib';
import { Cluster, checkStore, freePort, waitUntil } from '../failover/harness.js';
import { quickfixSkipReason } from '../../scripts/peers/quickfix.js';

const TRADECLIENT_GZ = '/usr/share/doc/libquickfix-doc/examples/tradeclient/.libs/tradeclient.gz';
const skip = quickfixSkipReason() ?? (existsSync(TRADECLIENT_GZ) ? false : `QuickFIX C++ tradeclient not installed (${TRADECLIENT_GZ} missing): apt-get install -y libquickfix17 libquickfix-doc`);

const CLUSTER = 'RebalanceClusterClients=Y\nRebalanceInterval=500\nRebalanceSettle=500\nRebalanceJitter=200\nRebalanceDeadline=1500\nClusterLeaseTimeout=3000';
const SOH = '\x01';

/** What the restarted client went through after the old node refused it (the first test fills it in). */
let afterRefusal: { tooLow: string | undefined } | undefined;

/** One `tradeclient` process: its menu driven through stdin, its screen log read from stdout. */
class TradeClient {
  readonly child: ChildProcess;
  private out = '';

  constructor(
    binary: string,
    readonly name: string,
    cfg: string,
    cwd: string,
  ) {
    this.child = spawn(binary, [cfg], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.out += d.toString('latin1')));
    this.child.stderr!.on('data', (d: Buffer) => (this.out += d.toString('latin1')));
    this.child.stdin!.on('error', () => undefined);
  }

  output(): string {
    return this.out;
  }

  /** Logons completed so far (the example application prints `Logon - <session>`). */
  logons(): number {
    return this.out.split(`Logon - FIX.4.2:${this.name}->EXEC`).length - 1;
  }

  /** Every FIX message in the screen log that came from the executor nodes. */
  incoming(): Array<{ seq: number; msgType: string; possDup: boolean; text: string }> {
    const msgs: Array<{ seq: number; msgType: string; possDup: boolean; text: string }> = [];
    const seen = new Set<string>();
    for (const m of this.out.matchAll(new RegExp(`8=FIX\\.4\\.2${SOH}[^\\n]*?${SOH}10=\\d{3}${SOH}`, 'g'))) {
      const text = m[0];
      if (!text.includes(`${SOH}49=EXEC${SOH}`)) continue;
      // The application prints each application message again (`IN: …`) after the screen log did.
      if (seen.has(text)) continue;
      seen.add(text);
      const field = (tag: number): string | undefined => new RegExp(`${SOH}${tag}=([^${SOH}]*)${SOH}`).exec(text)?.[1];
      msgs.push({ seq: Number(field(34)), msgType: field(35) ?? '', possDup: field(43) === 'Y', text: text.replaceAll(SOH, '|') });
    }
    return msgs;
  }

  /** Enters one FIX.4.2 limit order through the menu (see peers/README.md for the prompt order). */
  order(clOrdID: string): void {
    this.child.stdin!.write(`1\n3\n2\n1\nIBM\n${clOrdID}\n100\n1\n10\n${this.name}\nEXEC\nN\nY\n`);
  }

  /** The fills (ExecutionReport, OrdStatus filled) received for an order. */
  fills(clOrdID: string): number {
    return this.incoming().filter((m) => m.msgType === '8' && m.text.includes(`|11=${clOrdID}|`) && m.text.includes('|39=2|') && !m.possDup).length;
  }

  /** Quits through the menu: the initiator logs out and the process exits. */
  async quit(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.stdin!.write('5\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

test('a real QuickFIX C++ client is rebalanced: Logout naming the target, refused by the old node naming the owner, its rotation brings it to the target; nothing lost', { skip, timeout: 120_000 }, async () => {
  const cluster = new Cluster();
  const binary = join(cluster.dir, 'tradeclient');
  writeFileSync(binary, gunzipSync(readFileSync(TRADECLIENT_GZ)));
  chmodSync(binary, 0o755);
  const [pa, pb] = [await freePort(), await freePort()];
  const names = ['Q1', 'Q2'];
  const clientConfig = (name: string): string => {
    const file = join(cluster.dir, `${name}.cfg`);
    writeFileSync(
      file,
      [
        '[DEFAULT]',
        'ConnectionType=initiator',
        'ReconnectInterval=1',
        `FileStorePath=${join(cluster.dir, `${name}-store`)}`,
        'StartTime=00:00:00',
        'EndTime=00:00:00',
        'UseDataDictionary=N',
        'HeartBtInt=30',
        'SocketNodelay=Y',
        'ScreenLogShowIncoming=Y',
        'ScreenLogShowOutgoing=Y',
        'ScreenLogShowEvents=Y',
        '',
        '[SESSION]',
        'BeginString=FIX.4.2',
        `SenderCompID=${name}`,
        'TargetCompID=EXEC',
        // B, where the client was set up, first; A as its alternate address.
        'SocketConnectHost=127.0.0.1',
        `SocketConnectPort=${pb}`,
        'SocketConnectHost1=127.0.0.1',
        `SocketConnectPort1=${pa}`,
        '',
      ].join('\n'),
    );
    return file;
  };
  const clients = new Map<string, TradeClient>();
  const startClient = (name: string): TradeClient => {
    const c = new TradeClient(binary, name, clientConfig(name), cluster.dir);
    clients.set(name, c);
    return c;
  };
  const everyClient: TradeClient[] = [];
  const failure = (e: unknown): Error => {
    const err = cluster.failure(e);
    err.message += `\n${everyClient.map((c) => `--- tradeclient ${c.name}\n${c.output().replaceAll(SOH, '|').slice(-4000)}`).join('\n')}`;
    return err;
  };
  try {
    const b = await cluster.startNode('B', pb, { clients: names, settings: CLUSTER });
    for (const n of names) everyClient.push(startClient(n));
    await waitUntil('both QuickFIX clients logged on at B', () => names.every((n) => clients.get(n)!.logons() === 1 && cluster.owner(n)?.node === 'B' && cluster.owner(n)?.pid !== 0), 30_000).catch((e: unknown) => {
      throw failure(e);
    });
    // Orders before the move.
    for (const n of names) clients.get(n)!.order(`${n}-before`);
    await waitUntil('the orders before the move filled', () => names.every((n) => clients.get(n)!.fills(`${n}-before`) === 1), 20_000).catch((e: unknown) => {
      throw failure(e);
    });

    const a = await cluster.startNode('A', pa, { clients: names, settings: CLUSTER });
    const moved = await waitUntil('one session moved to A and its QuickFIX client logged on there', () => names.find((n) => cluster.owner(n)?.node === 'A' && cluster.owner(n)?.pid !== 0 && clients.get(n)!.logons() === 2), 30_000).catch((e: unknown) => {
      throw failure(e);
    });
    const stayed = names.find((n) => n !== moved)!;
    const mover = clients.get(moved)!;
    // The Logout B sent names the target, and QuickFIX's rotation (its alternate address) took it there.
    const logouts = mover.incoming().filter((m) => m.msgType === '5');
    assert.equal(logouts.length, 1, 'one Logout from the nodes so far');
    assert.match(logouts[0].text, new RegExp(`\\|58=moving to node A \\(tcp://[^|]*:${pa}\\)[^|]*rebalance`), 'the Logout names the target');
    assert.equal(clients.get(stayed)!.logons(), 1, 'the other session stayed at B, not moved');
    assert.equal(cluster.owner(stayed)?.node, 'B');

    // Orders after the move, on both nodes.
    for (const n of names) clients.get(n)!.order(`${n}-after`);
    await waitUntil('the orders after the move filled', () => names.every((n) => clients.get(n)!.fills(`${n}-after`) === 1), 20_000).catch((e: unknown) => {
      throw failure(e);
    });

    // The moved client restarts (its store keeps the sequence numbers) and tries B first: B refuses
    // its Logon with a Logout naming the owner, and the rotation brings it to A.
    await mover.quit();
    const restarted = startClient(moved);
    everyClient.push(restarted);
    await waitUntil('the restarted client logged on at A', () => restarted.logons() === 1, 30_000).catch((e: unknown) => {
      throw failure(e);
    });
    const refusal = restarted.incoming().find((m) => m.msgType === '5');
    assert.ok(refusal, 'B answered the Logon with a Logout');
    assert.match(refusal.text, new RegExp(`\\|58=session FIX\\.4\\.2:EXEC->${moved} (is active on node A \\(epoch \\d+\\)|moved to node A|is moving to node A)`), 'the refusal names the owner');
    assert.equal(cluster.owner(moved)?.node, 'A');
    // The refusal used up a number of the session's sequence: the owner's Logon comes right after it.
    const logonAtOwner = restarted.incoming().find((m) => m.msgType === 'A');
    assert.ok(logonAtOwner, 'the owner answered with a Logon');
    assert.equal(logonAtOwner.seq, refusal.seq + 1, 'the owner continued past the refusal');
    // Whether the restarted client's first Logon at the owner was accepted (the test below).
    afterRefusal = { tooLow: new RegExp(`MsgSeqNum too low[^${SOH}\\n]*`).exec(restarted.output())?.[0] };
    restarted.order(`${moved}-restarted`);
    await waitUntil('the order after the restart filled', () => restarted.fills(`${moved}-restarted`) === 1, 20_000).catch((e: unknown) => {
      throw failure(e);
    });

    // B moved exactly one session, once; nothing moved back.
    const moving = (out: string): string[] => [...out.matchAll(/moving FIX\.4\.2:EXEC->(Q\d) to node (\w)/g)].map((m) => `${m[1]}->${m[2]}`);
    assert.deepEqual(moving(b.proc.output()), [`${moved}->A`]);
    assert.deepEqual(moving(a.proc.output()), []);

    for (const c of [restarted, clients.get(stayed)!]) await c.quit();
    for (const n of [a, b]) n.proc.child.kill('SIGKILL');
    await Promise.all([a, b].map((n) => (n.proc.child.exitCode === null && n.proc.child.signalCode === null ? once(n.proc.child, 'exit') : null)));

    for (const n of names) {
      const exec = await checkStore(cluster.storeDir, `FIX.4.2-EXEC-${n}`);
      const expected = n === moved ? [`${n}-before`, `${n}-after`, `${n}-restarted`] : [`${n}-before`, `${n}-after`];
      assert.deepEqual([...exec.fills.keys()].sort(), expected.sort(), `every order of ${n} filled`);
      assert.deepEqual([...exec.fills.values()].filter((x) => x > 1), [], 'no order filled twice');
      // QuickFIX's store agrees with the nodes' shared store: sequence numbers continued, no reset.
      const seqnums = readFileSync(join(cluster.dir, `${n}-store`, `FIX.4.2-${n}-EXEC.seqnums`), 'latin1');
      const [qfSender, qfTarget] = /^\s*(\d+)\s*:\s*(\d+)/.exec(seqnums)!.slice(1).map(Number);
      assert.equal(qfTarget, exec.nextSender, `${n}: QuickFIX got everything the nodes sent`);
      assert.equal(qfSender, exec.nextTarget, `${n}: the nodes got everything QuickFIX sent`);
    }
    // What the moved client received never went back, across the move and the restart.
    let max = 0;
    for (const m of [...mover.incoming(), ...restarted.incoming()]) {
      if (m.possDup || m.msgType === '5') continue;
      assert.ok(m.seq > max, `MsgSeqNum went back: ${m.seq} (type ${m.msgType}) after ${max}`);
      max = m.seq;
    }
    assert.ok(max > 5);
  } finally {
    for (const c of everyClient) c.kill();
    cluster.killAll();
  }
});

// QuickFIX C++ counts the refusal Logout towards its expected MsgSeqNum; the refusal is numbered in
// the session's own sequence and the owner continues past it (src/fencing/refusal-record.ts), so
// its first Logon at the owner is accepted, without another round of its address rotation.
test('after the old node refused it, the QuickFIX client is accepted at the owner on its first try', { skip }, () => {
  assert.ok(afterRefusal, 'the rebalancing test ran');
  assert.equal(afterRefusal.tooLow, undefined);
});
