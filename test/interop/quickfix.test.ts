/**
 * `fixover client` (the real command, spawned) against QuickFIX C++'s example executor (Debian's
 * libquickfix-doc build), FIX.4.4, file stores on both sides and no ResetOn*: 10,000 limit orders
 * with 100 in flight are all filled once, the ExecutionReports are what QuickFIX's executor sends
 * on its FIX 4.4 path, both stores agree on the sequence numbers, and both sides log out cleanly.
 * Then QuickFIX is stopped with SIGTERM and started again on its store, the client runs again on
 * its store, and the session continues where it was: no reset, no resend, every order filled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  installQuickfixExecutor,
  parseFrame,
  quickfixExecutorConfig,
  quickfixSkipReason,
  readSeqnums,
  runFixover,
  startQuickfixExecutor,
  type FixFrame,
  type Proc,
} from './peers.js';

const skip = quickfixSkipReason() ?? false;
const ORDERS_1 = 10_000;
const ORDERS_2 = 2_000;

interface Report {
  sent: number;
  filled: number;
  missing: number;
  duplicates: { flagged: number; unflagged: number };
  rejects: number;
  logons: unknown[];
  latencyUs: { p50: number; count: number };
}

/** Messages of a QuickFIX-format messages log (`<time> : <message>` per line). */
function readMessagesLog(file: string): FixFrame[] {
  const out: FixFrame[] = [];
  for (const line of readFileSync(file, 'latin1').split('\n')) {
    const at = line.indexOf(' : ');
    if (at < 0) continue;
    out.push(parseFrame(Buffer.from(line.slice(at + 3), 'latin1')));
  }
  return out;
}

test('fixover client -> QuickFIX C++ executor: 10,000 orders, restart without reset, sequence numbers continue', { skip, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-interop-qf-'));
  installQuickfixExecutor(dir);
  const port = await freePort();
  writeFileSync(join(dir, 'executor.cfg'), quickfixExecutorConfig({ port, store: 'qf-store', log: 'qf-log', senderCompID: 'EXECUTOR', targetCompID: 'CLIENT1' }));
  writeFileSync(
    join(dir, 'client.cfg'),
    [
      '[DEFAULT]',
      'ConnectionType=initiator',
      'BeginString=FIX.4.4',
      'HeartBtInt=30',
      'ReconnectInterval=1',
      'FileStorePath=client-store',
      'FileLogPath=client-log',
      'StartTime=00:00:00',
      'EndTime=00:00:00',
      '[SESSION]',
      'SenderCompID=CLIENT1',
      'TargetCompID=EXECUTOR',
      'SocketConnectHost=127.0.0.1',
      `SocketConnectPort=${port}`,
      '',
    ].join('\n'),
  );
  const qfSeq = join(dir, 'qf-store/FIX.4.4-EXECUTOR-CLIENT1.seqnums');
  const clientSeq = join(dir, 'client-store/FIX.4.4-CLIENT1-EXECUTOR.seqnums');
  const clientLog = join(dir, 'client-log/FIX.4.4-CLIENT1-EXECUTOR.messages.current.log');
  let qf: Proc | undefined;
  const client = async (orders: number, reportFile: string): Promise<Report> => {
    const r = await runFixover(['client', 'client.cfg', '--orders', String(orders), '--window', '100', '--settle', '15000', '--report', reportFile], dir, 60_000);
    assert.equal(r.code, 0, `fixover client exit code\n${r.output}\nQuickFIX:\n${qf?.output()}`);
    return JSON.parse(readFileSync(join(dir, reportFile), 'utf8')) as Report;
  };
  try {
    // Run 1: a fresh session.
    qf = await startQuickfixExecutor(dir, 'executor.cfg', port);
    const r1 = await client(ORDERS_1, 'run1.json');
    assert.equal(r1.sent, ORDERS_1);
    assert.equal(r1.filled, ORDERS_1);
    assert.equal(r1.missing, 0);
    assert.deepEqual(r1.duplicates, { flagged: 0, unflagged: 0 });
    assert.equal(r1.rejects, 0);
    assert.equal(r1.logons.length, 1);
    assert.equal(r1.latencyUs.count, ORDERS_1);
    await waitForText(qf, /Sending logout response[\s\S]*Disconnecting/, 'QuickFIX answers the Logout');

    // Both stores: logon + 10,000 orders + logout sent by the client = what QuickFIX received, and
    // the other way round.
    const n1 = ORDERS_1 + 3;
    assert.deepEqual(readSeqnums(qfSeq), { nextSender: n1, nextTarget: n1 }, 'QuickFIX store after run 1');
    assert.deepEqual(readSeqnums(clientSeq), { nextSender: n1, nextTarget: n1 }, 'fixover client store after run 1');

    // What QuickFIX's executor sends on its FIX 4.4 path, as the client logged it.
    const log1 = readMessagesLog(clientLog);
    const fromQf = log1.filter((m) => m.get(49) === 'EXECUTOR');
    const toQf = log1.filter((m) => m.get(49) === 'CLIENT1');
    assert.deepEqual(
      fromQf.map((m) => m.seq),
      Array.from({ length: ORDERS_1 + 2 }, (_, i) => i + 1),
      'QuickFIX numbers its messages 1..n with no gap',
    );
    assert.deepEqual(
      toQf.map((m) => m.seq),
      Array.from({ length: ORDERS_1 + 2 }, (_, i) => i + 1),
      'the client numbers its messages 1..n with no gap',
    );
    assert.equal(fromQf[0].msgType, 'A');
    assert.equal(fromQf[0].get(108), '30');
    assert.equal(fromQf.at(-1)!.msgType, '5', 'QuickFIX answers the Logout');
    assert.equal(toQf.at(-1)!.msgType, '5', 'the client logs out');
    const orders = new Map(toQf.filter((m) => m.msgType === 'D').map((m) => [m.get(11)!, m]));
    assert.equal(orders.size, ORDERS_1);
    for (const o of orders.values()) {
      assert.equal(o.get(40), '2', 'limit orders (the executor fills only these)');
      assert.ok(o.get(44), 'with a price');
    }
    const ers = fromQf.filter((m) => m.msgType === '8');
    assert.equal(ers.length, ORDERS_1);
    const orderIds = new Set<string>();
    const execIds = new Set<string>();
    const clOrdIds = new Set<string>();
    for (const er of ers) {
      const id = er.get(11)!;
      const order = orders.get(id);
      assert.ok(order, `ER for an order the client sent: ${id}`);
      assert.equal(er.get(150), 'F', 'ExecType=F (trade) on FIX 4.4');
      assert.equal(er.get(39), '2', 'OrdStatus=2 (filled)');
      assert.equal(er.get(20), undefined, 'no ExecTransType on FIX 4.4');
      assert.equal(er.get(54), order.get(54));
      assert.equal(er.get(55), order.get(55));
      assert.equal(Number(er.get(38)), Number(order.get(38)));
      assert.equal(Number(er.get(14)), Number(order.get(38)), 'CumQty = OrderQty');
      assert.equal(Number(er.get(32)), Number(order.get(38)), 'LastQty = OrderQty');
      assert.equal(Number(er.get(151)), 0, 'LeavesQty 0');
      assert.equal(Number(er.get(31)), Number(order.get(44)), 'LastPx = limit price');
      assert.equal(Number(er.get(6)), Number(order.get(44)), 'AvgPx = limit price');
      assert.ok(er.get(37) && er.get(17), 'OrderID and ExecID');
      orderIds.add(er.get(37)!);
      execIds.add(er.get(17)!);
      clOrdIds.add(id);
    }
    assert.equal(clOrdIds.size, ORDERS_1, 'one ER per order');
    assert.equal(orderIds.size, ORDERS_1, 'unique OrderIDs');
    assert.equal(execIds.size, ORDERS_1, 'unique ExecIDs');

    // Restart both sides without a reset.
    const end = await qf.stop('SIGTERM');
    assert.equal(end.signal, 'SIGTERM', 'QuickFIX executor ends on SIGTERM');
    qf = await startQuickfixExecutor(dir, 'executor.cfg', port);
    const r2 = await client(ORDERS_2, 'run2.json');
    assert.equal(r2.sent, ORDERS_2);
    assert.equal(r2.filled, ORDERS_2);
    assert.equal(r2.missing, 0);
    assert.deepEqual(r2.duplicates, { flagged: 0, unflagged: 0 });
    assert.equal(r2.rejects, 0);
    await waitForText(qf, /Sending logout response[\s\S]*Disconnecting/, 'QuickFIX answers the second Logout');

    const run2 = readMessagesLog(clientLog).slice(log1.length);
    const logons = run2.filter((m) => m.msgType === 'A');
    assert.deepEqual(
      logons.map((m) => [m.get(49), m.seq, m.get(141)]),
      [
        ['CLIENT1', n1, undefined],
        ['EXECUTOR', n1, undefined],
      ],
      'the second logon continues the sequence numbers, without ResetSeqNumFlag',
    );
    assert.deepEqual(
      run2.filter((m) => m.msgType === '2' || m.msgType === '4' || m.msgType === '3').map((m) => `${m.get(49)} ${m.msgType}`),
      [],
      'no ResendRequest, SequenceReset or Reject: nothing was missing',
    );
    assert.equal(run2.filter((m) => m.msgType === '8' && m.get(39) === '2').length, ORDERS_2);
    const n2 = n1 + ORDERS_2 + 2;
    assert.deepEqual(readSeqnums(qfSeq), { nextSender: n2, nextTarget: n2 }, 'QuickFIX store after run 2');
    assert.deepEqual(readSeqnums(clientSeq), { nextSender: n2, nextTarget: n2 }, 'fixover client store after run 2');
    assert.ok(existsSync(join(dir, 'qf-store/FIX.4.4-EXECUTOR-CLIENT1.body')));
  } finally {
    await qf?.stop('SIGKILL', 2000);
    rmSync(dir, { recursive: true, force: true });
  }
});

async function waitForText(p: Proc, re: RegExp, what: string): Promise<void> {
  try {
    await p.waitFor(re, 5000);
  } catch (e) {
    throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
