import type { Consent, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { factVersion, resourcesOfPatient, resourcesOfPatientAsOf, type StoredResource } from '../resources';
import type { Queryable, Store } from '../store';
import { tryParseReference, type RelatedPersonReference } from '../vocabulary';
import { factsFromResources, type ClientFacts, type Suspension } from './facts';
import { suspensionsOf, suspensionsOfAsOf } from './suspension-store';

/** Where the engine reads a client's facts from. */
export interface FactsSource {
  /** The client's facts as they are now; undefined for a client the gateway does not know. */
  load(patient: string): Promise<ClientFacts | undefined>;
  /**
   * The client's facts as they were recorded at a past moment: each resource's version of then, the
   * suspensions in force then. For a reviewer's question about a past read ("was this allowed on
   * 20 November?"); a source that keeps no history leaves it out.
   */
  loadAsOf?(patient: string, at: Date): Promise<ClientFacts | undefined>;
  /**
   * A value that changes whenever the client's facts do (the change counters): the engine reads it
   * before each decision and reloads cached facts loaded under another value. Without it, cached
   * facts last until a change notification drops them.
   */
  version?(patient: string): Promise<string>;
}

/**
 * Whom the organisation registered as a client's portal administrator. The registrations are the ecd
 * module's (they come with the ECD export), so the engine is handed the reader rather than the table.
 */
export type AdministratorRegistrations = (
  q: Queryable,
  patientId: string,
) => Promise<RelatedPersonReference[]>;

export interface ConsentFactsStoreOptions {
  administratorRegistrations: AdministratorRegistrations;
}

const FACT_TYPES = ['Patient', 'RelatedPerson', 'Consent'] as const;

/**
 * The consent module's facts, read from the gateway's own resources (through the resources module),
 * the organisation's suspensions, and the administrator registrations (through the provider given).
 * Three reads per client; the engine caches the result.
 */
export function consentFactsStore(store: Store, options: ConsentFactsStoreOptions): FactsSource {
  const assemble = async (
    patientId: string,
    resources: StoredResource[],
    suspensions: Suspension[],
  ): Promise<ClientFacts | undefined> => {
    const patientRow = resources.find((r) => r.resourceType === 'Patient' && r.content.id === patientId);
    if (!patientRow) return undefined;
    const of = <T>(type: (typeof FACT_TYPES)[number]) =>
      resources.filter((r) => r.resourceType === type).map((r) => r.content as unknown as T);
    return factsFromResources({
      organisationId: patientRow.organisationId,
      patient: patientRow.content as Patient & { id: string },
      relatedPersons: of<RelatedPerson>('RelatedPerson'),
      consents: of<Consent>('Consent'),
      administratorRegistrations: await options.administratorRegistrations(store, patientId),
      suspensions,
    });
  };
  return {
    async version(patient) {
      const id = patientIdOf(patient);
      return id === undefined ? 'none' : factVersion(store, `Patient/${id}`);
    },
    async load(patient) {
      const id = patientIdOf(patient);
      if (id === undefined) return undefined;
      return assemble(id, await resourcesOfPatient(store, id, FACT_TYPES), await suspensionsOf(store, id));
    },
    async loadAsOf(patient, at) {
      const id = patientIdOf(patient);
      if (id === undefined) return undefined;
      // The registrations have no history of their own here: the current ones stand in for then.
      return assemble(
        id,
        await resourcesOfPatientAsOf(store, id, FACT_TYPES, at),
        await suspensionsOfAsOf(store, id, at),
      );
    },
  };
}

function patientIdOf(patient: string): string | undefined {
  const parsed = tryParseReference(patient);
  return parsed?.resourceType === 'Patient' ? parsed.id : undefined;
}
