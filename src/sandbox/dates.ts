/**
 * Calendar arithmetic on YYYY-MM-DD strings. Everything works in UTC day numbers so the result never
 * depends on the time zone of the machine that runs the generator.
 */

const DAY_MS = 86_400_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function parse(date: string): { y: number; m: number; d: number } {
  const match = DATE_PATTERN.exec(date);
  if (!match) {
    throw new Error(`Not a calendar date (YYYY-MM-DD): ${date}`);
  }
  return { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
}

function format(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function isValidDate(date: string): boolean {
  if (!DATE_PATTERN.test(date)) {
    return false;
  }
  const { y, m, d } = parse(date);
  const back = new Date(Date.UTC(y, m - 1, d));
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d;
}

function toDayNumber(date: string): number {
  const { y, m, d } = parse(date);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

function fromDayNumber(day: number): string {
  const date = new Date(day * DAY_MS);
  return format(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

export function daysBetween(from: string, to: string): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** Same month and day, `years` later or earlier; 29 February becomes 28 February in a common year. */
export function addYears(date: string, years: number): string {
  const { y, m, d } = parse(date);
  const target = y + years;
  const lastDay = new Date(Date.UTC(target, m, 0)).getUTCDate();
  return format(target, m, Math.min(d, lastDay));
}

/** Completed years on `on`: the age a Dutch form would state. */
export function ageOn(birthDate: string, on: string): number {
  const b = parse(birthDate);
  const o = parse(on);
  const hadBirthday = o.m > b.m || (o.m === b.m && o.d >= b.d);
  return o.y - b.y - (hadBirthday ? 0 : 1);
}

export function minDate(a: string, b: string): string {
  return a <= b ? a : b;
}

export function maxDate(a: string, b: string): string {
  return a >= b ? a : b;
}

/** Day of month of the last Sunday of `month` (1-12) in `year`. */
function lastSunday(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month, 0));
  return last.getUTCDate() - last.getUTCDay();
}

/**
 * The Europe/Amsterdam offset for daytime on `date`: summer time runs from the last Sunday of March
 * to the last Sunday of October. Computed, not looked up, so the output does not depend on the
 * time-zone database of the machine.
 */
export function amsterdamOffset(date: string): string {
  const { y, m, d } = parse(date);
  const afterStart = m > 3 || (m === 3 && d >= lastSunday(y, 3));
  const beforeEnd = m < 10 || (m === 10 && d < lastSunday(y, 10));
  return afterStart && beforeEnd ? '+02:00' : '+01:00';
}

/** A moment on `date` at local Amsterdam time, ISO 8601 with offset (valid as FHIR dateTime and instant). */
export function localDateTime(date: string, hour: number, minute: number): string {
  const hh = String(hour).padStart(2, '0');
  const mm = String(minute).padStart(2, '0');
  return `${date}T${hh}:${mm}:00${amsterdamOffset(date)}`;
}

/** Today's date in Amsterdam: the one place the generator reads the clock, and only by default. */
export function todayInAmsterdam(): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Amsterdam',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date());
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return format(part('year'), part('month'), part('day'));
}
