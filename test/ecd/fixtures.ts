import type { OrganisationConfig } from '../../src/config';
import type { EcdExport } from '../../src/ecd';

export const ORGANISATIONS: OrganisationConfig[] = [
  { id: 'meerzicht', name: 'Zorgcentrum Meerzicht', preset: 'meerlanden' },
  { id: 'amerhof', name: 'Stichting Amerhof', preset: 'amerpoort' },
];

/** A small, complete export: two clients, their relations, an authorisation and an agreement. */
export function smallExport(): EcdExport {
  return {
    format: 'inzage-ecd-export',
    version: 1,
    exportedAt: '2026-11-23T06:00:00+01:00',
    organisation: { id: 'meerzicht', name: 'Zorgcentrum Meerzicht', ura: '12345678' },
    clients: [
      {
        id: 'c1',
        bsn: '999990019',
        name: { given: ['Anna', 'Maria'], family: 'Vries', prefix: 'de' },
        birthDate: '1938-04-12',
        gender: 'female',
        telecom: { email: 'anna@example.nl', mobile: '+31612340001' },
        careAgreements: [{ id: 'z1', careType: 'elderly-care', start: '2024-01-01' }],
      },
      {
        id: 'c2',
        name: { given: ['Bert'], family: 'Jansen' },
        birthDate: '1941-09-30',
        gender: 'male',
        careAgreements: [{ id: 'z2', careType: 'elderly-care', start: '2023-06-01' }],
      },
    ],
    relations: [
      {
        id: 'r1',
        clientId: 'c1',
        role: 'first-contact-person',
        name: { given: ['Carla'], family: 'Vries', prefix: 'de' },
        relationship: 'DAUC',
        telecom: { email: 'carla@example.nl', mobile: '+31612340002' },
      },
      {
        id: 'r2',
        clientId: 'c1',
        role: 'second-contact-person',
        name: { given: ['Dirk'], family: 'Vries', prefix: 'de' },
      },
      {
        id: 'r3',
        clientId: 'c2',
        role: 'financial-administrator',
        name: { given: ['Els'], family: 'Bakker' },
      },
    ],
    portalRegistrations: [
      {
        id: 'g1',
        clientId: 'c1',
        person: { kind: 'client' },
        registeredOn: '2025-02-01',
        requestedRole: 'client',
      },
      {
        id: 'g2',
        clientId: 'c1',
        person: { kind: 'relation', relationId: 'r1' },
        registeredOn: '2025-02-01',
        requestedRole: 'user',
      },
    ],
    portalAuthorisations: [
      {
        id: 'a1',
        clientId: 'c1',
        grantedBy: { kind: 'client' },
        granteeRelationId: 'r1',
        sections: ['reports', 'appointments'],
        grantedOn: '2025-02-01',
      },
    ],
    clientAgreements: [
      {
        id: 'k1',
        clientId: 'c1',
        subject: 'parental-access',
        relationId: 'r1',
        agreed: false,
        recordedOn: '2025-02-01',
      },
    ],
  };
}

/** Pretty-printed, so that line numbers in problems point somewhere a person can look. */
export function asJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** The 1-based line on which `needle` first occurs in `text`. */
export function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`not in the text: ${needle}`);
  return text.slice(0, at).split('\n').length;
}
