import { InvalidInput } from '../errors';

/**
 * The Dutch calendar, once for the whole gateway. Ages, care end dates, grace days and suspensions turn
 * at midnight in Europe/Amsterdam, whatever the time zone of the machine. Calendar dates are
 * YYYY-MM-DD strings and their arithmetic works on UTC day numbers, so it never depends on the process's
 * zone; only the step from a moment to a date (and back) asks the time-zone database, through Intl.
 */

export const DUTCH_TIME_ZONE = 'Europe/Amsterdam';

const DAY_MS = 86_400_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

interface DateParts {
  y: number;
  m: number;
  d: number;
}

function partsOf(date: string): DateParts {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new InvalidInput(`not a calendar date (YYYY-MM-DD): '${date}'`);
  return { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
}

function format(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Milliseconds since the epoch of a wall-clock time read as UTC; years 0-99 stay themselves. */
function utcMillis(y: number, month0: number, d: number, h = 0, min = 0, s = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(y, month0, d);
  date.setUTCHours(h, min, s, 0);
  return date.getTime();
}

/** True for a real calendar date in YYYY-MM-DD (no 31 April, no 29 February in a common year). */
export function isCalendarDate(text: string): boolean {
  const match = DATE_PATTERN.exec(text);
  if (!match) return false;
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  const back = new Date(utcMillis(y, m - 1, d));
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d;
}

function dayNumber(date: string): number {
  const { y, m, d } = partsOf(date);
  return utcMillis(y, m - 1, d) / DAY_MS;
}

function fromDayNumber(day: number): string {
  const date = new Date(day * DAY_MS);
  return format(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

/** The day `days` after (or before, when negative) a date, counted in calendar days, not hours. */
export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** Same month and day `years` later or earlier; 29 February becomes 28 February in a common year. */
export function addYears(date: string, years: number): string {
  const { y, m, d } = partsOf(date);
  const target = y + years;
  const lastDay = new Date(utcMillis(target, m, 0)).getUTCDate();
  return format(target, m, Math.min(d, lastDay));
}

/** Completed years on a day, as a Dutch form states an age: the birthday counts on the day itself. */
export function ageOn(birthDate: string, day: string): number {
  const b = partsOf(birthDate);
  const o = partsOf(day);
  const hadBirthday = o.m > b.m || (o.m === b.m && o.d >= b.d);
  return o.y - b.y - (hadBirthday ? 0 : 1);
}

export function earlierDate(a: string, b: string): string {
  return a <= b ? a : b;
}

export function laterDate(a: string, b: string): string {
  return a >= b ? a : b;
}

const DUTCH_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: DUTCH_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

let lastDay: { from: number; until: number; date: string } | undefined;

/**
 * The calendar date in the Netherlands at a moment. The bounds of the last day asked for are kept:
 * every decision asks, nearly all on the same day, and Intl is the costly part.
 */
export function dutchDate(moment: Date | number): string {
  const time = typeof moment === 'number' ? moment : moment.getTime();
  if (lastDay && time >= lastDay.from && time < lastDay.until) return lastDay.date;
  const parts = DUTCH_DAY.formatToParts(time);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const date = format(part('year'), part('month'), part('day'));
  if (Number.isNaN(time)) return date;
  lastDay = {
    from: startOfDutchDay(date).getTime(),
    until: startOfDutchDay(addDays(date, 1)).getTime(),
    date,
  };
  return date;
}

/** Today in the Netherlands; `now` only for callers that decide for another moment. */
export function todayInAmsterdam(now: Date | number = Date.now()): string {
  return dutchDate(now);
}

const DUTCH_CLOCK = new Intl.DateTimeFormat('en-GB', {
  timeZone: DUTCH_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** The Amsterdam offset from UTC at a moment, in milliseconds (3,600,000 in winter, 7,200,000 in summer). */
export function amsterdamOffsetMs(moment: Date | number): number {
  const utc = typeof moment === 'number' ? moment : moment.getTime();
  const parts = DUTCH_CLOCK.formatToParts(utc);
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = utcMillis(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
  return wall - Math.floor(utc / 1000) * 1000;
}

/** The offset of Amsterdam daytime on a date, as ISO 8601 writes it: '+01:00' or '+02:00'. */
export function amsterdamOffset(date: string): string {
  const { y, m, d } = partsOf(date);
  const minutes = Math.round(amsterdamOffsetMs(utcMillis(y, m - 1, d, 12)) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The moment a Dutch calendar day starts (midnight in Amsterdam). */
export function startOfDutchDay(date: string): Date {
  const { y, m, d } = partsOf(date);
  const asIfUtc = utcMillis(y, m - 1, d);
  // The offset at the first guess may differ from the one at the answer when a transition lies
  // between; Dutch transitions are at 02:00/03:00, so midnight exists and a second pass settles it.
  const first = asIfUtc - amsterdamOffsetMs(asIfUtc);
  return new Date(asIfUtc - amsterdamOffsetMs(first));
}

/** A wall-clock time in Amsterdam on a date, ISO 8601 with its offset (valid as FHIR dateTime and instant). */
export function localDateTime(date: string, hour: number, minute: number): string {
  partsOf(date);
  const hh = String(hour).padStart(2, '0');
  const mm = String(minute).padStart(2, '0');
  return `${date}T${hh}:${mm}:00${amsterdamOffset(date)}`;
}

const MOMENT_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,9}))?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * A moment typed by a person or sent by a program: ISO 8601 with an explicit offset
 * (2026-11-20T14:00:00+01:00, …Z), or a calendar date, taken as the start of that day in Amsterdam.
 * Anything else is refused: a moment without an offset would depend on the process's time zone, and
 * `Date.parse` reads '1' as the year 2001.
 */
export function parseMoment(text: string): Date {
  const trimmed = text.trim();
  if (DATE_PATTERN.test(trimmed)) {
    if (!isCalendarDate(trimmed)) throw new InvalidInput(`not a calendar date: '${text}'`);
    return startOfDutchDay(trimmed);
  }
  const match = MOMENT_PATTERN.exec(trimmed);
  if (!match || !isCalendarDate(`${match[1]}-${match[2]}-${match[3]}`))
    throw new InvalidInput(
      `not a moment: '${text}' (use ISO 8601 with an offset, e.g. 2026-11-20T14:00:00+01:00, or a date, e.g. 2026-11-20)`,
    );
  return new Date(trimmed);
}
