import { patientCompartmentParameters, type SearchParameter } from '../consent';
import type { PatientReference } from '../vocabulary';
import type { FhirRequest } from './request';

/**
 * A SMART app names the patient in context by its bare id (`Observation?patient=123`: fhirclient's
 * `client.patient.request` does so). A bare id is ambiguous in general (`subject=123` could be a
 * Group: leak vector 11), so the decision's `narrow` refuses bare ids. Exactly one bare id is not
 * ambiguous here: the token's own patient id in one of the type's patient-compartment parameters or its `patient` parameter.
 * That one becomes `Patient/<id>`; every other value is left for `narrow` to judge.
 */
export function withTypedPatient(request: FhirRequest, patient: PatientReference): FhirRequest {
  if (request.interaction !== 'search' || request.resourceType === undefined) return request;
  // `patient` targets Patient alone wherever FHIR R4 defines it, compartment parameter or not.
  const compartment = [...(patientCompartmentParameters(request.resourceType) ?? []), 'patient'];
  const id = patient.slice('Patient/'.length);
  let changed = false;
  const parameters = request.parameters.map((p): SearchParameter => {
    const plain = p.modifier === undefined || p.modifier === 'Patient';
    if (plain && compartment.includes(p.name) && p.value === id) {
      changed = true;
      return { name: p.name, value: patient };
    }
    return p;
  });
  return changed ? Object.freeze({ ...request, parameters: Object.freeze(parameters) }) : request;
}
