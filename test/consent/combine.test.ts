import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import { combineConsents } from '../../src/consent/combine';
import {
  CONSENT_SCOPE_SYSTEM,
  PORTAL_CONSENT_TYPE_SYSTEM,
  PORTAL_SECTION_SYSTEM,
  type ConsentQuery,
} from '../../src/consent/provisions';

const ME = 'RelatedPerson/r1';
const question: ConsentQuery = { actor: ME, at: '2024-06-01T12:00:00+02:00', section: 'reports' };

interface Options {
  dateTime?: string;
  status?: string;
  lastUpdated?: string;
  scope?: string;
  type?: string;
  extra?: Record<string, unknown>;
}

function consent(id: string, provision: ConsentProvision | undefined, options: Options = {}): Consent {
  return {
    resourceType: 'Consent',
    id,
    ...(options.lastUpdated ? { meta: { lastUpdated: options.lastUpdated } } : {}),
    status: options.status ?? 'active',
    scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: options.scope ?? 'patient-privacy' }] },
    category: [{ coding: [{ system: PORTAL_CONSENT_TYPE_SYSTEM, code: options.type ?? 'portal-access' }] }],
    patient: { reference: 'Patient/p1' },
    dateTime: options.dateTime ?? '2024-01-01T09:00:00+01:00',
    ...(provision ? { provision } : {}),
    ...options.extra,
  } as Consent;
}

const role = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }],
};
const toMe: ConsentProvision = { type: 'permit', actor: [{ role, reference: { reference: ME } }] };
const denyMe: ConsentProvision = { type: 'deny', actor: [{ role, reference: { reference: ME } }] };
const JAN = '2024-01-10T10:00:00+01:00';
const FEB = '2024-02-10T10:00:00+01:00';
const MAR = '2024-03-10T10:00:00+01:00';

describe('the combining rule', () => {
  test.each<[string, Consent[], 'permit' | 'deny', string[]]>([
    ['no Consent at all', [], 'deny', []],
    ['one permit', [consent('a', toMe, { dateTime: JAN })], 'permit', ['a']],
    ['one deny', [consent('a', denyMe, { dateTime: JAN })], 'deny', ['a']],
    [
      'older deny, newer permit',
      [consent('old', denyMe, { dateTime: JAN }), consent('new', toMe, { dateTime: FEB })],
      'permit',
      ['new'],
    ],
    [
      'older permit, newer deny',
      [consent('old', toMe, { dateTime: JAN }), consent('new', denyMe, { dateTime: FEB })],
      'deny',
      ['new'],
    ],
    [
      'same dateTime: deny',
      [consent('p', toMe, { dateTime: JAN }), consent('d', denyMe, { dateTime: JAN })],
      'deny',
      ['d'],
    ],
    [
      'same instant written in other zones: deny',
      [consent('p', toMe, { dateTime: '2024-01-10T09:00:00Z' }), consent('d', denyMe, { dateTime: JAN })],
      'deny',
      ['d'],
    ],
    [
      'same dateTime, newer lastUpdated on the permit: still deny',
      [
        consent('p', toMe, { dateTime: JAN, lastUpdated: '2024-05-01T00:00:00Z' }),
        consent('d', denyMe, { dateTime: JAN, lastUpdated: '2024-01-10T09:00:00Z' }),
      ],
      'deny',
      ['d'],
    ],
    [
      'same dateTime, two permits ordered by lastUpdated',
      [
        consent('p1', toMe, { dateTime: JAN, lastUpdated: '2024-01-10T09:00:00Z' }),
        consent('p2', toMe, { dateTime: JAN, lastUpdated: '2024-05-01T00:00:00Z' }),
      ],
      'permit',
      ['p2', 'p1'],
    ],
    [
      'a newer Consent that does not speak to the question does not replace',
      [
        consent('old', denyMe, { dateTime: JAN }),
        consent(
          'new',
          { ...toMe, code: [{ coding: [{ system: PORTAL_SECTION_SYSTEM, code: 'care-plan' }] }] },
          { dateTime: FEB },
        ),
      ],
      'deny',
      ['old'],
    ],
    [
      'a newer withdrawn permit does not replace',
      [
        consent('old', denyMe, { dateTime: JAN }),
        consent('new', toMe, { dateTime: FEB, status: 'inactive' }),
      ],
      'deny',
      ['old'],
    ],
    [
      'an unreadable Consent beats a newer permit',
      [
        consent('broken', { type: 'maybe' } as unknown as ConsentProvision, { dateTime: JAN }),
        consent('new', toMe, { dateTime: MAR }),
      ],
      'deny',
      ['broken'],
    ],
    [
      'an unreadable Consent without date beats a permit',
      [consent('broken', toMe, { dateTime: 'yesterday' }), consent('p', toMe, { dateTime: MAR })],
      'deny',
      ['broken'],
    ],
    [
      'an AdvanceDirective-style Consent grants nothing',
      [consent('adr', { type: 'permit' }, { scope: 'adr', type: 'x' })],
      'deny',
      [],
    ],
    [
      'a broken AdvanceDirective-style Consent is ignored',
      [consent('adr', undefined, { scope: 'adr' }), consent('p', toMe)],
      'permit',
      ['p'],
    ],
    [
      'a parental-access agreement grants nothing',
      [consent('pa', toMe, { type: 'parental-access' })],
      'deny',
      [],
    ],
    [
      'an administrator-appointment refusal does not deny portal access',
      [
        consent('aa', denyMe, { type: 'administrator-appointment', dateTime: MAR }),
        consent('p', toMe, { dateTime: JAN }),
      ],
      'permit',
      ['p'],
    ],
    ['only a draft', [consent('d', toMe, { status: 'draft' })], 'deny', []],
    [
      'date-only dateTime counts from 00:00 Amsterdam',
      [
        consent('p', toMe, { dateTime: '2024-01-10' }),
        consent('d', denyMe, { dateTime: '2024-01-09T23:00:00Z' }),
      ],
      'deny',
      ['d'],
    ],
    [
      'date-only dateTime, a moment earlier',
      [
        consent('p', toMe, { dateTime: '2024-01-10' }),
        consent('d', denyMe, { dateTime: '2024-01-09T22:59:59Z' }),
      ],
      'permit',
      ['p'],
    ],
  ])('%s', (_name, consents, verdict, basis) => {
    const result = combineConsents(consents, question);
    expect(result.verdict).toBe(verdict);
    expect(result.basis.map((e) => e.consentId)).toEqual(basis);
    expect(result.considered).toHaveLength(consents.length);
  });

  it('explains each outcome', () => {
    expect(combineConsents([], question).reason).toBe('no Consent permits');
    expect(combineConsents([consent('x', toMe)], question).reason).toBe(
      'Consent/x permits (provision Consent.provision)',
    );
    expect(
      combineConsents([consent('x', { ...toMe, provision: [{ type: 'deny' }] }, { dateTime: FEB })], question)
        .reason,
    ).toBe('Consent/x denies (provision Consent.provision.provision[0])');
    const broken = combineConsents([consent('y', undefined), consent('x', toMe)], question);
    expect(broken.reason).toBe(
      'Consent/y cannot be read (Consent.provision is missing): a Consent that cannot be read denies',
    );
    expect(broken.basis[0]).toMatchObject({ consentId: 'y', verdict: 'deny', unparseable: true });
  });

  it('keeps the notes of Consents that did not decide', () => {
    const result = combineConsents(
      [consent('w', toMe, { status: 'inactive' }), consent('s', toMe, { scope: 'adr' })],
      question,
    );
    expect(result.considered).toEqual([
      { consentId: 's', verdict: 'none', note: 'not a portal-access Consent (ignored)' },
      { consentId: 'w', verdict: 'none', note: 'not active: inactive' },
    ]);
  });

  it('refuses a malformed question', () => {
    expect(() => combineConsents([], { ...question, at: 'now' })).toThrow(RangeError);
  });
});

describe('data periods and label obligations', () => {
  const psy = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' };
  const eth = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'ETH' };

  it('carries the dataPeriod of the deciding permit', () => {
    const result = combineConsents(
      [consent('p', { ...toMe, dataPeriod: { start: '2023-01-01' } })],
      question,
    );
    expect(result.dataPeriod).toEqual({ start: '2023-01-01' });
  });

  it('intersects the data periods of equally dated permits', () => {
    const result = combineConsents(
      [
        consent('p1', { ...toMe, dataPeriod: { start: '2023-01-01' } }),
        consent('p2', { ...toMe, dataPeriod: { start: '2022-01-01', end: '2024-01-01' } }),
      ],
      question,
    );
    expect(result.dataPeriod).toEqual({ start: '2023-01-01', end: '2024-01-01' });
  });

  it('drops the restrictions of a replaced Consent', () => {
    const older = consent(
      'old',
      { ...toMe, provision: [{ type: 'deny', securityLabel: [psy] }] },
      { dateTime: JAN },
    );
    const newer = consent('new', toMe, { dateTime: FEB });
    expect(combineConsents([older, newer], question).excludeLabels).toBeUndefined();
    expect(combineConsents([older], question).excludeLabels).toEqual([psy]);
  });

  it('keeps a label-only deny, whatever its age', () => {
    const labelOnly = consent('labels', { ...denyMe, securityLabel: [psy, eth] }, { dateTime: JAN });
    const grant = consent(
      'grant',
      { ...toMe, provision: [{ type: 'deny', securityLabel: [eth] }] },
      { dateTime: FEB },
    );
    const result = combineConsents([labelOnly, grant], question);
    expect(result).toMatchObject({ verdict: 'permit', excludeLabels: [eth, psy] });
    expect(result.basis.map((e) => e.consentId)).toEqual(['grant']);
  });

  it('does not let a label-only deny open anything', () => {
    const result = combineConsents([consent('labels', { ...denyMe, securityLabel: [psy] })], question);
    expect(result).toMatchObject({ verdict: 'deny', reason: 'no Consent permits' });
  });
});
