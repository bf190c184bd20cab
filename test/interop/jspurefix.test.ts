/**
 * fixover against jspurefix, both ways round, through a proxy that drops one message in each
 * direction so that each side has to ask for a resend and each side has to answer one:
 *
 * - a jspurefix initiator sending orders to a fixover acceptor running the executor application;
 * - a fixover initiator (Session + Initiator) sending orders to a jspurefix acceptor that fills
 *   them.
 *
 * Each test: logon, orders filled by ExecutionReports, a dropped ExecutionReport recovered by a
 * ResendRequest and a PossDupFlag=Y resend, a dropped NewOrderSingle recovered the same way the
 * other way round, more orders after that, logout, and sequence numbers in step on both sides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixProxy, freePort, loadJspurefix, startJspurefix, waitUntil, withTimeout, type Jsf, type JsPeer, type ProxiedFrame } from './peers.js';
import { startEngine } from '../../src/cli/run.js';
import { Initiator, Session, sessionOptionsFrom } from '../../src/engine/index.js';
import { FileStore } from '../../src/store/index.js';
import { Message } from '../../src/codec/index.js';
import type { MessageView } from '../../src/codec/index.js';

const jsf: Jsf | string = await loadJspurefix();
const skip = typeof jsf === 'string' ? jsf : false;
const TEST_TIMEOUT = 25_000;

/** Message types in a direction, in order, as "35:34[:PossDup]". */
function summary(frames: ProxiedFrame[]): string {
  return frames.map((f) => `${f.frame.msgType}:${f.frame.seq}${f.frame.get(43) === 'Y' ? ':PD' : ''}${f.dropped ? ':DROPPED' : ''}`).join(' ');
}

/** The first not-yet-dropped, non-PossDup message of a type carrying a ClOrdID is dropped once. */
function dropOnce(proxy: FixProxy, rules: Array<{ dir: 'toAcceptor' | 'toInitiator'; msgType: string; clOrdID: string }>): void {
  const done = new Set<number>();
  proxy.drop = (dir, frame) => {
    const i = rules.findIndex((r, n) => !done.has(n) && r.dir === dir && r.msgType === frame.msgType && r.clOrdID === frame.get(11) && frame.get(43) !== 'Y');
    if (i < 0) return false;
    done.add(i);
    return true;
  };
}

test('jspurefix initiator -> fixover acceptor (executor): orders, resends both ways, logout', { skip, timeout: TEST_TIMEOUT }, async () => {
  const js = jsf as Jsf;
  const dir = mkdtempSync(join(tmpdir(), 'fixover-interop-jsi-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'acceptor.cfg'),
    [
      '[DEFAULT]',
      'ConnectionType=acceptor',
      'SocketAcceptAddress=127.0.0.1',
      `SocketAcceptPort=${port}`,
      'StartTime=00:00:00',
      'EndTime=00:00:00',
      'HeartBtInt=30',
      `FileStorePath=${join(dir, 'store')}`,
      '[SESSION]',
      'BeginString=FIX.4.4',
      'SenderCompID=FIXOVER',
      'TargetCompID=JSCLIENT',
      '',
    ].join('\n'),
  );
  const { engine } = await startEngine(join(dir, 'acceptor.cfg'), { app: 'executor' });
  let proxy: FixProxy | undefined;
  let peer: JsPeer | undefined;
  try {
    proxy = await FixProxy.start(port);
    dropOnce(proxy, [
      { dir: 'toInitiator', msgType: '8', clOrdID: 'JS-5' },
      { dir: 'toAcceptor', msgType: 'D', clOrdID: 'JS-15' },
    ]);
    peer = await startJspurefix(js, { role: 'initiator', port: proxy.port, senderCompID: 'JSCLIENT', targetCompID: 'FIXOVER' });
    await withTimeout(peer.ready, 10_000, 'jspurefix logon');
    const p = peer;
    const filled = (): Set<string> => new Set(p.received.filter((m) => m.msgType === '8' && m.fields.get(39) === '2').map((m) => m.fields.get(11)!));
    const burst = async (from: number, to: number): Promise<void> => {
      for (let i = from; i <= to; i++) p.sendOrder(`JS-${i}`);
      await waitUntil(
        () => {
          const f = filled();
          for (let i = from; i <= to; i++) if (!f.has(`JS-${i}`)) return false;
          return true;
        },
        8000,
        `fills of JS-${from}..JS-${to} (received ${[...filled()].join(',')}); to acceptor: ${summary(proxy!.seen('toAcceptor'))}; to initiator: ${summary(proxy!.seen('toInitiator'))}`,
      );
    };
    await burst(1, 10); // ER of JS-5 dropped: jspurefix asks, fixover resends it
    await burst(11, 20); // NOS JS-15 dropped: fixover asks, jspurefix resends it
    await burst(21, 25); // and the session goes on
    peer.logout();
    const err = await withTimeout(peer.stopped, 5000, 'jspurefix logout');
    assert.equal(err, undefined, `jspurefix stopped with an error: ${err?.message}`);

    const toAcceptor = summary(proxy.seen('toAcceptor'));
    const toInitiator = summary(proxy.seen('toInitiator'));
    const where = `\nto acceptor: ${toAcceptor}\nto initiator: ${toInitiator}`;
    if (process.env.INTEROP_DEBUG) console.log(where);
    // Logon both ways, Logout both ways.
    assert.equal(proxy.seen('toAcceptor', 'A').length, 1, where);
    assert.equal(proxy.seen('toInitiator', 'A').length, 1, where);
    assert.equal(proxy.seen('toAcceptor', '5').length, 1, where);
    assert.equal(proxy.seen('toInitiator', '5').length, 1, where);
    // Each side asked for a resend once and got the dropped message back flagged PossDupFlag=Y.
    assert.equal(proxy.seen('toAcceptor', '2').length, 1, `jspurefix sends one ResendRequest${where}`);
    assert.equal(proxy.seen('toInitiator', '2').length, 1, `fixover sends one ResendRequest${where}`);
    assert.ok(proxy.seen('toInitiator', '8').some((f) => f.frame.get(11) === 'JS-5' && f.frame.get(43) === 'Y' && f.frame.get(122)), `fixover resends the ER of JS-5 with PossDupFlag and OrigSendingTime${where}`);
    assert.ok(proxy.seen('toAcceptor', 'D').some((f) => f.frame.get(11) === 'JS-15' && f.frame.get(43) === 'Y'), `jspurefix resends JS-15 with PossDupFlag${where}`);
    // Every order filled once, in full; a second ER for an order is only ever a flagged resend.
    const ers = peer.received.filter((m) => m.msgType === '8');
    const firstSeen = new Set<string>();
    for (const er of ers) {
      const id = er.fields.get(11)!;
      assert.equal(er.fields.get(150), 'F', `ExecType of ${id}`);
      assert.equal(er.fields.get(39), '2', `OrdStatus of ${id}`);
      assert.equal(er.fields.get(14), '100', `CumQty of ${id}`);
      assert.equal(er.fields.get(151), '0', `LeavesQty of ${id}`);
      assert.equal(Number(er.fields.get(31)), 10.5, `LastPx of ${id}`);
      if (firstSeen.has(id)) assert.ok(er.possDup, `unflagged duplicate ER for ${id}`);
      firstSeen.add(id);
    }
    assert.equal(firstSeen.size, 25);
    // Sequence numbers in step: what each side sent is what the other expects next.
    const session = engine.sessions.get('FIX.4.4:FIXOVER->JSCLIENT')!;
    await session.drain();
    assert.equal(session.store.getNextTargetSeq(), peer.lastSentSeqNum() + 1, `fixover expects what jspurefix sends next${where}`);
    assert.equal(session.store.getNextSenderSeq(), peer.lastPeerSeqNum() + 1, `jspurefix expects what fixover sends next${where}`);
  } finally {
    peer?.stop();
    await proxy?.close();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fixover initiator -> jspurefix acceptor: orders, resends both ways, logout', { skip, timeout: TEST_TIMEOUT }, async () => {
  const js = jsf as Jsf;
  const dir = mkdtempSync(join(tmpdir(), 'fixover-interop-jsa-'));
  const port = await freePort();
  const peer = await startJspurefix(js, { role: 'acceptor', port, senderCompID: 'JSEXEC', targetCompID: 'FIXOVER' });
  let proxy: FixProxy | undefined;
  let initiator: Initiator | undefined;
  try {
    proxy = await FixProxy.start(port);
    dropOnce(proxy, [
      { dir: 'toInitiator', msgType: '8', clOrdID: 'FO-5' },
      { dir: 'toAcceptor', msgType: 'D', clOrdID: 'FO-15' },
    ]);
    const record = {
      ConnectionType: 'initiator',
      BeginString: 'FIX.4.4',
      SenderCompID: 'FIXOVER',
      TargetCompID: 'JSEXEC',
      HeartBtInt: '30',
      StartTime: '00:00:00',
      EndTime: '00:00:00',
    };
    const options = sessionOptionsFrom(record);
    const store = await FileStore.open({ path: join(dir, 'store'), prefix: options.sessionId.filePrefix });
    const ers: Array<{ id: string; possDup: boolean; execType: string; ordStatus: string; cumQty: string; leaves: string }> = [];
    const rejects: string[] = [];
    const session = new Session(options, store, {
      fromApp: (m: MessageView) => {
        if (m.msgType === '8') ers.push({ id: m.getString(11), possDup: m.get(43) === 'Y', execType: m.get(150) ?? '', ordStatus: m.get(39) ?? '', cumQty: m.get(14) ?? '', leaves: m.get(151) ?? '' });
      },
      fromAdmin: (m: MessageView) => {
        if (m.msgType === '3') rejects.push(`${m.get(45)}: ${m.get(58)}`);
      },
    });
    const events: string[] = [];
    session.on('event', (e) => {
      if (e.kind === 'note' || e.kind === 'error') events.push(`${e.kind}: ${e.text}`);
    });
    initiator = new Initiator([{ session, endpoints: [{ host: '127.0.0.1', port: proxy.port }], reconnectDelays: [0.2] }]);
    initiator.start();
    await waitUntil(() => session.isLoggedOn, 10_000, 'fixover logon to jspurefix');
    await withTimeout(peer.ready, 5000, 'jspurefix sees the logon');
    const filled = (): Set<string> => new Set(ers.filter((e) => e.ordStatus === '2').map((e) => e.id));
    const burst = async (from: number, to: number): Promise<void> => {
      for (let i = from; i <= to; i++) {
        const m = new Message('D').set(11, `FO-${i}`).set(21, '1').set(55, 'IBM').set(54, '1').set(38, 100).set(40, '2').set(44, '10.5');
        m.body.setTimestamp(60, Date.now());
        assert.ok(session.send(m));
      }
      await waitUntil(
        () => {
          const f = filled();
          for (let i = from; i <= to; i++) if (!f.has(`FO-${i}`)) return false;
          return true;
        },
        8000,
        `fills of FO-${from}..FO-${to}; jspurefix state ${peer.state()}, received ${peer.trace.join(' ')}; to acceptor: ${summary(proxy!.seen('toAcceptor'))}; to initiator: ${summary(proxy!.seen('toInitiator'))}; events ${events.join(' | ')}`,
      );
    };
    await burst(1, 10); // ER of FO-5 dropped: fixover asks, jspurefix resends it
    await burst(11, 20); // NOS FO-15 dropped: jspurefix asks, fixover resends it
    await burst(21, 25);
    session.logout('done');
    await waitUntil(() => proxy!.seen('toInitiator', '5').length > 0 && !session.hasSocket, 5000, 'logout answered and socket closed');

    const where = `\nto acceptor: ${summary(proxy.seen('toAcceptor'))}\nto initiator: ${summary(proxy.seen('toInitiator'))}\njspurefix received: ${peer.trace.join(' ')}`;
    if (process.env.INTEROP_DEBUG) console.log(where);
    assert.deepEqual(rejects, [], where);
    assert.equal(proxy.seen('toAcceptor', 'A').length, 1, where);
    assert.equal(proxy.seen('toInitiator', 'A').length, 1, where);
    assert.equal(proxy.seen('toAcceptor', '5').length, 1, where);
    assert.equal(proxy.seen('toInitiator', '5').length, 1, where);
    assert.equal(proxy.seen('toAcceptor', '2').length, 1, `fixover sends one ResendRequest${where}`);
    assert.equal(proxy.seen('toInitiator', '2').length, 1, `jspurefix sends one ResendRequest${where}`);
    assert.ok(proxy.seen('toInitiator', '8').some((f) => f.frame.get(11) === 'FO-5' && f.frame.get(43) === 'Y'), `jspurefix resends the ER of FO-5 with PossDupFlag${where}`);
    assert.ok(proxy.seen('toAcceptor', 'D').some((f) => f.frame.get(11) === 'FO-15' && f.frame.get(43) === 'Y' && f.frame.get(122)), `fixover resends FO-15 with PossDupFlag and OrigSendingTime${where}`);
    const seen = new Set<string>();
    for (const er of ers) {
      assert.equal(er.execType, 'F', er.id);
      assert.equal(er.cumQty, '100', er.id);
      assert.equal(er.leaves, '0', er.id);
      if (seen.has(er.id)) assert.ok(er.possDup, `unflagged duplicate ER for ${er.id}`);
      seen.add(er.id);
    }
    assert.equal(seen.size, 25);
    assert.equal(peer.received.filter((m) => m.msgType === 'D' && !m.possDup).length + peer.received.filter((m) => m.msgType === 'D' && m.possDup).length >= 25, true);
    await session.drain();
    assert.equal(store.getNextSenderSeq(), peer.lastPeerSeqNum() + 1, `jspurefix expects what fixover sends next${where}`);
    assert.equal(store.getNextTargetSeq(), peer.lastSentSeqNum() + 1, `fixover expects what jspurefix sends next${where}`);
  } finally {
    await initiator?.stop();
    peer.stop();
    await proxy?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
