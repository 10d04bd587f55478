import type { Consent, ConsentProvision, ConsentProvisionActor } from '@medplum/fhirtypes';
import {
  CONSENT_ACTION_SYSTEM,
  CONSENT_SCOPE_SYSTEM,
  PORTAL_CONSENT_TYPE_SYSTEM,
  PORTAL_SECTION_SYSTEM,
  PURPOSE_OF_USE_SYSTEM,
  RESOURCE_TYPES_SYSTEM,
  evaluateConsent,
  fhirMoment,
  type ConsentQuery,
} from '../../src/consent/provisions';

const ME = 'RelatedPerson/r1';

function consent(provision: ConsentProvision | undefined, extra: Record<string, unknown> = {}): Consent {
  return {
    resourceType: 'Consent',
    id: 'c1',
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy' }] },
    category: [
      { coding: [{ system: 'http://loinc.org', code: '59284-0' }] },
      { coding: [{ system: PORTAL_CONSENT_TYPE_SYSTEM, code: 'portal-access' }] },
    ],
    patient: { reference: 'Patient/p1' },
    dateTime: '2024-01-01T09:00:00+01:00',
    ...(provision ? { provision } : {}),
    ...extra,
  } as Consent;
}

function query(over: Partial<ConsentQuery> = {}): ConsentQuery {
  return { actor: ME, at: '2024-06-01T12:00:00+02:00', section: 'reports', ...over };
}

const section = (code: string, system = PORTAL_SECTION_SYSTEM) => ({ coding: [{ system, code }] });
const recipient = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }],
};
const actor = (reference: string): ConsentProvisionActor => ({ role: recipient, reference: { reference } });
/** An actor entry as it may arrive, not as the type says it must be. */
const loose = (entry: object) => entry as ConsentProvisionActor;
const permit = (more: Partial<ConsentProvision> = {}): ConsentProvision => ({ type: 'permit', ...more });
const deny = (more: Partial<ConsentProvision> = {}): ConsentProvision => ({ type: 'deny', ...more });

function evaluate(provision: ConsentProvision, q: Partial<ConsentQuery> = {}) {
  return evaluateConsent(consent(provision), query(q));
}

describe('FHIR date and dateTime values', () => {
  test.each([
    ['2024-06-01T10:00:00Z', '2024-06-01T10:00:00.000Z', '2024-06-01T10:00:00.000Z'],
    ['2024-06-01T12:00:00+02:00', '2024-06-01T10:00:00.000Z', '2024-06-01T10:00:00.000Z'],
    ['2024-06-01T12:00:00.1234-03:30', '2024-06-01T15:30:00.123Z', '2024-06-01T15:30:00.123Z'],
    // Summer time: 00:00 in Amsterdam is 22:00 UTC the day before.
    ['2024-06-01', '2024-05-31T22:00:00.000Z', '2024-06-01T22:00:00.000Z'],
    // Winter time: 23:00 UTC.
    ['2024-01-15', '2024-01-14T23:00:00.000Z', '2024-01-15T23:00:00.000Z'],
    // The days of the clock changes are 23 and 25 hours long.
    ['2024-03-31', '2024-03-30T23:00:00.000Z', '2024-03-31T22:00:00.000Z'],
    ['2024-10-27', '2024-10-26T22:00:00.000Z', '2024-10-27T23:00:00.000Z'],
    ['2024-02', '2024-01-31T23:00:00.000Z', '2024-02-29T23:00:00.000Z'],
    ['2023', '2022-12-31T23:00:00.000Z', '2023-12-31T23:00:00.000Z'],
  ])('%s runs from %s to %s', (text, lo, hi) => {
    const moment = fhirMoment(text);
    expect(moment && new Date(moment.lo).toISOString()).toBe(lo);
    expect(moment && new Date(moment.hi).toISOString()).toBe(hi);
  });

  test.each([
    '2024-13-01',
    '2024-02-30',
    '2023-02-29',
    '2024-06-01T12:00:00',
    '2024-06-01T12:00+02:00',
    '2024-06-01T24:00:00Z',
    '2024-06-01T12:00:00+15:00',
    '2024-6-1',
    '0000',
    ' 2024-06-01',
    '',
    20240601,
    undefined,
  ])('%p is not a FHIR dateTime', (text) => {
    expect(fhirMoment(text)).toBeUndefined();
  });

  it('refuses a question whose moment is not an instant', () => {
    expect(() => evaluate(permit(), { at: '2024-06-01' })).toThrow(RangeError);
    expect(() => evaluate(permit(), { at: '2024-06-01T12:00:00' })).toThrow(RangeError);
  });
});

describe('period', () => {
  test.each([
    [
      'start is inclusive, across zones',
      { start: '2024-06-01T12:00:00+02:00' },
      '2024-06-01T10:00:00Z',
      'permit',
    ],
    ['1 ms before the start', { start: '2024-06-01T12:00:00+02:00' }, '2024-06-01T09:59:59.999Z', 'none'],
    ['end is exclusive', { end: '2024-06-01T12:00:00+02:00' }, '2024-06-01T10:00:00Z', 'none'],
    ['1 ms before the end', { end: '2024-06-01T12:00:00+02:00' }, '2024-06-01T09:59:59.999Z', 'permit'],
    ['date start, summer, first moment', { start: '2024-06-01' }, '2024-05-31T22:00:00Z', 'permit'],
    ['date start, summer, just before', { start: '2024-06-01' }, '2024-05-31T23:59:59.999+02:00', 'none'],
    ['date start, winter, first moment', { start: '2024-01-15' }, '2024-01-15T00:00:00+01:00', 'permit'],
    ['date start, winter, just before', { start: '2024-01-15' }, '2024-01-14T22:59:59Z', 'none'],
    ['date end includes its last second', { end: '2024-06-01' }, '2024-06-01T23:59:59+02:00', 'permit'],
    ['date end excludes the next day', { end: '2024-06-01' }, '2024-06-01T22:00:00Z', 'none'],
    ['date end before the clock change', { end: '2024-03-30' }, '2024-03-30T22:59:59Z', 'permit'],
    ['date end before the clock change, next day', { end: '2024-03-30' }, '2024-03-30T23:00:00Z', 'none'],
    ['date end on the clock change', { end: '2024-03-31' }, '2024-03-31T21:59:59Z', 'permit'],
    ['date end on the clock change, next day', { end: '2024-03-31' }, '2024-03-31T22:00:00Z', 'none'],
    ['month start', { start: '2024-06' }, '2024-05-31T22:00:00Z', 'permit'],
    ['year end, last moment', { end: '2023' }, '2023-12-31T22:59:59.999Z', 'permit'],
    ['year end, next year', { end: '2023' }, '2023-12-31T23:00:00Z', 'none'],
    ['start in another zone', { start: '2024-06-01T08:00:00-04:00' }, '2024-06-01T12:00:00Z', 'permit'],
    ['start in another zone, before', { start: '2024-06-01T08:00:00-04:00' }, '2024-06-01T11:59:59Z', 'none'],
    ['one day, inside', { start: '2024-06-01', end: '2024-06-01' }, '2024-06-01T13:00:00+02:00', 'permit'],
    [
      'empty instant period',
      { start: '2024-06-01T12:00:00Z', end: '2024-06-01T12:00:00Z' },
      '2024-06-01T12:00:00Z',
      'none',
    ],
  ])('%s', (_name, period, at, expected) => {
    expect(evaluate(permit({ period }), { at }).verdict).toBe(expected);
  });

  it('explains a period that does not hold', () => {
    expect(evaluate(permit({ period: { end: '2024-01-01' } })).note).toBe(
      'period does not contain the moment',
    );
  });

  it('reads the periods of nested provisions too', () => {
    const tree = permit({ provision: [deny({ period: { start: '2024-05-01', end: '2024-07-01' } })] });
    expect(evaluate(tree, { at: '2024-06-15T12:00:00Z' }).verdict).toBe('deny');
    expect(evaluate(tree, { at: '2024-07-15T12:00:00Z' }).verdict).toBe('permit');
  });
});

describe('actor', () => {
  test.each<[string, ConsentProvisionActor[], string, string]>([
    ['exact match', [actor(ME)], ME, 'permit'],
    ['another person', [actor('RelatedPerson/r2')], ME, 'none'],
    ['Patient/12 does not match Patient/123', [actor('Patient/12')], 'Patient/123', 'none'],
    ['Patient/123 does not match Patient/12', [actor('Patient/123')], 'Patient/12', 'none'],
    ['same id, other type', [actor('Patient/r1')], ME, 'none'],
    ['spaces around the reference', [actor(`  ${ME} `)], ME, 'permit'],
    ['spaces around the asked actor', [actor(ME)], ` ${ME}  `, 'permit'],
    ['second of several', [actor('RelatedPerson/r2'), actor(ME)], ME, 'permit'],
    [
      'display equal to the asked actor',
      [loose({ role: recipient, reference: { reference: 'RelatedPerson/r2', display: ME } })],
      ME,
      'none',
    ],
  ])('permit: %s', (_name, actors, who, expected) => {
    expect(evaluate(permit({ actor: actors }), { actor: who }).verdict).toBe(expected);
  });

  test.each<[string, ConsentProvisionActor[], string]>([
    ['exact match', [actor(ME)], 'deny'],
    ['another person', [actor('RelatedPerson/r2')], 'permit'],
    [
      'display text only: denies everyone',
      [loose({ role: recipient, reference: { display: 'Jan Jansen' } })],
      'deny',
    ],
    ['role only: denies everyone', [loose({ role: { text: 'mentor' } })], 'deny'],
    [
      'identifier only: denies everyone',
      [loose({ role: recipient, reference: { identifier: { value: '123' } } })],
      'deny',
    ],
  ])('nested deny: %s', (_name, actors, expected) => {
    expect(evaluate(permit({ provision: [deny({ actor: actors })] })).verdict).toBe(expected);
  });
});

describe('action, code, class, purpose', () => {
  const access = { coding: [{ system: CONSENT_ACTION_SYSTEM, code: 'access' }] };
  test.each<[string, Partial<ConsentProvision>, Partial<ConsentQuery>, string]>([
    ['action access', { action: [access] }, {}, 'permit'],
    [
      'action collect',
      { action: [{ coding: [{ system: CONSENT_ACTION_SYSTEM, code: 'collect' }] }] },
      {},
      'none',
    ],
    [
      'action access of another system',
      { action: [{ coding: [{ system: 'urn:x', code: 'access' }] }] },
      {},
      'none',
    ],
    ['action among several', { action: [{ text: 'read' }, access] }, {}, 'permit'],
    ['section asked', { code: [section('care-plan'), section('reports')] }, {}, 'permit'],
    ['other section', { code: [section('care-plan')] }, {}, 'none'],
    ['section code of another system', { code: [section('reports', 'urn:other')] }, {}, 'none'],
    ['section code without system', { code: [{ coding: [{ code: 'reports' }] }] }, {}, 'none'],
    ['section as text only', { code: [{ text: 'reports' }] }, {}, 'none'],
    [
      'class asked',
      { class: [{ system: RESOURCE_TYPES_SYSTEM, code: 'Observation' }] },
      { resourceType: 'Observation' },
      'permit',
    ],
    [
      'class other type',
      { class: [{ system: RESOURCE_TYPES_SYSTEM, code: 'CarePlan' }] },
      { resourceType: 'Observation' },
      'none',
    ],
    [
      'class other system',
      { class: [{ system: 'urn:x', code: 'Observation' }] },
      { resourceType: 'Observation' },
      'none',
    ],
    [
      'class, question without type',
      { class: [{ system: RESOURCE_TYPES_SYSTEM, code: 'Observation' }] },
      {},
      'none',
    ],
    ['no class, question with type', {}, { resourceType: 'Observation' }, 'permit'],
    [
      'purpose asked',
      { purpose: [{ system: PURPOSE_OF_USE_SYSTEM, code: 'FAMRQT' }] },
      { purpose: 'FAMRQT' },
      'permit',
    ],
    ['purpose without system', { purpose: [{ code: 'FAMRQT' }] }, { purpose: 'FAMRQT' }, 'permit'],
    [
      'other purpose',
      { purpose: [{ system: PURPOSE_OF_USE_SYSTEM, code: 'PWATRNY' }] },
      { purpose: 'FAMRQT' },
      'none',
    ],
    [
      'purpose of another system',
      { purpose: [{ system: 'urn:x', code: 'FAMRQT' }] },
      { purpose: 'FAMRQT' },
      'none',
    ],
    [
      'purpose, question without purpose',
      { purpose: [{ system: PURPOSE_OF_USE_SYSTEM, code: 'FAMRQT' }] },
      {},
      'none',
    ],
    ['no purpose, question with purpose', {}, { purpose: 'FAMRQT' }, 'permit'],
    [
      'all criteria at once',
      {
        actor: [actor(ME)],
        action: [access],
        code: [section('reports')],
        class: [{ system: RESOURCE_TYPES_SYSTEM, code: 'Observation' }],
        purpose: [{ system: PURPOSE_OF_USE_SYSTEM, code: 'FAMRQT' }],
        period: { start: '2024-01-01', end: '2024-12-31' },
      },
      { resourceType: 'Observation', purpose: 'FAMRQT' },
      'permit',
    ],
  ])('%s', (_name, criteria, q, expected) => {
    expect(evaluate(permit(criteria), q).verdict).toBe(expected);
  });

  it('says when a class is narrower than the question', () => {
    const result = evaluate(permit({ class: [{ system: RESOURCE_TYPES_SYSTEM, code: 'Observation' }] }));
    expect(result.note).toBe('class is narrower than the question');
  });
});

describe('security labels, data and dataPeriod', () => {
  const psy = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' };
  const restricted = { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' };

  it('does not let a label-limited permit open a section', () => {
    expect(evaluate(permit({ securityLabel: [psy] }))).toEqual({
      consentId: 'c1',
      verdict: 'none',
      note: 'label-limited permit',
    });
  });

  it('turns a label-limited deny into an obligation on the permit', () => {
    const result = evaluate(
      permit({ provision: [deny({ securityLabel: [psy, restricted] }), deny({ securityLabel: [psy] })] }),
    );
    expect(result.verdict).toBe('permit');
    expect(result.match).toEqual({
      consentId: 'c1',
      path: 'Consent.provision',
      verdict: 'permit',
      excludeLabels: [psy, restricted],
    });
  });

  it('keeps the obligation of a Consent that only restricts labels', () => {
    expect(evaluate(deny({ actor: [actor(ME)], securityLabel: [psy] }))).toEqual({
      consentId: 'c1',
      verdict: 'none',
      note: 'label-limited deny (adds an obligation only)',
      excludeLabels: [psy],
    });
  });

  it('takes no obligation from a label deny that does not match', () => {
    const result = evaluate(
      permit({ provision: [deny({ actor: [actor('RelatedPerson/r2')], securityLabel: [psy] })] }),
    );
    expect(result.match?.excludeLabels).toBeUndefined();
  });

  it('does not let an instance-limited permit open a section', () => {
    const result = evaluate(
      permit({ data: [{ meaning: 'instance', reference: { reference: 'Observation/o1' } }] }),
    );
    expect(result).toMatchObject({ verdict: 'none', note: 'instance-limited permit' });
  });

  it('closes the whole section for an instance-limited deny', () => {
    const result = evaluate(
      permit({
        provision: [deny({ data: [{ meaning: 'instance', reference: { reference: 'Observation/o1' } }] })],
      }),
    );
    expect(result.verdict).toBe('deny');
  });

  test.each<[string, ConsentProvision, { start?: string; end?: string } | undefined, string]>([
    ['none anywhere', permit(), undefined, 'Consent.provision'],
    [
      'root only',
      permit({ dataPeriod: { start: '2020-01-01' } }),
      { start: '2020-01-01' },
      'Consent.provision',
    ],
    [
      'root and nested, intersected',
      permit({
        dataPeriod: { start: '2020-01-01', end: '2023-06-30' },
        provision: [
          permit({ code: [section('reports')], dataPeriod: { start: '2022-01-01', end: '2025-01-01' } }),
        ],
      }),
      { start: '2022-01-01', end: '2023-06-30' },
      'Consent.provision.provision[0]',
    ],
    [
      'a deny in between does not narrow',
      permit({
        dataPeriod: { start: '2019' },
        provision: [
          deny({
            dataPeriod: { start: '2023' },
            provision: [permit({ dataPeriod: { end: '2024-01-01T00:00:00Z' } })],
          }),
        ],
      }),
      { start: '2019', end: '2024-01-01T00:00:00Z' },
      'Consent.provision.provision[0].provision[0]',
    ],
    [
      'compared as instants, not strings',
      permit({
        dataPeriod: { start: '2022-01-01T00:30:00+01:00' },
        provision: [permit({ dataPeriod: { start: '2021-12-31T23:45:00Z' } })],
      }),
      { start: '2021-12-31T23:45:00Z' },
      'Consent.provision.provision[0]',
    ],
  ])('dataPeriod: %s', (_name, tree, dataPeriod, path) => {
    const result = evaluate(tree);
    expect(result.verdict).toBe('permit');
    expect(result.match?.path).toBe(path);
    expect(result.match?.dataPeriod).toEqual(dataPeriod);
  });
});

describe('status, scope and category', () => {
  test.each([
    ['active', 'permit', undefined],
    ['inactive', 'none', 'not active: inactive'],
    ['draft', 'none', 'not active: draft'],
    ['proposed', 'none', 'not active: proposed'],
    ['rejected', 'none', 'not active: rejected'],
    ['entered-in-error', 'none', 'not active: entered-in-error'],
  ])('status %s gives %s', (status, verdict, note) => {
    const result = evaluateConsent(consent(permit(), { status }), query());
    expect(result.verdict).toBe(verdict);
    expect(result.note).toBe(note);
  });

  const scope = (code: string) => ({ coding: [{ system: CONSENT_SCOPE_SYSTEM, code }] });
  const category = (code: string) => [{ coding: [{ system: PORTAL_CONSENT_TYPE_SYSTEM, code }] }];
  test.each<[string, Record<string, unknown>]>([
    [
      'zib AdvanceDirective (scope adr)',
      { scope: scope('adr'), category: [{ coding: [{ system: 'http://loinc.org', code: '75320-2' }] }] },
    ],
    ['TreatmentDirective (scope treatment)', { scope: scope('treatment') }],
    ['adr scope even with a portal category', { scope: scope('adr') }],
    ['administrator appointment', { category: category('administrator-appointment') }],
    ['parental access', { category: category('parental-access') }],
    [
      'privacy Consent without a portal type',
      { category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }] },
    ],
  ])('%s grants nothing', (_name, extra) => {
    const result = evaluateConsent(consent(permit({ actor: [actor(ME)] }), extra), query());
    expect(result).toEqual({
      consentId: 'c1',
      verdict: 'none',
      note: 'not a portal-access Consent (ignored)',
    });
  });

  it('ignores an unreadable Consent that is plainly not a portal grant', () => {
    expect(evaluateConsent(consent(undefined, { scope: scope('adr') }), query()).verdict).toBe('none');
  });

  it('counts a Consent with several portal types as a portal grant', () => {
    const extra = { category: [...category('parental-access'), ...category('portal-access')] };
    expect(evaluateConsent(consent(permit(), extra), query()).verdict).toBe('permit');
  });
});

describe('Consents that cannot be read deny', () => {
  const throwing = permit();
  Object.defineProperty(throwing, 'code', {
    enumerable: true,
    get() {
      throw new Error('boom');
    },
  });
  test.each<[string, Consent, string]>([
    ['not a Consent', { resourceType: 'Patient', id: 'c1' } as unknown as Consent, 'not a Consent'],
    ['no provision', consent(undefined), 'Consent.provision is missing'],
    ['no root type', consent({} as ConsentProvision), 'Consent.provision.type is missing'],
    [
      'nested type unknown',
      consent(permit({ provision: [{ type: 'maybe' } as unknown as ConsentProvision] })),
      'provision[0].type',
    ],
    [
      'third-level type missing',
      consent(permit({ provision: [deny({ provision: [{}] })] })),
      'provision[0].provision[0].type',
    ],
    ['no dateTime', consent(permit(), { dateTime: undefined }), 'dateTime'],
    ['dateTime month 13', consent(permit(), { dateTime: '2024-13-01' }), 'dateTime'],
    ['dateTime without offset', consent(permit(), { dateTime: '2024-06-01T12:00:00' }), 'dateTime'],
    [
      'dates the wrong way round',
      consent(permit({ period: { start: '2024-06-02', end: '2024-06-01' } })),
      'starts after it ends',
    ],
    [
      'instants the wrong way round',
      consent(deny({ period: { start: '2024-06-01T12:00:01Z', end: '2024-06-01T12:00:00Z' } })),
      'starts after it ends',
    ],
    [
      'nested dataPeriod the wrong way round',
      consent(permit({ provision: [permit({ dataPeriod: { start: '2025', end: '2024' } })] })),
      'dataPeriod starts after',
    ],
    ['period with an invalid date', consent(permit({ period: { start: '2024-02-30' } })), 'period.start'],
    [
      'permit actor with display only',
      consent(permit({ actor: [loose({ reference: { display: 'Jan' } })] })),
      'no reference in a permit',
    ],
    [
      'permit actor with role only',
      consent(permit({ actor: [loose({ role: { text: 'curator' } })] })),
      'no reference in a permit',
    ],
    [
      'absolute actor reference',
      consent(permit({ actor: [actor('https://ecd.example/fhir/RelatedPerson/r1')] })),
      'relative',
    ],
    [
      'versioned actor reference',
      consent(permit({ actor: [actor('RelatedPerson/r1/_history/2')] })),
      'relative',
    ],
    ['contained actor reference', consent(permit({ actor: [actor('#r1')] })), 'relative'],
    [
      'urn:uuid actor reference',
      consent(permit({ actor: [actor('urn:uuid:8f1c7e0a-3d4b-4c55-9a61-0e2f3a4b5c6d')] })),
      'relative',
    ],
    ['lower-case type', consent(permit({ actor: [actor('relatedperson/r1')] })), 'relative'],
    [
      'absolute reference in a deny',
      consent(permit({ provision: [deny({ actor: [actor('https://x.example/Patient/1')] })] })),
      'relative',
    ],
    ['empty actor list', consent(permit({ actor: [] })), 'actor is empty'],
    [
      'code that is not a list',
      consent(permit({ code: section('reports') as never })),
      'code is empty or not a list',
    ],
    [
      'label without code on a deny',
      consent(permit({ provision: [deny({ securityLabel: [{ system: 'urn:x' }] })] })),
      'securityLabel',
    ],
    ['status missing', consent(permit(), { status: undefined }), 'status'],
    ['status unknown', consent(permit(), { status: 'Active' }), 'status'],
    ['category missing', consent(permit(), { category: undefined }), 'category'],
    ['category not a list', consent(permit(), { category: 'portal-access' }), 'category'],
    ['scope missing on a portal grant', consent(permit(), { scope: undefined }), 'category'],
    ['evaluation throws', consent(throwing), 'evaluation failed: boom'],
  ])('%s', (_name, resource, note) => {
    const result = evaluateConsent(resource, query());
    expect(result).toMatchObject({ consentId: 'c1', verdict: 'deny', unparseable: true });
    expect(result.note).toContain(note);
  });

  it('still ignores a withdrawn Consent that is broken', () => {
    expect(evaluateConsent(consent(undefined, { status: 'inactive' }), query()).verdict).toBe('none');
  });
});

describe('nesting', () => {
  // Root: r1 may see reports and measurements, except measurements of type Observation, except
  // Observations asked for with purpose FAMRQT, except during May 2024.
  const tree = permit({
    actor: [actor(ME)],
    code: [section('reports'), section('measurements')],
    provision: [
      deny({
        code: [section('measurements')],
        class: [{ system: RESOURCE_TYPES_SYSTEM, code: 'Observation' }],
        provision: [
          permit({
            purpose: [{ system: PURPOSE_OF_USE_SYSTEM, code: 'FAMRQT' }],
            provision: [deny({ period: { start: '2024-05-01', end: '2024-05-31' } })],
          }),
        ],
      }),
    ],
  });
  const may = '2024-05-15T12:00:00+02:00';
  test.each<[string, Partial<ConsentQuery>, string, string | undefined]>([
    ['root only', { section: 'reports' }, 'permit', 'Consent.provision'],
    ['root does not match', { section: 'care-plan' }, 'none', undefined],
    [
      'another actor',
      { actor: 'RelatedPerson/r2', section: 'measurements', resourceType: 'Observation' },
      'none',
      undefined,
    ],
    ['measurements without type', { section: 'measurements' }, 'permit', 'Consent.provision'],
    [
      'second level',
      { section: 'measurements', resourceType: 'Observation' },
      'deny',
      'Consent.provision.provision[0]',
    ],
    [
      'third level',
      { section: 'measurements', resourceType: 'Observation', purpose: 'FAMRQT' },
      'permit',
      'Consent.provision.provision[0].provision[0]',
    ],
    [
      'fourth level',
      { section: 'measurements', resourceType: 'Observation', purpose: 'FAMRQT', at: may },
      'deny',
      'Consent.provision.provision[0].provision[0].provision[0]',
    ],
    [
      'fourth level outside its parent',
      { section: 'measurements', resourceType: 'Observation', at: may },
      'deny',
      'Consent.provision.provision[0]',
    ],
    [
      'a nested exception only acts inside its parent',
      { section: 'reports', resourceType: 'Observation', at: may },
      'permit',
      'Consent.provision',
    ],
  ])('%s', (_name, q, verdict, path) => {
    const result = evaluate(tree, q);
    expect(result.verdict).toBe(verdict);
    expect(result.match?.path).toBe(path);
  });

  test.each<[string, ConsentProvision[], string, string]>([
    ['permit then deny', [permit(), deny()], 'deny', 'Consent.provision.provision[1]'],
    ['deny then permit', [deny(), permit()], 'deny', 'Consent.provision.provision[0]'],
    [
      'two permits: the first',
      [permit(), permit({ dataPeriod: { start: '2024' } })],
      'permit',
      'Consent.provision.provision[0]',
    ],
    [
      'a non-matching deny does not count',
      [deny({ code: [section('care-plan')] }), permit()],
      'permit',
      'Consent.provision.provision[1]',
    ],
    [
      'a deny turned permit beats nothing',
      [deny({ provision: [permit()] }), permit()],
      'permit',
      'Consent.provision.provision[0].provision[0]',
    ],
    [
      'a deny beats a deeper permit among siblings',
      [deny({ provision: [permit()] }), deny()],
      'deny',
      'Consent.provision.provision[1]',
    ],
  ])('siblings: %s', (_name, children, verdict, path) => {
    const result = evaluate(permit({ provision: children }));
    expect(result.verdict).toBe(verdict);
    expect(result.match?.path).toBe(path);
  });

  it('lets a root deny with a nested permit grant only the exception', () => {
    const tree2 = deny({ provision: [permit({ actor: [actor(ME)], code: [section('reports')] })] });
    expect(evaluate(tree2).verdict).toBe('permit');
    expect(evaluate(tree2, { section: 'documents' }).verdict).toBe('deny');
    expect(evaluate(tree2, { actor: 'RelatedPerson/r2' }).verdict).toBe('deny');
  });
});
