/**
 * The gateway's shared vocabulary, defined once: canonical URLs and code systems, portal sections,
 * relation roles and their COD472 codes, typed references and actors.
 */
export {
  INZAGE_CANONICAL,
  PROFILE,
  EXTENSION,
  CODE_SYSTEM,
  VALUE_SET,
  NAMING_SYSTEM,
  PORTAL_CONSENT,
  PORTAL_CONSENT_TYPES,
  PORTAL_CONSENT_TYPE_DISPLAY,
  PURPOSE,
  DATA_SUBJECT_REQUESTS,
  ecdClientSystem,
  ecdRelationSystem,
  ecdEmployeeSystem,
  ecdCareAgreementSystem,
  ecdSource,
  type PortalConsentType,
  type DataSubjectRequest,
} from './canonical';
export {
  PORTAL_SECTIONS,
  RELATION_ROLES,
  COD472_OF_ROLE,
  ROLE_OF_COD472,
  COD472_DISPLAY,
  PARENT_CODES,
  isPortalSection,
  type PortalSection,
  type RelationRole,
  type Cod472Role,
} from './roles';
export {
  InvalidReference,
  tryParseReference,
  parseReference,
  parsePatientReference,
  parsePersonReference,
  isPatientReference,
  isPersonReference,
  patientReference,
  relatedPersonReference,
  type ParsedReference,
  type PatientReference,
  type RelatedPersonReference,
  type PersonReference,
} from './references';
export { actorText, parseActor, personActor, type Actor } from './actors';
