import { isCalendarDate, startOfDutchDay, addDays } from '../../calendar';
import { UnsafeQuery, type SearchParameter } from '../../consent';
import type { PatientReference } from '../../vocabulary';
import { MalformedRequest } from '../errors';

/**
 * A search of the client's access log (`AuditEvent?…`), as the audit trail's query takes it. Only
 * what the log can answer exactly is accepted: `patient` (the patient in context, as `Patient/x`
 * or the bare id), `date` with the prefixes eq, ge, gt, le, lt (on `recorded`), and `_sort` by
 * `date` (oldest first) or `-date` (newest first, the default). `_count`, `_total` and `_cursor`
 * are the gateway's and never reach here. Anything else (another patient, `_id`, a chain, a
 * modifier, `_include`, `_has`, another sort) is refused with a 400: never silently dropped, so that
 * nobody takes a log narrowed by what the gateway did not do for the whole log.
 */
export interface LogSearch {
  /** `recorded` at or after. */
  readonly from?: Date;
  /** `recorded` before. */
  readonly to?: Date;
  readonly newestFirst: boolean;
}

const PREFIXES = new Set(['eq', 'ge', 'gt', 'le', 'lt']);
const MOMENT =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,9}))?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

export function logSearchOf(parameters: readonly SearchParameter[], patient: PatientReference): LogSearch {
  let from: Date | undefined;
  let to: Date | undefined;
  let newestFirst = true;
  let sorted = false;
  for (const parameter of parameters) {
    const name =
      parameter.modifier === undefined ? parameter.name : `${parameter.name}:${parameter.modifier}`;
    if (parameter.modifier !== undefined || parameter.name.includes('.'))
      throw new UnsafeQuery(name, 'modifiers and chains are not supported on AuditEvent');
    switch (parameter.name) {
      case 'patient': {
        const id = patient.slice('Patient/'.length);
        const others = parameter.value.split(',').filter((v) => v !== patient && v !== id);
        if (others.length > 0)
          throw new UnsafeQuery(name, 'only the access log of the patient in context can be searched');
        break;
      }
      case 'date': {
        const range = dateRange(parameter.value);
        if (range.from && (!from || range.from > from)) from = range.from;
        if (range.to && (!to || range.to < to)) to = range.to;
        break;
      }
      case '_sort': {
        if (sorted) throw new MalformedRequest('a search takes one _sort');
        sorted = true;
        if (parameter.value === 'date') newestFirst = false;
        else if (parameter.value === '-date') newestFirst = true;
        else throw new UnsafeQuery(`_sort=${parameter.value}`, 'the access log is sorted by date or -date');
        break;
      }
      default:
        throw new UnsafeQuery(name, 'not a supported search parameter of the access log');
    }
  }
  return { ...(from ? { from } : {}), ...(to ? { to } : {}), newestFirst };
}

/**
 * The moments a `date` value stands for. A date (2026-12-01), month or year is its Dutch calendar
 * days, from midnight in Amsterdam; a moment with an offset is that second (or millisecond, when it
 * has a fraction). The prefix then takes the part of the time line it means.
 */
function dateRange(raw: string): { from?: Date; to?: Date } {
  const prefix = /^[a-z]{2}/.test(raw) ? raw.slice(0, 2) : 'eq';
  const value = /^[a-z]{2}/.test(raw) ? raw.slice(2) : raw;
  if (!PREFIXES.has(prefix))
    throw new UnsafeQuery(`date=${raw}`, 'the access log takes the prefixes eq, ge, gt, le and lt');
  const span = spanOf(value);
  if (!span)
    throw new MalformedRequest(
      `date takes a date (2026-12-01) or a moment with an offset (2026-12-01T10:00:00+01:00), not '${value.slice(0, 40)}'`,
    );
  switch (prefix) {
    case 'ge':
      return { from: span.lo };
    case 'gt':
      return { from: span.hi };
    case 'le':
      return { to: span.hi };
    case 'lt':
      return { to: span.lo };
    default:
      return { from: span.lo, to: span.hi };
  }
}

/** [lo, hi): the moments a FHIR date or dateTime value covers, at its precision. */
function spanOf(value: string): { lo: Date; hi: Date } | undefined {
  if (/^\d{4}$/.test(value)) {
    const year = Number(value);
    return { lo: startOfDutchDay(`${value}-01-01`), hi: startOfDutchDay(`${year + 1}-01-01`) };
  }
  if (/^\d{4}-\d{2}$/.test(value)) {
    if (!isCalendarDate(`${value}-01`)) return undefined;
    const [y, m] = value.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
    return { lo: startOfDutchDay(`${value}-01`), hi: startOfDutchDay(next) };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    if (!isCalendarDate(value)) return undefined;
    return { lo: startOfDutchDay(value), hi: startOfDutchDay(addDays(value, 1)) };
  }
  const match = MOMENT.exec(value);
  if (!match || !isCalendarDate(`${match[1]}-${match[2]}-${match[3]}`)) return undefined;
  const lo = new Date(value);
  if (Number.isNaN(lo.getTime())) return undefined;
  const step = match[7] !== undefined ? 1 : match[6] !== undefined ? 1_000 : 60_000;
  return { lo, hi: new Date(lo.getTime() + step) };
}
