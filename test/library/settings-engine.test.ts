/**
 * Engines built from settings in code as the command line builds them: file stores (folder
 * created), file logs, sequence numbers kept across a restart; clear failures for a store folder
 * that cannot be made, and no silent wait for an ownership lease that cannot be taken.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Engine, FileStore, FileStoreError, MemoryStore, SettingsError, settingsFromObject, type Application, type OwnershipEvent, type SessionID } from '../../src/index.js';

const quiet: Application<SessionID> = {};

function acceptorCfg(dir: string): string {
  return ['[default]', 'ConnectionType=acceptor', 'BeginString=FIX.4.4', 'SenderCompID=DESK', 'TargetCompID=CLIENT', 'StartTime=00:00:00', 'EndTime=00:00:00', 'HeartBtInt=30', 'SocketAcceptPort=9880', `FileStorePath=${join(dir, 'new/desk-store')}`, `FileLogPath=${join(dir, 'new/desk-log')}`, '[session]', ''].join('\n');
}

function initiatorCfg(dir: string, port: number): string {
  return ['[default]', 'ConnectionType=initiator', 'BeginString=FIX.4.4', 'SenderCompID=CLIENT', 'TargetCompID=DESK', 'StartTime=00:00:00', 'EndTime=00:00:00', 'HeartBtInt=30', 'ReconnectInterval=1', 'SocketConnectHost=127.0.0.1', `SocketConnectPort=${port}`, `FileStorePath=${join(dir, 'client-store')}`, '[session]', ''].join('\n');
}

test('Engine.fromSettingsFile: file stores in folders it creates, file logs, and sequence numbers that survive a restart', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-lib-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'desk.cfg'), acceptorCfg(dir));
  const logonOnce = async (): Promise<{ sender: number; target: number }> => {
    const desk = await Engine.fromSettingsFile(join(dir, 'desk.cfg'), quiet, { listenPort: 0 });
    const [port] = await desk.start();
    writeFileSync(join(dir, 'client.cfg'), initiatorCfg(dir, port));
    const client = await Engine.fromSettingsFile(join(dir, 'client.cfg'), quiet);
    await client.start();
    const session = [...client.sessions.values()][0];
    await session.loggedOn({ timeoutMs: 10_000 });
    const st = session.status();
    await client.stop();
    await desk.stop();
    return { sender: st.nextSenderSeq, target: st.nextTargetSeq };
  };
  const first = await logonOnce();
  assert.deepEqual(first, { sender: 2, target: 2 }, 'a fresh store starts at 1: Logon out and in');
  assert.ok(existsSync(join(dir, 'new/desk-store/FIX.4.4-DESK-CLIENT.seqnums')), 'the store folder was created and holds a file store');
  assert.match(readFileSync(join(dir, 'new/desk-log/FIX.4.4-DESK-CLIENT.event.current.log'), 'latin1'), /Logon/, 'FileLogPath is honoured');
  const second = await logonOnce();
  assert.ok(second.sender > first.sender && second.target > first.target, `numbers go on from the store: ${JSON.stringify(second)}`);
});

test('settings warnings reach the application (onSettingsProblem), none passes silently', async (t) => {
  const settings = settingsFromObject({ sessions: [{ ConnectionType: 'acceptor', BeginString: 'FIX.4.2', SenderCompID: 'A', TargetCompID: 'B', SocketAcceptPort: 9880, StartTime: '00:00:00', EndTime: '00:00:00', SocketAcceptHostt: 'x' }] });
  const seen: string[] = [];
  const engine = await Engine.fromSettings(settings, quiet, { onSettingsProblem: (p) => seen.push(`${p.severity} ${p.setting}: ${p.message}`) });
  t.after(() => engine.stop());
  assert.equal(seen.length, 1, seen.join('\n'));
  assert.match(seen[0], /^warning SocketAcceptHostt: .*SocketAccept/);
});

test('Engine.create without a store option builds the store its settings name (FileStorePath: a FileStore, not memory)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-lib-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const settings = settingsFromObject({ sessions: [{ ConnectionType: 'acceptor', BeginString: 'FIX.4.2', SenderCompID: 'A', TargetCompID: 'B', SocketAcceptPort: 9880, StartTime: '00:00:00', EndTime: '00:00:00', FileStorePath: join(dir, 'store') }] });
  const engine = await Engine.create(settings.sessions.map((s) => s.toRecord()), quiet);
  t.after(() => engine.stop());
  const session = [...engine.sessions.values()][0];
  assert.ok(session.store instanceof FileStore, 'a file store');
  assert.ok(existsSync(join(dir, 'store/FIX.4.2-A-B.seqnums')));
});

test('a store folder that cannot be created fails the call with a FileStoreError naming it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-lib-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'plain-file'), 'x');
  const settings = settingsFromObject({ sessions: [{ ConnectionType: 'acceptor', BeginString: 'FIX.4.2', SenderCompID: 'A', TargetCompID: 'B', SocketAcceptPort: 9880, StartTime: '00:00:00', EndTime: '00:00:00', FileStorePath: join(dir, 'plain-file/store') }] });
  await assert.rejects(Engine.fromSettings(settings, quiet), (e: unknown) => {
    assert.ok(e instanceof FileStoreError, String(e));
    assert.match(e.message, /plain-file/);
    assert.equal(typeof e.code, 'string');
    return true;
  });
});

test('a settings file with errors: SettingsError with file, line and setting', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-lib-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bad.cfg'), '[default]\nConnectionType=acceptor\nHeartBtInt=often\n[session]\nBeginString=FIX.4.2\nSenderCompID=A\nTargetCompID=B\nSocketAcceptPort=9880\n');
  await assert.rejects(Engine.fromSettingsFile(join(dir, 'bad.cfg'), quiet), (e: unknown) => {
    assert.ok(e instanceof SettingsError);
    assert.equal(e.code, 'SETTINGS_ERROR');
    const p = e.problems.find((x) => x.setting === 'HeartBtInt');
    assert.ok(p && p.line === 3 && p.file.endsWith('bad.cfg'), JSON.stringify(e.problems));
    return true;
  });
});

test('an initiator whose ownership lease cannot be taken says so (ownership event "failed", an error line) instead of waiting silently', { timeout: 20_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-lib-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Its own memory store, and a FileStorePath (where the lease lives) that does not exist.
  const settings = settingsFromObject({ sessions: [{ ConnectionType: 'initiator', BeginString: 'FIX.4.2', SenderCompID: 'A', TargetCompID: 'B', SocketConnectHost: '127.0.0.1', SocketConnectPort: 9, StartTime: '00:00:00', EndTime: '00:00:00', HeartBtInt: 30, FileStorePath: join(dir, 'missing') }] });
  const errors: string[] = [];
  const engine = await Engine.fromSettings(settings, quiet, {
    store: () => new MemoryStore(),
    onSession: (s) => s.on('event', (e) => e.kind === 'error' && errors.push(e.text)),
  });
  t.after(() => engine.stop());
  const session = [...engine.sessions.values()][0];
  const failed = once(session, 'ownership') as Promise<[OwnershipEvent]>;
  await engine.start();
  const [e] = await failed;
  assert.equal(e.state, 'failed');
  assert.match(e.reason ?? '', /cannot take ownership of FIX\.4\.2:A->B.*missing/);
  assert.equal(errors.length, 1, 'reported once, not every retry');
  assert.match(errors[0], /missing/);
});
