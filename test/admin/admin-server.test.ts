/**
 * The operations HTTP interface against a real engine (executor, file store with ownership) and a
 * real FIX counterparty over TCP: health, metrics that reflect the traffic, the admin API with its
 * token, validation and audit, and the session operations (logout, set-seq, reset) stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type SessionSettingsRecord } from '../../src/engine/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { storeFor } from '../../src/cli/run.js';
import { AdminServer, AdminClient, AdminClientError } from '../../src/admin/index.js';
import { FixPeer, newOrder } from '../support/fix-peer.js';

const TOKEN = 'test-token-0123456789abcdef';
const ID = 'FIX.4.4:EXEC->CLIENT';

async function setup(token: string | undefined): Promise<{ engine: Engine; admin: AdminServer; port: number; dir: string; audit: string[]; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-admin-'));
  const settings: SessionSettingsRecord = { BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'CLIENT', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1', FileStorePath: dir, UseDataDictionary: 'N', NodeName: 'node-a' };
  const engine = await Engine.create([settings], (sender) => executorApplication({ send: (m, id) => void sender.send(m, id) }), { store: storeFor, tickMs: 100 });
  const [port] = await engine.start();
  const audit: string[] = [];
  const admin = await AdminServer.start(engine, { port: 0, token, auditWrite: (l) => void audit.push(l), processMetrics: true });
  return {
    engine,
    admin,
    port,
    dir,
    audit,
    stop: async () => {
      await admin.stop();
      await engine.stop();
    },
  };
}

async function logon(port: number): Promise<FixPeer> {
  const peer = await FixPeer.connect(port, 'FIX.4.4', 'CLIENT', 'EXEC');
  peer.send('35=A|98=0|108=30|');
  await peer.waitFor(/35=A/);
  return peer;
}

/** The value of a series in Prometheus text, by name and label substring. */
function series(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(name + '{') && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function waitUntil(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('healthz and readyz: ready while running and listening, 503 once drained', async () => {
  const t = await setup(TOKEN);
  try {
    assert.equal((await fetch(`${t.admin.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${t.admin.url}/readyz`)).status, 200);
    const peer = await logon(t.port);
    const client = new AdminClient(t.admin.url, { token: TOKEN, operator: 'ops-test' });
    const node = await client.drain('end of day');
    assert.equal(node.phase, 'draining');
    // The logged-on session was logged out with the text, and nothing listens any more.
    assert.match(await peer.waitFor(/35=5/), /58=end of day/);
    const ready = await fetch(`${t.admin.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { phase: string }).phase, 'draining');
    await assert.rejects(FixPeer.connect(t.port, 'FIX.4.4', 'CLIENT', 'EXEC'));
    assert.equal((await fetch(`${t.admin.url}/healthz`)).status, 200);
  } finally {
    await t.stop();
  }
});

test('/metrics counts the traffic of a session: messages by type, bytes, sequence numbers, logons, flushes, disconnect reasons', async () => {
  const t = await setup(TOKEN);
  try {
    const peer = await logon(t.port);
    for (let i = 0; i < 12; i++) peer.send(newOrder(`O${i}`));
    for (let i = 0; i < 12; i++) await peer.waitFor(/35=8/);
    peer.send('35=0|', 1); // MsgSeqNum too low: the session logs out
    await peer.waitFor(/35=5/);
    await waitUntil(() => !t.engine.session(ID).hasSocket && t.engine.session(ID).ownerEpoch === 0);
    const res = await fetch(`${t.admin.url}/metrics`);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const m = await res.text();
    const s = `session="${ID}",node="node-a"`;
    assert.equal(series(m, 'fixover_messages_received_total', `${s},msg_type="D"`), 12);
    assert.equal(series(m, 'fixover_messages_received_total', `${s},msg_type="A"`), 1);
    assert.equal(series(m, 'fixover_messages_sent_total', `${s},msg_type="8"`), 12);
    assert.equal(series(m, 'fixover_next_sender_seq', s), 15); // Logon, 12 reports, Logout
    assert.equal(series(m, 'fixover_next_target_seq', s), 14);
    assert.equal(series(m, 'fixover_logons_total', s), 1);
    assert.equal(series(m, 'fixover_logged_on', s), 0);
    assert.equal(series(m, 'fixover_disconnects_total', `${s},reason="rejected"`), 1);
    assert.ok(series(m, 'fixover_bytes_received_total', s)! > 12 * 80);
    assert.ok(series(m, 'fixover_store_flush_seconds_count', s)! >= 1);
    assert.equal(series(m, 'fixover_ownership_changes_total', `${s},state="acquired"`), 1);
    assert.equal(series(m, 'fixover_ownership_epoch', s), 0); // released with the connection
    assert.match(m, /^process_cpu_user_seconds_total /m);
    assert.match(m, /^# TYPE fixover_store_flush_seconds histogram$/m);
  } finally {
    await t.stop();
  }
});

test('admin API: list, validation, token, audit; logout, set-seq and reset are applied and stored', async () => {
  const t = await setup(TOKEN);
  try {
    const peer = await logon(t.port);
    const anon = new AdminClient(t.admin.url);
    const client = new AdminClient(t.admin.url, { token: TOKEN, operator: 'alice' });
    const [info] = await anon.sessions();
    assert.equal(info.sessionId, ID);
    assert.equal(info.loggedOn, true);
    assert.equal(info.owner?.node, 'node-a');
    assert.ok(info.ownerEpoch >= 1);
    assert.match(info.remoteAddress ?? '', /^127\.0\.0\.1:\d+$/);

    // Changing operations: no token, a wrong one, a bad body.
    await assert.rejects(anon.logout(ID), (e: AdminClientError) => e.status === 401);
    await assert.rejects(new AdminClient(t.admin.url, { token: 'wrong-token-0123456789' }).logout(ID), (e: AdminClientError) => e.status === 401);
    await assert.rejects(client.setSequenceNumbers(ID, { nextSender: 0 }), (e: AdminClientError) => e.status === 400 && /nextSender/.test(e.message));
    await assert.rejects(client.setSequenceNumbers(ID, {}), (e: AdminClientError) => e.status === 400);
    const raw = await fetch(`${t.admin.url}/api/sessions/${encodeURIComponent(ID)}/logout`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"text":"x","extra":1}' });
    assert.equal(raw.status, 400);
    await assert.rejects(client.logout('FIX.4.4:NOBODY->X'), (e: AdminClientError) => e.status === 404);

    // Set the numbers while logged on: the next message carries the new sender number.
    await client.setSequenceNumbers(ID, { nextSender: 500 });
    peer.send('35=1|112=T1|');
    assert.match(await peer.waitFor(/35=0/), /34=500\|/);

    // Logout with a text.
    const after = await client.logout(ID, 'maintenance');
    assert.equal(after.sessionId, ID);
    assert.match(await peer.waitFor(/35=5/), /58=maintenance/);
    peer.send('35=5|');
    await waitUntil(async () => !(await anon.session(ID)).loggedOn);

    // Between connections (ownership released) a change takes the session, is stored, and gives it up.
    await client.setSequenceNumbers(ID, { nextSender: 700, nextTarget: 40 });
    const seqnums = readdirSync(t.dir).find((f) => f.endsWith('.seqnums'))!;
    assert.match(readFileSync(join(t.dir, seqnums), 'latin1'), /0*700 : 0*40/);
    assert.equal((await anon.session(ID)).ownerEpoch, 0);
    await client.reset(ID);
    assert.match(readFileSync(join(t.dir, seqnums), 'latin1'), /0*1 : 0*1/);
    const s = await anon.session(ID);
    assert.equal(s.nextSenderSeq, 1);
    assert.equal(s.nextTargetSeq, 1);

    // Who did what, when.
    const audit = await anon.audit();
    assert.deepEqual(
      audit.filter((a) => a.outcome === 'ok').map((a) => [a.who, a.action, a.target]),
      [
        ['alice', 'set-seq', ID],
        ['alice', 'logout', ID],
        ['alice', 'set-seq', ID],
        ['alice', 'reset', ID],
      ],
    );
    assert.ok(audit.some((a) => a.who === 'unnamed' && /^refused/.test(a.outcome)));
    assert.ok(t.audit.some((l) => /alice@127\.0\.0\.1 set-seq FIX\.4\.4:EXEC->CLIENT \(nextSender=500\): ok/.test(l)));
    peer.socket.destroy();
  } finally {
    await t.stop();
  }
});

test('without an admin token, changing operations are refused (403) and reading works', async () => {
  const t = await setup(undefined);
  try {
    const client = new AdminClient(t.admin.url, { token: 'anything-0123456789abc' });
    assert.equal((await client.sessions()).length, 1);
    await assert.rejects(client.reset(ID), (e: AdminClientError) => e.status === 403 && /no admin token/.test(e.message));
    assert.equal(t.engine.session(ID).core.nextSenderSeq, 1);
  } finally {
    await t.stop();
  }
});
