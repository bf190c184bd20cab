/** The .def runner itself: parsing, message preparation, strict and lenient matching, and runs against a scripted peer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare, parseDef, parseFieldFormats, prepareMessage, runDefFile, DefSyntaxError } from '../../src/conformance/index.js';

const S = '\x01';
const bytes = (t: string) => Buffer.from(t.split('|').join(S), 'latin1');
const formats = parseFieldFormats('10=\\d{3}\n52=\\d{8}-\\d{2}:\\d{2}:\\d{2}|\\d{8}-\\d{2}:\\d{2}:\\d{2}[.]\\d{3}\n');

test('parses every step kind with line numbers; rejects an unknown line', () => {
  const steps = parseDef(`# c\n\niCONNECT\ni2,CONNECT\nI8=FIX.4.4${S}35=0${S}\nE2,8=FIX.4.4${S}\ni2,DISCONNECT\neDISCONNECT\n`, 'x.def');
  assert.deepEqual(
    steps.map((s) => [s.kind, s.conn, s.line]),
    [
      ['connect', '1', 3],
      ['connect', '2', 4],
      ['send', '1', 5],
      ['expect', '2', 6],
      ['disconnect', '2', 7],
      ['expect-disconnect', '1', 8],
    ],
  );
  assert.throws(() => parseDef('xCONNECT\n', 'y.def'), DefSyntaxError);
});

test('prepares messages: BodyLength and CheckSum added only when missing; time placeholders', () => {
  const now = Date.UTC(2026, 10, 23, 12, 0, 0);
  assert.equal(prepareMessage(`8=FIX.4.2${S}35=0${S}34=2${S}52=<TIME>${S}`, now).toString('latin1').split(S).join('|'), '8=FIX.4.2|9=31|35=0|34=2|52=20261123-12:00:00|10=161|');
  assert.equal(prepareMessage(`8=FIX.4.2${S}9=99${S}35=0${S}10=000${S}`, now).toString('latin1').split(S).join('|'), '8=FIX.4.2|9=99|35=0|10=000|');
  assert.equal(prepareMessage(`35=0${S}52=<TIME-10>${S}`, now).toString('latin1').split(S).join('|'), '35=0|52=20261123-11:59:50|');
});

test('strict comparison: order, count and values matter, fields.fmt tags by pattern', () => {
  const e = bytes('8=FIX.4.4|9=5|35=0|52=00000000-00:00:00.000|10=0|');
  assert.equal(compare(e, bytes('8=FIX.4.4|9=5|35=0|52=20261123-12:00:00.123|10=155|'), 'strict', formats), null);
  assert.match(compare(e, bytes('8=FIX.4.4|9=5|35=1|52=20261123-12:00:00.123|10=155|'), 'strict', formats)!, /tag 35/);
  assert.match(compare(e, bytes('8=FIX.4.4|9=5|52=20261123-12:00:00.123|35=0|10=155|'), 'strict', formats)!, /field 3/);
  assert.match(compare(e, bytes('8=FIX.4.4|9=5|35=0|52=2026|10=155|'), 'strict', formats)!, /tag 52/);
  assert.match(compare(e, bytes('8=FIX.4.4|9=5|35=0|10=155|'), 'strict', formats)!, /4 fields received, 5 expected/);
});

test('lenient comparison: order ignored, 9/10/52/60/122 skipped, Text may extend', () => {
  const e = bytes('8=FIX.4.4|9=5|35=3|58=Bad|52=x|10=0|');
  assert.equal(compare(e, bytes('8=FIX.4.4|35=3|58=Bad thing|9=77|10=1|'), 'lenient', formats), null);
  assert.match(compare(e, bytes('8=FIX.4.4|35=3|58=Other|'), 'lenient', formats)!, /tag 58/);
  assert.match(compare(e, bytes('8=FIX.4.4|58=Bad|'), 'lenient', formats)!, /tag 35 missing/);
});

/** A scripted peer: answers a Logon with a canned Logon, then closes on Logout, or stays silent. */
async function peer(behaviour: 'good' | 'chatty' | 'silent'): Promise<{ port: number; close: () => void }> {
  const server = net.createServer((s) => {
    s.on('data', (d: Buffer) => {
      const t = d.toString('latin1');
      if (behaviour === 'silent') return;
      if (t.includes(`${S}35=A${S}`)) s.write(bytes('8=FIX.4.4|9=5|35=A|10=000|'));
      if (t.includes(`${S}35=5${S}`)) {
        if (behaviour === 'chatty') s.write(bytes('8=FIX.4.4|9=5|35=0|10=000|'));
        s.end();
      }
    });
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

function script(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-def-'));
  const f = join(dir, 'test.def');
  writeFileSync(f, text.split('|').join(S), 'latin1');
  return f;
}

const SCRIPT = 'iCONNECT\nI8=FIX.4.4|35=A|34=1|\nE8=FIX.4.4|9=5|35=A|10=000|\nI8=FIX.4.4|35=5|34=2|\neDISCONNECT\n';

test('runs a script against a peer: pass, a byte before the disconnect fails, silence times out', async () => {
  for (const [behaviour, expectPass, problem] of [
    ['good', true, undefined],
    ['chatty', false, /expected a disconnect, received 8=FIX\.4\.4\|9=5\|35=0/],
  ] as const) {
    const p = await peer(behaviour);
    const r = await runDefFile(script(SCRIPT), { host: '127.0.0.1', port: p.port, mode: 'strict', formats });
    p.close();
    assert.equal(r.passed, expectPass, r.problem);
    if (problem) {
      assert.match(r.problem!, problem);
      assert.equal(r.line, 5);
    }
  }
  const silent = await peer('silent');
  const t0 = Date.now();
  const r = await runDefFile(script('iCONNECT\nI8=FIX.4.4|35=A|34=1|\nE8=FIX.4.4|35=A|\n'), { host: '127.0.0.1', port: silent.port, mode: 'strict', formats });
  silent.close();
  assert.equal(r.passed, false);
  assert.match(r.problem!, /silent for 10000 ms/);
  assert.ok(Date.now() - t0 >= 9000);
});
