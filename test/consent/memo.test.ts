import { PolicyEngine } from '../../src/consent';
import { factsFromResources } from '../../src/consent/facts';
import { loadPreset } from '../../src/consent/preset';
import { mapAuthorisation, mapClient, mapRelation } from '../../src/ecd';
import { MEERZICHT } from './rule-fixtures';

/** Decisions are memoised between the instants where a grant's period starts or ends; never across them. */
describe('decision memo', () => {
  const engine = new PolicyEngine({
    facts: { load: async () => undefined },
    presets: new Map([['meerzicht', loadPreset('meerlanden')]]),
  });
  const patient = mapClient(
    {
      id: 'c1',
      name: { given: ['A'], family: 'B' },
      birthDate: '1940-01-01',
      gender: 'female',
      careAgreements: [],
    },
    [{ id: 'z1', careType: 'elderly-care', start: '2020-01-01' }],
    MEERZICHT,
  );
  const relation = mapRelation(
    { id: 'r1', clientId: 'c1', role: 'first-contact-person', name: { given: ['C'], family: 'B' } },
    MEERZICHT,
  );
  const grant = mapAuthorisation(
    {
      id: 'a1',
      clientId: 'c1',
      grantedBy: { kind: 'client' },
      granteeRelationId: 'r1',
      sections: ['reports'],
      grantedOn: '2026-01-01',
    },
    MEERZICHT,
  );
  // A grant that ends at a precise moment (a scheduled end), as the period of its provision says.
  grant.provision = { ...grant.provision, period: { start: '2026-01-01', end: '2026-11-23T09:00:37+01:00' } };
  const facts = factsFromResources({
    organisationId: 'meerzicht',
    patient,
    relatedPersons: [relation],
    consents: [grant],
  });
  const ask = (iso: string) =>
    engine.decideWith(facts, {
      principal: `RelatedPerson/${relation.id}`,
      patient: `Patient/${patient.id}`,
      sections: ['reports'],
      at: new Date(iso),
    });

  it('M-3: a warm memo does not carry a permit past the instant a grant ends', () => {
    expect(ask('2026-11-23T09:00:36.000+01:00').permit).toBe(true);
    expect(ask('2026-11-23T09:00:36.999+01:00').permit).toBe(true);
    expect(ask('2026-11-23T09:00:37.000+01:00').permit).toBe(false);
    expect(ask('2026-11-23T09:00:36.500+01:00').permit).toBe(true);
  });

  it('returns the moment asked for, and decisions nobody can change', () => {
    const first = ask('2026-11-23T08:00:00+01:00');
    const second = ask('2026-11-23T08:30:00+01:00');
    expect(second.at).toBe('2026-11-23T07:30:00.000Z');
    expect(first.at).toBe('2026-11-23T07:00:00.000Z');
    expect(() => (second.sections as string[]).push('documents')).toThrow(TypeError);
    expect(ask('2026-11-23T08:45:00+01:00').sections).toEqual(['reports']);
  });

  it('new facts start with an empty memo', () => {
    expect(ask('2026-11-23T08:00:00+01:00').permit).toBe(true);
    const withdrawn = factsFromResources({
      organisationId: 'meerzicht',
      patient,
      relatedPersons: [relation],
      consents: [{ ...grant, status: 'inactive' }],
    });
    const decision = engine.decideWith(withdrawn, {
      principal: `RelatedPerson/${relation.id}`,
      patient: `Patient/${patient.id}`,
      sections: ['reports'],
      at: new Date('2026-11-23T08:00:00+01:00'),
    });
    expect(decision.permit).toBe(false);
  });
});
