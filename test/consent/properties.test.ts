import fc from 'fast-check';
import type { Consent, ConsentProvision, ConsentProvisionActor, Period } from '@medplum/fhirtypes';
import { combineConsents } from '../../src/consent/combine';
import {
  CONSENT_ACTION_SYSTEM,
  CONSENT_SCOPE_SYSTEM,
  PORTAL_CONSENT_TYPE_SYSTEM,
  PORTAL_SECTION_SYSTEM,
  PURPOSE_OF_USE_SYSTEM,
  RESOURCE_TYPES_SYSTEM,
  evaluateConsent,
  type ConsentQuery,
} from '../../src/consent/provisions';

// Small pools, so that generated provisions and questions actually meet.
const ACTORS = ['RelatedPerson/a', 'RelatedPerson/ab', 'Patient/12', 'Patient/123'];
const ANYONE = '(no reference)';
const SECTIONS = ['reports', 'care-plan', 'measurements'];
const TYPES = ['Observation', 'CarePlan'];
const PURPOSES = ['FAMRQT', 'PWATRNY'];
// In time order, around both Dutch clock changes of 2024.
const BOUNDS = [
  '2024-03-30',
  '2024-03-31',
  '2024-03-31T01:30:00+01:00',
  '2024-04-01T00:00:00+02:00',
  '2024-06',
  '2024-10-27',
  '2024-10-27T02:30:00+01:00',
  '2025',
];
const MOMENTS = [
  '2024-03-29T12:00:00Z',
  '2024-03-29T22:59:59Z',
  '2024-03-29T23:00:00Z',
  '2024-03-30T23:00:00Z',
  '2024-03-31T00:30:00Z',
  '2024-03-31T21:59:59.999Z',
  '2024-03-31T22:00:00Z',
  '2024-05-31T22:00:00Z',
  '2024-07-01T12:00:00+02:00',
  '2024-10-26T21:59:59Z',
  '2024-10-27T01:30:00Z',
  '2024-10-27T23:00:00Z',
  '2025-12-31T22:59:59Z',
  '2025-12-31T23:00:00Z',
];
const DATE_TIMES = [
  '2024-01-01',
  '2023-12-31T23:00:00Z',
  '2024-02-01T10:00:00+01:00',
  '2024-03-01T09:00:00Z',
];
const LABELS = [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' }];

const rarely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: arb, weight: 1 });
const often = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined, freq: 2 });
const someOf = (pool: readonly string[]) => fc.subarray([...pool], { minLength: 1 });

// Mostly well-ordered periods; now and then one the wrong way round, which must make its Consent deny.
const period: fc.Arbitrary<Period> = fc
  .tuple(
    fc.option(fc.nat(BOUNDS.length - 1), { nil: undefined }),
    fc.option(fc.nat(BOUNDS.length - 1), { nil: undefined }),
    fc.boolean(),
    fc.nat(19),
  )
  .map(([a, b, keepOrder, dice]) => {
    const [lo, hi] = a !== undefined && b !== undefined && (keepOrder || dice > 0) && a > b ? [b, a] : [a, b];
    return {
      ...(lo === undefined ? {} : { start: BOUNDS[lo] }),
      ...(hi === undefined ? {} : { end: BOUNDS[hi] }),
    };
  });

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function provisionArb(levelsBelow: number): fc.Arbitrary<ConsentProvision> {
  return fc
    .record({
      type: fc.constantFrom<'permit' | 'deny'>('permit', 'deny'),
      period: often(period),
      actors: often(someOf([...ACTORS, ANYONE])),
      action: rarely(fc.constantFrom('access', 'collect')),
      sections: often(someOf([...SECTIONS, 'other-system'])),
      types: rarely(someOf(TYPES)),
      purposes: rarely(someOf(PURPOSES)),
      labelled: rarely(fc.constant(true)),
      data: rarely(fc.constant(true)),
      dataPeriod: rarely(period),
      children:
        levelsBelow > 0
          ? rarely(fc.array(provisionArb(levelsBelow - 1), { minLength: 1, maxLength: 3 }))
          : fc.constant(undefined),
    })
    .map((g) => {
      // A permit's actor without a reference is a data error; keep those rare by generating them on denies only.
      const actors = g.actors?.filter((a) => a !== ANYONE || g.type === 'deny');
      return withoutUndefined<ConsentProvision>({
        type: g.type,
        period: g.period,
        actor: actors?.length
          ? actors.map((a) =>
              a === ANYONE
                ? ({ role: { text: 'anyone' } } as ConsentProvisionActor)
                : { role: { text: 'recipient' }, reference: { reference: a } },
            )
          : undefined,
        action: g.action ? [{ coding: [{ system: CONSENT_ACTION_SYSTEM, code: g.action }] }] : undefined,
        code: g.sections?.map((s) =>
          s === 'other-system'
            ? { coding: [{ system: 'urn:other', code: 'reports' }] }
            : { coding: [{ system: PORTAL_SECTION_SYSTEM, code: s }] },
        ),
        class: g.types?.map((t) => ({ system: RESOURCE_TYPES_SYSTEM, code: t })),
        purpose: g.purposes?.map((p) => ({ system: PURPOSE_OF_USE_SYSTEM, code: p })),
        securityLabel: g.labelled ? LABELS : undefined,
        data: g.data ? [{ meaning: 'instance', reference: { reference: 'Observation/o1' } }] : undefined,
        dataPeriod: g.dataPeriod,
        provision: g.children,
      });
    });
}

const consentArb: fc.Arbitrary<Consent> = fc
  .record({
    status: fc.constantFrom('active', 'active', 'active', 'active', 'inactive', 'draft'),
    type: fc.constantFrom(
      'portal-access',
      'portal-access',
      'portal-access',
      'portal-access',
      'parental-access',
    ),
    dateTime: fc.constantFrom(...DATE_TIMES),
    provision: provisionArb(2),
  })
  .map((g): Consent => ({
    resourceType: 'Consent',
    status: g.status as Consent['status'],
    scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: PORTAL_CONSENT_TYPE_SYSTEM, code: g.type }] }],
    patient: { reference: 'Patient/p1' },
    dateTime: g.dateTime,
    provision: g.provision,
  }));

/** Ids follow the position, so a basis names exactly one generated Consent. */
const consentsArb = fc
  .array(consentArb, { maxLength: 5 })
  .map((list) => list.map((c, i) => ({ ...c, id: `c${i}` })));

const queryArb: fc.Arbitrary<ConsentQuery> = fc
  .record({
    actor: fc.constantFrom(...ACTORS),
    at: fc.constantFrom(...MOMENTS),
    section: fc.constantFrom(...SECTIONS),
    resourceType: fc.option(fc.constantFrom(...TYPES), { nil: undefined }),
    purpose: fc.option(fc.constantFrom(...PURPOSES), { nil: undefined }),
  })
  .map((q) => withoutUndefined(q));

// ---------------------------------------------------------------------------------------------
// Reference matcher. Written apart from the production code, and differently: Dutch summer time by
// the EU rule instead of the tz database, and one predicate per criterion in a list.

function lastSunday(year: number, month0: number): number {
  const last = new Date(Date.UTC(year, month0 + 1, 0));
  return last.getUTCDate() - last.getUTCDay();
}

/** 00:00 in the Netherlands on the given calendar day (EU rule: summer time from the last Sunday of March to the last Sunday of October). */
function dutchMidnight(year: number, month0: number, day: number): number {
  const utcDay = new Date(Date.UTC(year, month0, day));
  const [y, m, d] = [utcDay.getUTCFullYear(), utcDay.getUTCMonth(), utcDay.getUTCDate()];
  const afterMarch = m > 2 || (m === 2 && d > lastSunday(y, 2));
  const notAfterOctober = m < 9 || (m === 9 && d <= lastSunday(y, 9));
  const hoursAhead = afterMarch && notAfterOctober ? 2 : 1;
  return Date.UTC(y, m, d) - hoursAhead * 3_600_000;
}

function refStart(text: string): number {
  const [y, m, d] = text.split('-').map(Number) as [number, number?, number?];
  if (text.includes('T')) return Date.parse(text);
  return dutchMidnight(y, (m ?? 1) - 1, d ?? 1);
}

function refEnd(text: string): number {
  if (text.includes('T')) return Date.parse(text);
  const [y, m, d] = text.split('-').map(Number) as [number, number?, number?];
  if (d !== undefined) return dutchMidnight(y, (m ?? 1) - 1, d + 1);
  if (m !== undefined) return dutchMidnight(y, m, 1);
  return dutchMidnight(y + 1, 0, 1);
}

function refMatches(p: ConsentProvision, q: ConsentQuery): boolean {
  const at = Date.parse(q.at);
  const codes = (list: { system?: string; code?: string }[] | undefined, system: string) =>
    (list ?? []).filter((c) => c.system === system).map((c) => c.code);
  const criteria: Array<() => boolean> = [
    () => p.period?.start === undefined || refStart(p.period.start) <= at,
    () => p.period?.end === undefined || at < refEnd(p.period.end),
    () =>
      p.actor === undefined ||
      p.actor.some((a) =>
        a.reference?.reference === undefined ? p.type === 'deny' : a.reference.reference === q.actor,
      ),
    () =>
      p.action === undefined ||
      codes(
        p.action.flatMap((c) => c.coding ?? []),
        CONSENT_ACTION_SYSTEM,
      ).includes('access'),
    () =>
      p.code === undefined ||
      codes(
        p.code.flatMap((c) => c.coding ?? []),
        PORTAL_SECTION_SYSTEM,
      ).includes(q.section),
    () =>
      p.class === undefined ||
      (q.resourceType !== undefined && codes(p.class, RESOURCE_TYPES_SYSTEM).includes(q.resourceType)),
    () =>
      p.purpose === undefined ||
      (q.purpose !== undefined && codes(p.purpose, PURPOSE_OF_USE_SYSTEM).includes(q.purpose)),
    // Label- and instance-limited permits never open a section; a label-limited deny only adds an obligation.
    () => !(p.type === 'permit' && (p.securityLabel !== undefined || p.data !== undefined)),
    () => !(p.type === 'deny' && p.securityLabel !== undefined && p.data === undefined),
  ];
  return criteria.every((holds) => holds());
}

interface Located {
  node: ConsentProvision;
  path: string;
  indices: number[];
}

/** Provisions reachable through matching ancestors, themselves matching. */
function matchingChain(root: ConsentProvision, q: ConsentQuery): Located[] {
  const found: Located[] = [];
  const visit = (node: ConsentProvision, path: string, indices: number[]) => {
    if (!refMatches(node, q)) return;
    found.push({ node, path, indices });
    node.provision?.forEach((child, i) => visit(child, `${path}.provision[${i}]`, [...indices, i]));
  };
  visit(root, 'Consent.provision', []);
  return found;
}

function hasMatchingDenyBelow(node: ConsentProvision, q: ConsentQuery): boolean {
  return (node.provision ?? []).some(
    (c) => refMatches(c, q) && (c.type === 'deny' || hasMatchingDenyBelow(c, q)),
  );
}

function refVerdict(node: ConsentProvision, q: ConsentQuery): 'permit' | 'deny' | 'none' {
  if (!refMatches(node, q)) return 'none';
  const below = (node.provision ?? []).map((c) => refVerdict(c, q));
  if (below.includes('deny')) return 'deny';
  if (below.includes('permit')) return 'permit';
  return node.type as 'permit' | 'deny';
}

// ---------------------------------------------------------------------------------------------

const RUNS = { numRuns: 600 };

describe('combining rule properties', () => {
  it('permits only through an active portal grant with a matching permit and no matching deny under it', () => {
    let permits = 0;
    fc.assert(
      fc.property(consentsArb, queryArb, (consents, q) => {
        const result = combineConsents(consents, q);
        if (result.verdict !== 'permit') return;
        permits += 1;
        for (const basis of result.basis) {
          const decider = consents.find((c) => c.id === basis.consentId);
          expect(decider?.status).toBe('active');
          expect(decider?.category?.[0]?.coding?.[0]?.code).toBe('portal-access');
          const chain = matchingChain(decider?.provision as ConsentProvision, q);
          const witnesses = chain.filter((l) => l.node.type === 'permit' && !hasMatchingDenyBelow(l.node, q));
          expect(witnesses.map((w) => w.path)).toContain(basis.match?.path);
        }
      }),
      RUNS,
    );
    // The property says nothing if nothing is ever permitted.
    expect(permits).toBeGreaterThan(30);
  });

  it('agrees with the reference matcher on every readable active portal Consent', () => {
    let decided = 0;
    fc.assert(
      fc.property(consentArb, queryArb, (generated, q) => {
        const c: Consent = {
          ...generated,
          id: 'x',
          status: 'active',
          category: [{ coding: [{ system: PORTAL_CONSENT_TYPE_SYSTEM, code: 'portal-access' }] }],
        };
        const result = evaluateConsent(c, q);
        if (result.unparseable) return;
        if (result.verdict !== 'none') decided += 1;
        expect(result.verdict).toBe(refVerdict(c.provision as ConsentProvision, q));
      }),
      RUNS,
    );
    expect(decided).toBeGreaterThan(100);
  });

  it('a nested deny without criteria under a matching permit ends that permit', () => {
    let tried = 0;
    fc.assert(
      fc.property(consentArb, queryArb, fc.nat(), (generated, q, pick) => {
        const c: Consent = {
          ...generated,
          id: 'x',
          status: 'active',
          category: [{ coding: [{ system: PORTAL_CONSENT_TYPE_SYSTEM, code: 'portal-access' }] }],
        };
        const permits = matchingChain(c.provision as ConsentProvision, q).filter(
          (l) => l.node.type === 'permit',
        );
        const target = permits[pick % Math.max(permits.length, 1)];
        if (!target) return;
        tried += 1;
        const changed = structuredClone(c);
        let node = changed.provision as ConsentProvision;
        for (const i of target.indices) node = (node.provision as ConsentProvision[])[i] as ConsentProvision;
        node.provision = [...(node.provision ?? []), { type: 'deny' }];
        expect(evaluateConsent(changed, q).verdict).toBe('deny');
      }),
      RUNS,
    );
    expect(tried).toBeGreaterThan(50);
  });

  it('a newer matching deny, or any unreadable portal Consent, turns every result into deny', () => {
    const newerDeny: Consent = {
      resourceType: 'Consent',
      id: 'newest',
      status: 'active',
      scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy' }] },
      category: [{ coding: [{ system: PORTAL_CONSENT_TYPE_SYSTEM, code: 'portal-access' }] }],
      patient: { reference: 'Patient/p1' },
      dateTime: '2026-01-01T00:00:00Z',
      provision: { type: 'deny' },
    };
    const unreadable: Consent = { ...newerDeny, id: 'broken', dateTime: '2000-01-01', provision: undefined };
    fc.assert(
      fc.property(consentsArb, queryArb, fc.nat(5), (consents, q, at) => {
        const withDeny: Consent[] = [...consents];
        withDeny.splice(Math.min(at, consents.length), 0, newerDeny);
        expect(combineConsents(withDeny, q).verdict).toBe('deny');
        const withBroken: Consent[] = [...consents];
        withBroken.splice(Math.min(at, consents.length), 0, unreadable);
        expect(combineConsents(withBroken, q).verdict).toBe('deny');
      }),
      RUNS,
    );
  });

  it('does not depend on the order of the Consents', () => {
    // Ids repeat here, so that nothing but the content can put equal Consents in order.
    const sameIds = fc
      .array(consentArb, { maxLength: 5 })
      .map((list) => list.map((c, i) => ({ ...c, id: `c${i % 2}` })));
    const shuffled = sameIds.chain((consents) =>
      fc.tuple(fc.constant(consents), fc.shuffledSubarray(consents, { minLength: consents.length })),
    );
    fc.assert(
      fc.property(shuffled, queryArb, ([consents, reordered], q) => {
        expect(combineConsents(reordered, q)).toEqual(combineConsents(consents, q));
      }),
      RUNS,
    );
  });
});
