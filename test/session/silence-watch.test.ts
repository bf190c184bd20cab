/**
 * `watchSilence` (a fixover cluster client leaves a silent node at half of its session lease,
 * docs/cluster.md "A paused node"), driven with the fake clock: a TestRequest at half the limit,
 * one per silence; a disconnect `counterparty silent` at the limit, long before the heartbeat
 * timeout; anything received starts the silence again; off by default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, field } from './harness.js';
import { SILENT_COUNTERPARTY } from '../../src/session/core.js';

const types = (msgs: string[]) => msgs.map((m) => field(m, 35));

test('a counterparty silent for the limit is left: TestRequest SILENCE at half of it, then the disconnect', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  h.core.watchSilence(2500);
  h.advance(1000);
  assert.deepEqual(types(h.take()), []);
  h.advance(1000); // 2 s: past half
  const out = h.take();
  assert.deepEqual(types(out), ['1']);
  assert.equal(field(out[0], 112), 'SILENCE');
  h.advance(0);
  assert.deepEqual(types(h.take()), [], 'one TestRequest per silence');
  assert.deepEqual(h.disconnects, []);
  h.advance(1000); // 3 s
  assert.deepEqual(h.disconnects, [SILENT_COUNTERPARTY]);
});

test('the answer (or any message) starts the silence again; a node that answers is never left', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  h.core.watchSilence(2500);
  let seq = 2;
  for (let i = 0; i < 10; i++) {
    h.advance(2000);
    const out = h.take();
    assert.deepEqual(types(out), ['1'], `round ${i}`);
    h.send(`35=0|112=${field(out[0], 112)}|`, { seq: seq++ });
  }
  assert.deepEqual(h.disconnects, []);
  assert.ok(h.core.isLoggedOn);
});

test('off by default, and with 0: the heartbeat timeout alone applies', () => {
  for (const limit of [undefined, 0]) {
    const h = new Harness().connect().logon(1);
    h.take();
    if (limit !== undefined) h.core.watchSilence(limit);
    h.advance(60_000);
    assert.deepEqual(h.disconnects, []);
    h.advance(13_000);
    assert.deepEqual(h.disconnects, ['heartbeat timeout']);
  }
});
