/**
 * ECD records to the gateway's FHIR resources: the id scheme, the mapping, and validation against the
 * gateway's profiles. The canonical URLs and codes it writes are the vocabulary module's.
 */
export { fhirResourceId, patientId, relatedPersonId, type EcdRecordKind } from './ids';
export { mapClient, mapRelation, mapAuthorisation, mapClientAgreement, type Mapped } from './map';
export { validateMapped, loadInzageProfiles, MappingValidationError } from './validate';
export { readInzageArtefacts, type InzageArtefacts } from './artefacts';
