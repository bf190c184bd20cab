import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SendingTimeFormatter } from '../../src/session/sending-time.js';
import { formatUtcTimestamp, type TimestampPrecision } from '../../src/codec/values.js';

test('SendingTime text equals formatUtcTimestamp at every precision, across seconds, days and years', () => {
  const precisions: TimestampPrecision[] = [0, 3, 6, 9];
  fc.assert(
    fc.property(
      fc.constantFrom(...precisions),
      // Runs of increasing and jumping times, as a session clock (and a test's fake clock) gives them.
      fc.array(fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 4_102_444_800_000 })), { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 0, max: 4_102_444_800_000 }),
      (precision, steps, start) => {
        const f = new SendingTimeFormatter(precision);
        let t = start;
        for (const step of steps) {
          t = step <= 2_000 ? t + step : step;
          assert.equal(f.format(t), formatUtcTimestamp(t, precision));
        }
      },
    ),
  );
  const f = new SendingTimeFormatter(3);
  assert.equal(f.format(Date.UTC(2026, 10, 23, 23, 59, 59, 7)), '20261123-23:59:59.007');
  assert.equal(f.format(Date.UTC(2026, 10, 24, 0, 0, 0, 42)), '20261124-00:00:00.042');
  assert.equal(f.format(Date.UTC(2026, 10, 24, 0, 0, 0, 42) + 0.9), '20261124-00:00:00.042');
  assert.equal(new SendingTimeFormatter(9).format(Date.UTC(2026, 0, 1, 0, 0, 0, 120)), '20260101-00:00:00.120000000');
});
