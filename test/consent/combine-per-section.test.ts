import fc from 'fast-check';
import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import { combineConsentsPerSection, type CombinedDecision } from '../../src/consent/combine';
import {
  CONSENT_SCOPE_SYSTEM,
  PORTAL_CONSENT_TYPE_SYSTEM,
  PORTAL_SECTION_SYSTEM,
  evaluateConsent,
  fhirMoment,
  intersectDataPeriods,
  uniqueLabels,
  type ConsentEvaluation,
  type ConsentQuery,
} from '../../src/consent/provisions';

/**
 * A.8 evaluates each Consent once for all sections. That must change nothing: for every section the
 * answer is exactly what the combining rule gives when that one section is asked, written here as
 * the rule reads, one section at a time, on top of the single-Consent evaluation.
 */
const SECTIONS = ['reports', 'care-plan', 'measurements', 'documents'];
const ACTORS = ['RelatedPerson/a', 'RelatedPerson/b', 'Patient/p1'];
const DATE_TIMES = ['2024-01-01', '2024-02-01T10:00:00+01:00', '2024-03-01', 'not a date'];
const LABEL = { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' };

const provisionArb = (depth: number): fc.Arbitrary<ConsentProvision> =>
  fc
    .record({
      type: fc.constantFrom<'permit' | 'deny'>('permit', 'deny'),
      actor: fc.option(fc.subarray(ACTORS, { minLength: 1 }), { nil: undefined }),
      sections: fc.option(fc.subarray(SECTIONS, { minLength: 1 }), { nil: undefined }),
      period: fc.option(
        fc.constantFrom({ start: '2024-01-01' }, { end: '2024-01-01' }, { start: '2025', end: '2024' }),
        {
          nil: undefined,
        },
      ),
      dataPeriod: fc.option(fc.constantFrom({ start: '2023-01-01' }, { end: '2024-06-30' }), {
        nil: undefined,
      }),
      labelled: fc.boolean(),
      children:
        depth > 0
          ? fc.option(fc.array(provisionArb(depth - 1), { minLength: 1, maxLength: 2 }), { nil: undefined })
          : fc.constant(undefined),
    })
    .map((g) => ({
      type: g.type,
      ...(g.actor
        ? { actor: g.actor.map((reference) => ({ role: { text: 'recipient' }, reference: { reference } })) }
        : {}),
      ...(g.sections
        ? { code: g.sections.map((code) => ({ coding: [{ system: PORTAL_SECTION_SYSTEM, code }] })) }
        : {}),
      ...(g.period ? { period: g.period } : {}),
      ...(g.dataPeriod ? { dataPeriod: g.dataPeriod } : {}),
      ...(g.labelled && g.type === 'deny' ? { securityLabel: [LABEL] } : {}),
      ...(g.children ? { provision: g.children } : {}),
    }));

const consentsArb = fc.array(
  fc
    .record({
      id: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c1'),
      status: fc.constantFrom('active', 'active', 'active', 'inactive', 'bogus'),
      dateTime: fc.constantFrom(...DATE_TIMES),
      lastUpdated: fc.option(fc.constantFrom('2024-05-01T00:00:00Z', '2024-06-01T00:00:00Z'), {
        nil: undefined,
      }),
      provision: provisionArb(2),
    })
    .map((g): Consent => ({
      resourceType: 'Consent',
      id: g.id,
      ...(g.lastUpdated ? { meta: { lastUpdated: g.lastUpdated } } : {}),
      status: g.status as Consent['status'],
      scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy' }] },
      category: [{ coding: [{ system: PORTAL_CONSENT_TYPE_SYSTEM, code: 'portal-access' }] }],
      patient: { reference: 'Patient/p1' },
      dateTime: g.dateTime,
      provision: g.provision,
    })),
  { maxLength: 6 },
);

interface Entry {
  evaluation: ConsentEvaluation;
  dateTime: number;
  lastUpdated: number;
}

/** The combining rule for one section, as combine.ts publishes it. */
function oneSection(consents: readonly Consent[], query: ConsentQuery): CombinedDecision {
  const entries: Entry[] = consents.map((c) => ({
    evaluation: evaluateConsent(c, query),
    dateTime: fhirMoment(c.dateTime)?.lo ?? -Infinity,
    lastUpdated: fhirMoment(c.meta?.lastUpdated)?.lo ?? -Infinity,
  }));
  const text = (e: Entry) => JSON.stringify(e.evaluation);
  const byId = (a: Entry, b: Entry) =>
    a.evaluation.consentId !== b.evaluation.consentId
      ? a.evaluation.consentId < b.evaluation.consentId
        ? -1
        : 1
      : text(a) < text(b)
        ? -1
        : text(a) > text(b)
          ? 1
          : 0;
  const sorted = [...entries].sort(byId);
  const considered = sorted.map((e) => e.evaluation);
  const unreadable = sorted.filter((e) => e.evaluation.unparseable);
  const named = (e: ConsentEvaluation) => (e.consentId ? `Consent/${e.consentId}` : 'a Consent without id');
  const says = (e: ConsentEvaluation) =>
    `${named(e)} ${e.verdict === 'permit' ? 'permits' : 'denies'} (provision ${e.match?.path ?? '?'})`;
  if (unreadable.length > 0) {
    return {
      verdict: 'deny',
      basis: unreadable.map((e) => e.evaluation),
      considered,
      reason: `${unreadable.map((e) => `${named(e.evaluation)} cannot be read (${e.evaluation.note ?? '?'})`).join('; ')}: a Consent that cannot be read denies`,
    };
  }
  const deciding = sorted
    .filter((e) => e.evaluation.verdict !== 'none')
    .sort((a, b) => b.dateTime - a.dateTime || b.lastUpdated - a.lastUpdated || byId(a, b));
  if (deciding.length === 0) return { verdict: 'deny', basis: [], considered, reason: 'no Consent permits' };
  const tied = deciding.filter((e) => e.dateTime === deciding[0]!.dateTime);
  const denies = tied.filter((e) => e.evaluation.verdict === 'deny');
  if (denies.length > 0)
    return {
      verdict: 'deny',
      basis: denies.map((e) => e.evaluation),
      considered,
      reason: denies.map((e) => says(e.evaluation)).join('; '),
    };
  const basis = tied.map((e) => e.evaluation);
  const dataPeriod = intersectDataPeriods(
    basis.flatMap((e) => (e.match?.dataPeriod ? [e.match.dataPeriod] : [])),
  );
  const excludeLabels = uniqueLabels([
    ...basis.flatMap((e) => e.match?.excludeLabels ?? []),
    ...sorted.filter((e) => e.evaluation.verdict === 'none').flatMap((e) => e.evaluation.excludeLabels ?? []),
  ]);
  return {
    verdict: 'permit',
    basis,
    considered,
    ...(dataPeriod ? { dataPeriod } : {}),
    ...(excludeLabels.length > 0 ? { excludeLabels } : {}),
    reason: basis.map(says).join('; '),
  };
}

describe('A.8: each Consent evaluated once for all sections', () => {
  it('A.8: gives, for every section, exactly the answer of the combining rule asked for that section', () => {
    fc.assert(
      fc.property(
        consentsArb,
        fc.constantFrom(...ACTORS),
        fc.constantFrom('2024-02-15T12:00:00+01:00', '2023-06-01T12:00:00+02:00'),
        (consents, actor, at) => {
          const question = { actor, at, purpose: 'FAMRQT' };
          const together = combineConsentsPerSection(consents, question, SECTIONS);
          for (const section of SECTIONS) {
            expect(together.get(section)).toEqual(oneSection(consents, { ...question, section }));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
