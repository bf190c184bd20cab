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
    `[DEFAULT]\nConnectionType=acceptor\nValidateFieldsOutOfOrder=maybe\nHeartbtInt=30\nSocketUseSSL=N\n[SESSION]\nBeginString=FIX.4.9\nSenderCompID=A\nTargetCompID=B\nSocketAcceptPort=0\n`,
    'bad.cfg',
  );
  const lines = s.problems.map(formatProblem);
  assert.ok(lines.includes('bad.cfg:3: error: ValidateFieldsOutOfOrder: invalid value "maybe": expected Y or N'), lines.join('\n'));
  assert.ok(lines.includes('bad.cfg:4: warning: HeartbtInt: unknown setting; did you mean HeartBtInt?'), lines.join('\n'));
  assert.ok(lines.includes('bad.cfg:5: notice: SocketUseSSL: recognised but not supported yet; it has no effect'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('bad.cfg:7: error: BeginString: invalid value "FIX.4.9": expected FIX.4.0, FIX.4.1')), lines.join('\n'));
  assert.ok(lines.includes('bad.cfg:10: error: SocketAcceptPort: invalid value "0": expected a positive integer'), lines.join('\n'));
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

test('StoreRecovery: refuse or repair (any case); another value names file, line and the valid values', () => {
  const ok = parseSettings('[DEFAULT]\nConnectionType=acceptor\nStoreRecovery=Repair\n[SESSION]\nBeginString=FIX.4.2\nSenderCompID=A\nTargetCompID=B\nSocketAcceptPort=9877\n', 'ok.cfg');
  assert.deepEqual(ok.problems.map(formatProblem), []);
  const bad = parseSettings('[DEFAULT]\nConnectionType=acceptor\nStoreRecovery=maybe\n[SESSION]\nBeginString=FIX.4.2\nSenderCompID=A\nTargetCompID=B\nSocketAcceptPort=9877\n', 'bad.cfg');
  assert.deepEqual(bad.problems.map(formatProblem), ['bad.cfg:3: error: StoreRecovery: invalid value "maybe": expected refuse, repair']);
});
