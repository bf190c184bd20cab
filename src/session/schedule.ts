/**
 * Session schedules, as QuickFIX defines them: a daily window StartTime–EndTime (overnight when
 * the end is before the start, all day when they are equal), a weekly window from StartDay
 * StartTime to EndDay EndTime, or daily windows on listed Weekdays, in a time zone (UTC by
 * default). Two instants belong to the same session when both fall inside the window and the
 * window started on the same day; a new session starts with a reset of sequence numbers.
 */

/** Seconds since midnight. */
export type TimeOfDay = number;

/** The schedule settings of a session, parsed. */
export interface ScheduleSpec {
  /** `NonStopSession=Y`: always in session, never reset by the schedule. */
  nonStop?: boolean;
  startTime?: TimeOfDay;
  endTime?: TimeOfDay;
  /** 0 = Sunday … 6 = Saturday. */
  startDay?: number;
  endDay?: number;
  /** Days with a daily window (QuickFIX/J's `Weekdays`). */
  weekdays?: readonly number[];
  /** IANA time zone, e.g. `America/New_York`; default UTC. `UseLocalTime=Y` passes the process zone. */
  timeZone?: string;
}

interface Wall {
  /** Days since 1970-01-01 of the local date. */
  day: number;
  /** 0 = Sunday. */
  weekday: number;
  /** Seconds since local midnight. */
  seconds: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The last wall time computed in each zone, by epoch second (sessions ask for the same second all the time). */
const lastWall = new Map<string, { second: number; wall: Wall }>();

function wallTime(epochMs: number, timeZone: string): Wall {
  const second = Math.floor(epochMs / 1000);
  if (timeZone === 'UTC') {
    // Without Intl (formatToParts costs tens of microseconds; every session asks at each tick and Logon).
    const day = Math.floor(second / 86_400);
    return { day, weekday: (day + 4) % 7, seconds: second - day * 86_400 };
  }
  const last = lastWall.get(timeZone);
  if (last?.second === second) return last.wall;
  const wall = zonedWallTime(epochMs, timeZone);
  lastWall.set(timeZone, { second, wall });
  return wall;
}

function zonedWallTime(epochMs: number, timeZone: string): Wall {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(epochMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const day = Math.floor(Date.UTC(parts.year, parts.month - 1, parts.day) / 86_400_000);
  return { day, weekday: (day + 4) % 7, seconds: parts.hour * 3600 + parts.minute * 60 + parts.second };
}

/** Parses `HH:MM:SS` (an optional trailing time zone is returned separately). */
export function parseTimeOfDay(text: string): { seconds: TimeOfDay; timeZone?: string } | null {
  const m = /^\s*(\d{1,2}):(\d{2}):(\d{2})(?:\s+(\S+))?\s*$/.exec(text);
  if (!m) return null;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > 23 || mi > 59 || s > 59) return null;
  return { seconds: h * 3600 + mi * 60 + s, timeZone: m[4] };
}

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Parses a day name (`Monday`, `mon`, `MO`…) to 0–6. */
export function parseDay(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t.length < 2) return null;
  const i = DAY_NAMES.findIndex((d) => d.startsWith(t));
  return i < 0 ? null : i;
}

/** When a session runs (`StartTime`, `EndTime`, days, time zone): decides in or out of session and when a new session starts. */
export class Schedule {
  private readonly tz: string;

  constructor(private readonly spec: ScheduleSpec = { nonStop: true }) {
    this.tz = spec.timeZone ?? 'UTC';
    if (spec.timeZone) wallTime(0, spec.timeZone);
  }

  /** A schedule that is always in session. */
  static nonStop(): Schedule {
    return new Schedule({ nonStop: true });
  }

  /**
   * The key of the session instance containing `t` (the local day its window opened), or null when
   * `t` is outside every window.
   */
  sessionKey(t: number): number | null {
    const s = this.spec;
    if (s.nonStop || s.startTime === undefined || s.endTime === undefined) return 0;
    const w = wallTime(t, this.tz);
    if (s.startDay !== undefined && s.endDay !== undefined) return this.weeklyKey(w, s.startDay, s.startTime, s.endDay, s.endTime);
    const key = this.dailyKey(w, s.startTime, s.endTime);
    if (key === null || !s.weekdays || s.weekdays.length === 0) return key;
    return s.weekdays.includes((key + 4) % 7) ? key : null;
  }

  /** True when `t` is inside a session window. */
  isSessionTime(t: number): boolean {
    return this.sessionKey(t) !== null;
  }

  /** True when both instants are inside the same session instance. */
  isSameSession(a: number, b: number): boolean {
    const ka = this.sessionKey(a);
    return ka !== null && ka === this.sessionKey(b);
  }

  private dailyKey(w: Wall, start: TimeOfDay, end: TimeOfDay): number | null {
    if (start === end) return w.seconds >= start ? w.day : w.day - 1;
    if (start < end) return w.seconds >= start && w.seconds <= end ? w.day : null;
    if (w.seconds >= start) return w.day;
    return w.seconds <= end ? w.day - 1 : null;
  }

  private weeklyKey(w: Wall, startDay: number, start: TimeOfDay, endDay: number, end: TimeOfDay): number | null {
    const week = 7 * 86_400;
    const pos = w.weekday * 86_400 + w.seconds;
    const from = startDay * 86_400 + start;
    const to = endDay * 86_400 + end;
    const span = (to - from + week) % week;
    const offset = (pos - from + week) % week;
    if (span !== 0 && offset > span) return null;
    // The window opened `offset` wall-clock seconds ago: its local day is the key.
    return w.day + Math.floor((w.seconds - offset) / 86_400);
  }
}
