/** Which connection waiting for a logon is shed when a cap is reached (pure bookkeeping, no sockets). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingLogons, addressKey } from '../../src/engine/pending-logons.js';
import { InvalidOptionError } from '../../src/codec/errors.js';

interface Conn {
  readonly name: string;
  readonly address: string;
  idle: boolean;
}
const conn = (name: string, address: string, idle = true): Conn => ({ name, address, idle });

test('a new connection fits under both caps; at the per-address cap its own address gives up its oldest idle one', () => {
  const p = new PendingLogons<Conn>({ total: 10, perAddress: 3 });
  const a = [conn('a1', '10.0.0.1', false), conn('a2', '10.0.0.1'), conn('a3', '10.0.0.1')];
  for (const c of a) {
    assert.equal(p.toShed(c.address), undefined);
    p.add(c);
  }
  assert.equal(p.toShed('10.0.0.2'), undefined, 'another address still fits');
  assert.equal(p.toShed('10.0.0.1')?.name, 'a2', 'a1 has sent bytes: the oldest idle one goes');
  a[1].idle = false;
  a[2].idle = false;
  assert.equal(p.toShed('10.0.0.1')?.name, 'a1', 'none idle: the oldest');
  p.delete(a[0]);
  assert.equal(p.countFrom('10.0.0.1'), 2);
  assert.equal(p.toShed('10.0.0.1'), undefined);
});

test('at the total cap the busiest address gives up its oldest idle one, whoever comes', () => {
  const p = new PendingLogons<Conn>({ total: 5, perAddress: 4 });
  for (const c of [conn('x1', 'x'), conn('y1', 'y'), conn('y2', 'y'), conn('x2', 'x'), conn('x3', 'x')]) p.add(c);
  assert.equal(p.size, 5);
  assert.equal(p.toShed('z')?.name, 'x1');
  assert.equal(p.toShed('y')?.name, 'x1', 'also when the newcomer is from a smaller address');
  const x1 = [...p].find((c) => c.name === 'x1')!;
  p.delete(x1);
  p.delete(x1);
  assert.equal(p.size, 4, 'deleting twice counts once');
  assert.equal(p.toShed('z'), undefined);
  assert.deepEqual([...p].map((c) => c.name), ['x2', 'x3', 'y1', 'y2']);
});

test('an IPv4-mapped IPv6 address is counted as the IPv4 address; limits below 1 are refused', () => {
  assert.equal(addressKey('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  // IPv6 by /64: the addresses one host is usually given count as one.
  assert.equal(addressKey('2001:db8:1:2::17'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8:1:2:ffff::1%eth0'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.notEqual(addressKey('2001:db8:1:3::1'), addressKey('2001:db8:1:2::1'));
  assert.equal(addressKey('64:ff9b:1:2::10.0.0.1'), '64:ff9b:1:2::/64');
  assert.equal(addressKey('not an address'), 'not an address');
  assert.throws(() => new PendingLogons({ total: 0, perAddress: 1 }), (e: unknown) => e instanceof InvalidOptionError && e.code === 'INVALID_OPTION_ERROR');
});
