/**
 * Evaluation of one FHIR Consent against one question: may this actor, at this moment, see this
 * portal section? Pure: the moment is part of the question, never read from a clock. The combining
 * rule across Consents lives in combine.ts.
 *
 * Everything that cannot be read with certainty makes a portal Consent deny (leak vector 18): a
 * broken Consent may be the one that carried a restriction, and guessing would silently lose it.
 */
import type { CodeableConcept, Coding, Consent, ConsentProvision, Period } from '@medplum/fhirtypes';
import { amsterdamOffsetMs } from '../calendar';
import { CODE_SYSTEM, PORTAL_CONSENT, tryParseReference, type PortalConsentType } from '../vocabulary';

export const CONSENT_SCOPE_SYSTEM: string = CODE_SYSTEM.consentScope;
export const PATIENT_PRIVACY_SCOPE: string = PORTAL_CONSENT.scope.code;
export const PORTAL_CONSENT_TYPE_SYSTEM: string = CODE_SYSTEM.portalConsentType;
/** The only category that grants portal sections; the others are facts for the policy engine. */
export const PORTAL_ACCESS_CATEGORY: PortalConsentType = 'portal-access';
export const PORTAL_SECTION_SYSTEM: string = CODE_SYSTEM.portalSection;
export const RESOURCE_TYPES_SYSTEM = 'http://hl7.org/fhir/resource-types';
export const CONSENT_ACTION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentaction';
export const ACCESS_ACTION = 'access';
export const PURPOSE_OF_USE_SYSTEM: string = CODE_SYSTEM.v3ActReason;

export type Verdict = 'permit' | 'deny' | 'none';

export interface ConsentQuery {
  /** The principal, as a normalised relative reference: 'RelatedPerson/abc' or 'Patient/xyz'. */
  actor: string;
  /** The moment of the decision, ISO 8601 with offset or Z. */
  at: string;
  /** The portal section asked for. */
  section: string;
  /** The FHIR resource type asked for, when known. */
  resourceType?: string;
  /** Purpose of use (v3-ActReason code), when the request states one. */
  purpose?: string;
}

export interface SecurityLabel {
  system?: string;
  code?: string;
}

export interface DataPeriod {
  start?: string;
  end?: string;
}

export interface ProvisionMatch {
  consentId: string;
  /** FHIRPath-like path of the provision that decided, e.g. 'Consent.provision.provision[1]'. */
  path: string;
  verdict: 'permit' | 'deny';
  /** dataPeriod of the deciding permit, intersected with those of its enclosing permits (the period of data it allows). */
  dataPeriod?: DataPeriod;
  /** Security labels that a deciding deny excludes, or that a permit is limited to (obligations for filtering). */
  excludeLabels?: SecurityLabel[];
}

export interface ConsentEvaluation {
  consentId: string;
  verdict: Verdict;
  match?: ProvisionMatch;
  /** why 'none' or why a deny came from a parse failure */
  note?: string;
  unparseable?: boolean;
  /**
   * Labels that matching label-limited denies exclude although the verdict is 'none': such a deny
   * restricts data without closing the section, and the restriction must not get lost.
   */
  excludeLabels?: SecurityLabel[];
}

const CONSENT_STATUSES = new Set(['draft', 'proposed', 'active', 'rejected', 'inactive', 'entered-in-error']);

const FHIR_DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/**
 * The stretch of time a FHIR date or dateTime denotes, in epoch milliseconds: [lo, hi). A value
 * with a time is one instant (lo === hi); a year, month or date runs from 00:00 Europe/Amsterdam on
 * its first day to 00:00 on the day after its last.
 */
export interface Moment {
  lo: number;
  hi: number;
  exact: boolean;
}

function utcMillis(year: number, month0: number, day: number, hour = 0, minute = 0, second = 0): number {
  // Date.UTC maps years 0-99 onto 1900-1999; setUTCFullYear does not.
  const date = new Date(0);
  date.setUTCFullYear(year, month0, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

function amsterdamMidnight(year: number, month0: number, day: number): number {
  // As the calendar's startOfDutchDay, on numbers: a FHIR year may be 9999, whose end lies in year
  // 10000, which no YYYY-MM-DD date can name. The offset comes from the one calendar.
  const asIfUtc = utcMillis(year, month0, day);
  const first = asIfUtc - amsterdamOffsetMs(asIfUtc);
  return asIfUtc - amsterdamOffsetMs(first);
}

function daysInMonth(year: number, month0: number): number {
  return new Date(utcMillis(year, month0 + 1, 0)).getUTCDate();
}

/** Reads a FHIR date or dateTime; undefined when it is not one (including impossible calendar dates). */
export function fhirMoment(text: unknown): Moment | undefined {
  if (typeof text !== 'string') return undefined;
  // The same few period strings come back on every decision; the time-zone arithmetic is the costly part.
  if (momentCache.has(text)) return momentCache.get(text);
  const moment = parseFhirMoment(text);
  if (momentCache.size >= MOMENT_CACHE_SIZE) momentCache.clear();
  momentCache.set(text, moment);
  return moment;
}

const MOMENT_CACHE_SIZE = 10_000;
const momentCache = new Map<string, Moment | undefined>();

function parseFhirMoment(text: string): Moment | undefined {
  const m = FHIR_DATE_TIME.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  if (year === 0) return undefined;
  if (m[2] === undefined) {
    return { lo: amsterdamMidnight(year, 0, 1), hi: amsterdamMidnight(year + 1, 0, 1), exact: false };
  }
  const month0 = Number(m[2]) - 1;
  if (month0 < 0 || month0 > 11) return undefined;
  if (m[3] === undefined) {
    return {
      lo: amsterdamMidnight(year, month0, 1),
      hi: amsterdamMidnight(year, month0 + 1, 1),
      exact: false,
    };
  }
  const day = Number(m[3]);
  if (day < 1 || day > daysInMonth(year, month0)) return undefined;
  if (m[4] === undefined) {
    const next = new Date(utcMillis(year, month0, day + 1));
    return {
      lo: amsterdamMidnight(year, month0, day),
      hi: amsterdamMidnight(next.getUTCFullYear(), next.getUTCMonth(), next.getUTCDate()),
      exact: false,
    };
  }
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const zone = m[8] ?? 'Z';
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const [oh, om] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
    if (oh > 14 || om > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const instant = utcMillis(year, month0, day, hour, minute, second) + millis - offsetMinutes * 60_000;
  return { lo: instant, hi: instant, exact: true };
}

export interface NormalQuery {
  actor: string;
  at: number;
  section: string;
  resourceType?: string;
  purpose?: string;
}

/** A malformed question is the caller's bug, not the Consent's: it throws, and the caller fails closed. */
export function normaliseQuery(query: ConsentQuery): NormalQuery {
  const at = fhirMoment(query.at);
  if (!at?.exact) throw new RangeError(`consent query moment is not an instant with offset: ${query.at}`);
  if (typeof query.actor !== 'string' || typeof query.section !== 'string') {
    throw new TypeError('consent query needs an actor and a section');
  }
  return {
    actor: query.actor.trim(),
    at: at.lo,
    section: query.section,
    ...(query.resourceType === undefined ? {} : { resourceType: query.resourceType }),
    ...(query.purpose === undefined ? {} : { purpose: query.purpose }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isCoding(value: unknown): value is Coding {
  return isObject(value) && optionalString(value.system) && optionalString(value.code);
}

function isConcept(value: unknown): value is CodeableConcept {
  return (
    isObject(value) &&
    (value.coding === undefined || (Array.isArray(value.coding) && value.coding.every(isCoding)))
  );
}

function hasCode(codings: readonly Coding[], system: string, code: string): boolean {
  return codings.some((c) => c.system === system && c.code === code);
}

/** Whether some coding of the concepts is system|code (this runs for every Consent and section). */
function conceptsHaveCode(concepts: readonly CodeableConcept[], system: string, code: string): boolean {
  for (const concept of concepts) {
    for (const c of concept.coding ?? []) if (c.system === system && c.code === code) return true;
  }
  return false;
}

type Relevance = 'portal' | 'other' | 'unreadable';

/**
 * Whether the Consent is a portal grant. Other Consents (zib AdvanceDirective, TreatmentDirective,
 * administrator appointments) never grant; but one we cannot classify might be a portal grant.
 */
function relevance(consent: Record<string, unknown>): Relevance {
  const scope = isConcept(consent.scope) ? [consent.scope] : undefined;
  if (scope && !conceptsHaveCode(scope, CONSENT_SCOPE_SYSTEM, PATIENT_PRIVACY_SCOPE)) return 'other';
  const category = consent.category;
  if (!Array.isArray(category) || category.length === 0 || !category.every(isConcept)) return 'unreadable';
  if (!conceptsHaveCode(category, PORTAL_CONSENT_TYPE_SYSTEM, PORTAL_ACCESS_CATEGORY)) return 'other';
  return scope ? 'portal' : 'unreadable';
}

function periodProblem(period: unknown, path: string): string | undefined {
  if (!isObject(period)) return `${path} is not a Period`;
  const start = period.start === undefined ? undefined : fhirMoment(period.start);
  const end = period.end === undefined ? undefined : fhirMoment(period.end);
  if (period.start !== undefined && !start) return `${path}.start is not a valid dateTime`;
  if (period.end !== undefined && !end) return `${path}.end is not a valid dateTime`;
  // Two equal instants make an empty period, which is odd but readable; a date that begins where
  // the other ends means the author put the days the wrong way round.
  if (start && end && (start.lo > end.hi || (start.lo === end.hi && !(start.exact && end.exact)))) {
    return `${path} starts after it ends`;
  }
  return undefined;
}

function nonEmptyArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0;
}

function provisionProblem(provision: unknown, path: string): string | undefined {
  if (!isObject(provision)) return `${path} is missing`;
  const type = provision.type;
  if (type !== 'permit' && type !== 'deny') return `${path}.type is missing or not permit/deny`;
  for (const key of ['period', 'dataPeriod'] as const) {
    if (provision[key] !== undefined) {
      const problem = periodProblem(provision[key], `${path}.${key}`);
      if (problem) return problem;
    }
  }
  // FHIR forbids empty arrays; reading one as "no criterion" would widen a permit.
  for (const key of ['actor', 'action', 'code', 'class', 'purpose', 'securityLabel', 'data', 'provision']) {
    if (provision[key] !== undefined && !nonEmptyArray(provision[key]))
      return `${path}.${key} is empty or not a list`;
  }
  if (provision.action !== undefined && !(provision.action as unknown[]).every(isConcept)) {
    return `${path}.action is not a list of CodeableConcepts`;
  }
  if (provision.code !== undefined && !(provision.code as unknown[]).every(isConcept)) {
    return `${path}.code is not a list of CodeableConcepts`;
  }
  for (const key of ['class', 'purpose', 'securityLabel'] as const) {
    if (provision[key] !== undefined && !(provision[key] as unknown[]).every(isCoding)) {
      return `${path}.${key} is not a list of Codings`;
    }
  }
  if (provision.securityLabel !== undefined && (provision.securityLabel as Coding[]).some((c) => !c.code)) {
    return `${path}.securityLabel has a label without a code`;
  }
  const actors = (provision.actor ?? []) as unknown[];
  for (const [i, actor] of actors.entries()) {
    if (!isObject(actor)) return `${path}.actor[${i}] is not an actor`;
    const reference = isObject(actor.reference) ? actor.reference.reference : undefined;
    if (reference === undefined) {
      // A deny without a reference denies everyone; a permit without one would grant to nobody we
      // can name, and is a data error we refuse to interpret.
      if (type === 'permit') return `${path}.actor[${i}] has no reference in a permit`;
      continue;
    }
    // Exactly Type/id (the vocabulary's parse): an absolute URL, '/_history/', '#contained' or
    // 'urn:uuid:' would make us guess which resource is meant.
    if (!tryParseReference(typeof reference === 'string' ? reference.trim() : reference)) {
      return `${path}.actor[${i}].reference is not a relative Type/id reference`;
    }
  }
  const children = (provision.provision ?? []) as unknown[];
  for (const [i, child] of children.entries()) {
    const problem = provisionProblem(child, `${path}.provision[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

function periodContains(period: Period, at: number): boolean {
  // Validated before matching, so the moments exist.
  const start = period.start === undefined ? undefined : fhirMoment(period.start);
  const end = period.end === undefined ? undefined : fhirMoment(period.end);
  return (!start || at >= start.lo) && (!end || at < end.hi);
}

/** Why a provision's own criteria do not hold for the question, or undefined when they all do. */
function mismatch(provision: ConsentProvision, query: NormalQuery): string | undefined {
  return commonMismatch(provision, query) ?? sectionMismatch(provision, query);
}

/** The criteria checked before the section, whose answer is the same for every section. */
function commonMismatch(
  provision: ConsentProvision,
  query: Omit<NormalQuery, 'section'>,
): string | undefined {
  if (provision.period && !periodContains(provision.period, query.at)) {
    return 'period does not contain the moment';
  }
  if (provision.actor) {
    let matches = false;
    for (const a of provision.actor) {
      const reference = a.reference?.reference?.trim();
      // A deny's actor without a reference matches everyone.
      if (reference === undefined ? provision.type === 'deny' : reference === query.actor) matches = true;
    }
    if (!matches) return 'actor does not match';
  }
  if (provision.action && !conceptsHaveCode(provision.action, CONSENT_ACTION_SYSTEM, ACCESS_ACTION)) {
    return 'action is not access';
  }
  return undefined;
}

function sectionMismatch(provision: ConsentProvision, query: NormalQuery): string | undefined {
  if (provision.code && !conceptsHaveCode(provision.code, PORTAL_SECTION_SYSTEM, query.section)) {
    return 'section does not match';
  }
  if (provision.class) {
    if (query.resourceType === undefined) return 'class is narrower than the question';
    if (!hasCode(provision.class, RESOURCE_TYPES_SYSTEM, query.resourceType)) return 'class does not match';
  }
  if (provision.purpose) {
    if (query.purpose === undefined) return 'purpose is narrower than the question';
    const purpose = query.purpose;
    const stated = provision.purpose.some(
      (c) => (c.system === undefined || c.system === PURPOSE_OF_USE_SYSTEM) && c.code === purpose,
    );
    if (!stated) return 'purpose does not match';
  }
  return undefined;
}

type Outcome =
  { verdict: 'none'; why: string } | { verdict: 'permit' | 'deny'; path: string; dataPeriods: Period[] };

function evaluateProvision(
  provision: ConsentProvision,
  path: string,
  query: NormalQuery,
  enclosingDataPeriods: Period[],
  labels: SecurityLabel[],
): Outcome {
  const why = mismatch(provision, query);
  if (why) return { verdict: 'none', why };
  if (provision.type === 'permit' && provision.securityLabel)
    return { verdict: 'none', why: 'label-limited permit' };
  if (provision.type === 'permit' && provision.data)
    return { verdict: 'none', why: 'instance-limited permit' };
  // A deny aimed at instances cannot be expressed as a filter obligation here, so it closes the
  // whole section: over-denying is safe, skipping it would leak those instances.
  if (provision.type === 'deny' && provision.securityLabel && !provision.data) {
    for (const label of provision.securityLabel) {
      labels.push({ ...(label.system ? { system: label.system } : {}), code: label.code });
    }
    return { verdict: 'none', why: 'label-limited deny (adds an obligation only)' };
  }
  const dataPeriods =
    provision.type === 'permit' && provision.dataPeriod
      ? [...enclosingDataPeriods, provision.dataPeriod]
      : enclosingDataPeriods;
  let decided: Outcome | undefined;
  for (const [i, child] of (provision.provision ?? []).entries()) {
    const outcome = evaluateProvision(child, `${path}.provision[${i}]`, query, dataPeriods, labels);
    if (outcome.verdict === 'none') continue;
    // Every child is visited, even after a deny, so that all label obligations are collected.
    if (!decided || (decided.verdict === 'permit' && outcome.verdict === 'deny')) decided = outcome;
  }
  return decided ?? { verdict: provision.type as 'permit' | 'deny', path, dataPeriods };
}

/** The narrowest period inside all of them; bounds keep their original text. */
export function intersectDataPeriods(periods: readonly DataPeriod[]): DataPeriod | undefined {
  if (periods.length === 0) return undefined;
  let start: { text: string; at: number } | undefined;
  let end: { text: string; at: number } | undefined;
  for (const period of periods) {
    const s = period.start === undefined ? undefined : fhirMoment(period.start);
    const e = period.end === undefined ? undefined : fhirMoment(period.end);
    if (s && period.start && (!start || s.lo > start.at)) start = { text: period.start, at: s.lo };
    if (e && period.end && (!end || e.hi < end.at)) end = { text: period.end, at: e.hi };
  }
  return { ...(start ? { start: start.text } : {}), ...(end ? { end: end.text } : {}) };
}

/** Labels in first-seen order, each system|code once. */
export function uniqueLabels(labels: readonly SecurityLabel[]): SecurityLabel[] {
  if (labels.length < 2) return [...labels];
  const seen = new Set<string>();
  return labels.filter((l) => {
    const key = `${l.system ?? ''}|${l.code ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function unparseable(consentId: string, note: string): ConsentEvaluation {
  return { consentId, verdict: 'deny', unparseable: true, note };
}

/**
 * A Consent read and checked once, to be asked any number of questions (one per portal section):
 * either its verdict whatever the question ('none', or unparseable), or its validated provision.
 */
export type ReadConsent =
  | { readonly consentId: string; readonly settled: ConsentEvaluation }
  | { readonly consentId: string; readonly settled?: undefined; readonly provision: ConsentProvision };

/** Reads and checks a Consent; everything in it that cannot be read with certainty settles it as deny. */
export function readConsent(consent: Consent): ReadConsent {
  const raw: unknown = consent;
  const consentId = isObject(raw) && typeof raw.id === 'string' ? raw.id : '';
  const settle = (evaluation: ConsentEvaluation): ReadConsent => ({ consentId, settled: evaluation });
  try {
    if (!isObject(raw) || raw.resourceType !== 'Consent')
      return settle(unparseable(consentId, 'not a Consent'));
    const portal = relevance(raw);
    if (portal === 'other')
      return settle({ consentId, verdict: 'none', note: 'not a portal-access Consent (ignored)' });
    const status = raw.status;
    if (typeof status !== 'string' || !CONSENT_STATUSES.has(status)) {
      return settle(unparseable(consentId, 'status is missing or unknown'));
    }
    if (status !== 'active') return settle({ consentId, verdict: 'none', note: `not active: ${status}` });
    if (portal === 'unreadable') return settle(unparseable(consentId, 'scope or category cannot be read'));
    if (!fhirMoment(raw.dateTime)) return settle(unparseable(consentId, 'dateTime is missing or invalid'));
    const problem = provisionProblem(raw.provision, 'Consent.provision');
    if (problem) return settle(unparseable(consentId, problem));
    return { consentId, provision: raw.provision as ConsentProvision };
  } catch (err) {
    return settle(
      unparseable(consentId, `evaluation failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
}

/**
 * The verdict of a read Consent on every section at once, when it does not depend on the section:
 * its own, or its outermost provision failing the period, actor or action (the criteria looked at
 * before the section). Undefined when the section matters. Equal to `evaluateReadConsent` for any
 * section in that case.
 */
export function sectionIndependentVerdict(
  read: ReadConsent,
  q: Omit<NormalQuery, 'section'>,
): ConsentEvaluation | undefined {
  if (read.settled) return read.settled;
  try {
    const why = commonMismatch(read.provision, q);
    return why === undefined ? undefined : { consentId: read.consentId, verdict: 'none', note: why };
  } catch {
    return undefined;
  }
}

/** The verdict of a read Consent on one (normalised) question. */
export function evaluateReadConsent(read: ReadConsent, q: NormalQuery): ConsentEvaluation {
  if (read.settled) return read.settled;
  const { consentId } = read;
  try {
    const labels: SecurityLabel[] = [];
    const outcome = evaluateProvision(read.provision, 'Consent.provision', q, [], labels);
    const excludeLabels = uniqueLabels(labels);
    if (outcome.verdict === 'none') {
      return {
        consentId,
        verdict: 'none',
        note: outcome.why,
        ...(excludeLabels.length ? { excludeLabels } : {}),
      };
    }
    const dataPeriod = outcome.verdict === 'permit' ? intersectDataPeriods(outcome.dataPeriods) : undefined;
    const match: ProvisionMatch = {
      consentId,
      path: outcome.path,
      verdict: outcome.verdict,
      ...(dataPeriod ? { dataPeriod } : {}),
      ...(outcome.verdict === 'permit' && excludeLabels.length ? { excludeLabels } : {}),
    };
    return { consentId, verdict: outcome.verdict, match };
  } catch (err) {
    return unparseable(consentId, `evaluation failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The verdict of one Consent: 'none' when it does not speak to the question, else the type of the
 * deepest matching provision, where nested provisions are exceptions inside their parent's scope and
 * a deny beats a permit among matching siblings.
 */
export function evaluateConsent(consent: Consent, query: ConsentQuery): ConsentEvaluation {
  const q = normaliseQuery(query);
  return evaluateReadConsent(readConsent(consent), q);
}
