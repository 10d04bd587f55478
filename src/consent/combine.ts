/**
 * The gateway's combining rule: how the Consents of one client together answer "may this actor, at
 * this moment, see this portal section (and resource type, for this purpose)?". This comment is the
 * published rule; the tests in test/consent hold the code to it.
 *
 * Which Consents take part
 * - Only Consents with scope `patient-privacy` (consentscope) and category `portal-access`
 *   (portal-consent-type) can grant. Every other Consent (zib AdvanceDirective with scope `adr`,
 *   TreatmentDirective with scope `treatment`, our `administrator-appointment` and `parental-access`
 *   agreements) is ignored here: verdict 'none'.
 * - A portal Consent whose status is not `active` (draft, proposed, rejected, inactive = withdrawn,
 *   entered-in-error) has verdict 'none'. An unknown or missing status cannot be read (below).
 *
 * Consents that cannot be read deny, always
 * - A Consent is unreadable when it is not a Consent; its scope or category cannot be read; its
 *   status is missing or unknown; `dateTime` is missing or not a valid FHIR date/dateTime; it has no
 *   `provision`; any provision has no `type` of permit/deny; a period or dataPeriod starts after it
 *   ends; a list is empty (FHIR forbids it, and reading it as "no criterion" would widen a permit);
 *   a permit's actor has no `reference.reference`; an actor reference is not a relative `Type/id`
 *   (absolute URLs, `/_history/` versions, `#contained`, `urn:uuid:`: we never guess identity); a
 *   security label has no code; or evaluation throws.
 * - Such a Consent denies, and nothing overrides it: not even a newer Consent, because its own date
 *   cannot be trusted and it may be the one that held a restriction.
 *
 * One provision matches the question when every criterion it has holds (an absent one holds always)
 * - period: contains the moment; start inclusive, end exclusive, compared as instants. A value
 *   without a time (date, month or year) starts at 00:00 Europe/Amsterdam of its first day and ends
 *   at 00:00 Europe/Amsterdam of the day after its last, so `end: 2024-05-01` includes all of 1 May
 *   Dutch time.
 * - actor: some `reference.reference` (trimmed) equals the actor exactly; display text is never
 *   read. A deny's actor entry without a reference matches every actor.
 * - action: some coding is consentaction `access`.
 * - code: some coding is the asked portal section in the portal-section system.
 * - class: some coding is the asked resource type (resource-types); a question without a resource
 *   type does not match a provision with a class, since the provision is narrower than the question.
 * - purpose: the question's purpose (v3-ActReason, or a coding without system) is among them; a
 *   question without a purpose does not match a provision with purposes.
 * - securityLabel: a permit limited to labels does not match (it grants labelled data only, never a
 *   whole section). A deny with labels does not deny the section: its labels become an obligation,
 *   `excludeLabels`, and the filter drops resources carrying them.
 * - data: a permit limited to instances does not match. A deny limited to instances denies the whole
 *   section (there is no instance obligation, and over-denying is the safe side).
 * - dataPeriod does not affect matching; a permit's dataPeriod, intersected with those of the permits
 *   enclosing it, is the period of data allowed.
 *
 * Within one Consent
 * - verdict(provision) = 'none' when its own criteria do not hold; otherwise the verdict of its
 *   matching nested provisions, a deny beating a permit among siblings, or its own type when none of
 *   them matches. A nested provision is an exception inside its parent's scope, so it is looked at
 *   only where the parent's criteria hold. The deepest matching provision decides.
 *
 * Across Consents
 * - Any unreadable portal Consent: deny.
 * - Otherwise, among the Consents whose verdict is permit or deny, the newest by `dateTime` decides
 *   (instants compared; a date-only value counts from its first moment). A matching deny wins unless
 *   a newer Consent replaces it.
 * - Equal `dateTime`: a deny among them wins. `meta.lastUpdated` only orders the basis: it records
 *   when a server stored the Consent (a re-import changes it), not when the client decided, so it
 *   must not let a permit beat an equally dated deny.
 * - Several permits with equal `dateTime`: their data periods are intersected (the safe side).
 * - excludeLabels of a permit: those of the deciding permits, plus those of every matching
 *   label-limited deny whose Consent has verdict 'none': such a restriction did not compete for the
 *   section, so no newer grant replaces it.
 * - No Consent with a verdict: deny, "no Consent permits".
 * - The result does not depend on the order of the Consents given.
 */
import type { Consent } from '@medplum/fhirtypes';
import {
  evaluateReadConsent,
  fhirMoment,
  intersectDataPeriods,
  normaliseQuery,
  readConsent,
  sectionIndependentVerdict,
  uniqueLabels,
  type ConsentEvaluation,
  type ConsentQuery,
  type DataPeriod,
  type ReadConsent,
  type SecurityLabel,
} from './provisions';

export interface CombinedDecision {
  verdict: 'permit' | 'deny';
  /** The evaluations that decided, newest first (one, unless a tie). */
  basis: ConsentEvaluation[];
  /** Every evaluation, for the explanation. */
  considered: ConsentEvaluation[];
  dataPeriod?: DataPeriod;
  excludeLabels?: SecurityLabel[];
  /** Short English explanation, e.g. "Consent/x permits (provision Consent.provision)". */
  reason: string;
}

/** A Consent as the rule orders it: read once, dated once, whatever the section asked. */
interface Dated {
  read: ReadConsent;
  dateTime: number;
  lastUpdated: number;
}

interface Ranked {
  evaluation: ConsentEvaluation;
  dateTime: number;
  lastUpdated: number;
  /** Last resort for a total order, so that input order never shows through; made when needed. */
  canonical?: string;
}

function dated(consent: Consent): Dated {
  const raw: unknown = consent;
  const record = typeof raw === 'object' && raw !== null ? (raw as Partial<Consent>) : {};
  return {
    read: readConsent(consent),
    dateTime: fhirMoment(record.dateTime)?.lo ?? Number.NEGATIVE_INFINITY,
    lastUpdated: fhirMoment(record.meta?.lastUpdated)?.lo ?? Number.NEGATIVE_INFINITY,
  };
}

function canonical(r: Ranked): string {
  r.canonical ??= JSON.stringify(r.evaluation);
  return r.canonical;
}

function byId(a: Ranked, b: Ranked): number {
  if (a.evaluation.consentId !== b.evaluation.consentId) {
    return a.evaluation.consentId < b.evaluation.consentId ? -1 : 1;
  }
  const [x, y] = [canonical(a), canonical(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

function newestFirst(a: Ranked, b: Ranked): number {
  if (a.dateTime !== b.dateTime) return b.dateTime > a.dateTime ? 1 : -1;
  if (a.lastUpdated !== b.lastUpdated) return b.lastUpdated > a.lastUpdated ? 1 : -1;
  return byId(a, b);
}

function named(evaluation: ConsentEvaluation): string {
  return evaluation.consentId ? `Consent/${evaluation.consentId}` : 'a Consent without id';
}

function explain(evaluation: ConsentEvaluation): string {
  const verb = evaluation.verdict === 'permit' ? 'permits' : 'denies';
  return `${named(evaluation)} ${verb} (provision ${evaluation.match?.path ?? '?'})`;
}

/** Applies the combining rule above to every Consent of one client. */
export function combineConsents(consents: readonly Consent[], query: ConsentQuery): CombinedDecision {
  const { section, ...question } = query;
  return combineConsentsPerSection(consents, question, [section]).get(section)!;
}

/**
 * The combining rule for several sections at once: each Consent is read, checked and dated once, and
 * only its provisions are asked about each section. The answer per section is exactly that of
 * `combineConsents` for that section.
 */
export function combineConsentsPerSection(
  consents: readonly Consent[],
  question: Omit<ConsentQuery, 'section'>,
  sections: readonly string[],
): Map<string, CombinedDecision> {
  // A malformed question throws before any Consent is read; the caller answers with an error.
  const normal = normaliseQuery({ ...question, section: sections[0] ?? '' } as ConsentQuery);
  for (const section of sections) {
    if (typeof section !== 'string') throw new TypeError('consent query needs an actor and a section');
  }
  // Sorted by id once: with distinct ids that is the order byId gives in every section. Equal ids
  // (a data error) are ordered by their evaluation, which differs per section: sorted again there.
  const all = consents.map(dated).sort((a, b) => compareText(a.read.consentId, b.read.consentId));
  // Most Consents are for someone else: their verdict is 'none' whatever the section.
  const common = all.map((d) => sectionIndependentVerdict(d.read, normal));
  const distinct = all.every((d, i) => i === 0 || d.read.consentId !== all[i - 1]!.read.consentId);
  const answers = new Map<string, CombinedDecision>();
  for (const section of sections) {
    const q = { ...normal, section };
    const evaluations = all.map((d, i) => common[i] ?? evaluateReadConsent(d.read, q));
    if (distinct) {
      answers.set(section, combineSorted(evaluations, all));
    } else {
      const ranked = all.map((d, i): Ranked => ({ ...d, evaluation: evaluations[i]! })).sort(byId);
      answers.set(
        section,
        combineSorted(
          ranked.map((r) => r.evaluation),
          ranked,
        ),
      );
    }
  }
  return answers;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The rule on one section's evaluations, given in byId order with the dates of their Consents: one
 * pass over them, then sorting only the few that decide.
 */
function combineSorted(
  evaluations: ConsentEvaluation[],
  dates: ReadonlyArray<{ dateTime: number; lastUpdated: number }>,
): CombinedDecision {
  const considered = evaluations;
  const unreadable: ConsentEvaluation[] = [];
  const deciding: Ranked[] = [];
  const restrictions: SecurityLabel[] = [];
  for (let i = 0; i < evaluations.length; i += 1) {
    const evaluation = evaluations[i]!;
    if (evaluation.unparseable) unreadable.push(evaluation);
    if (evaluation.verdict !== 'none') {
      const { dateTime, lastUpdated } = dates[i]!;
      deciding.push({ evaluation, dateTime, lastUpdated });
    } else if (evaluation.excludeLabels) restrictions.push(...evaluation.excludeLabels);
  }

  if (unreadable.length > 0) {
    const reasons = unreadable.map((e) => `${named(e)} cannot be read (${e.note ?? '?'})`);
    return {
      verdict: 'deny',
      basis: unreadable,
      considered,
      reason: `${reasons.join('; ')}: a Consent that cannot be read denies`,
    };
  }

  deciding.sort(newestFirst);
  const newest = deciding[0];
  if (!newest) return { verdict: 'deny', basis: [], considered, reason: 'no Consent permits' };

  const tied = deciding.filter((r) => r.dateTime === newest.dateTime);
  const denies = tied.filter((r) => r.evaluation.verdict === 'deny');
  if (denies.length > 0) {
    return {
      verdict: 'deny',
      basis: denies.map((r) => r.evaluation),
      considered,
      reason: denies.map((r) => explain(r.evaluation)).join('; '),
    };
  }

  const basis = tied.map((r) => r.evaluation);
  const periods = basis.flatMap((e) => (e.match?.dataPeriod ? [e.match.dataPeriod] : []));
  const dataPeriod = intersectDataPeriods(periods);
  const excludeLabels = uniqueLabels([
    ...basis.flatMap((e) => e.match?.excludeLabels ?? []),
    ...restrictions,
  ]);
  return {
    verdict: 'permit',
    basis,
    considered,
    ...(dataPeriod ? { dataPeriod } : {}),
    ...(excludeLabels.length > 0 ? { excludeLabels } : {}),
    reason: basis.map(explain).join('; '),
  };
}
