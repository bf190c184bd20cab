/** The HTTP interface's settings: checked with file, line, setting and what is valid. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSettings, formatProblem } from '../../src/config/index.js';
import { adminOptionsFrom } from '../../src/admin/index.js';

const session = (extra = ''): string => `[SESSION]\nBeginString=FIX.4.2\nSenderCompID=EXEC\nTargetCompID=C${Math.random().toString(36).slice(2, 6)}\nConnectionType=acceptor\nSocketAcceptPort=9000\n${extra}`;
const errors = (text: string, baseDir?: string): string[] =>
  parseSettings(text, 'ops.cfg', {}, baseDir)
    .problems.filter((p) => p.severity === 'error')
    .map(formatProblem);

test('HttpAcceptPort, HttpAcceptAddress and the token are accepted in [DEFAULT] and give the server options', () => {
  const text = `[DEFAULT]\nHttpAcceptPort=8080\nHttpAcceptAddress=0.0.0.0\nHttpAdminToken=0123456789abcdefXYZ\n${session()}\n${session()}`;
  const s = parseSettings(text, 'ops.cfg', {});
  assert.deepEqual(errors(text), []);
  assert.deepEqual(adminOptionsFrom(s.sessions.map((x) => x.toRecord()), process.cwd()), { port: 8080, host: '0.0.0.0', token: '0123456789abcdefXYZ', processMetrics: 'basic' });
  const full = parseSettings(`[DEFAULT]\nHttpAcceptPort=8080\nHttpProcessMetrics=full\n${session()}`, 'ops.cfg', {});
  assert.equal(adminOptionsFrom(full.sessions.map((x) => x.toRecord()), '.')?.processMetrics, 'full');
  assert.equal(adminOptionsFrom(parseSettings(session(), 'x', {}).sessions.map((x) => x.toRecord()), '.'), undefined);
});

test('bad HTTP settings name file, line, setting and what is valid', () => {
  assert.deepEqual(errors(`[DEFAULT]\nHttpAcceptPort=70000\n${session()}`), ['ops.cfg:2: error: HttpAcceptPort: invalid value "70000": expected an integer from 1 to 65535']);
  assert.match(errors(`[DEFAULT]\nHttpAcceptPort=8080\nHttpAcceptAddress=not an address!\n${session()}`)[0], /^ops\.cfg:3: error: HttpAcceptAddress: invalid value "not an address!": expected an IP address or a host name/);
  assert.match(errors(`[DEFAULT]\nHttpAcceptPort=8080\nHttpAdminToken=short\n${session()}`)[0], /^ops\.cfg:3: error: HttpAdminToken: expected a token of at least 16 characters \(this one has 5\)/);
  assert.match(errors(`[DEFAULT]\nHttpAcceptPort=9000\n${session()}`)[0], /^ops\.cfg:2: error: HttpAcceptPort: port 9000 is also the SocketAcceptPort of session FIX\.4\.2:EXEC->C/);
  assert.match(errors(`[DEFAULT]\nHttpAcceptPort=8080\nHttpProcessMetrics=all\n${session()}`)[0], /^ops\.cfg:3: error: HttpProcessMetrics: invalid value "all": expected basic, full, off/);
  // Per process: every session must say the same.
  assert.match(errors(`${session('HttpAcceptPort=8080\n')}\n${session('HttpAcceptPort=8081\n')}`)[0], /^ops\.cfg:15: error: HttpAcceptPort: one HTTP interface serves the whole process, so every session must have the same HttpAcceptPort \(set it in \[DEFAULT\]\)/);
});

test('HttpAdminTokenFile: read from the settings folder; a missing or weak file is an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-token-'));
  writeFileSync(join(dir, 'token'), 'a-long-enough-token-1234\n');
  writeFileSync(join(dir, 'weak'), 'abc\n');
  const text = (file: string): string => `[DEFAULT]\nHttpAcceptPort=8080\nHttpAdminTokenFile=${file}\n${session()}`;
  assert.deepEqual(errors(text('token'), dir), []);
  const s = parseSettings(text('token'), 'ops.cfg', {}, dir);
  assert.equal(adminOptionsFrom(s.sessions.map((x) => x.toRecord()), dir)?.token, 'a-long-enough-token-1234');
  assert.match(errors(text('missing'), dir)[0], /^ops\.cfg:3: error: HttpAdminTokenFile: no such file or directory/);
  assert.match(errors(text('weak'), dir)[0], /^ops\.cfg:3: error: HttpAdminTokenFile: .*weak does not hold an acceptable token: expected a token of at least 16 characters/);
  assert.match(errors(`[DEFAULT]\nHttpAcceptPort=8080\nHttpAdminToken=0123456789abcdefXYZ\nHttpAdminTokenFile=token\n${session()}`, dir)[0], /HttpAdminTokenFile: HttpAdminToken is set too: expected one of them/);
});
