/**
 * Logon authentication between real fixover engines over loopback: Username(553)/Password(554)
 * checked against a credential file of salted scrypt hashes (LogonCredentialsFile) or an
 * application hook; a wrong logon answered with a Logout giving the reason; failures counted and
 * an address blocked after LogonFailureLimit of them; NewPassword(925) changing the password in
 * the file; passwords masked in the logs; a bad credential file stopping start-up with its line.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type Session, type EngineOptions } from '../../src/engine/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { formatProblem, parseSettings } from '../../src/config/index.js';
import { FileLogFactory } from '../../src/log/index.js';
import { CredentialFile, hashPassword } from '../../src/auth/index.js';
import { FailureLimiter } from '../../src/auth/failure-limiter.js';
import { maskSecrets, maskSecretsInText } from '../../src/session/mask-secrets.js';
import { freePort } from '../support/free-port.js';

const dir = mkdtempSync(join(tmpdir(), 'fixover-auth-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/** A cheap scrypt cost keeps the tests quick; the format and the checks are the same. */
const cheap = { N: 1024, r: 8, p: 1 };

async function credentialFile(name: string, users: Array<[string, string, string?]>): Promise<string> {
  const lines = ['# test users'];
  for (const [user, password, ids] of users) lines.push(`${user}:${await hashPassword(password, cheap)}${ids ? `:${ids}` : ''}`);
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function acceptor(extra: Record<string, string>, options: Partial<EngineOptions> = {}): Promise<{ engine: Engine; port: number }> {
  const port = await freePort();
  const engine = await Engine.create(
    [{ BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'CLIENT', ConnectionType: 'acceptor', SocketAcceptPort: String(port), SocketAcceptAddress: '127.0.0.1', UseDataDictionary: 'N', ResetOnLogon: 'Y', ...extra }],
    (sender) => executorApplication({ send: (m, id) => void sender.send(m, id) }),
    { baseDir: dir, tickMs: 100, ...options },
  );
  await engine.start();
  return { engine, port };
}

/** Logs on once with these credentials; resolves with 'logon' or the Logout text received. */
async function tryLogon(port: number, username: string | undefined, password: string | undefined, newPassword?: string): Promise<string> {
  const tags: Record<string, string> = {};
  let n = 0;
  const tag = (t: number, v: string): void => void (tags[n++ === 0 ? 'LogonTag' : `LogonTag${n - 1}`] = `${t}=${v}`);
  if (username !== undefined) tag(553, username);
  if (password !== undefined) tag(554, password);
  if (newPassword !== undefined) tag(925, newPassword);
  const engine = await Engine.create(
    [{ BeginString: 'FIX.4.4', SenderCompID: 'CLIENT', TargetCompID: 'EXEC', ConnectionType: 'initiator', HeartBtInt: '30', SocketConnectHost: '127.0.0.1', SocketConnectPort: String(port), ReconnectInterval: '30', UseDataDictionary: 'N', ResetOnLogon: 'Y', ...tags }],
    () => ({}),
    { tickMs: 100 },
  );
  const session: Session = [...engine.sessions.values()][0];
  const result = new Promise<string>((resolve) => {
    session.on('logon', () => resolve('logon'));
    session.on('event', (e) => {
      if (e.kind !== 'incoming') return;
      const text = e.bytes.toString('latin1');
      if (text.includes('\x0135=5\x01')) resolve(text.split('\x01').find((f) => f.startsWith('58='))?.slice(3) ?? 'logout without text');
    });
    setTimeout(() => resolve('timeout'), 5000);
  });
  await engine.start();
  const r = await result;
  await engine.stop();
  return r;
}

test('credential file: the right password logs on; a wrong one, an unknown user or no credentials get a Logout with the reason; failures counted', { timeout: 30_000 }, async () => {
  const file = await credentialFile('users.txt', [['alice', 's3cret'], ['bob', 'pw-bob', 'OTHER']]);
  const a = await acceptor({ LogonCredentialsFile: file, LogonFailureLimit: '0' });
  try {
    assert.equal(await tryLogon(a.port, 'alice', 's3cret'), 'logon');
    assert.equal(await tryLogon(a.port, 'alice', 'wrong'), 'Logon refused: unknown user or wrong password');
    assert.equal(await tryLogon(a.port, 'mallory', 's3cret'), 'Logon refused: unknown user or wrong password', 'an unknown user gets the same answer');
    assert.equal(await tryLogon(a.port, undefined, undefined), 'Logon refused: Username(553) and Password(554) are required');
    assert.equal(await tryLogon(a.port, 'bob', 'pw-bob'), 'Logon refused: user bob may not log on as CLIENT', 'bob is bound to CompID OTHER');
    assert.equal(a.engine.logonFailureCount, 4);
  } finally {
    await a.engine.stop();
  }
});

test('LogonFailureLimit: after that many failures from an address it is refused, even with the right password, until LogonFailureBlockTime passes', { timeout: 30_000 }, async () => {
  const file = await credentialFile('limit.txt', [['alice', 's3cret']]);
  const a = await acceptor({ LogonCredentialsFile: file, LogonFailureLimit: '2', LogonFailureBlockTime: '2' });
  try {
    assert.equal(await tryLogon(a.port, 'alice', 'bad1'), 'Logon refused: unknown user or wrong password');
    assert.equal(await tryLogon(a.port, 'alice', 'bad2'), 'Logon refused: unknown user or wrong password');
    assert.match(await tryLogon(a.port, 'alice', 's3cret'), /^Logon refused: too many failed logons from 127\.0\.0\.1; try again in [12] s$/);
    await new Promise((r) => setTimeout(r, 2100));
    assert.equal(await tryLogon(a.port, 'alice', 's3cret'), 'logon', 'the block ends');
  } finally {
    await a.engine.stop();
  }
});

test('NewPassword(925) changes the password in the file; the old one no longer logs on', { timeout: 30_000 }, async () => {
  const file = await credentialFile('change.txt', [['alice', 'old-pw'], ['carol', 'carol-pw']]);
  const a = await acceptor({ LogonCredentialsFile: file, LogonFailureLimit: '0' });
  try {
    const before = readFileSync(file, 'utf8');
    assert.equal(await tryLogon(a.port, 'alice', 'old-pw', 'new-pw'), 'logon');
    const afterText = readFileSync(file, 'utf8');
    assert.notEqual(afterText, before);
    assert.ok(afterText.startsWith('# test users\nalice:scrypt$'), 'the line is replaced in place; comments stay');
    assert.ok(afterText.includes(before.split('\n').find((l) => l.startsWith('carol:'))!), 'other users untouched');
    assert.equal(await tryLogon(a.port, 'alice', 'new-pw'), 'logon');
    assert.equal(await tryLogon(a.port, 'alice', 'old-pw'), 'Logon refused: unknown user or wrong password');
  } finally {
    await a.engine.stop();
  }
});

test('an application hook decides when there is no credential file', { timeout: 30_000 }, async () => {
  const seen: string[] = [];
  const a = await acceptor(
    {},
    {
      authenticate: (r) => {
        seen.push(`${r.username}@${r.remote} as ${r.compId}`);
        return r.username === 'hooked' && r.password === 'ok' ? true : 'Logon refused by the application';
      },
    },
  );
  try {
    assert.equal(await tryLogon(a.port, 'hooked', 'ok'), 'logon');
    assert.equal(await tryLogon(a.port, 'hooked', 'no'), 'Logon refused by the application');
    assert.deepEqual(seen, ['hooked@127.0.0.1 as CLIENT', 'hooked@127.0.0.1 as CLIENT']);
  } finally {
    await a.engine.stop();
  }
});

test('passwords are masked in the message logs of both sides and in event text', { timeout: 30_000 }, async () => {
  const file = await credentialFile('mask.txt', [['alice', 'hunter2-secret']]);
  const logDir = join(dir, 'logs');
  const a = await acceptor({ LogonCredentialsFile: file }, { log: (_s, id) => new FileLogFactory({ path: logDir }).create(id) });
  try {
    assert.equal(await tryLogon(a.port, 'alice', 'hunter2-secret', 'next-secret'), 'logon');
  } finally {
    await a.engine.stop();
  }
  const logs = readdirSync(logDir).map((f) => readFileSync(join(logDir, f), 'latin1'));
  const all = logs.join('\n');
  assert.ok(all.includes('553=alice'), 'the logon was logged');
  assert.ok(!all.includes('hunter2-secret') && !all.includes('next-secret'), 'no password in any log');
  assert.ok(all.includes('554=*****') && all.includes('925=*****'));
  assert.equal(maskSecrets(Buffer.from('8=FIX.4.4\x01554=abc\x01925=defgh\x0110=000\x01')).toString('latin1'), '8=FIX.4.4\x01554=*****\x01925=*****\x0110=000\x01');
  assert.equal(maskSecretsInText('bad field 554=abc|925=x|58=hi'), 'bad field 554=*****|925=*****|58=hi');
});

test('a bad credential file stops start-up with file and line; the limiter blocks after the limit within the window', async () => {
  const bad = join(dir, 'bad.txt');
  writeFileSync(bad, `# users\nalice:plaintext-password\n`);
  const s = parseSettings(`[DEFAULT]\nBeginString=FIX.4.4\nSenderCompID=EXEC\n[SESSION]\nTargetCompID=CLIENT\nConnectionType=acceptor\nSocketAcceptPort=9000\nLogonCredentialsFile=bad.txt\n`, 'auth.cfg', {}, dir);
  assert.deepEqual(s.problems.filter((p) => p.severity === 'error').map(formatProblem), [
    `auth.cfg:8: error: LogonCredentialsFile: ${bad}:2: user alice: expected a hash scrypt$N$r$p$salt$hash (made by fixover passwd)`,
  ]);
  assert.throws(() => CredentialFile.load(join(dir, 'none.txt')), /none\.txt: does not exist/);
  const l = new FailureLimiter({ limit: 3, windowMs: 1000, blockMs: 500 });
  assert.equal(l.failed('a', 0).blocked, false);
  assert.equal(l.failed('a', 500).blocked, false);
  assert.deepEqual(l.failed('a', 1200), { count: 2, blocked: false }, 'the first failure left the window');
  assert.equal(l.failed('a', 1300).blocked, true);
  assert.equal(l.blockedFor('a', 1400), 400);
  assert.equal(l.blockedFor('b', 1400), 0, 'per address');
  assert.equal(l.blockedFor('a', 1800), 0);
});

test('fixover passwd creates the file and the user, and changes a password in place', async () => {
  const { passwd } = await import('../../src/cli/passwd.js');
  const file = join(dir, 'cli-users.txt');
  assert.equal(await passwd(file, 'dave', { input: 'first\n', compIds: 'CLIENT' }), 0);
  assert.equal(await CredentialFile.load(file).verify('dave', 'first', 'CLIENT'), 'ok');
  assert.equal(await CredentialFile.load(file).verify('dave', 'first', 'OTHER'), 'wrong-compid');
  assert.equal(await passwd(file, 'dave', { input: 'second\n' }), 0);
  assert.equal(await CredentialFile.load(file).verify('dave', 'first', 'CLIENT'), 'wrong-password');
  assert.equal(await CredentialFile.load(file).verify('dave', 'second', 'CLIENT'), 'ok', 'CompIDs kept');
  assert.equal(await passwd(file, 'eve', { input: '' }), 2, 'no password');
  assert.equal(readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 1);
});
