/**
 * Noisy neighbours, live: a long resend is read from the store in bounded chunks; a flooding
 * counterparty gets a bounded share of each event-loop turn; `InboundMessageRate` with the pause
 * action stops reading until the rate is met again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { Acceptor, Session } from '../../src/engine/index.js';
import { ResendPacer } from '../../src/engine/resend-pump.js';
import { SessionID, type SessionEvent, type SessionOptions } from '../../src/session/index.js';
import { FileStore, MemoryStore, type MessageStore, type RangeLimit } from '../../src/store/index.js';
import { Framer, Message, formatUtcTimestamp } from '../../src/codec/index.js';
import { frame } from '../codec/helpers.js';
import { tempDir } from '../store/helpers.js';

const ts = () => formatUtcTimestamp(Date.now(), 3);

function session(target: string, store: MessageStore, extra: Partial<SessionOptions> = {}, fromApp?: () => void): Session {
  const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'EXEC', targetCompID: target });
  return new Session({ sessionId: id, role: 'acceptor', ...extra }, store, { fromApp }, { tickMs: 100 });
}

async function client(port: number, target: string, logonSeq = 1): Promise<{ c: net.Socket; frames: string[]; next: (ms?: number) => Promise<string> }> {
  const c = net.connect(port, '127.0.0.1');
  c.on('error', () => undefined);
  await once(c, 'connect');
  const frames: string[] = [];
  const f = new Framer({ onFrame: (b, s, e) => void frames.push(b.toString('latin1', s, e).split('\x01').join('|')), onError: () => undefined });
  c.on('data', (chunk: Buffer) => f.push(chunk));
  const next = async (ms = 10_000): Promise<string> => {
    const t0 = Date.now();
    while (frames.length === 0) {
      if (Date.now() - t0 > ms) throw new Error('no message');
      await new Promise((r) => setTimeout(r, 2));
    }
    return frames.shift()!;
  };
  c.write(frame(`35=A|34=${logonSeq}|49=${target}|52=${ts()}|56=EXEC|98=0|108=30|`));
  assert.match(await next(), /35=A\|/);
  return { c, frames, next };
}

const order = (target: string, seq: number) => frame(`35=D|34=${seq}|49=${target}|52=${ts()}|56=EXEC|11=o${seq}|21=1|38=100|40=1|54=1|55=IBM|60=${ts()}|`);

test('ResendCpuShare: a resend rests after each 2 ms burst for as long as its share requires; waiting for the socket counts as rest', () => {
  const half = new ResendPacer(50);
  // Chunks every 0.5 ms: the burst that began at 0 ends at 2 ms, then 2 ms of rest.
  assert.deepEqual([0, 0.5, 1, 1.5].map((t) => half.restBefore(t)), [0, 0, 0, 0]);
  assert.equal(half.restBefore(2), 2);
  // After the rest, a new burst.
  assert.deepEqual([4.1, 4.6, 5.1, 5.6].map((t) => half.restBefore(t)), [0, 0, 0, 0]);
  assert.ok(Math.abs(half.restBefore(6.1) - 2.1) < 1e-9, "the burst from 4 (the end of the rest) to 6.1");
  // A gap longer than a burst (the socket drained, the store answered slowly) starts a new burst.
  assert.deepEqual([20, 21, 30, 31.5].map((t) => half.restBefore(t)), [0, 0, 0, 0]);
  // A quarter: three times as long resting as working.
  const quarter = new ResendPacer(25);
  assert.deepEqual([0, 1, 2].map((t) => quarter.restBefore(t)), [0, 0, 6]);
  // 100: never rests.
  const all = new ResendPacer(100);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((t) => all.restBefore(t)), [0, 0, 0, 0, 0, 0]);
});

test('a resend of 20,000 stored messages is read in chunks of at most 8 and goes out complete and in order', async () => {
  const { dir, cleanup } = await tempDir();
  const store = await FileStore.open({ path: dir, prefix: 'resend' });
  const N = 20_000;
  for (let seq = 1; seq <= N; seq++) store.saveOutgoing(seq, frame(`35=8|34=${seq}|49=EXEC|52=${ts()}|56=A|6=0|11=o${seq}|14=0|17=e${seq}|37=o${seq}|39=0|54=1|55=X|150=0|151=1|`));
  await store.flush();
  const reads: Array<{ begin: number; end: number; got: number; limit?: RangeLimit }> = [];
  const getRange = store.getRange.bind(store);
  store.getRange = async (begin, end, limit) => {
    const got = await getRange(begin, end, limit);
    reads.push({ begin, end, got: got.length, limit });
    return got;
  };
  const a = session('A', store);
  const acceptor = new Acceptor([a], [{ port: 0, host: '127.0.0.1' }], {});
  const [port] = await acceptor.start();
  try {
    const { c, next } = await client(port, 'A');
    c.write(frame(`35=2|34=2|49=A|52=${ts()}|56=EXEC|7=1|16=0|`));
    for (let seq = 1; seq <= N; seq++) assert.match(await next(), new RegExp(`^8=FIX.4.4\\|9=\\d+\\|35=8\\|34=${seq}\\|`));
    assert.match(await next(), new RegExp(`35=4\\|34=${N + 1}\\|.*36=${N + 2}\\|123=Y\\|`), 'the Logon gap-filled');
    assert.ok(reads.length >= N / 8, `${reads.length} store reads`);
    assert.ok(reads.every((r) => r.limit !== undefined && r.got <= 8), JSON.stringify(reads.slice(0, 3)));
    c.destroy();
  } finally {
    await acceptor.stop();
    await a.close();
    await cleanup();
  }
});

test('a resend asked on a connection that ended sends nothing on the next one, and what the application sent meanwhile goes out', async () => {
  const store = new MemoryStore();
  for (let seq = 1; seq <= 50; seq++) store.saveOutgoing(seq, frame(`35=8|34=${seq}|49=EXEC|52=${ts()}|56=A|6=0|11=o${seq}|14=0|17=e${seq}|37=o${seq}|39=0|54=1|55=X|150=0|151=1|`));
  store.setNextSenderSeq(51);
  // The store's first read is held until the first connection is gone and a second one is logged on.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const getRange = store.getRange.bind(store);
  let reads = 0;
  store.getRange = async (begin, end, limit) => {
    if (reads++ === 0) await held;
    return getRange(begin, end, limit);
  };
  const a = session('A', store);
  const acceptor = new Acceptor([a], [{ port: 0, host: '127.0.0.1' }], {});
  const [port] = await acceptor.start();
  try {
    const first = await client(port, 'A');
    first.c.write(frame(`35=2|34=2|49=A|52=${ts()}|56=EXEC|7=1|16=0|`));
    while (reads === 0) await new Promise((r) => setTimeout(r, 2));
    first.c.destroy();
    while (a.hasSocket) await new Promise((r) => setTimeout(r, 2));
    const second = await client(port, 'A', 3);
    const news = new Message('B');
    news.body.set(148, 'after the resend');
    assert.equal(a.send(news), true);
    release();
    second.c.write(frame(`35=1|34=4|49=A|52=${ts()}|56=EXEC|112=probe|`));
    const got: string[] = [];
    for (let m = await second.next(); !/35=0\|.*112=probe\|/.test(m); m = await second.next()) got.push(m);
    assert.deepEqual(got.filter((m) => /\|43=Y\||\|35=4\|/.test(m)), [], 'nothing of the first connection\'s resend');
    assert.equal(got.filter((m) => /35=B\|/.test(m)).length, 1, `the News sent during the resend goes out once: ${got.join('\n')}`);
    second.c.destroy();
  } finally {
    release();
    await acceptor.stop();
    await a.close();
  }
});

test('a flooding counterparty is handled a bounded share per event-loop turn; its neighbour is answered', async () => {
  // Messages handled between two runs of a probe that runs once per event-loop iteration.
  let inTurn = 0;
  let maxPerTurn = 0;
  let handled = 0;
  let probing = true;
  const probe = (): void => {
    inTurn = 0;
    if (probing) setImmediate(probe);
  };
  setImmediate(probe);
  const flooded = session('A', new MemoryStore(), {}, () => {
    handled++;
    maxPerTurn = Math.max(maxPerTurn, ++inTurn);
  });
  const neighbour = session('B', new MemoryStore());
  const acceptor = new Acceptor([flooded, neighbour], [{ port: 0, host: '127.0.0.1' }], {});
  const [port] = await acceptor.start();
  try {
    const a = await client(port, 'A');
    const b = await client(port, 'B');
    const N = 20_000;
    const one = order('A', 2).length;
    const all: Buffer[] = [];
    for (let seq = 2; seq < N + 2; seq++) all.push(order('A', seq));
    a.c.write(Buffer.concat(all));
    while (handled < 200) await new Promise((r) => setImmediate(r));
    b.c.write(frame(`35=1|34=2|49=B|52=${ts()}|56=EXEC|112=neighbour|`));
    assert.match(await b.next(), /35=0\|.*112=neighbour\|/);
    assert.ok(handled < N, `the neighbour was answered while the flood was handled (${handled} of ${N})`);
    while (handled < N) await new Promise((r) => setTimeout(r, 5));
    probing = false;
    // One share (8 KiB) per iteration; the probe may see two between its runs.
    const share = Math.ceil((8 * 1024) / one) + 1;
    assert.ok(maxPerTurn <= 2 * share, `at most ${maxPerTurn} messages per turn (share ${share})`);
    a.c.destroy();
    b.c.destroy();
  } finally {
    await acceptor.stop();
    await flooded.close();
    await neighbour.close();
  }
});

test('InboundMessageRate with pause: reading stops until the rate is met again, nothing is lost', async () => {
  let handled = 0;
  const events: SessionEvent[] = [];
  const limited = session('A', new MemoryStore(), { inboundMessageRate: 200, inboundRateAction: 'pause' }, () => void handled++);
  limited.on('event', (e) => events.push(e));
  const acceptor = new Acceptor([limited], [{ port: 0, host: '127.0.0.1' }], {});
  const [port] = await acceptor.start();
  try {
    const a = await client(port, 'A');
    const t0 = Date.now();
    const all: Buffer[] = [];
    for (let seq = 2; seq < 602; seq++) all.push(order('A', seq));
    a.c.write(Buffer.concat(all));
    while (handled < 600) {
      await new Promise((r) => setTimeout(r, 5));
      assert.ok(Date.now() - t0 < 10_000, `${handled} handled`);
    }
    const elapsed = Date.now() - t0;
    // A second's worth (200) at once, then 200/s; the share read last is handled before its pause:
    // at least (600 - 200 - one share of about 120) / 200/s = 1.4 s (unthrottled: about 0.1 s).
    assert.ok(elapsed >= 700, `600 messages at 200/s took ${elapsed} ms`);
    assert.ok(events.some((e) => e.kind === 'inbound-rate-exceeded' && e.action === 'pause'));
    a.c.write(frame(`35=1|34=602|49=A|52=${ts()}|56=EXEC|112=after|`));
    assert.match(await a.next(), /35=0\|.*112=after\|/);
    a.c.destroy();
  } finally {
    await acceptor.stop();
    await limited.close();
  }
});

test('a counterparty that asks for a resend and never reads is dropped as a slow reader, even while it sends heartbeats', async () => {
  const store = new MemoryStore();
  const pad = 'x'.repeat(200);
  for (let seq = 1; seq <= 20_000; seq++) store.saveOutgoing(seq, frame(`35=8|34=${seq}|49=EXEC|52=${ts()}|56=A|6=0|11=o${seq}|14=0|17=e${seq}|37=o${seq}|39=0|54=1|55=X|58=${pad}|150=0|151=1|`));
  store.setNextSenderSeq(20_001);
  const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'EXEC', targetCompID: 'A' });
  const a = new Session({ sessionId: id, role: 'acceptor' }, store, {}, { tickMs: 100, resendDrainTimeoutMs: 300 });
  const acceptor = new Acceptor([a], [{ port: 0, host: '127.0.0.1' }], {});
  const [port] = await acceptor.start();
  let beat: NodeJS.Timeout | undefined;
  try {
    const { c } = await client(port, 'A');
    const dropped = once(a, 'disconnected', { signal: AbortSignal.timeout(10_000) }) as Promise<[string]>;
    c.write(frame(`35=2|34=2|49=A|52=${ts()}|56=EXEC|7=1|16=0|`));
    c.pause();
    let seq = 3;
    beat = setInterval(() => c.write(frame(`35=0|34=${seq++}|49=A|52=${ts()}|56=EXEC|`)), 100);
    const [reason] = await dropped;
    assert.match(reason, /^peer is not reading: a resend waited 300 ms for \d+ queued bytes to be read$/);
    c.destroy();
  } finally {
    clearInterval(beat);
    await acceptor.stop();
    await a.close();
  }
});
