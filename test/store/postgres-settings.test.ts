/** PostgreSQL store settings: names, checks with file and line, mapping, clear start-up errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { formatProblem, parseSettings } from '../../src/config/index.js';
import { specOf } from '../../src/config/setting-names.js';
import { PostgresStoreError, postgresOptionsFrom } from '../../src/store/index.js';
import { fixover } from '../cli/cli.js';

const SESSION = '[SESSION]\nBeginString=FIX.4.2\nSenderCompID=EXEC\nTargetCompID=BANZAI\nConnectionType=acceptor\nSocketAcceptPort=9000\n';

test('PostgreSQLStore* names are supported; other PostgreSQLStore names stay recognised as unsupported', () => {
  for (const n of ['PostgreSQLStoreURL', 'PostgreSQLStoreDatabase', 'PostgreSQLStoreUser', 'PostgreSQLStorePassword', 'PostgreSQLStoreHost', 'PostgreSQLStorePort', 'PostgreSQLStoreSchema']) {
    assert.equal(specOf(n)?.supported, true, n);
  }
  assert.equal(specOf('PostgreSQLStoreUseConnectionPool')?.supported, false);
});

test('settings map to connection options; ${VAR} keeps the password out of the file', () => {
  const s = parseSettings(`${SESSION}PostgreSQLStoreHost=db1\nPostgreSQLStorePort=6543\nPostgreSQLStoreDatabase=fix\nPostgreSQLStoreUser=fixuser\nPostgreSQLStorePassword=\${PGPASS}\nPostgreSQLStoreSchema=ha\n`, 'pg.cfg', { PGPASS: 's3cret' });
  assert.deepEqual(s.problems.map(formatProblem), []);
  assert.deepEqual(postgresOptionsFrom(s.sessions[0].toRecord()), { host: 'db1', port: 6543, database: 'fix', user: 'fixuser', password: 's3cret', schema: 'ha' });
  const u = parseSettings(`${SESSION}PostgreSQLStoreURL=postgresql://fix:pw@db2:5433/fixdb\n`, 'pg.cfg');
  assert.deepEqual(postgresOptionsFrom(u.sessions[0].toRecord()), { url: 'postgresql://fix:pw@db2:5433/fixdb' });
  assert.equal(postgresOptionsFrom(parseSettings(`${SESSION}FileStorePath=store\n`, 'f.cfg').sessions[0].toRecord()), undefined);
});

test('a bad URL or port is reported with file, line, setting and valid values', () => {
  const s = parseSettings(`${SESSION}PostgreSQLStoreURL=mysql://db/fix\nPostgreSQLStorePort=abc\n`, 'bad.cfg');
  const errors = s.problems.filter((p) => p.severity === 'error').map(formatProblem);
  assert.equal(errors.length, 2, errors.join('\n'));
  assert.match(errors[0], /bad\.cfg:7.*PostgreSQLStoreURL.*postgres:\/\/user:password@host:port\/database/);
  assert.match(errors[1], /bad\.cfg:8.*PostgreSQLStorePort.*an integer from 1 to 65535/);
});

test('a file store and a PostgreSQL store for one session is an error', () => {
  assert.throws(() => postgresOptionsFrom({ FileStorePath: 'x', PostgreSQLStoreDatabase: 'fix' }), (e: unknown) => e instanceof PostgresStoreError && /choose one store/.test(e.message));
});

test('fixover executor with an unreachable database stops at start-up with a clear message', async () => {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  srv.close();
  const dir = mkdtempSync(join(tmpdir(), 'fixover-pgcfg-'));
  writeFileSync(join(dir, 'x.cfg'), `${SESSION}HeartBtInt=30\nStartTime=00:00:00\nEndTime=00:00:00\nPostgreSQLStoreURL=postgres://fix:topsecret@127.0.0.1:${port}/fixdb\n`);
  const r = await fixover(['executor', 'x.cfg'], undefined, dir);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`PostgreSQL store: cannot connect \\(postgres://fix@127.0.0.1:${port}/fixdb\\).*ECONNREFUSED`));
  assert.ok(!r.stderr.includes('topsecret'));
});
