import type { Consent, Patient, RelatedPerson, Resource } from '@medplum/fhirtypes';

/**
 * The version of a resource that says it has ended because the ECD no longer lists it. The policy
 * engine reads these fields: an inactive Patient or RelatedPerson and an inactive Consent grant
 * nothing, and the period end says since when.
 *
 * `today` is the calendar date of the sync, `now` its moment (ISO 8601).
 */
export function endResource<T extends Resource>(resource: T, today: string, now: string): T {
  switch (resource.resourceType) {
    case 'Patient':
      return { ...(resource as Patient), active: false } as T;
    case 'RelatedPerson': {
      const person = resource as RelatedPerson;
      return {
        ...person,
        active: false,
        period: { ...person.period, end: person.period?.end ?? today },
      } as T;
    }
    case 'Consent': {
      const consent = resource as Consent;
      const provision = consent.provision ?? {};
      return {
        ...consent,
        status: 'inactive',
        provision: { ...provision, period: { ...provision.period, end: provision.period?.end ?? now } },
      } as T;
    }
    default:
      throw new TypeError(`the ECD sync does not end ${resource.resourceType} resources`);
  }
}
