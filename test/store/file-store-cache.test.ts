import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MessageCache } from '../../src/store/file-store-cache.js';

/** Distinct, recognisable bytes for a message number. */
function body(seq: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (seq * 31 + i) & 0xff;
  return b;
}

test('message cache: keeps the last `capacity` consecutive messages, byte for byte', () => {
  const cache = new MessageCache(3000);
  for (let seq = 1; seq <= 20_000; seq++) cache.set(seq, body(seq, 150 + (seq % 200)));
  assert.equal(cache.size, 3000);
  for (let seq = 17_001; seq <= 20_000; seq++) assert.deepEqual(cache.get(seq), body(seq, 150 + (seq % 200)), `message ${seq}`);
  assert.equal(cache.has(17_000), false);
  assert.equal(cache.get(1), undefined);
  // The ring grew to hold them (3000 messages of up to 349 bytes), and no further.
  assert.ok(cache.byteSize >= 3000 * 150 && cache.byteSize <= 2 * 1024 * 1024, `ring of ${cache.byteSize} bytes`);
});

test('message cache: a returned message is a copy that later writes do not change', () => {
  const cache = new MessageCache(4);
  cache.set(1, body(1, 100));
  const got = cache.get(1)!;
  for (let seq = 2; seq <= 5000; seq++) cache.set(seq, body(seq, 100));
  assert.deepEqual(got, body(1, 100));
});

test('message cache: capacity 0 keeps nothing; clear forgets everything', () => {
  const none = new MessageCache(0);
  none.set(1, body(1, 10));
  assert.equal(none.has(1), false);
  const cache = new MessageCache(10);
  for (let seq = 1; seq <= 10; seq++) cache.set(seq, body(seq, 10));
  cache.clear();
  assert.equal(cache.size, 0);
  assert.equal(cache.get(5), undefined);
  cache.set(5, body(5, 20));
  assert.deepEqual(cache.get(5), body(5, 20));
});

test('message cache: a message too large for the ring is not cached, and replaces its slot', () => {
  const cache = new MessageCache(10);
  cache.set(1, body(1, 100));
  cache.set(1, Buffer.alloc(20 * 1024 * 1024));
  assert.equal(cache.has(1), false);
  cache.set(2, body(2, 100));
  assert.deepEqual(cache.get(2), body(2, 100));
});

test('message cache: whatever the order of numbers and sizes, a hit returns the bytes last stored for that number', () => {
  const op = fc.record({ seq: fc.integer({ min: 1, max: 400 }), size: fc.integer({ min: 0, max: 40_000 }) });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 300 }), fc.array(op, { maxLength: 300 }), (capacity, ops) => {
      const cache = new MessageCache(capacity);
      const last = new Map<number, Buffer>();
      ops.forEach(({ seq, size }, k) => {
        const b = body(seq + k, size);
        cache.set(seq, b);
        last.set(seq, b);
        const got = cache.get(seq);
        // A message is always kept right after it was stored unless it is too large for the ring.
        if (size * 4 <= 64 * 1024) assert.ok(got, `message ${seq} of ${size} bytes just stored`);
        for (const [s, want] of last) {
          const g = cache.get(s);
          if (g) assert.deepEqual(g, want, `message ${s}`);
        }
      });
      assert.ok(cache.size <= capacity);
    }),
    { numRuns: 150 },
  );
});
