/**
 * The seed configuration, saved as-is (apart from a free port), runs with `fixover executor` from
 * an empty directory: orders are filled, SIGTERM logs out and exits 0, the store is on disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { start, fixover } from './cli.js';
import { seedConfig, sendSeedOrders } from './seed-orders.js';
import { freePort } from '../support/free-port.js';

test('fixover executor runs the seed configuration from any directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-exec-'));
  const port = await freePort();
  writeFileSync(join(dir, 'executor.cfg'), seedConfig(port));
  const server = start(['executor', 'executor.cfg'], dir);
  try {
    await server.waitFor(/listening on \d+/);
    const report = await sendSeedOrders(port, 200, 10);
    assert.equal(report.filled, 200, server.output());
    assert.equal(report.duplicates.unflagged, 0);
    server.child.kill('SIGTERM');
    const [code] = await once(server.child, 'exit');
    assert.equal(code, 0, server.output());
    const seq = readFileSync(join(dir, 'target/data/server/FIX.4.2-EXEC-BANZAI.seqnums'), 'latin1');
    assert.match(seq, /^0000000203 : 0000000203$/, 'logon, 200 fills and the logout reply sent; logon, 200 orders and the logout received');
    assert.ok(existsSync(join(dir, 'target/data/server/FIX.4.2-EXEC-BANZAI.body')));
  } finally {
    server.child.kill('SIGKILL');
  }
});

test('a settings file with errors is refused with every problem and exit code 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-bad-'));
  writeFileSync(join(dir, 'bad.cfg'), '[default]\nConnectionType=acceptor\nHeartBtInt=often\n[session]\nBeginString=FIX.4.2\nSenderCompID=EXEC\nTargetCompID=BANZAI\nSocketAcceptPort=9877\nValidateFeildsOutOfOrder=N\n');
  const r = await fixover(['executor', 'bad.cfg'], undefined, dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.cfg:3: error: HeartBtInt: invalid value "often": expected a positive integer/);
  assert.match(r.stderr, /bad\.cfg:9: warning: ValidateFeildsOutOfOrder: unknown setting; did you mean ValidateFieldsOutOfOrder\?/);
  assert.match(r.stderr, /refusing to start with 1 error/);
});

test('fixover client against fixover executor: every order filled, JSON report written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-client-'));
  const port = await freePort();
  writeFileSync(join(dir, 'executor.cfg'), seedConfig(port));
  writeFileSync(
    join(dir, 'client.cfg'),
    `[DEFAULT]\nConnectionType=initiator\nBeginString=FIX.4.2\nHeartBtInt=30\nReconnectInterval=1\nFileStorePath=client-store\nStartTime=00:00:00\nEndTime=00:00:00\n[SESSION]\nSenderCompID=BANZAI\nTargetCompID=EXEC\nSocketConnectHost=127.0.0.1\nSocketConnectPort=${port}\n`,
  );
  const server = start(['executor', 'executor.cfg'], dir);
  try {
    await server.waitFor(/listening on \d+/);
    const r = await fixover(['client', 'client.cfg', '--orders', '500', '--window', '50', '--report', 'report.json'], undefined, dir);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    assert.equal(report.sent, 500);
    assert.equal(report.filled, 500);
    assert.equal(report.missing, 0);
    assert.deepEqual(report.duplicates, { flagged: 0, unflagged: 0 });
    assert.ok(report.latencyUs.p50 > 0);
    assert.ok(report.logons.length >= 1);
    assert.match(r.stderr, /500\/500 filled/);
    assert.ok(existsSync(join(dir, 'client-store/FIX.4.2-BANZAI-EXEC.seqnums')));
  } finally {
    server.child.kill('SIGKILL');
  }
});
