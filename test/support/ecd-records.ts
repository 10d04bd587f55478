import {
  type EcdClient,
  type EcdOrganisation,
  type EcdRelation,
  mapClient,
  mapRelation,
  patientId,
  relatedPersonId,
} from '../../src/ecd';
import { writeResources } from '../../src/resources';
import type { Store } from '../../src/store';
import {
  patientReference,
  relatedPersonReference,
  type PatientReference,
  type RelatedPersonReference,
} from '../../src/vocabulary';

/**
 * Writes one client's ECD records (mapped by the real mapping) as the ECD link would, but at a moment
 * of the test's choosing: the resources' history then says what the gateway knew when, so a past
 * decision can be checked against it.
 */
export async function recordEcdClient(
  store: Store,
  org: EcdOrganisation,
  client: EcdClient,
  relations: readonly EcdRelation[],
  at: Date,
): Promise<{ patient: PatientReference; relation: (id: string) => RelatedPersonReference }> {
  const id = patientId(org.id, client.id);
  await store.transaction(async (tx) => {
    await writeResources(
      tx,
      [
        {
          resource: mapClient(client, client.careAgreements ?? [], org),
          organisationId: org.id,
          patientId: id,
          source: 'ecd',
          sourceRecord: client.id,
          basedOn: 0,
        },
        ...relations.map((r) => ({
          resource: mapRelation(r, org),
          organisationId: org.id,
          patientId: id,
          source: 'ecd' as const,
          sourceRecord: r.id,
          basedOn: 0,
        })),
      ],
      { kind: 'ecd-import', organisationId: org.id, run: 'test' },
      at,
    );
  });
  return {
    patient: patientReference(id),
    relation: (relationId) => relatedPersonReference(relatedPersonId(org.id, relationId)),
  };
}

/** A Meerzicht client (Meerlanden preset) in care since 2024 with a first contact person, r1. */
export const MEERZICHT_CLIENT: { org: EcdOrganisation; client: EcdClient; relations: EcdRelation[] } = {
  org: { id: 'meerzicht', name: 'Zorgcentrum Meerzicht' },
  client: {
    id: 'c1',
    name: { given: ['Anna'], family: 'Vries' },
    birthDate: '1938-04-12',
    gender: 'female',
    careAgreements: [{ id: 'z1', careType: 'elderly-care', start: '2024-01-01' }],
  },
  relations: [
    {
      id: 'r1',
      clientId: 'c1',
      role: 'first-contact-person',
      name: { given: ['Carla'], family: 'Vries' },
    },
  ],
};
