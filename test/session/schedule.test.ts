import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Schedule, parseDay, parseTimeOfDay } from '../../src/session/schedule.js';

const at = (iso: string) => Date.parse(iso);
const hms = (t: string) => parseTimeOfDay(t)!.seconds;

test('parsing times and days', () => {
  assert.equal(hms('08:30:00'), 8 * 3600 + 30 * 60);
  assert.deepEqual(parseTimeOfDay('17:00:00 America/New_York'), { seconds: 61200, timeZone: 'America/New_York' });
  assert.equal(parseTimeOfDay('25:00:00'), null);
  assert.equal(parseDay('Monday'), 1);
  assert.equal(parseDay('sun'), 0);
  assert.equal(parseDay('x'), null);
});

test('same-day window', () => {
  const s = new Schedule({ startTime: hms('08:00:00'), endTime: hms('17:00:00') });
  assert.equal(s.isSessionTime(at('2026-11-23T07:59:59Z')), false);
  assert.equal(s.isSessionTime(at('2026-11-23T08:00:00Z')), true);
  assert.equal(s.isSessionTime(at('2026-11-23T17:00:01Z')), false);
  assert.equal(s.isSameSession(at('2026-11-23T09:00:00Z'), at('2026-11-23T16:00:00Z')), true);
  assert.equal(s.isSameSession(at('2026-11-23T09:00:00Z'), at('2026-11-24T09:00:00Z')), false);
});

test('overnight window and 24-hour window (start = end) reset daily at the start time', () => {
  const night = new Schedule({ startTime: hms('22:00:00'), endTime: hms('06:00:00') });
  assert.equal(night.isSessionTime(at('2026-11-23T23:00:00Z')), true);
  assert.equal(night.isSessionTime(at('2026-11-24T05:00:00Z')), true);
  assert.equal(night.isSessionTime(at('2026-11-24T12:00:00Z')), false);
  assert.equal(night.isSameSession(at('2026-11-23T23:00:00Z'), at('2026-11-24T05:00:00Z')), true);
  const day = new Schedule({ startTime: hms('00:00:00'), endTime: hms('00:00:00') });
  assert.equal(day.isSessionTime(at('2026-11-23T12:00:00Z')), true);
  assert.equal(day.isSameSession(at('2026-11-23T00:00:01Z'), at('2026-11-23T23:59:59Z')), true);
  assert.equal(day.isSameSession(at('2026-11-23T23:59:59Z'), at('2026-11-24T00:00:01Z')), false);
});

test('weekly window from Sunday evening to Friday evening', () => {
  const s = new Schedule({ startDay: 0, startTime: hms('18:00:00'), endDay: 5, endTime: hms('17:00:00') });
  assert.equal(s.isSessionTime(at('2026-11-22T17:00:00Z')), false, 'Sunday before the open');
  assert.equal(s.isSessionTime(at('2026-11-22T18:00:00Z')), true);
  assert.equal(s.isSessionTime(at('2026-11-25T03:00:00Z')), true, 'Wednesday night');
  assert.equal(s.isSessionTime(at('2026-11-27T17:00:01Z')), false, 'Friday after the close');
  assert.equal(s.isSessionTime(at('2026-11-28T12:00:00Z')), false, 'Saturday');
  assert.equal(s.isSameSession(at('2026-11-22T18:00:00Z'), at('2026-11-27T16:00:00Z')), true);
  assert.equal(s.isSameSession(at('2026-11-27T16:00:00Z'), at('2026-11-29T19:00:00Z')), false);
});

test('weekdays and time zones', () => {
  const s = new Schedule({ startTime: hms('09:30:00'), endTime: hms('16:00:00'), weekdays: [1, 2, 3, 4, 5], timeZone: 'America/New_York' });
  assert.equal(s.isSessionTime(at('2026-11-23T14:30:00Z')), true, 'Monday 09:30 in New York');
  assert.equal(s.isSessionTime(at('2026-11-23T14:29:00Z')), false);
  assert.equal(s.isSessionTime(at('2026-11-22T15:00:00Z')), false, 'Sunday');
  assert.equal(Schedule.nonStop().isSameSession(0, at('2026-11-23T00:00:00Z')), true);
});

test('UTC (computed without Intl) and each zone (remembered per second) decide as Intl does', () => {
  const specs = [
    { startTime: hms('00:00:00'), endTime: hms('00:00:00') },
    { startTime: hms('22:15:30'), endTime: hms('06:00:00') },
    { startTime: hms('18:00:00'), endTime: hms('17:00:00'), startDay: 0, endDay: 5 },
    { startTime: hms('09:30:00'), endTime: hms('16:00:00'), weekdays: [1, 2, 3, 4, 5] },
  ];
  for (const spec of specs) {
    const utc = new Schedule({ ...spec, timeZone: 'UTC' });
    const intl = new Schedule({ ...spec, timeZone: 'Etc/UTC' });
    const ny = new Schedule({ ...spec, timeZone: 'America/New_York' });
    const nyAgain = new Schedule({ ...spec, timeZone: 'America/New_York' });
    let t = Date.parse('1969-12-25T00:00:00Z');
    for (let i = 0; i < 2000; i++) {
      t += 3_600_000 * 7 + 61_013 * (i % 13) + (i % 3) * 499;
      assert.equal(utc.sessionKey(t), intl.sessionKey(t), `UTC at ${new Date(t).toISOString()}`);
      // The same second again (remembered), then the next one.
      const key = ny.sessionKey(t);
      assert.equal(nyAgain.sessionKey(Math.floor(t / 1000) * 1000 + 999), key, `New York at ${new Date(t).toISOString()}`);
    }
  }
  // Across the end of daylight saving time in New York (2026-11-01 06:00 UTC): the local hour repeats.
  const s = new Schedule({ startTime: hms('01:30:00'), endTime: hms('01:45:00'), timeZone: 'America/New_York' });
  assert.equal(s.isSessionTime(at('2026-11-01T05:35:00Z')), true, '01:35 EDT');
  assert.equal(s.isSessionTime(at('2026-11-01T06:35:00Z')), true, '01:35 EST');
  assert.equal(s.isSessionTime(at('2026-11-01T06:50:00Z')), false, '01:50 EST');
});
