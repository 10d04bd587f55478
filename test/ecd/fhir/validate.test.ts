import type { Consent, Patient, RelatedPerson, Resource } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, PROFILE } from '../../../src/vocabulary';
import {
  MappingValidationError,
  mapAuthorisation,
  mapClient,
  mapRelation,
  validateMapped,
} from '../../../src/ecd/fhir';
import { authorisations, clients, relations } from './fixtures';

// Tests break mapped resources on purpose, in ways the types would not allow.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const patient = (): Loose =>
  structuredClone(mapClient(clients[0]!.client, clients[0]!.agreements, clients[0]!.org));
const mother = (): Loose => structuredClone(mapRelation(relations[6]!.relation, relations[6]!.org));
const grant = (): Loose =>
  structuredClone(mapAuthorisation(authorisations[0]!.authorisation, authorisations[0]!.org));
const withdrawn = (): Loose =>
  structuredClone(mapAuthorisation(authorisations[1]!.authorisation, authorisations[1]!.org));

function failure(resource: Resource): MappingValidationError {
  try {
    validateMapped(resource);
  } catch (err) {
    if (err instanceof MappingValidationError) return err;
    throw err;
  }
  throw new Error(`${resource.resourceType}/${resource.id} unexpectedly passed validation`);
}

function change<T>(make: () => T, edit: (r: T) => void): T {
  const r = make();
  edit(r);
  return r;
}

const capacity = (): Loose => ({
  url: EXTENSION.portalAdministratorCapacity,
  extension: [
    { url: 'capable', valueBoolean: true },
    { url: 'assessedOn', valueDate: '2020-01-01' },
    { url: 'assessorRole', valueCode: 'other' },
  ],
});

/** [what is broken, the resource, the FHIRPath the error must name, a word of its message] */
const broken: [string, Resource, string, RegExp][] = [
  // Patient
  [
    'BSN with the wrong system',
    change(patient, (p) => (p.identifier[0].system = 'http://fhir.nl/fhir/NamingSystem/BSN')),
    'Patient.identifier[0]',
    /inz-pat-3/,
  ],
  [
    'BSN of eight digits',
    change(patient, (p) => (p.identifier[0].value = '12345678')),
    'Patient.identifier[0]',
    /inz-pat-3/,
  ],
  [
    'two BSNs',
    change(patient, (p) => p.identifier.unshift({ ...p.identifier[0] })),
    'Patient.identifier',
    /slice 'bsn'/,
  ],
  ['no ECD client number', change(patient, (p) => p.identifier.pop()), 'Patient', /inz-pat-1/],
  [
    'ECD number of another organisation',
    change(patient, (p) => (p.identifier[1].system = 'https://inzage.example/ecd/amerhof/client')),
    'Patient',
    /inz-pat-2/,
  ],
  ['no birth date', change(patient, (p) => delete p.birthDate), 'Patient.birthDate', /Missing required/],
  [
    'impossible birth date',
    change(patient, (p) => (p.birthDate = '1938-02-30')),
    'Patient.birthDate',
    /Invalid date/,
  ],
  [
    'gender outside administrative-gender',
    change(patient, (p) => (p.gender = 'femal')),
    'Patient.gender',
    /administrative-gender/,
  ],
  ['no name', change(patient, (p) => delete p.name), 'Patient.name', /Missing required/],
  [
    'a name without family name',
    change(patient, (p) => (p.name[0] = { given: ['Johanna'] })),
    'Patient.name[0]',
    /inz-pat-4/,
  ],
  [
    'no managing organisation',
    change(patient, (p) => delete p.managingOrganization),
    'Patient.managingOrganization',
    /Missing required/,
  ],
  [
    'an unknown care type',
    change(patient, (p) => (p.extension[0].extension[1].valueCode = 'home-care')),
    'Patient.extension[0].extension[1].valueCode',
    /care-type/,
  ],
  [
    'a care type as string',
    change(patient, (p) => (p.extension[0].extension[1] = { url: 'careType', valueString: 'elderly-care' })),
    'Patient.extension[0].extension[1].valueString',
    /type code/,
  ],
  [
    'a care agreement without period',
    change(patient, (p) => p.extension[0].extension.pop()),
    'Patient.extension[0]',
    /period/,
  ],
  [
    'a care agreement ending before it starts',
    change(
      patient,
      (p) => (p.extension[0].extension[2].valuePeriod = { start: '2020-01-02', end: '2020-01-01' }),
    ),
    'Patient.extension[0]',
    /inz-ca-1/,
  ],
  [
    'a care agreement with an unknown part',
    change(patient, (p) => p.extension[0].extension.push({ url: 'site', valueString: 'x' })),
    'Patient.extension[0].extension[3]',
    /Unknown part/,
  ],
  [
    'two capacity judgements',
    change(patient, (p) => p.extension.push(capacity(), capacity())),
    'Patient.extension',
    /portalAdministratorCapacity/,
  ],
  [
    'an unknown assessor role',
    change(patient, (p) =>
      p.extension.push({
        ...capacity(),
        extension: [...capacity().extension.slice(0, 2), { url: 'assessorRole', valueCode: 'nurse' }],
      }),
    ),
    'Patient.extension[2].extension[2].valueCode',
    /assessor-role/,
  ],
  [
    'an Inzage extension that does not exist',
    change(patient, (p) =>
      p.extension.push({ url: 'https://inzage.example/fhir/StructureDefinition/nope', valueString: 'x' }),
    ),
    'Patient.extension[2]',
    /Unknown Inzage extension/,
  ],
  [
    'a Consent extension on a Patient',
    change(patient, (p) => p.extension.push({ url: EXTENSION.ecdRecord, valueString: 'x' })),
    'Patient.extension[2]',
    /not allowed on Patient/,
  ],
  [
    'a property FHIR does not have',
    change(patient, (p) => (p.nickname = 'Jo')),
    'Patient.nickname',
    /additional property/,
  ],
  // RelatedPerson
  [
    'role code 99',
    change(mother, (r) => (r.relationship[0].coding[0].code = '99')),
    'RelatedPerson.relationship[0].coding[0]',
    /contact-person-role/,
  ],
  ['no role', change(mother, (r) => r.relationship.shift()), 'RelatedPerson.relationship', /slice 'role'/],
  [
    'two roles',
    change(mother, (r) => r.relationship.push(structuredClone(r.relationship[0]))),
    'RelatedPerson.relationship',
    /slice 'role'/,
  ],
  ['no client', change(mother, (r) => delete r.patient), 'RelatedPerson.patient', /Missing required/],
  [
    'a client that is not a Patient',
    change(mother, (r) => (r.patient.reference = 'Group/x')),
    'RelatedPerson.patient',
    /inz-rp-1/,
  ],
  [
    'parental authority as text',
    change(mother, (r) => (r.extension[0] = { url: EXTENSION.parentalAuthority, valueString: 'yes' })),
    'RelatedPerson.extension[0].valueString',
    /type boolean/,
  ],
  [
    'a relation ending before it starts',
    change(mother, (r) => (r.period = { start: '2020-01-02', end: '2020-01-01' })),
    'RelatedPerson.period',
    /inz-rp-3/,
  ],
  // Consent
  ['no patient', change(grant, (c) => delete c.patient), 'Consent.patient', /Missing required/],
  ['no dateTime', change(grant, (c) => delete c.dateTime), 'Consent.dateTime', /Missing required/],
  ['no performer', change(grant, (c) => delete c.performer), 'Consent.performer', /Missing required/],
  [
    'an Organization as performer',
    change(grant, (c) => (c.performer[0].reference = 'Organization/meerzicht')),
    'Consent.performer[0]',
    /inz-con-6/,
  ],
  [
    'two organisations',
    change(grant, (c) => c.organization.push(c.organization[0])),
    'Consent.organization',
    /expected 1\.\.1/,
  ],
  [
    'an unknown section',
    change(grant, (c) => (c.provision.code[0].coding[0].code = 'diary')),
    'Consent.provision.code[0].coding[0]',
    /portal-section/,
  ],
  [
    'no sections on a portal-access grant',
    change(grant, (c) => delete c.provision.code),
    'Consent',
    /inz-con-3/,
  ],
  ['another scope', change(grant, (c) => (c.scope.coding[0].code = 'adr')), 'Consent.scope', /pattern/],
  ['no LOINC category', change(grant, (c) => c.category.shift()), 'Consent.category', /slice 'loinc'/],
  [
    'an unknown portal consent type',
    change(grant, (c) => (c.category[1].coding[0].code = 'everything')),
    'Consent.category[1].coding[0]',
    /portal-consent-type/,
  ],
  ['no actor', change(grant, (c) => delete c.provision.actor), 'Consent', /inz-con-1/],
  [
    'an actor role other than IRCP',
    change(grant, (c) => (c.provision.actor[0].role.coding[0].code = 'DELEGATEE')),
    'Consent.provision.actor.role',
    /pattern/,
  ],
  [
    'a Practitioner as actor',
    change(grant, (c) => (c.provision.actor[0].reference.reference = 'Practitioner/x')),
    'Consent.provision.actor[0].reference',
    /inz-con-9/,
  ],
  [
    'a treatment purpose',
    change(grant, (c) => (c.provision.purpose[0].code = 'TREAT')),
    'Consent.provision.purpose[0]',
    /portal-consent-purpose/,
  ],
  [
    'OPTOUT on a permit',
    change(grant, (c) => (c.policyRule.coding[0].code = 'OPTOUT')),
    'Consent',
    /inz-con-2/,
  ],
  [
    'no provision type',
    change(grant, (c) => delete c.provision.type),
    'Consent.provision.type',
    /Missing required/,
  ],
  [
    'provision.class, which PCF forbids',
    change(
      grant,
      (c) => (c.provision.class = [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }]),
    ),
    'Consent.provision.class',
    /0\.\.0/,
  ],
  [
    'a third level of provisions',
    change(grant, (c) => (c.provision.provision = [{ type: 'deny', provision: [{ type: 'permit' }] }])),
    'Consent.provision',
    /inz-con-8/,
  ],
  [
    'an unknown section in a nested provision',
    change(
      grant,
      (c) =>
        (c.provision.provision = [
          { type: 'deny', code: [{ coding: [{ system: CODE_SYSTEM.portalSection, code: 'x' }] }] },
        ]),
    ),
    'Consent.provision.provision[0].code[0].coding[0]',
    /portal-section/,
  ],
  [
    'a withdrawal on an active Consent',
    change(withdrawn, (c) => (c.status = 'active')),
    'Consent',
    /inz-con-4/,
  ],
  [
    'a withdrawal moment that is not a dateTime',
    change(withdrawn, (c) => (c.extension[1].valueDateTime = 'yesterday')),
    'Consent.extension[1].value[x]',
    /dateTime/,
  ],
];

describe('validateMapped rejects a broken resource and names the path', () => {
  it.each(broken)('%s', (_what, resource, path, message) => {
    const err = failure(resource);
    const found = err.issues.filter((i) => i.expression?.[0] === path).map((i) => i.details?.text ?? '');
    expect({ path, found }).toEqual({
      path,
      found: expect.arrayContaining([expect.stringMatching(message)]),
    });
    expect(err.message).toContain(path);
  });
});

describe('validateMapped', () => {
  it('accepts a nested provision that denies one section: the policy engine reads those later', () => {
    const c: Loose = grant();
    c.provision.provision = [
      { type: 'deny', code: [{ coding: [{ system: CODE_SYSTEM.portalSection, code: 'reports' }] }] },
    ];
    expect(() => validateMapped(c as Consent)).not.toThrow();
  });

  it('accepts deceasedBoolean too: nl-core allows both forms', () => {
    const p: Loose = patient();
    p.deceasedBoolean = true;
    expect(() => validateMapped(p as Patient)).not.toThrow();
  });

  it('refuses a resource without one of the gateway profiles', () => {
    const p: Loose = patient();
    p.meta.profile = ['http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient'];
    expect(failure(p).issues[0]?.expression).toEqual(['Patient.meta.profile']);
    const r: Loose = mother();
    r.meta.profile = [PROFILE.patient];
    expect(failure(r).issues[0]?.details?.text).toMatch(/profiles Patient, not RelatedPerson/);
  });

  it('reports every problem at once, as an OperationOutcome, with a stable code', () => {
    const r: Loose = mother();
    r.relationship[0].coding[0].code = '99';
    delete r.patient;
    const err = failure(r as RelatedPerson);
    expect(err.code).toBe('ERR_FHIR_MAPPING_INVALID');
    expect(err).toMatchObject({
      resourceType: 'RelatedPerson',
      resourceId: 'amerhof-ah-r005',
      profile: PROFILE.contactPerson,
    });
    expect(err.outcome.resourceType).toBe('OperationOutcome');
    expect(err.issues.map((i) => i.expression?.[0])).toEqual(
      expect.arrayContaining(['RelatedPerson.patient', 'RelatedPerson.relationship[0].coding[0]']),
    );
    for (const issue of err.issues) expect(issue.severity).toBe('error');
  });

  it('keeps the BSN out of its messages', () => {
    const p: Loose = patient();
    p.identifier[0].system = 'urn:oid:2.16.840.1.113883.2.4.6.3';
    expect(failure(p).message).not.toContain('123456782');
  });
});
