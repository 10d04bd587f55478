import fc from 'fast-check';
import {
  fhirResourceId,
  mapAuthorisation,
  mapClient,
  mapRelation,
  patientId,
  relatedPersonId,
  type EcdRecordKind,
} from '../../../src/ecd/fhir';
import { AMERHOF, MEERZICHT, authorisations, elderly, relations } from './fixtures';

const KINDS: EcdRecordKind[] = ['client', 'relation', 'portal-authorisation', 'client-agreement'];
/** Kinds that end up as the same resource type share one id space. */
const RESOURCE_TYPE: Record<EcdRecordKind, string> = {
  client: 'Patient',
  relation: 'RelatedPerson',
  'portal-authorisation': 'Consent',
  'client-agreement': 'Consent',
};

describe('resource ids', () => {
  it('are readable when the ECD id allows it', () => {
    expect(patientId('meerzicht', 'c0001')).toBe('meerzicht-c0001');
    expect(patientId('meerzicht', 'mz-c001')).toBe('meerzicht-mz-c001');
    expect(relatedPersonId('zorg-west', 'zw-r012')).toBe('zorg--west-zw-r012');
    expect(fhirResourceId('portal-authorisation', 'meerzicht', 'a17')).toBe('meerzicht-auth-a17');
    expect(fhirResourceId('client-agreement', 'meerzicht', 'a17')).toBe('meerzicht-agr-a17');
  });

  it('are hashed for ECD ids with capitals, dots, underscores or double hyphens, and when too long', () => {
    expect(patientId('meerzicht', 'C0001')).toMatch(/^meerzicht-h--[0-9a-f]{32}$/);
    expect(patientId('meerzicht', 'c.1')).toMatch(/^meerzicht-h--[0-9a-f]{32}$/);
    expect(patientId('meerzicht', 'c--1')).toMatch(/^meerzicht-h--[0-9a-f]{32}$/);
    expect(patientId('meerzicht', 'c'.repeat(60))).toMatch(/^meerzicht-h--[0-9a-f]{32}$/);
    expect(patientId('a'.repeat(40), 'C1')).toMatch(/^h--[0-9a-f]{32}$/);
    expect(patientId('meerzicht', 'C0001')).not.toBe(patientId('meerzicht', 'c0001'));
  });

  it('are stable: the same record gets the same id in every run', () => {
    // Fixed values: a change here means every stored resource would be orphaned by the next sync.
    expect(patientId('meerzicht', 'C0001')).toBe('meerzicht-h--154aa4374c034e95cdbe8982b1630281');
    expect(patientId('meerzicht', 'mz-c001')).toBe(mapClient(elderly, [], MEERZICHT).id);
  });

  it('do not collide between organisations whose ids run into each other', () => {
    expect(patientId('a', 'b-c')).not.toBe(patientId('a-b', 'c'));
    expect(patientId('a-', 'b')).not.toBe(patientId('a', 'b'));
    expect(relatedPersonId('a-b', 'c-d')).not.toBe(relatedPersonId('a', 'b-c-d'));
    expect(patientId('meerzicht', 'x')).not.toBe(patientId('amerhof', 'x'));
  });

  it('are distinct for distinct records of one resource type, whatever the organisation and ECD ids', () => {
    // Tiny alphabets make near-misses (shared prefixes, hyphens at the joins) frequent.
    const orgId = fc.stringMatching(/^[ab][ab-]{0,3}$/);
    const recordId = fc.stringMatching(/^[aB][aB._-]{0,4}$/);
    const record = fc.record({ kind: fc.constantFrom(...KINDS), org: orgId, id: recordId });
    fc.assert(
      fc.property(record, record, (a, b) => {
        if (RESOURCE_TYPE[a.kind] !== RESOURCE_TYPE[b.kind]) return;
        const same = a.kind === b.kind && a.org === b.org && a.id === b.id;
        expect(fhirResourceId(a.kind, a.org, a.id) === fhirResourceId(b.kind, b.org, b.id)).toBe(same);
      }),
      { numRuns: 20000 },
    );
  });

  it('are valid FHIR ids of at most 64 lower-case letters, digits and hyphens', () => {
    const orgId = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,62}$/);
    const recordId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), orgId, recordId, (kind, org, id) => {
        expect(fhirResourceId(kind, org, id)).toMatch(/^[a-z0-9-]{1,64}$/);
      }),
      { numRuns: 5000 },
    );
  });

  it('tie references together: a relation and a grant point at the ids their targets get', () => {
    const person = mapRelation(relations[0]!.relation, MEERZICHT);
    expect(person.patient.reference).toBe(`Patient/${patientId('meerzicht', 'mz-c001')}`);
    const consent = mapAuthorisation(authorisations[2]!.authorisation, AMERHOF);
    expect(consent.performer?.[0]?.reference).toBe(`RelatedPerson/${relatedPersonId('amerhof', 'ah-r002')}`);
    expect(consent.provision?.actor?.[0]?.reference?.reference).toBe(
      `RelatedPerson/${relatedPersonId('amerhof', 'ah-r007')}`,
    );
  });

  it('refuse an organisation id that the configuration would not accept', () => {
    expect(() => patientId('Meerzicht', 'c1')).toThrow(TypeError);
    expect(() => patientId('meerzicht', '')).toThrow(TypeError);
  });
});
