// Times as people at the school see them. The database keeps ISO-8601 UTC
// strings; admins type release times as wall-clock times of the school's zone
// (SCHOOL_TIMEZONE, default Europe/London) and pages show them the same way,
// so a challenge set for "Monday 08:00" opens at 08:00 in summer and winter.

import { TextCache } from './text-cache.js';

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

const PART_NAMES = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;
type ZoneParts = Record<(typeof PART_NAMES)[number], number>;
const isPartName = (type: string): type is keyof ZoneParts => (PART_NAMES as readonly string[]).includes(type);

function zoneParts(date: Date, timeZone: string): ZoneParts {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(timeZone, f);
  }
  // The formatter asks for all six parts, so each is overwritten.
  const out: ZoneParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of f.formatToParts(date)) if (isPartName(p.type)) out[p.type] = Number(p.value);
  return out;
}

/** Minutes the zone is ahead of UTC at that instant. */
function offsetMinutes(date: Date, timeZone: string): number {
  const p = zoneParts(date, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

/**
 * "2026-03-29T08:00" (an <input type="datetime-local"> value, wall time in
 * the zone) → ISO UTC string, or null when it is not a real date and time.
 * A time skipped by a clock change moves forward to the first valid instant.
 */
export function wallTimeToIso(value: string, timeZone: string): string | null {
  const m = WALL_TIME.exec(value.trim());
  if (!m) return null;
  const group = (i: number) => Number(m[i] ?? 0); // seconds are optional
  const year = group(1),
    month = group(2),
    day = group(3),
    hour = group(4),
    minute = group(5),
    second = group(6);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1 || year < 1970 || year > 9999) return null;
  // Two passes settle the offset around clock changes.
  let guess = wall - offsetMinutes(new Date(wall), timeZone) * 60000;
  guess = wall - offsetMinutes(new Date(guess), timeZone) * 60000;
  return new Date(guess).toISOString();
}

/** ISO UTC → "2026-03-29T08:00" in the zone, for a datetime-local input's value. */
export function isoToWallTime(iso: string, timeZone: string): string {
  const p = zoneParts(new Date(iso), timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

const displayFormatters = new Map<string, Intl.DateTimeFormat>();

function displayFormatter(kind: 'time' | 'day', timeZone: string): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone}`;
  let f = displayFormatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      'en-GB',
      kind === 'time'
        ? {
            timeZone,
            weekday: 'short',
            day: 'numeric',
            month: 'short',
            year: 'numeric',
            hour: '2-digit',
            minute: '2-digit',
            hourCycle: 'h23',
          }
        : { timeZone, day: 'numeric', month: 'long', year: 'numeric' },
    );
    displayFormatters.set(key, f);
  }
  return f;
}

// Formatting is the costly part (ICU) and pages show the same few times over and
// over (release and lock times of the listed challenges): remember the text.
const formatted = new TextCache(300_000);

/** ISO UTC → "Mon 29 Mar 2026, 08:00" in the zone. */
export function formatSchoolTime(iso: string, timeZone: string): string {
  return formatted.remember(`time ${timeZone} ${iso}`, () => displayFormatter('time', timeZone).format(new Date(iso)));
}

/** ISO UTC → "29 March 2026", the day in the zone. */
export function formatSchoolDay(iso: string, timeZone: string): string {
  return formatted.remember(`day ${timeZone} ${iso}`, () => displayFormatter('day', timeZone).format(new Date(iso)));
}

/** ISO string `hours` after `iso`. */
export function addHours(iso: string, hours: number): string {
  return new Date(new Date(iso).getTime() + hours * 3_600_000).toISOString();
}
