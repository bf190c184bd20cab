import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixover } from './cli.js';

test('decode pretty-prints the example file with names, enum meanings and groups', async () => {
  const r = await fixover(['decode', 'examples/messages.fix', '--strict']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /FIX\.4\.4 D NEW_ORDER_SINGLE/);
  assert.match(r.stdout, /\s44 Price\s+= 123\.46/);
  assert.match(r.stdout, /\s54 Side\s+= 1 \(BUY\)/);
  assert.match(r.stdout, /\[2\]\n\s+448 PartyID\s+= DESK-7/);
  assert.match(r.stdout, /FIX\.4\.4 5 LOGOUT/);
});

test('decode reads raw FIX from standard input and prints JSON', async () => {
  const raw = '8=FIX.4.2\x019=5\x0135=0\x0110=161\x01';
  const r = await fixover(['decode', '--dict', 'FIX42.xml', '--json', '--strict'], raw);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { header: { BeginString: 'FIX.4.2', BodyLength: '5', MsgType: '0' }, body: {}, trailer: { CheckSum: '161' } });
});

test('decode reports a broken message and a missing dictionary clearly', async () => {
  const bad = await fixover(['decode', '--strict'], '8=FIX.4.4|9=5|35=0|10=000|\n');
  assert.equal(bad.code, 0);
  assert.match(bad.stdout, /! invalid message \(checksum-mismatch\)/);
  const missing = await fixover(['decode', '--dict', 'nowhere/FIX99.xml'], '');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /FIX99\.xml/);
});
