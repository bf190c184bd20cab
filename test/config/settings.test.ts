import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SettingsError, formatProblem, loadSettings, parseSettings, settingsFromObject } from '../../src/config/index.js';

/** The seed configuration of the session-engine issue, as shipped in examples/. */
const SEED = readFileSync(fileURLToPath(new URL('../../examples/executor.cfg', import.meta.url)), 'latin1');

test('the seed configuration loads: lower-case sections, the historical RefreshMessageStoreAtLogon name', () => {
  const s = parseSettings(SEED, 'seed.cfg');
  assert.deepEqual(s.problems.filter((p) => p.severity !== 'notice'), []);
  assert.equal(s.sessions.length, 1);
  const session = s.sessions[0];
  assert.equal(session.id.toString(), 'FIX.4.2:EXEC->BANZAI');
  assert.equal(session.get('RefreshOnLogon'), 'Y', 'alias resolved to the canonical name');
  assert.equal(session.get('SocketAcceptPort'), '9877');
  assert.deepEqual(session.where('HeartBtInt'), { value: '30', file: 'seed.cfg', line: 10 });
  assert.equal(session.get('LogonTimeout'), '10', 'schema default');
});

const atCfg = fileURLToPath(new URL('../../../shared/conformance/quickfix/at.cfg', import.meta.url));
test('QuickFIX acceptance at.cfg loads cleanly', { skip: existsSync(atCfg) ? false : `not found: ${atCfg}` }, () => {
  const s = loadSettings(atCfg);
  assert.equal(s.sessions.length, 10);
  assert.deepEqual(s.problems.filter((p) => p.severity !== 'notice'), []);
  const fixt = s.sessions.find((x) => x.id.targetCompID === 'TW50SP2')!;
  assert.equal(fixt.get('DefaultApplVerID'), 'FIX.5.0SP2');
  assert.equal(fixt.get('SenderCompID'), 'ISLD', 'inherited from DEFAULT');
});

test('errors name file, line, setting and the valid values; every problem is reported', () => {
  const s = parseSettings(
    `[DEFAULT]\nConnectionType=acceptor\nValidateFieldsOutOfOrder=maybe\nHeartbtInt=30\nSocketLinger=5\n[SESSION]\nBeginString=FIX.4.9\nSenderCompID=A\nTargetCompID=B\nSocketAcceptPort=0\n`,
    'bad.cfg',
  );
  const lines = s.problems.map(formatProblem);
  assert.ok(lines.includes('bad.cfg:3: error: ValidateFieldsOutOfOrder: invalid value "maybe": expected Y or N'), lines.join('\n'));
  assert.ok(lines.includes('bad.cfg:4: warning: HeartbtInt: unknown setting; did you mean HeartBtInt?'), lines.join('\n'));
  assert.ok(lines.includes('bad.cfg:5: notice: SocketLinger: recognised but not supported; it has no effect: Node sockets do not expose SO_LINGER; a closing session flushes its Logout before the socket ends'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('bad.cfg:7: error: BeginString: invalid value "FIX.4.9": expected FIX.4.0, FIX.4.1')), lines.join('\n'));
  assert.ok(lines.includes('bad.cfg:10: error: SocketAcceptPort: invalid value "0": expected an integer from 1 to 65535'), lines.join('\n'));
});

test('structural errors: missing identity, duplicate session, FIXT without DefaultApplVerID, stray lines', () => {
  const s = parseSettings(
    `[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nConnectionType=acceptor\nSocketAcceptPort=1\n[SESSION]\nBeginString=FIXT.1.1\nSenderCompID=A\nTargetCompID=B\nConnectionType=acceptor\nSocketAcceptPort=1\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\nConnectionType=acceptor\nSocketAcceptPort=1\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\nConnectionType=acceptor\nSocketAcceptPort=1\njunk line\n[OTHER]\n`,
    'x.cfg',
  );
  const text = s.problems.map(formatProblem).join('\n');
  assert.match(text, /x\.cfg:1: error: TargetCompID: required setting is missing/);
  assert.match(text, /x\.cfg:7: error: DefaultApplVerID: required for FIXT\.1\.1 sessions/);
  assert.match(text, /x\.cfg:18: error: session FIX\.4\.4:A->B is defined twice \(first at line 12\)/);
  assert.match(text, /x\.cfg:24: error: not a setting: "junk line"/);
  assert.match(text, /x\.cfg:25: error: unknown section \[OTHER\]/);
});

test('environment substitution, comments, blank lines', () => {
  const s = parseSettings(`# comment\n; another\n[DEFAULT]\nConnectionType=initiator\nSocketConnectHost=\${FIX_HOST}\nSocketConnectPort=\${FIX_PORT}\nHeartBtInt=5\n\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\nLogonTag=553=\${NOPE}\n`, 'e.cfg', { FIX_HOST: 'fix.example', FIX_PORT: '9000' });
  assert.equal(s.sessions[0].get('SocketConnectHost'), 'fix.example');
  assert.equal(s.sessions[0].get('SocketConnectPort'), '9000');
  assert.deepEqual(s.problems.map(formatProblem), ['e.cfg:13: error: LogonTag: environment variable NOPE is not set']);
});

test('loadSettings refuses a file with errors, listing them all; programmatic settings are checked the same way', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-cfg-'));
  const file = join(dir, 'bad.cfg');
  writeFileSync(file, '[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\nConnectionType=sideways\nSocketAcceptPort=x\n');
  assert.throws(
    () => loadSettings(file),
    (e: unknown) => e instanceof SettingsError && e.problems.filter((p) => p.severity === 'error').length === 2 && e.message.includes(`${file}:5: error: ConnectionType`),
  );
  const ok = settingsFromObject({ default: { ConnectionType: 'acceptor', SocketAcceptPort: 9877, ResetOnLogon: true }, sessions: [{ BeginString: 'FIX.4.2', SenderCompID: 'EXEC', TargetCompID: 'BANZAI' }] });
  assert.equal(ok.sessions[0].get('ResetOnLogon'), 'Y');
  assert.throws(() => settingsFromObject({ sessions: [{ BeginString: 'FIX.4.2', SenderCompID: 'E', TargetCompID: 'B', ConnectionType: 'acceptor', SocketAcceptPort: 'none' }] }), /<object>:\d+: error: SocketAcceptPort/);
});

test('indexed and prefixed names are recognised', () => {
  const s = parseSettings('[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\nConnectionType=initiator\nHeartBtInt=30\nSocketConnectPort=1\nSocketConnectHost1=h\nSocketConnectPort1=2\nLogonTag2=553=u\nPostgreSQLStoreDatabase=fix\n', 'i.cfg');
  assert.deepEqual(s.problems.filter((p) => p.severity !== 'notice').map(formatProblem), []);
  assert.equal(s.sessions[0].get('SocketConnectPort1'), '2');
});

/** An acceptor session around `lines` (from line 6 on), as a settings file. */
const acceptorWith = (...lines: string[]): string => ['[DEFAULT]', 'ConnectionType=acceptor', 'BeginString=FIX.4.2', '[SESSION]', 'SenderCompID=EXEC', ...lines, 'TargetCompID=BANZAI'].join('\n');
const report = (text: string, dir?: string): string[] => parseSettings(text, 'h.cfg', {}, dir).problems.map(formatProblem);

test('ports are checked against 1 to 65535 with file and line (SocketAcceptPort=99999 ended in a Node error)', () => {
  assert.deepEqual(report(acceptorWith('SocketAcceptPort=99999')), ['h.cfg:6: error: SocketAcceptPort: invalid value "99999": expected an integer from 1 to 65535']);
  assert.deepEqual(report(acceptorWith('SocketAcceptPort=65535')), []);
  const initiator = parseSettings('[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\nConnectionType=initiator\nHeartBtInt=30\nSocketConnectHost=h\nSocketConnectPort=70000\nSocketConnectPort1=0\nSocketLocalPort=65536\n', 'i.cfg', {});
  assert.deepEqual(
    initiator.problems.filter((p) => p.severity === 'error').map(formatProblem),
    [8, 9, 10].map((line) => `i.cfg:${line}: error: ${['SocketConnectPort', 'SocketConnectPort1', 'SocketLocalPort'][line - 8]}: invalid value "${['70000', '0', '65536'][line - 8]}": expected an integer from 1 to 65535`),
  );
});

test('MaxMessageSize, MaxPendingLogons and MaxPendingLogonsPerAddress are range-checked at start-up', () => {
  assert.deepEqual(report(acceptorWith('SocketAcceptPort=1', 'MaxMessageSize=100', 'MaxPendingLogons=0', 'MaxPendingLogonsPerAddress=x')), [
    'h.cfg:7: error: MaxMessageSize: invalid value "100": expected an integer from 1024 to 104857600',
    'h.cfg:8: error: MaxPendingLogons: invalid value "0": expected an integer from 1 to 1000000',
    'h.cfg:9: error: MaxPendingLogonsPerAddress: invalid value "x": expected an integer from 1 to 1000000',
  ]);
  assert.deepEqual(report(acceptorWith('SocketAcceptPort=1', 'MaxMessageSize=104857601')), ['h.cfg:7: error: MaxMessageSize: invalid value "104857601": expected an integer from 1024 to 104857600']);
  const ok = parseSettings(acceptorWith('SocketAcceptPort=1', 'MaxMessageSize=4096'), 'h.cfg', {});
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.sessions[0].get('MaxMessageSize'), '4096');
  assert.equal(ok.sessions[0].get('MaxPendingLogons'), '1000', 'default');
  assert.equal(ok.sessions[0].get('MaxPendingLogonsPerAddress'), '100', 'default');
});

test('AllowedRemoteAddresses: IPv4 and IPv6 addresses and CIDR ranges; anything else is refused with file and line', () => {
  assert.deepEqual(report(acceptorWith('SocketAcceptPort=1', 'AllowedRemoteAddresses=127.0.0.0/8, 10.1.2.3, ::1, 2001:db8::/32, localhost')), []);
  for (const [bad, why] of [
    ['127.0.0.0/33', '"127.0.0.0/33": the prefix length must be 0 to 32 for an IPv4 range'],
    ['10.0.0.0/8,fe80::/129', '"fe80::/129": the prefix length must be 0 to 128 for an IPv6 range'],
    ['127.0.0.1,,10.0.0.1', '"": empty entry'],
    ['fix.example.com', '"fix.example.com": fix.example.com is not an IPv4 or IPv6 address (host names are not resolved)'],
    ['300.1.1.1/8', '"300.1.1.1/8": 300.1.1.1 is not an IPv4 or IPv6 address (host names are not resolved)'],
  ]) {
    const lines = report(acceptorWith('SocketAcceptPort=1', `AllowedRemoteAddresses=${bad}`));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.equal(lines[0], `h.cfg:7: error: AllowedRemoteAddresses: invalid value "${bad}": expected a comma-separated list of IPv4 or IPv6 addresses or CIDR ranges (e.g. 127.0.0.1, 10.0.0.0/8, ::1, 2001:db8::/32); ${why}`);
  }
});

test('a DataDictionary path that does not exist: a notice when the shipped dictionary of that name is used, else an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-dict-'));
  writeFileSync(join(dir, 'mine.xml'), '<fix/>');
  assert.deepEqual(report(acceptorWith('SocketAcceptPort=1', 'DataDictionary=mine.xml'), dir), [], 'an existing file, relative to the settings file');
  assert.deepEqual(report(acceptorWith('SocketAcceptPort=1', 'DataDictionary=etc/FIX42.xml'), dir), [
    `h.cfg:7: notice: DataDictionary: ${join(dir, 'etc/FIX42.xml')} does not exist; using the dictionary shipped with fixover, ${fileURLToPath(new URL('../../dict/FIX42.xml', import.meta.url))}`,
  ]);
  assert.deepEqual(report(acceptorWith('SocketAcceptPort=1', 'DataDictionary=etc/FIX42-custom.xml'), dir), [
    `h.cfg:7: error: DataDictionary: ${join(dir, 'etc/FIX42-custom.xml')} does not exist (and FIX42-custom.xml is not a shipped dictionary: FIX40.xml, FIX41.xml, FIX42.xml, FIX43.xml, FIX44.xml, FIX50.xml, FIX50SP1.xml, FIX50SP2.xml, FIXT11.xml)`,
  ]);
  const two = `[DEFAULT]\nConnectionType=acceptor\nBeginString=FIX.4.2\nSocketAcceptPort=1\nDataDictionary=etc/FIX42.xml\n[SESSION]\nSenderCompID=A\nTargetCompID=B\n[SESSION]\nSenderCompID=A\nTargetCompID=C\n`;
  assert.equal(report(two, dir).length, 1, 'said once for a [DEFAULT] value shared by sessions');
});

test('a setting given twice in a section is a warning naming both lines; the last value is used', () => {
  const s = parseSettings(acceptorWith('SocketAcceptPort=1', 'HeartBtInt=30', 'SocketAcceptPort=2'), 'h.cfg', {});
  assert.deepEqual(s.problems.map(formatProblem), ['h.cfg:8: warning: SocketAcceptPort: set twice in this section (first at line 6); this value, "2", is used']);
  assert.equal(s.sessions[0].get('SocketAcceptPort'), '2');
  const across = parseSettings('[DEFAULT]\nHeartBtInt=30\n' + acceptorWith('SocketAcceptPort=1', 'HeartBtInt=20').replace('[DEFAULT]\n', ''), 'h.cfg', {});
  assert.deepEqual(across.problems, [], 'a session overriding [DEFAULT] is not a repeat');
});

test('a binary file is one clear error, not its bytes echoed back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-bin-'));
  const file = join(dir, 'settings.cfg');
  writeFileSync(file, Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\x00\x00'), Buffer.alloc(64, 0), Buffer.from('\n[SESSION]\nxx\x00\x01=\x02\n')]));
  assert.throws(
    () => loadSettings(file),
    (e: unknown) =>
      e instanceof SettingsError &&
      e.problems.length === 1 &&
      e.message === `${file}:1: error: not a settings file: binary content (byte 0x7f); expected QuickFIX settings text ([DEFAULT] and [SESSION] sections of Name=Value lines)`,
  );
  assert.deepEqual(report('[SESSION]\r\nBeginString=FIX.4.2\tx\n\x00'), ['h.cfg:3: error: not a settings file: binary content (byte 0x00); expected QuickFIX settings text ([DEFAULT] and [SESSION] sections of Name=Value lines)']);
  assert.deepEqual(report('\xef\xbb\xbf' + acceptorWith('SocketAcceptPort=1')), [], 'a UTF-8 byte order mark is not binary');
});

test('the flow-control settings: values checked with file and line, then applied to the session', async () => {
  const bad = parseSettings(
    `[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=9000\nMaxQueuedBytesAboveGap=0\nInboundMessageRate=-5\nInboundRateAction=drop\nInboundBytesPerTurn=lots\nResendCpuShare=101\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n`,
    'flow.cfg',
  );
  const lines = bad.problems.map(formatProblem);
  assert.ok(lines.includes('flow.cfg:4: error: MaxQueuedBytesAboveGap: invalid value "0": expected a positive integer'), lines.join('\n'));
  assert.ok(lines.includes('flow.cfg:5: error: InboundMessageRate: invalid value "-5": expected a non-negative integer'), lines.join('\n'));
  assert.ok(lines.includes('flow.cfg:6: error: InboundRateAction: invalid value "drop": expected pause, reject, logout'), lines.join('\n'));
  assert.ok(lines.includes('flow.cfg:7: error: InboundBytesPerTurn: invalid value "lots": expected a positive integer'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('flow.cfg:8: error: ResendCpuShare: ') && l.includes('100')), lines.join('\n'));
  const { sessionOptionsFrom, sessionSharingFrom } = await import('../../src/engine/from-settings.js');
  const good = parseSettings(
    `[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=9000\nMaxQueuedBytesAboveGap=1000000\nInboundMessageRate=500\nInboundRateAction=Reject\nInboundBytesPerTurn=8192\nResendCpuShare=100\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=C\nInboundMessageRate=0\nInboundRateAction=logout\n`,
    'flow.cfg',
  );
  assert.deepEqual(good.problems.map(formatProblem), []);
  const [b, c] = good.sessions.map((s) => s.toRecord()).map((s) => ({ o: sessionOptionsFrom(s), sharing: sessionSharingFrom(s) }));
  assert.deepEqual([b.o.maxQueuedBytes, b.o.inboundMessageRate, b.o.inboundRateAction, b.sharing], [1_000_000, 500, 'reject', { inboundBytesPerTurn: 8192, resendCpuShare: 100 }]);
  assert.deepEqual([c.o.inboundMessageRate, c.o.inboundRateAction], [0, 'logout']);
});

test('StoreRecovery: refuse or repair (any case); another value names file, line and the valid values', () => {
  const ok = parseSettings('[DEFAULT]\nConnectionType=acceptor\nStoreRecovery=Repair\n[SESSION]\nBeginString=FIX.4.2\nSenderCompID=A\nTargetCompID=B\nSocketAcceptPort=9877\n', 'ok.cfg');
  assert.deepEqual(ok.problems.map(formatProblem), []);
  const bad = parseSettings('[DEFAULT]\nConnectionType=acceptor\nStoreRecovery=maybe\n[SESSION]\nBeginString=FIX.4.2\nSenderCompID=A\nTargetCompID=B\nSocketAcceptPort=9877\n', 'bad.cfg');
  assert.deepEqual(bad.problems.map(formatProblem), ['bad.cfg:3: error: StoreRecovery: invalid value "maybe": expected refuse, repair']);
});
