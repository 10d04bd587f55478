export {
  INZAGE_CANONICAL,
  PROFILE,
  EXTENSION,
  CODE_SYSTEM,
  VALUE_SET,
  NAMING_SYSTEM,
  ecdClientSystem,
  ecdRelationSystem,
  ecdSource,
} from './canonical';
export { fhirResourceId, patientId, relatedPersonId, type EcdRecordKind } from './ids';
export {
  mapClient,
  mapRelation,
  mapAuthorisation,
  mapClientAgreement,
  RELATION_ROLE_CODE,
  type Cod472Role,
  type Mapped,
} from './map';
export { validateMapped, loadInzageProfiles, MappingValidationError } from './validate';
