/** AcceptorTemplate: sessions created on logon from a template with `*` CompIDs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { Engine } from '../../src/engine/index.js';
import { APPS } from '../../src/cli/run.js';
import { settingsFromObject } from '../../src/config/index.js';
import { Framer, formatUtcTimestamp } from '../../src/codec/index.js';
import { frame } from '../codec/helpers.js';

test('a logon matching a template creates a session; other CompIDs stay refused', async () => {
  const settings = settingsFromObject({
    default: { ConnectionType: 'acceptor', SocketAcceptPort: 1, StartTime: '00:00:00', EndTime: '00:00:00' },
    sessions: [{ BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: '*', AcceptorTemplate: 'Y' }],
  });
  const records = settings.sessions.map((s) => ({ ...s.toRecord(), SocketAcceptPort: '0' }));
  const engine = await Engine.create(records, APPS.executor);
  const [port] = await engine.start();
  try {
    for (const client of ['ALPHA', 'BETA']) {
      const c = net.connect(port, '127.0.0.1');
      await once(c, 'connect');
      const frames: string[] = [];
      const f = new Framer({ onFrame: (b, s, e) => void frames.push(b.toString('latin1', s, e)), onError: () => undefined });
      c.on('data', (d: Buffer) => f.push(d));
      c.write(frame(`35=A|34=1|49=${client}|52=${formatUtcTimestamp(Date.now())}|56=EXEC|98=0|108=30|`));
      while (frames.length === 0) await new Promise((r) => setTimeout(r, 10));
      assert.match(frames[0], new RegExp(`35=A\\x01.*56=${client}\\x01`));
      c.destroy();
    }
    assert.ok(engine.sessions.has('FIX.4.4:EXEC->ALPHA') && engine.sessions.has('FIX.4.4:EXEC->BETA'));
    const other = net.connect(port, '127.0.0.1');
    await once(other, 'connect');
    other.write(frame(`35=A|34=1|49=X|52=${formatUtcTimestamp(Date.now())}|56=SOMEONE|98=0|108=30|`));
    await once(other, 'close');
    assert.equal(engine.sessions.has('FIX.4.4:SOMEONE->X'), false);
  } finally {
    await engine.stop();
  }
});
