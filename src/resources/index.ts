/**
 * The gateway's own FHIR resources: the one writer of fhir_resource and its history (versions,
 * content hash, actor), and the change notification that keeps every instance's decisions fresh.
 */
export {
  readResource,
  resourcesOfPatient,
  resourcesOfPatientAsOf,
  resourceHistory,
  writeResources,
  type ResourceSource,
  type ResourceWrite,
  type StoredResource,
} from './resource-store';
export { contentHash, stripVersion } from './content-hash';
export { findPatients, patientIdsOfOrganisation } from './patient-search';
export {
  announceChange,
  factVersion,
  CLIENT_CHANGE_CHANNEL,
  BULK_CHANGE_CHANNEL,
  type Change,
} from './changes';
export {
  currentVersions,
  currentResources,
  countCurrent,
  resourcesWithIdentifier,
  startSweep,
  type CurrentVersion,
  type ResourceScope,
  type Sweep,
} from './by-source';
