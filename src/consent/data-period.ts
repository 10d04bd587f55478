import { fhirMoment, type DataPeriod } from './provisions';

/**
 * The period of data a grant allows (a permit's `dataPeriod`), and when a resource's data dates
 * from. A date-only bound is a whole day in Europe/Amsterdam, as everywhere in the engine: `start:
 * 2024-01-01` allows data from 00:00 Dutch time on 1 January, `end: 2024-12-31` up to midnight after
 * 31 December.
 */

/** A data period as instants: data from `from` (inclusive) until `until` (exclusive), ms since the epoch. */
export interface DataWindow extends DataPeriod {
  readonly from: number;
  readonly until: number;
}

/** The window of a permit's dataPeriod; an absent bound is open. */
export function dataWindow(period: DataPeriod): DataWindow {
  const start = period.start === undefined ? undefined : fhirMoment(period.start);
  const end = period.end === undefined ? undefined : fhirMoment(period.end);
  return Object.freeze({
    ...period,
    // A bound that cannot be read allows nothing (combine.ts only passes validated periods).
    from: period.start === undefined ? Number.NEGATIVE_INFINITY : (start?.lo ?? Number.POSITIVE_INFINITY),
    until: period.end === undefined ? Number.POSITIVE_INFINITY : (end?.hi ?? Number.NEGATIVE_INFINITY),
  });
}

/**
 * Per resource type: the search parameter that says when its data dates from, and the elements it
 * reads (its FHIR R4 expression with the choice types spelt out). A type that is not listed has no
 * such date: under a data period none of its resources can be shown.
 */
const DATED: Readonly<Record<string, { parameter: string; elements: readonly string[] }>> = {
  Observation: { parameter: 'date', elements: ['effectiveDateTime', 'effectiveInstant', 'effectivePeriod'] },
  DocumentReference: { parameter: 'date', elements: ['date'] },
  CarePlan: { parameter: 'date', elements: ['period'] },
  Goal: { parameter: 'start-date', elements: ['startDate'] },
  CareTeam: { parameter: 'date', elements: ['period'] },
  Condition: { parameter: 'recorded-date', elements: ['recordedDate'] },
  Appointment: { parameter: 'date', elements: ['start'] },
  MedicationRequest: { parameter: 'authoredon', elements: ['authoredOn'] },
  MedicationStatement: { parameter: 'effective', elements: ['effectiveDateTime', 'effectivePeriod'] },
  MedicationAdministration: {
    parameter: 'effective-time',
    elements: ['effectiveDateTime', 'effectivePeriod'],
  },
};

/** The date search parameter of a type, or undefined (test/consent checks the table against FHIR R4). */
export function dateParameterOf(resourceType: string): string | undefined {
  return DATED[resourceType]?.parameter;
}

/** The types the table knows, for the test that checks it. */
export const DATED_TYPES: readonly string[] = Object.keys(DATED);

/**
 * Whether all of a resource's data lies inside the window. A resource without a readable date (no
 * element, a date without offset, a Timing) is outside every window that has a bound: we cannot
 * show that it is inside.
 */
export function withinWindow(resource: Readonly<Record<string, unknown>>, window: DataWindow): boolean {
  if (window.from === Number.NEGATIVE_INFINITY && window.until === Number.POSITIVE_INFINITY) return true;
  const covered = coveredTime(resource);
  return covered !== undefined && covered.from >= window.from && covered.until <= window.until;
}

/** The stretch of time a resource's data covers, [from, until) in ms; an instant covers one ms. */
function coveredTime(
  resource: Readonly<Record<string, unknown>>,
): { from: number; until: number } | undefined {
  const dated = DATED[String(resource.resourceType)];
  if (!dated) return undefined;
  for (const element of dated.elements) {
    const value = resource[element];
    if (value === undefined) continue;
    if (typeof value === 'string') return span(value);
    if (typeof value !== 'object' || value === null) return undefined;
    const { start, end } = value as { start?: unknown; end?: unknown };
    const from = start === undefined ? { from: Number.NEGATIVE_INFINITY } : span(start);
    const until = end === undefined ? { until: Number.POSITIVE_INFINITY } : span(end);
    if (!from || !until) return undefined;
    return { from: from.from, until: until.until };
  }
  return undefined;
}

function span(text: unknown): { from: number; until: number } | undefined {
  const moment = fhirMoment(text);
  if (!moment) return undefined;
  return { from: moment.lo, until: moment.exact ? moment.lo + 1 : moment.hi };
}
