/**
 * The ECD export format types the sandbox writes, taken through the ecd module's index (types only,
 * so nothing of the ecd module is loaded at run time).
 */
export type {
  EcdAdministratorCapacity,
  EcdAssessorRole,
  EcdCareType,
  EcdClient,
  EcdClientAgreement,
  EcdExport,
  EcdPersonName,
  EcdPersonReference,
  EcdPortalAuthorisation,
  EcdPortalRegistration,
  EcdRelation,
  EcdRelationRole,
  EcdTelecom,
} from '../ecd';
