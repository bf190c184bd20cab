/**
 * The failover transport over real sockets against real fixover acceptors (in process): refused
 * endpoints, an endpoint that drops before logon, one whose TCP connect hangs, all down then one
 * comes up, a priority endpoint returning, updateURIsURL changing between passes, and backup=true
 * failing over without a new TCP connect. Timing bounds are loose on purpose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { once } from 'node:events';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Acceptor, Initiator, Session, type InitiatorEvent } from '../../src/engine/index.js';
import { SessionID } from '../../src/session/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { Message, formatUtcTimestamp } from '../../src/codec/index.js';
import type { FailoverConfigInit } from '../../src/transport/index.js';
import { freePort } from '../support/free-port.js';

/** A fixover acceptor running the executor for CLIENT on `port`. */
async function acceptorOn(port: number): Promise<{ acceptor: Acceptor; session: Session; stop: () => Promise<void> }> {
  const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'EXEC', targetCompID: 'CLIENT' });
  const holder: { session?: Session } = {};
  const session = new Session({ sessionId: id, role: 'acceptor' }, new MemoryStore(), executorApplication({ send: (m: Message) => holder.session!.send(m) }), { tickMs: 100 });
  holder.session = session;
  const acceptor = new Acceptor([session], [{ port, host: '127.0.0.1' }]);
  await acceptor.start();
  return { acceptor, session, stop: () => acceptor.stop() };
}

/** A server that accepts TCP and closes each connection at once, before any Logon. */
async function dropper(): Promise<{ port: number; close: () => void }> {
  const srv = net.createServer((c) => c.destroy()).listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return { port: (srv.address() as net.AddressInfo).port, close: () => srv.close() };
}

/** A client session through an Initiator on the failover transport; records every event. */
function client(failover: string | FailoverConfigInit): { initiator: Initiator; session: Session; events: InitiatorEvent[]; next: (type: string, ms?: number) => Promise<InitiatorEvent> } {
  const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'CLIENT', targetCompID: 'EXEC' });
  const session = new Session({ sessionId: id, role: 'initiator', heartBtInt: 30, resetOnLogon: true, logonTimeout: 2 }, new MemoryStore(), {}, { tickMs: 100 });
  const initiator = new Initiator([{ session, failover }]);
  const events: InitiatorEvent[] = [];
  const waiters: Array<{ type: string; resolve: (e: InitiatorEvent) => void; from: number }> = [];
  initiator.on('event', (e) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.type === e.type) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  /** The next event of `type` from now on. */
  const next = (type: string, ms = 10_000): Promise<InitiatorEvent> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${type} event within ${ms} ms: ${events.map((e) => e.type).join(', ')}`)), ms);
      waiters.push({ type, from: events.length, resolve: (e) => (clearTimeout(t), resolve(e)) });
    });
  return { initiator, session, events, next };
}

const uri = (port: number): string => `tcp://127.0.0.1:${port}`;
const ep = (e: InitiatorEvent): string | undefined => ('endpoint' in e ? e.endpoint.uri : undefined);

test('refused, dropped before logon, then logged on; all down, then one comes up: reconnect passes with growing delays', { timeout: 30_000 }, async () => {
  const refused = await freePort();
  const drop = await dropper();
  const goodPort = await freePort();
  const good = await acceptorOn(goodPort);
  const c = client(`failover:(${uri(refused)},${uri(drop.port)},${uri(goodPort)})?randomize=false&initialReconnectDelay=100&maxReconnectDelay=400&reconnectJitter=false`);
  let back: Awaited<ReturnType<typeof acceptorOn>> | undefined;
  try {
    const logon = c.next('loggedOn');
    c.initiator.start();
    assert.equal(ep(await logon), uri(goodPort));
    assert.deepEqual(
      c.events.map((e) => [e.type, ep(e)]),
      [
        ['reconnecting', uri(refused)],
        ['connectFailed', uri(refused)],
        ['reconnecting', uri(drop.port)],
        ['connected', uri(drop.port)],
        ['connectFailed', uri(drop.port)],
        ['reconnecting', uri(goodPort)],
        ['connected', uri(goodPort)],
        ['loggedOn', uri(goodPort)],
      ],
    );
    // Everything goes down.
    drop.close();
    const dropped = c.next('disconnected');
    await good.stop();
    await dropped;
    // A few failed passes, then the first endpoint comes up.
    await new Promise((r) => setTimeout(r, 1200));
    const failedPasses = c.events.filter((e) => e.type === 'reconnecting' && e.phase === 'reconnect' && e.delayMs > 0);
    assert.ok(failedPasses.length >= 2, `several passes: ${failedPasses.length}`);
    assert.deepEqual(failedPasses.slice(0, 3).map((e) => (e.type === 'reconnecting' ? e.delayMs : 0)), [100, 200, 400].slice(0, Math.min(3, failedPasses.length)));
    const firstPass = c.events.filter((e) => e.type === 'reconnecting' && e.phase === 'reconnect' && e.attempt === 1);
    assert.equal(ep(firstPass.at(-1)!), uri(goodPort), 'the endpoint that dropped goes last');
    const again = c.next('loggedOn');
    const failover = c.next('failover');
    back = await acceptorOn(refused);
    assert.equal(ep(await again), uri(refused));
    const f = await failover;
    assert.ok(f.type === 'failover' && f.from.uri === uri(goodPort) && f.to.uri === uri(refused) && f.downtimeMs >= 1000 && f.downtimeMs < 10_000, JSON.stringify(f));
  } finally {
    const t0 = Date.now();
    await c.initiator.stop();
    assert.ok(Date.now() - t0 < 3000);
    drop.close();
    await back?.stop();
  }
});

const python = spawnSync('python3', ['--version']).status === 0;

/** A listening socket with a full accept queue that is never accepted: connects to it hang (python3). */
async function hangingListener(): Promise<{ port: number; kill: () => void }> {
  const proc = spawn('python3', [
    '-c',
    "import socket,sys\ns=socket.socket();s.bind(('127.0.0.1',0));s.listen(0)\nf=[]\nfor i in range(3):\n c=socket.socket();c.setblocking(False)\n try: c.connect(s.getsockname())\n except BlockingIOError: pass\n f.append(c)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()\n",
  ]);
  const [line] = (await once(proc.stdout, 'data')) as [Buffer];
  return { port: Number(line.toString().trim()), kill: () => proc.kill() };
}

/** Stops `c` once `ready` has happened: stop returns within a second and no event follows. */
async function assertStopsPromptly(c: ReturnType<typeof client>, ready: Promise<unknown>, what: string): Promise<void> {
  c.initiator.start();
  await ready;
  await new Promise((r) => setTimeout(r, 100));
  const count = c.events.length;
  const t0 = Date.now();
  await c.initiator.stop();
  assert.ok(Date.now() - t0 < 1000, `stop during ${what} took ${Date.now() - t0} ms`);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(c.events.length, count, `no event after stop: ${c.events.slice(count).map((e) => e.type).join()}`);
}

test('a TCP connect that hangs times out (nested.connectTimeout) and the pass moves on', { timeout: 30_000, skip: python ? false : 'python3 is needed for a listener that never completes connects' }, async () => {
  const hang = await hangingListener();
  const hangPort = hang.port;
  const goodPort = await freePort();
  const good = await acceptorOn(goodPort);
  const c = client(`failover:(${uri(hangPort)},${uri(goodPort)})?randomize=false&nested.connectTimeout=300`);
  try {
    const logon = c.next('loggedOn');
    const t0 = Date.now();
    c.initiator.start();
    await logon;
    const failed = c.events.find((e) => e.type === 'connectFailed');
    assert.ok(failed && failed.type === 'connectFailed' && /connect timeout after 300 ms/.test(failed.reason), JSON.stringify(failed));
    assert.ok(Date.now() - t0 >= 250 && Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
  } finally {
    await c.initiator.stop();
    await good.stop();
    hang.kill();
  }
});

test('stopping during a long wait between passes returns at once; maxReconnectAttempts ends with reconnectFailed', { timeout: 20_000 }, async () => {
  const refused = await freePort();
  const c = client(`failover:(${uri(refused)})?initialReconnectDelay=60000&maxReconnectDelay=60000`);
  const failedPass = c.next('connectFailed');
  c.initiator.start();
  await failedPass;
  await new Promise((r) => setTimeout(r, 100));
  const t0 = Date.now();
  await c.initiator.stop();
  assert.ok(Date.now() - t0 < 1500, `stop took ${Date.now() - t0} ms`);

  const limited = client(`failover:(${uri(refused)})?startupMaxReconnectAttempts=3&initialReconnectDelay=20`);
  const gaveUp = limited.next('reconnectFailed');
  limited.initiator.start();
  const e = await gaveUp;
  assert.ok(e.type === 'reconnectFailed' && e.attempts === 3);
  assert.equal(limited.events.filter((x) => x.type === 'reconnecting').length, 3);
  await limited.initiator.stop();
});

test('an application listener that throws on a failover event does not end the process: the failover goes on and an error event names the listener', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const server = await acceptorOn(port);
  // randomize=false: the refused endpoint is tried first, so connectFailed always happens.
  const c = client(`failover:(tcp://127.0.0.1:${await freePort()},${uri(port)})?initialReconnectDelay=50&randomize=false`);
  const errors: string[] = [];
  c.session.on('event', (e) => {
    if (e.kind === 'error') errors.push(e.text);
  });
  c.initiator.on('connected', () => {
    throw new Error('bug in the application');
  });
  c.session.on('transport', (e) => {
    if (e.type === 'connectFailed') throw new Error('another bug');
  });
  try {
    const loggedOn = c.next('loggedOn');
    c.initiator.start();
    assert.equal(ep(await loggedOn), uri(port));
    const expected = ["a listener of the failover event 'transport' threw: another bug", "a listener of the failover event 'connected' threw: bug in the application"];
    for (let i = 0; i < 100 && !expected.every((x) => errors.includes(x)); i++) await new Promise((r) => setTimeout(r, 20));
    for (const x of expected) assert.ok(errors.includes(x), `${x} not in:\n${errors.join('\n')}`);
  } finally {
    await c.initiator.stop();
    await server.stop();
  }
});

test('priorityBackup: on the backup while the priority endpoint is down; when it returns, a clean logout from the backup and back to it', { timeout: 30_000 }, async () => {
  const prioPort = await freePort();
  const backupPort = await freePort();
  const backup = await acceptorOn(backupPort);
  const logouts: string[] = [];
  backup.session.on('event', (e) => {
    if (e.kind === 'incoming' && e.bytes.toString('latin1').includes('\x0135=5\x01')) logouts.push('client sent Logout');
  });
  const c = client(`failover:(${uri(prioPort)},${uri(backupPort)})?priorityBackup=true&priorityFailbackDelay=500&initialReconnectDelay=50`);
  let prio: Awaited<ReturnType<typeof acceptorOn>> | undefined;
  try {
    const first = c.next('loggedOn');
    c.initiator.start();
    assert.equal(ep(await first), uri(backupPort));
    assert.equal(ep(c.events[0]), uri(prioPort), 'the priority endpoint is tried first');
    await new Promise((r) => setTimeout(r, 300));
    const failback = c.next('failback');
    const onPrio = c.next('loggedOn');
    const t0 = Date.now();
    prio = await acceptorOn(prioPort);
    const fb = await failback;
    assert.ok(Date.now() - t0 >= 450, `hysteresis respected: ${Date.now() - t0} ms`);
    assert.ok(fb.type === 'failback' && fb.from.uri === uri(backupPort) && fb.to.uri === uri(prioPort));
    assert.equal(ep(await onPrio), uri(prioPort));
    assert.deepEqual(logouts, ['client sent Logout'], 'logged out cleanly from the backup first');
    const f = c.events.find((e) => e.type === 'failover' && e.to.uri === uri(prioPort));
    assert.ok(f, 'failover event to the priority endpoint');
  } finally {
    await c.initiator.stop();
    await backup.stop();
    await prio?.stop();
  }
});

test('updateURIsURL: the list file is re-read before each pass; a changed list is used from the next pass', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-uris-'));
  const list = join(dir, 'uris.txt');
  const refused = await freePort();
  const goodPort = await freePort();
  const good = await acceptorOn(goodPort);
  writeFileSync(list, `${uri(refused)}\n`);
  const c = client({ uris: [], updateURIsURL: list, initialReconnectDelay: 150, useExponentialBackOff: false, reconnectJitter: 'none' });
  try {
    const topo = c.next('topology');
    c.initiator.start();
    const t1 = await topo;
    assert.ok(t1.type === 'topology' && t1.uris.join() === uri(refused));
    await c.next('connectFailed');
    const topo2 = c.next('topology');
    const logon = c.next('loggedOn');
    writeFileSync(list, `${uri(refused)}, ${uri(goodPort)}\n`);
    const t2 = await topo2;
    assert.ok(t2.type === 'topology' && t2.uris.join() === [uri(refused), uri(goodPort)].join());
    assert.equal(ep(await logon), uri(goodPort));
  } finally {
    await c.initiator.stop();
    await good.stop();
  }
});

test('backup=true: a standby connection is held open, and the failover logs on over it without a new TCP connect', { timeout: 30_000 }, async () => {
  const aPort = await freePort();
  const bPort = await freePort();
  const a = await acceptorOn(aPort);
  const b = await acceptorOn(bPort);
  // Count the TCP connections B accepts through a pass-through proxy.
  let accepted = 0;
  const proxy = net.createServer((down) => {
    accepted++;
    const up = net.connect(bPort, '127.0.0.1');
    down.pipe(up);
    up.pipe(down);
    down.on('error', () => up.destroy());
    up.on('error', () => down.destroy());
    down.on('close', () => up.destroy());
    up.on('close', () => down.destroy());
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  const proxyPort = (proxy.address() as net.AddressInfo).port;
  const c = client(`failover:(${uri(aPort)},${uri(proxyPort)})?randomize=false&backup=true&initialReconnectDelay=2000&reconnectJitter=false`);
  try {
    const logon = c.next('loggedOn');
    c.initiator.start();
    assert.equal(ep(await logon), uri(aPort));
    for (let i = 0; i < 100 && accepted === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(accepted, 1, 'one standby connection to B');
    const failover = c.next('failover');
    const t0 = Date.now();
    await a.stop();
    const f = await failover;
    assert.ok(f.type === 'failover' && f.to.uri === uri(proxyPort));
    assert.ok(Date.now() - t0 < 1500, `no reconnect delay with a ready standby: ${Date.now() - t0} ms`);
    assert.equal(accepted, 1, 'logged on over the standby: no new TCP connect');
    const r = c.events.filter((e) => e.type === 'reconnecting').at(-1)!;
    assert.ok(r.type === 'reconnecting' && r.standby);
  } finally {
    await c.initiator.stop();
    await b.stop();
    proxy.close();
  }
});

test('stop is prompt during an unanswered Logon and during a TCP connect that hangs; nothing happens afterwards', { timeout: 30_000 }, async () => {
  // A server that accepts and never answers: the client waits for the Logon's answer.
  const held: net.Socket[] = [];
  let closed = 0;
  const silent = net
    .createServer((s) => {
      held.push(s);
      s.resume();
      s.on('close', () => closed++);
    })
    .listen(0, '127.0.0.1');
  await once(silent, 'listening');
  const silentPort = (silent.address() as net.AddressInfo).port;
  try {
    const c = client(`failover:(${uri(silentPort)})?initialReconnectDelay=60000&maxReconnectDelay=60000`);
    await assertStopsPromptly(c, c.next('connected'), 'the Logon');
    assert.deepEqual([held.length, closed], [1, 1], 'one connection, closed by the stop');
  } finally {
    for (const s of held) s.destroy();
    silent.close();
  }
  if (!python) return;
  const hang = await hangingListener();
  try {
    // The default connect timeout (SocketConnectTimeout, 60 s) is far away.
    const h = client(`failover:(${uri(hang.port)})`);
    await assertStopsPromptly(h, h.next('reconnecting'), 'the connect');
  } finally {
    hang.kill();
  }
});

test('timeout: a send while disconnected fails with sendTimedOut after timeout ms, or goes out once logged on', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const c = client(`failover:(${uri(port)})?initialReconnectDelay=200&useExponentialBackOff=false&reconnectJitter=false&timeout=1000`);
  const order = (id: string): Message =>
    new Message('D').set(11, id).set(21, '1').set(55, 'IBM').set(54, '1').set(60, formatUtcTimestamp(Date.now())).set(38, 100).set(40, '1');
  const fills: string[] = [];
  c.session.on('event', (e) => {
    const text = e.kind === 'incoming' ? e.bytes.toString('latin1') : '';
    const fields = text.split('\x01');
    const id = fields.find((f) => f.startsWith('11='))?.slice(3);
    if (fields.includes('35=8') && id) fills.push(id);
  });
  let server: Awaited<ReturnType<typeof acceptorOn>> | undefined;
  try {
    const failed = c.next('connectFailed');
    c.initiator.start();
    await failed;
    const timedOut = c.next('sendTimedOut');
    const t0 = Date.now();
    assert.equal(c.initiator.send(order('late')), true, 'held while disconnected');
    const e = await timedOut;
    assert.ok(e.type === 'sendTimedOut' && e.waitedMs >= 1000 && Date.now() - t0 < 5000, JSON.stringify(e));
    // Held, then delivered at the logon once the endpoint comes up within the timeout.
    const logon = c.next('loggedOn');
    assert.equal(c.initiator.send(order('held')), true);
    server = await acceptorOn(port);
    await logon;
    for (let i = 0; i < 100 && fills.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(fills, ['held'], 'only the held order was sent and filled');
    assert.equal(c.events.filter((x) => x.type === 'sendTimedOut').length, 1);
  } finally {
    await c.initiator.stop();
    await server?.stop();
  }
});

test('reconnectTo and updateUris: a logged-on session moves after a clean logout, a new list applies; both ignored when not supported', { timeout: 30_000 }, async () => {
  const [aPort, bPort] = [await freePort(), await freePort()];
  const [a, b] = [await acceptorOn(aPort), await acceptorOn(bPort)];
  const logouts: string[] = [];
  a.session.on('event', (e) => {
    if (e.kind === 'incoming' && e.bytes.toString('latin1').includes('\x0135=5\x01')) logouts.push('client sent Logout');
  });
  const c = client(`failover:(${uri(aPort)},${uri(bPort)})?randomize=false`);
  const off = client(`failover:(${uri(aPort)})?reconnectSupported=false&updateURIsSupported=false`);
  try {
    const onA = c.next('loggedOn');
    c.initiator.start();
    assert.equal(ep(await onA), uri(aPort));
    const topology = c.next('topology');
    assert.equal(c.initiator.updateUris(`${uri(aPort)}, ${uri(bPort)}, tcp://127.0.0.1:1`), true);
    const t = await topology;
    assert.ok(t.type === 'topology' && t.uris.join() === [uri(aPort), uri(bPort), 'tcp://127.0.0.1:1'].join());
    assert.equal(c.session.isLoggedOn, true, 'a new list does not move a logged-on session');
    const failover = c.next('failover');
    assert.equal(c.initiator.reconnectTo(uri(bPort)), true);
    const f = await failover;
    assert.ok(f.type === 'failover' && f.from.uri === uri(aPort) && f.to.uri === uri(bPort), JSON.stringify(f));
    assert.deepEqual(logouts, ['client sent Logout'], 'logged out cleanly from A first');
    assert.equal(c.initiator.reconnectTo(uri(bPort)), false, 'already there');
    assert.throws(() => c.initiator.reconnectTo('http://127.0.0.1:1'), /unsupported scheme http/);

    const offOn = off.next('loggedOn');
    off.initiator.start();
    await offOn;
    assert.equal(off.initiator.reconnectTo(uri(bPort)), false);
    assert.equal(off.initiator.updateUris([uri(bPort)]), false);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(off.session.isLoggedOn, true);
    assert.deepEqual(off.events.map((e) => e.type).filter((x) => x === 'topology' || x === 'disconnected'), []);
  } finally {
    await c.initiator.stop();
    await off.initiator.stop();
    await a.stop();
    await b.stop();
  }
});

test('updateURIsURL over http: fetched before each pass; an HTTP error keeps the previous list (updateUrisFailed)', { timeout: 20_000 }, async () => {
  const refused = await freePort();
  const goodPort = await freePort();
  const good = await acceptorOn(goodPort);
  let answer: { status: number; body: string } = { status: 500, body: 'down for maintenance' };
  let fetches = 0;
  const web = http.createServer((req, res) => {
    fetches++;
    res.writeHead(req.url === '/uris' ? answer.status : 404, { 'content-type': 'text/plain' }).end(answer.body);
  });
  web.listen(0, '127.0.0.1');
  await once(web, 'listening');
  const url = `http://127.0.0.1:${(web.address() as net.AddressInfo).port}/uris`;
  const c = client({ uris: [uri(refused)], updateURIsURL: url, initialReconnectDelay: 150, useExponentialBackOff: false, reconnectJitter: 'none' });
  try {
    const failed = c.next('updateUrisFailed');
    const refusedAttempt = c.next('connectFailed');
    c.initiator.start();
    const f = await failed;
    assert.ok(f.type === 'updateUrisFailed' && f.url === url && /HTTP 500/.test(f.reason), JSON.stringify(f));
    assert.equal(ep(await refusedAttempt), uri(refused), 'the pass went on with the configured list');
    const topology = c.next('topology');
    const logon = c.next('loggedOn');
    answer = { status: 200, body: `${uri(refused)},${uri(goodPort)}` };
    const t = await topology;
    assert.ok(t.type === 'topology' && t.uris.join() === [uri(refused), uri(goodPort)].join());
    assert.equal(ep(await logon), uri(goodPort));
    assert.ok(fetches >= 2);
  } finally {
    await c.initiator.stop();
    await good.stop();
    web.close();
  }
});
