/** The rules numbering refusals in the session's own sequence (src/fencing/refusal-record.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRefusal, parseRefusalRecord, senderAfterRefusal } from '../../src/fencing/refusal-record.js';

const T = 1_700_000_000_000;

test("a refusal takes the store's next outgoing number, or one past the last refusal of the same FIX session", () => {
  assert.deepEqual(nextRefusal(undefined, 8, T), { seq: 8, sessionTime: T });
  // Refused again before the owner sent anything: the counterparty counted the first one too.
  assert.deepEqual(nextRefusal({ seq: 8, sessionTime: T }, 8, T), { seq: 9, sessionTime: T });
  // The owner has sent past the last refusal since: its next number.
  assert.deepEqual(nextRefusal({ seq: 9, sessionTime: T }, 15, T), { seq: 15, sessionTime: T });
  // A record from before a reset (another creation time) no longer counts.
  assert.deepEqual(nextRefusal({ seq: 40, sessionTime: T }, 1, T + 1000), { seq: 1, sessionTime: T + 1000 });
});

test('the owner continues past a refusal at or above its next number, and only then', () => {
  assert.equal(senderAfterRefusal(undefined, 8, T), null);
  assert.equal(senderAfterRefusal({ seq: 8, sessionTime: T }, 8, T), 9);
  assert.equal(senderAfterRefusal({ seq: 9, sessionTime: T }, 8, T), 10);
  assert.equal(senderAfterRefusal({ seq: 7, sessionTime: T }, 8, T), null, 'already past it');
  assert.equal(senderAfterRefusal({ seq: 40, sessionTime: T }, 1, T + 1000), null, 'a record from before a reset');
});

test('a refusal made before anything was stored (session time 0) belongs to the first FIX session of the store', () => {
  assert.deepEqual(nextRefusal({ seq: 3, sessionTime: 0 }, 1, 0), { seq: 4, sessionTime: 0 });
  assert.deepEqual(nextRefusal({ seq: 3, sessionTime: 0 }, 1, T), { seq: 4, sessionTime: T });
  assert.equal(senderAfterRefusal({ seq: 3, sessionTime: 0 }, 1, T), 4, 'the first owner, whatever creation time its store took');
});

test('a record read back is checked: anything else is no record', () => {
  assert.deepEqual(parseRefusalRecord({ seq: 3, sessionTime: T, node: 'B' }), { seq: 3, sessionTime: T });
  for (const bad of [null, 'x', 7, {}, { seq: 0, sessionTime: T }, { seq: 1.5, sessionTime: T }, { seq: '3', sessionTime: T }, { seq: 3 }, { seq: 3, sessionTime: Number.NaN }]) {
    assert.equal(parseRefusalRecord(bad), undefined, JSON.stringify(bad));
  }
});
