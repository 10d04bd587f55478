/**
 * The ECD link: the export format, reading an export (a JSON file or stream, a CSV directory), and
 * the sync that applies it; and the push handler for POST /ecd/sync.
 */
export type {
  EcdExport,
  EcdDeltaExport,
  EcdExportMode,
  EcdClient,
  EcdCareAgreement,
  EcdRelation,
  EcdRelationRole,
  EcdPortalRegistration,
  EcdPortalAuthorisation,
  EcdClientAgreement,
  EcdOrganisation,
  EcdPersonName,
  EcdPersonReference,
  EcdTelecom,
  EcdAdministratorCapacity,
  EcdAssessorRole,
  EcdCareType,
  EcdGender,
  IsoDate,
  IsoDateTime,
} from './export-format';
export { ECD_EXPORT_FORMAT, ECD_EXPORT_VERSION } from './export-format';
export { EcdImportError, type ImportProblem } from './problems';
export {
  importEcdExport,
  type ImportOptions,
  type ImportResult,
  type ImportPhase,
  type ChangeCounts,
  type CountedKind,
} from './sync';
export { ecdSyncRouter, type EcdSyncRouteDependencies } from './sync-route';
// The audit records of consent changes (every writer's: the FHIR API, the sync, the administration) and of syncs.
export {
  auditJournal,
  changeActor,
  changeAuditEntry,
  type ChangeOrigin,
  type ChangeRecorder,
} from './change-audit';
export { ecdSyncRefusalEntry, type EcdAuditTrail, type EcdSyncAudit, type EcdSyncOrigin } from './sync-audit';
export { ECD_SYNC_SCOPES, type EcdPushIdentity } from './push';
export { EcdPushTokenRefused, EcdPushClientRefused } from './push-errors';
// The mapping of ECD records to the gateway's FHIR resources, pure: tests and benchmarks build dossiers with it.
export {
  fhirResourceId,
  patientId,
  relatedPersonId,
  mapClient,
  mapRelation,
  mapAuthorisation,
  mapClientAgreement,
  validateMapped,
  loadInzageProfiles,
  MappingValidationError,
  readInzageArtefacts,
  type Mapped,
} from './fhir';
export {
  administratorRegistrationsOf,
  ecdAdministratorRegistrationsOf,
  administratorChoiceOf,
  chooseAdministrator,
  type AdministratorChoice,
  type AdministratorChoiceInput,
} from './registrations';
export {
  readEcdExport,
  readEcdJson,
  readEcdJsonStream,
  readEcdCsvDirectory,
  EcdReadError,
  type EcdRecord,
} from './read';
