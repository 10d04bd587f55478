import { RELATION_ROLES } from '../../../src/vocabulary';
import type {
  EcdCareAgreement,
  EcdClient,
  EcdClientAgreement,
  EcdOrganisation,
  EcdPortalAuthorisation,
  EcdRelation,
  EcdRelationRole,
} from '../../../src/ecd';

/**
 * Hand-written ECD records for the mapping tests: every relation role, clients with and without
 * BSN, name prefix, date of death, capacity judgement and care agreements, withdrawn and running
 * authorisations, agreements given and refused. Ids follow the sandbox's style (prefix-kind-number).
 */

export const MEERZICHT: EcdOrganisation = { id: 'meerzicht', name: 'Zorgcentrum Meerzicht', ura: '99990011' };
export const AMERHOF: EcdOrganisation = { id: 'amerhof', name: 'Stichting Amerhof' };
export const ZORG_WEST: EcdOrganisation = { id: 'zorg-west', name: 'Zorg West' };

export const elderly: EcdClient = {
  id: 'mz-c001',
  bsn: '123456782',
  name: { given: ['Johanna', 'M.'], family: 'Vries', prefix: 'de' },
  birthDate: '1938-04-12',
  gender: 'female',
  telecom: { email: 'j.devries@example.nl', phone: '+31 20 123 4567' },
  careAgreements: [],
};

export const elderlyAgreements: EcdCareAgreement[] = [
  { id: 'mz-ca002', careType: 'elderly-care', start: '2024-06-01' },
  { id: 'mz-ca001', careType: 'elderly-care', start: '2019-03-01', end: '2024-05-31' },
];

export const deceased: EcdClient = {
  id: 'mz-c002',
  name: { given: ['Pieter'], family: 'Bakker' },
  birthDate: '1931-11-30',
  gender: 'male',
  careAgreements: [],
  deceasedDate: '2026-11-22',
};

export const incapableAdult: EcdClient = {
  id: 'ah-c010',
  bsn: '111222333',
  name: { given: ['Sem'], family: 'Berg', prefix: 'van den' },
  birthDate: '1994-02-02',
  gender: 'other',
  telecom: { mobile: '+31612345678' },
  careAgreements: [],
  administratorCapacity: { capable: false, assessedOn: '2025-09-15', assessorRole: 'behavioural-expert' },
};

export const minor: EcdClient = {
  id: 'ah-c011',
  name: { given: ['Noor'], family: 'Jansen' },
  birthDate: '2012-05-20',
  gender: 'unknown',
  careAgreements: [],
  administratorCapacity: {
    capable: true,
    assessedOn: '2025-01-10',
    assessorRole: 'physician-intellectual-disability',
  },
};

export const disabilityAgreements: EcdCareAgreement[] = [
  { id: 'ah-ca010', careType: 'disability-care', start: '2015-01-01' },
];

export const clients: { client: EcdClient; agreements: EcdCareAgreement[]; org: EcdOrganisation }[] = [
  { client: elderly, agreements: elderlyAgreements, org: MEERZICHT },
  {
    client: deceased,
    agreements: [{ id: 'mz-ca003', careType: 'elderly-care', start: '2020-01-01', end: '2026-11-22' }],
    org: MEERZICHT,
  },
  { client: incapableAdult, agreements: disabilityAgreements, org: AMERHOF },
  { client: minor, agreements: [], org: AMERHOF },
  {
    client: {
      id: 'C.0001_X',
      name: { given: ['A.'], family: 'Visser' },
      birthDate: '1950-01-01',
      gender: 'male',
      careAgreements: [],
      administratorCapacity: { capable: true, assessedOn: '2024-12-31', assessorRole: 'other' },
    },
    agreements: [{ id: 'zw-1', careType: 'elderly-care', start: '2023-01-01', end: '2023-01-01' }],
    org: ZORG_WEST,
  },
  {
    client: {
      id: 'zw-c9',
      bsn: '999999990',
      name: { given: [], family: 'Smit' },
      birthDate: '1960-07-07',
      gender: 'female',
      careAgreements: [],
      administratorCapacity: { capable: true, assessedOn: '2024-02-29', assessorRole: 'physician' },
    },
    agreements: [],
    org: ZORG_WEST,
  },
];

const person = (given: string, family: string, prefix?: string) => ({
  given: [given],
  family,
  ...(prefix ? { prefix } : {}),
});

/** One relation per role, plus parents with and without family code and parental authority. */
export const relations: { relation: EcdRelation; org: EcdOrganisation }[] = [
  {
    relation: {
      id: 'mz-r001',
      clientId: 'mz-c001',
      role: 'first-contact-person',
      name: person('Karin', 'Vries', 'de'),
      relationship: 'DAUC',
      telecom: { email: 'karin@example.nl', mobile: '+31687654321' },
      start: '2019-03-01',
    },
    org: MEERZICHT,
  },
  {
    relation: {
      id: 'mz-r002',
      clientId: 'mz-c001',
      role: 'second-contact-person',
      name: person('Tom', 'Vries', 'de'),
      relationship: 'SONC',
    },
    org: MEERZICHT,
  },
  {
    relation: {
      id: 'ah-r001',
      clientId: 'ah-c010',
      role: 'curator',
      name: person('Els', 'Hoekstra'),
      start: '2018-01-01',
      end: '2025-06-30',
    },
    org: AMERHOF,
  },
  {
    relation: {
      id: 'ah-r002',
      clientId: 'ah-c010',
      role: 'mentor',
      name: person('Bas', 'Mulder'),
      start: '2025-07-01',
    },
    org: AMERHOF,
  },
  {
    relation: {
      id: 'ah-r003',
      clientId: 'ah-c010',
      role: 'financial-administrator',
      name: person('Ria', 'Dijk', 'van'),
    },
    org: AMERHOF,
  },
  {
    relation: { id: 'ah-r004', clientId: 'ah-c011', role: 'guardian', name: person('Ineke', 'Bos') },
    org: AMERHOF,
  },
  {
    relation: {
      id: 'ah-r005',
      clientId: 'ah-c011',
      role: 'parent',
      name: person('Fatima', 'Jansen'),
      relationship: 'MTH',
      parentalAuthority: true,
      telecom: { email: 'fatima@example.nl', mobile: '+31600000001' },
    },
    org: AMERHOF,
  },
  {
    relation: {
      id: 'ah-r006',
      clientId: 'ah-c011',
      role: 'parent',
      name: person('Kees', 'Jansen'),
      parentalAuthority: false,
    },
    org: AMERHOF,
  },
  {
    relation: {
      id: 'ah-r007',
      clientId: 'ah-c010',
      role: 'other',
      name: person('Joost', 'Leeuwen', 'van der'),
      relationship: 'NBOR',
    },
    org: AMERHOF,
  },
  {
    relation: {
      id: 'mz-r003',
      clientId: 'mz-c002',
      role: 'other',
      name: person('Anna', 'Bakker'),
      relationship: 'WIFE',
      end: '2026-11-22',
    },
    org: MEERZICHT,
  },
];

export const ALL_ROLES: EcdRelationRole[] = [...RELATION_ROLES];

export const authorisations: { authorisation: EcdPortalAuthorisation; org: EcdOrganisation }[] = [
  {
    authorisation: {
      id: 'mz-auth001',
      clientId: 'mz-c001',
      grantedBy: { kind: 'client' },
      granteeRelationId: 'mz-r001',
      sections: ['medication', 'reports', 'appointments'],
      grantedOn: '2024-06-03',
    },
    org: MEERZICHT,
  },
  {
    authorisation: {
      id: 'mz-auth002',
      clientId: 'mz-c001',
      grantedBy: { kind: 'client' },
      granteeRelationId: 'mz-r002',
      sections: ['reports'],
      grantedOn: '2024-06-03',
      withdrawal: { requestReceivedAt: '2026-11-21T14:05:00+01:00' },
    },
    org: MEERZICHT,
  },
  {
    authorisation: {
      id: 'ah-auth001',
      clientId: 'ah-c010',
      grantedBy: { kind: 'relation', relationId: 'ah-r002' },
      granteeRelationId: 'ah-r007',
      sections: [
        'reports',
        'care-plan',
        'appointments',
        'measurements',
        'medication',
        'documents',
        'basic-details',
      ],
      grantedOn: '2025-08-01',
    },
    org: AMERHOF,
  },
  {
    authorisation: {
      id: 'ah-auth002',
      clientId: 'ah-c010',
      grantedBy: { kind: 'relation', relationId: 'ah-r002' },
      granteeRelationId: 'ah-r007',
      sections: ['documents'],
      grantedOn: '2025-08-01',
      // Received on the day of the grant, in the morning: the period ends at a moment on its start day.
      withdrawal: { requestReceivedAt: '2025-08-01T09:00:00+02:00' },
    },
    org: AMERHOF,
  },
];

export const clientAgreements: { agreement: EcdClientAgreement; org: EcdOrganisation }[] = [
  {
    agreement: {
      id: 'ah-agr001',
      clientId: 'ah-c010',
      subject: 'first-contact-person-as-administrator',
      relationId: 'ah-r007',
      agreed: true,
      recordedOn: '2025-09-20',
    },
    org: AMERHOF,
  },
  {
    agreement: {
      id: 'ah-agr002',
      clientId: 'ah-c010',
      subject: 'first-contact-person-as-administrator',
      relationId: 'ah-r007',
      agreed: false,
      recordedOn: '2025-09-21',
    },
    org: AMERHOF,
  },
  {
    agreement: {
      id: 'ah-agr003',
      clientId: 'ah-c011',
      subject: 'parental-access',
      relationId: 'ah-r005',
      agreed: true,
      recordedOn: '2025-02-01',
    },
    org: AMERHOF,
  },
  {
    agreement: {
      id: 'ah-agr004',
      clientId: 'ah-c011',
      subject: 'parental-access',
      relationId: 'ah-r006',
      agreed: false,
      recordedOn: '2025-02-01',
    },
    org: AMERHOF,
  },
];
