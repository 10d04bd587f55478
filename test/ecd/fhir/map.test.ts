import type { Extension, RelatedPerson, Resource } from '@medplum/fhirtypes';
import type { EcdRelation } from '../../../src/ecd';
import { CODE_SYSTEM, EXTENSION, PROFILE } from '../../../src/vocabulary';
import {
  mapAuthorisation,
  mapClient,
  mapClientAgreement,
  mapRelation,
  validateMapped,
} from '../../../src/ecd/fhir';
import {
  ALL_ROLES,
  AMERHOF,
  MEERZICHT,
  authorisations,
  clientAgreements,
  clients,
  deceased,
  elderly,
  elderlyAgreements,
  incapableAdult,
  minor,
  relations,
} from './fixtures';

const mappedPatients = clients.map(({ client, agreements, org }) => mapClient(client, agreements, org));
const mappedPeople = relations.map(({ relation, org }) => mapRelation(relation, org));
const mappedGrants = authorisations.map(({ authorisation, org }) => mapAuthorisation(authorisation, org));
const mappedAgreements = clientAgreements.map(({ agreement, org }) => mapClientAgreement(agreement, org));
const everything: Resource[] = [...mappedPatients, ...mappedPeople, ...mappedGrants, ...mappedAgreements];

function ext(resource: { extension?: Extension[] }, url: string): Extension[] {
  return (resource.extension ?? []).filter((e) => e.url === url);
}

function part(extension: Extension | undefined, url: string): Extension | undefined {
  return extension?.extension?.find((e) => e.url === url);
}

function role(person: RelatedPerson): string | undefined {
  return person.relationship?.flatMap((r) => r.coding ?? []).find((c) => c.system === CODE_SYSTEM.cod472)
    ?.code;
}

function family(person: RelatedPerson): string | undefined {
  return person.relationship?.flatMap((r) => r.coding ?? []).find((c) => c.system === CODE_SYSTEM.v3RoleCode)
    ?.code;
}

function at<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`no item ${index}`);
  return item;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('every hand-written ECD record maps to a resource that validates', () => {
  it.each(everything.map((r) => [`${r.resourceType}/${r.id}`, r] as const))('%s', (_name, resource) => {
    expect(() => validateMapped(resource)).not.toThrow();
  });

  it('covers every relation role', () => {
    expect(new Set(relations.map((r) => r.relation.role))).toEqual(new Set(ALL_ROLES));
  });
});

describe('every resource', () => {
  it('names its profile and the ECD it came from, and leaves version and timestamp to the store', () => {
    for (const resource of everything) {
      expect(resource.meta?.profile).toHaveLength(1);
      expect(resource.meta?.source).toMatch(/^ecd:(meerzicht|amerhof|zorg-west)$/);
      expect(resource.meta).not.toHaveProperty('versionId');
      expect(resource.meta).not.toHaveProperty('lastUpdated');
      expect(resource.id).toMatch(/^[a-z0-9-]{1,64}$/);
    }
  });

  it('shares no objects between resources: editing one leaves the next alone', () => {
    const first = mapAuthorisation(authorisations[0]!.authorisation, MEERZICHT);
    first.scope?.coding?.splice(0);
    first.provision?.actor?.[0]?.role?.coding?.splice(0);
    first.provision?.purpose?.splice(0);
    expect(mapAuthorisation(authorisations[0]!.authorisation, MEERZICHT)).toEqual(mappedGrants[0]);
  });

  it('is a pure function of its input: same input, same output, input untouched', () => {
    const input = deepFreeze(structuredClone(authorisations[1]!.authorisation));
    expect(mapAuthorisation(input, MEERZICHT)).toEqual(mapAuthorisation(structuredClone(input), MEERZICHT));
    const client = deepFreeze(structuredClone(elderly));
    const agreements = deepFreeze(structuredClone(elderlyAgreements));
    expect(mapClient(client, agreements, MEERZICHT)).toEqual(mappedPatients[0]);
  });
});

describe('mapClient → Patient', () => {
  const withBsn = at(mappedPatients, 0);
  const dead = at(mappedPatients, 1);
  const incapable = at(mappedPatients, 2);
  const child = at(mappedPatients, 3);
  const hashedId = at(mappedPatients, 4);

  it('carries the BSN slice only when the ECD has a BSN, and always the ECD client number', () => {
    expect(withBsn.identifier).toEqual([
      { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '123456782' },
      { system: 'https://inzage.example/ecd/meerzicht/client', value: 'mz-c001' },
    ]);
    expect(dead.identifier).toEqual([
      { system: 'https://inzage.example/ecd/meerzicht/client', value: 'mz-c002' },
    ]);
    expect(hashedId.identifier).toEqual([
      { system: 'https://inzage.example/ecd/zorg-west/client', value: 'C.0001_X' },
    ]);
  });

  it('writes a family name prefix the nl-core way: full name in family, parts on _family', () => {
    expect(withBsn.name).toEqual([
      {
        use: 'official',
        family: 'de Vries',
        _family: {
          extension: [
            { url: 'http://hl7.org/fhir/StructureDefinition/humanname-own-prefix', valueString: 'de' },
            { url: 'http://hl7.org/fhir/StructureDefinition/humanname-own-name', valueString: 'Vries' },
          ],
        },
        given: ['Johanna', 'M.'],
      },
    ]);
    expect(incapable.name?.[0]?.family).toBe('van den Berg');
    expect(dead.name).toEqual([{ use: 'official', family: 'Bakker', given: ['Pieter'] }]);
    expect(mappedPatients[5]?.name).toEqual([{ use: 'official', family: 'Smit' }]);
  });

  it('maps e-mail, mobile and phone to telecom', () => {
    expect(withBsn.telecom).toEqual([
      { system: 'email', value: 'j.devries@example.nl' },
      { system: 'phone', value: '+31 20 123 4567' },
    ]);
    expect(incapable.telecom).toEqual([{ system: 'phone', value: '+31612345678', use: 'mobile' }]);
    expect(child).not.toHaveProperty('telecom');
  });

  it('A-11: records the date of death as deceasedDateTime on that date', () => {
    expect(dead.deceasedDateTime).toBe(deceased.deceasedDate);
    expect(withBsn).not.toHaveProperty('deceasedDateTime');
  });

  it('M-4, A-11: carries one care-agreement extension per agreement, oldest first', () => {
    const agreements = ext(withBsn, EXTENSION.careAgreement);
    expect(agreements.map((a) => part(a, 'identifier')?.valueString)).toEqual(['mz-ca001', 'mz-ca002']);
    expect(part(agreements[0], 'period')?.valuePeriod).toEqual({ start: '2019-03-01', end: '2024-05-31' });
    expect(part(agreements[1], 'period')?.valuePeriod).toEqual({ start: '2024-06-01' });
    expect(part(agreements[0], 'careType')?.valueCode).toBe('elderly-care');
    expect(ext(child, EXTENSION.careAgreement)).toEqual([]);
  });

  it('A-5, A-8: carries the capacity judgement with date and assessor role', () => {
    const [capacity] = ext(incapable, EXTENSION.portalAdministratorCapacity);
    expect(capacity?.extension).toEqual([
      { url: 'capable', valueBoolean: false },
      { url: 'assessedOn', valueDate: '2025-09-15' },
      { url: 'assessorRole', valueCode: 'behavioural-expert' },
    ]);
    expect(part(ext(child, EXTENSION.portalAdministratorCapacity)[0], 'capable')?.valueBoolean).toBe(true);
    expect(ext(withBsn, EXTENSION.portalAdministratorCapacity)).toEqual([]);
  });

  it('keeps gender and birth date, and points at the organisation', () => {
    expect(withBsn).toMatchObject({ gender: 'female', birthDate: '1938-04-12' });
    expect(incapable.managingOrganization).toEqual({
      reference: 'Organization/amerhof',
      display: 'Stichting Amerhof',
    });
    expect(child.gender).toBe(minor.gender);
  });

  it('reads the agreements passed in, not client.careAgreements', () => {
    const patient = mapClient(
      { ...incapableAdult, careAgreements: [{ id: 'x', careType: 'elderly-care', start: '2000-01-01' }] },
      [],
      AMERHOF,
    );
    expect(ext(patient, EXTENSION.careAgreement)).toEqual([]);
    expect(mapClient(deceased, [], MEERZICHT)).not.toHaveProperty('extension');
  });
});

describe('mapRelation → RelatedPerson', () => {
  const people = new Map(relations.map((r, i) => [r.relation.id, mappedPeople[i]!]));

  it.each([
    ['first-contact-person', '01', 'Eerste relatie/contactpersoon'],
    ['second-contact-person', '02', 'Tweede relatie/contactpersoon'],
    ['curator', '03', 'Curator (juridisch)'],
    ['guardian', '11', 'Voogd'],
    ['financial-administrator', '14', 'Bewindvoerder'],
    ['mentor', '15', 'Mentor'],
    ['parent', '23', 'Contactpersoon'],
    ['other', '23', 'Contactpersoon'],
  ] as const)('maps role %s to COD472 %s %s', (ecdRole, code, display) => {
    const relation: EcdRelation = {
      id: 'r1',
      clientId: 'c1',
      role: ecdRole,
      name: { given: ['A'], family: 'B' },
    };
    const person = mapRelation(relation, AMERHOF);
    expect(person.relationship?.[0]).toEqual({
      coding: [{ system: 'urn:oid:2.16.840.1.113883.2.4.3.11.22.472', code, display }],
    });
    expect(() => validateMapped(person)).not.toThrow();
  });

  it('A-8: a parent is contact person 23 plus a family relationship and parental authority', () => {
    const mother = people.get('ah-r005')!;
    expect(role(mother)).toBe('23');
    expect(family(mother)).toBe('MTH');
    expect(ext(mother, EXTENSION.parentalAuthority)).toEqual([
      { url: EXTENSION.parentalAuthority, valueBoolean: true },
    ]);
    const father = people.get('ah-r006')!;
    expect(family(father)).toBe('PRN');
    expect(ext(father, EXTENSION.parentalAuthority)[0]?.valueBoolean).toBe(false);
    expect(people.get('ah-r004')).not.toHaveProperty('extension');
  });

  it('adds the family relationship when the ECD records one, for any role', () => {
    expect(people.get('mz-r001')?.relationship).toEqual([
      { coding: [{ system: CODE_SYSTEM.cod472, code: '01', display: 'Eerste relatie/contactpersoon' }] },
      { coding: [{ system: CODE_SYSTEM.v3RoleCode, code: 'DAUC', display: 'daughter' }] },
    ]);
    expect(family(people.get('ah-r007')!)).toBe('NBOR');
    expect(people.get('ah-r002')?.relationship).toHaveLength(1);
  });

  it('keeps a recorded end date in the period and stays active: the engine judges the date, not the mapping', () => {
    expect(people.get('ah-r001')).toMatchObject({
      active: true,
      period: { start: '2018-01-01', end: '2025-06-30' },
    });
    expect(people.get('ah-r002')).toMatchObject({ active: true, period: { start: '2025-07-01' } });
    expect(people.get('ah-r004')).toMatchObject({ active: true });
    expect(people.get('ah-r004')).not.toHaveProperty('period');
  });

  it('points at the client, and keeps name, telecom and the ECD id', () => {
    const daughter = people.get('mz-r001')!;
    expect(daughter.patient).toEqual({ reference: `Patient/${mappedPatients[0]!.id}` });
    expect(daughter.name?.[0]?.family).toBe('de Vries');
    expect(daughter.telecom).toEqual([
      { system: 'email', value: 'karin@example.nl' },
      { system: 'phone', value: '+31687654321', use: 'mobile' },
    ]);
    expect(daughter.identifier).toEqual([
      { system: 'https://inzage.example/ecd/meerzicht/relation', value: 'mz-r001' },
    ]);
  });
});

describe('mapAuthorisation → portal-access Consent', () => {
  const running = at(mappedGrants, 0);
  const withdrawn = at(mappedGrants, 1);
  const byMentor = at(mappedGrants, 2);

  it('M-2: the client grants sections to a relation: an active permit for the grantee', () => {
    expect(running).toMatchObject({
      status: 'active',
      scope: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
      },
      patient: { reference: 'Patient/meerzicht-mz-c001' },
      dateTime: '2024-06-03',
      performer: [{ reference: 'Patient/meerzicht-mz-c001' }],
      organization: [{ reference: 'Organization/meerzicht', display: 'Zorgcentrum Meerzicht' }],
      policyRule: { coding: [{ code: 'OPTIN' }] },
      provision: {
        type: 'permit',
        period: { start: '2024-06-03' },
        actor: [
          {
            role: { coding: [{ system: CODE_SYSTEM.v3ParticipationType, code: 'IRCP' }] },
            reference: { reference: 'RelatedPerson/meerzicht-mz-r001' },
          },
        ],
        purpose: [{ system: CODE_SYSTEM.v3ActReason, code: 'FAMRQT' }],
      },
    });
    expect(running.category?.map((c) => c.coding?.[0]?.code)).toEqual(['59284-0', 'portal-access']);
    expect(running.meta.profile).toEqual([PROFILE.portalAccessConsent]);
    expect(ext(running, EXTENSION.ecdRecord)).toEqual([
      { url: EXTENSION.ecdRecord, valueString: 'mz-auth001' },
    ]);
  });

  it('lists one CodeableConcept per section, in the CodeSystem order', () => {
    expect(running.provision?.code?.map((c) => c.coding?.[0]?.code)).toEqual([
      'reports',
      'appointments',
      'medication',
    ]);
    expect(running.provision?.code?.[0]).toEqual({
      coding: [{ system: CODE_SYSTEM.portalSection, code: 'reports', display: 'Reports' }],
    });
    expect(byMentor.provision?.code).toHaveLength(7);
  });

  it('M-3: a withdrawn grant is inactive, ends at the moment the request came in, and records that moment', () => {
    expect(withdrawn.status).toBe('inactive');
    expect(withdrawn.provision?.period).toEqual({ start: '2024-06-03', end: '2026-11-21T14:05:00+01:00' });
    expect(ext(withdrawn, EXTENSION.withdrawalRequestReceived)).toEqual([
      { url: EXTENSION.withdrawalRequestReceived, valueDateTime: '2026-11-21T14:05:00+01:00' },
    ]);
    expect(ext(running, EXTENSION.withdrawalRequestReceived)).toEqual([]);
  });

  it('A-3: a grant by the administrator names that relation as performer', () => {
    expect(byMentor.performer).toEqual([{ reference: 'RelatedPerson/amerhof-ah-r002' }]);
  });

  it('drops repeated sections and keeps an unknown one so that validation rejects it', () => {
    const base = authorisations[0]!.authorisation;
    const twice = mapAuthorisation({ ...base, sections: ['reports', 'reports', 'documents'] }, MEERZICHT);
    expect(twice.provision?.code?.map((c) => c.coding?.[0]?.code)).toEqual(['reports', 'documents']);
    const unknown = mapAuthorisation({ ...base, sections: ['diary' as never, 'reports'] }, MEERZICHT);
    expect(unknown.provision?.code?.map((c) => c.coding?.[0]?.code)).toEqual(['reports', 'diary']);
    expect(() => validateMapped(unknown)).toThrow(/provision\.code\[1\]/);
  });
});

describe('mapClientAgreement → administrator-appointment or parental-access Consent', () => {
  const agreed = at(mappedAgreements, 0);
  const refused = at(mappedAgreements, 1);
  const childAgreed = at(mappedAgreements, 2);
  const childRefused = at(mappedAgreements, 3);

  it('A-5: the client agrees that the first contact person becomes administrator: a permit', () => {
    expect(agreed.category?.[1]?.coding?.[0]?.code).toBe('administrator-appointment');
    expect(agreed).toMatchObject({
      status: 'active',
      dateTime: '2025-09-20',
      performer: [{ reference: 'Patient/amerhof-ah-c010' }],
      policyRule: { coding: [{ code: 'OPTIN' }] },
      provision: { type: 'permit', actor: [{ reference: { reference: 'RelatedPerson/amerhof-ah-r007' } }] },
    });
    expect(agreed.provision).not.toHaveProperty('code');
  });

  it('A-5: a refusal is kept as an active deny', () => {
    expect(refused).toMatchObject({
      status: 'active',
      policyRule: { coding: [{ code: 'OPTOUT' }] },
      provision: { type: 'deny', period: { start: '2025-09-21' } },
    });
  });

  it('A-8: a minor agrees or refuses that a parent may look', () => {
    expect(childAgreed.category?.[1]?.coding?.[0]?.code).toBe('parental-access');
    expect(childAgreed.provision?.type).toBe('permit');
    expect(childRefused.provision?.type).toBe('deny');
    expect(childRefused.performer).toEqual([{ reference: 'Patient/amerhof-ah-c011' }]);
  });

  it('gets an id of its own, apart from portal authorisations with the same ECD id', () => {
    const sameId = mapAuthorisation({ ...authorisations[2]!.authorisation, id: 'ah-agr001' }, AMERHOF);
    expect(sameId.id).not.toBe(agreed.id);
    expect([agreed.id, sameId.id]).toEqual(['amerhof-agr-ah-agr001', 'amerhof-auth-ah-agr001']);
  });
});
