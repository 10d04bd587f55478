/**
 * The ECD export format types the sandbox writes, taken through the ecd module's index (types only,
 * so nothing of the ecd module is loaded at run time). The few the index does not re-export are
 * derived from the ones it does.
 */
import type { EcdCareAgreement, EcdClient, EcdPortalRegistration, EcdRelation } from '../ecd';

export type {
  EcdClient,
  EcdClientAgreement,
  EcdExport,
  EcdPortalAuthorisation,
  EcdPortalRegistration,
  EcdRelation,
  EcdRelationRole,
  PortalSection,
} from '../ecd';

export type EcdAdministratorCapacity = NonNullable<EcdClient['administratorCapacity']>;
export type EcdAssessorRole = EcdAdministratorCapacity['assessorRole'];
export type EcdPersonName = EcdClient['name'];
export type EcdPersonReference = EcdPortalRegistration['person'];
export type EcdTelecom = NonNullable<EcdRelation['telecom']>;
export type EcdCareType = EcdCareAgreement['careType'];
