export type {
  EcdExport,
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
  PortalSection,
} from './export-format';
export { ECD_EXPORT_FORMAT, ECD_EXPORT_VERSION, PORTAL_SECTIONS } from './export-format';
export { checkRecord, passesElevenTest, type RecordProblem } from './record-schemas';
export { EcdImportError, describeProblem, type ImportProblem } from './problems';
export {
  importEcdExport,
  dutchCalendarDate,
  ECD_SYNC_CHANNEL,
  type ImportOptions,
  type ImportResult,
  type ImportPhase,
  type ChangeCounts,
  type CountedKind,
} from './sync';
export { administratorRegistrationsOf } from './registrations';
export { handleEcdPush, type EcdPushDependencies, type EcdPushRequest, type EcdPushResponse } from './push';
export {
  readEcdExport,
  readEcdJson,
  readEcdJsonStream,
  readEcdCsvDirectory,
  EcdReadError,
  type EcdRecord,
} from './read';
