/**
 * fixover against QuickFIX C++ over TLS. Debian's libquickfix17 (1.15.1) is built with SSL (it
 * links libssl.so.3 and has the ThreadedSSLSocketAcceptor), and its example executor runs its TLS
 * acceptor when given the `SSL` argument, configured with QuickFIX C++'s PEM settings. A fixover
 * initiator that trusts the test CA (and presents a client certificate) gets its orders filled;
 * one that trusts only another CA refuses the executor's certificate and never logs on. (This
 * build did not require client certificates with CertificateVerifyLevel 1 or 2 when tried, so
 * mutual TLS is shown against jspurefix and fixover itself instead.)
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, installQuickfixExecutor, quickfixExecutorConfig, quickfixSkipReason, startQuickfixExecutor, waitUntil } from './peers.js';
import { Engine } from '../../src/engine/index.js';
import { Message, formatUtcTimestamp } from '../../src/codec/index.js';
import { makeTestCerts, opensslMissing, type TestCerts } from '../support/certs.js';

const skip = quickfixSkipReason() ?? opensslMissing;
let certs: TestCerts;
const files = (): TestCerts => (certs ??= makeTestCerts());
after(() => certs?.cleanup());

async function client(port: number, extra: Record<string, string>): Promise<{ engine: Engine; fills: string[] }> {
  const fills: string[] = [];
  const engine = await Engine.create(
    [
      {
        BeginString: 'FIX.4.4',
        SenderCompID: 'CLIENT1',
        TargetCompID: 'EXECUTOR',
        ConnectionType: 'initiator',
        HeartBtInt: '30',
        UseDataDictionary: 'N',
        ResetOnLogon: 'Y',
        SocketConnectHost: '127.0.0.1',
        SocketConnectPort: String(port),
        ReconnectInterval: '1',
        SocketUseSSL: 'Y',
        CertificateAuthoritiesFile: 'ca.pem',
        ...extra,
      },
    ],
    () => ({ fromApp: (m) => void fills.push(m.getString(11)) }),
    { baseDir: files().dir },
  );
  return { engine, fills };
}

test('fixover initiator → QuickFIX C++ executor (SSL): orders filled over TLS; a server certificate from an untrusted CA is refused', { skip, timeout: 40_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-qf-tls-'));
  const port = await freePort();
  installQuickfixExecutor(dir);
  const tlsLines = [`ServerCertificateFile=${files().path('server.pem')}`, `ServerCertificateKeyFile=${files().path('server.key')}`, `CertificateAuthoritiesFile=${files().path('ca.pem')}`];
  const cfg = quickfixExecutorConfig({ port, store: 'store', reset: true }).replace('[SESSION]', `${tlsLines.join('\n')}\n\n[SESSION]`);
  writeFileSync(join(dir, 'executor.cfg'), cfg);
  const executor = await startQuickfixExecutor(dir, 'executor.cfg', port, 10_000, ['SSL']);
  const engines: Engine[] = [];
  try {
    const good = await client(port, { ClientCertificateFile: 'client.pem', ClientCertificateKeyFile: 'client.key' });
    engines.push(good.engine);
    const session = [...good.engine.sessions.values()][0];
    await good.engine.start();
    await waitUntil(() => session.isLoggedOn, 10_000, `logon to QuickFIX C++ over TLS:\n${executor.output()}`);
    for (let i = 1; i <= 5; i++) {
      good.engine.send(new Message('D').set(11, `QT-${i}`).set(21, '1').set(55, 'IBM').set(54, '1').set(60, formatUtcTimestamp(Date.now())).set(38, 100).set(40, '2').set(44, '10'), session.id);
    }
    await waitUntil(() => good.fills.length === 5, 10_000, 'five fills from QuickFIX C++');
    await good.engine.stop();

    const distrust = await client(port, { CertificateAuthoritiesFile: 'other-ca.pem' });
    engines.push(distrust.engine);
    const refused: string[] = [];
    distrust.engine.initiator!.on('connectFailed', (e) => refused.push(e.reason));
    await distrust.engine.start();
    await waitUntil(() => refused.length > 0, 5000, 'a refused handshake');
    assert.match(refused[0], /TLS handshake failed: .*(unable to (get|verify)|self.signed)/i);
    assert.equal([...distrust.engine.sessions.values()][0].isLoggedOn, false);
    assert.ok(distrust.engine.tlsFailureCount >= 1);
  } finally {
    for (const e of engines) await e.stop();
    await executor.stop('SIGTERM', 2000);
    rmSync(dir, { recursive: true, force: true });
  }
});
