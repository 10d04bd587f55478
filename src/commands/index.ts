/**
 * The commands of `inzage`, one file each: parse the options, compose the modules, print. With
 * app.ts, the only place that wires modules together.
 */
export { inzageProgram } from './program';
export { fail } from './fail';
export { registerServe } from './serve';
export { registerDemo, startDemo, type DemoOptions, type RunningDemo } from './demo';
export { registerSandbox, runSandboxCommand, type SandboxCommandArgs } from './sandbox';
export {
  registerEcdImport,
  runEcdImport,
  formatImportResult,
  type EcdImportCommandOptions,
} from './ecd-import';
export {
  registerEcdPush,
  runEcdPush,
  readSigningKey,
  EcdPushFailed,
  type EcdPushCommandOptions,
} from './ecd-push';
export { registerSmartKeys, generateClientKey, type GeneratedClientKey } from './smart-keys';
export { registerExplain, runExplain, type ExplainOptions } from './explain';
export {
  registerAuditExplain,
  runAuditExplain,
  explainAuditRecord,
  parseAuditedRequest,
  type AuditExplainOutcome,
} from './audit-explain';
export {
  registerAuditBreach,
  runAuditBreach,
  reportBreach,
  type AuditBreachOptions,
  type AuditBreachOutcome,
  type BreachNotification,
} from './audit-breach';
export { registerConfigCheck } from './config-check';
export { registerReport, runReport, type ReportOptions, type ReportOutcome } from './report';
export {
  registerAuditVerify,
  runAuditVerify,
  describeReport,
  parseAnchor,
  type AuditVerifyOptions,
  type AuditVerifyOutcome,
} from './audit-verify';
export { registerAuditPrune, runAuditPrune, type AuditPruneCommandOptions } from './audit-prune';
export { registerAuditExport, runAuditExport, type AuditExportOptions } from './audit-export';
export { startGateway, type RunningGateway } from './start-gateway';
export { openConfiguredStore, type ConfiguredStore } from './open-store';
export { stopOnSignals } from './stop-on-signals';
export { registerAdmin, adminGroup, runAdminCommand, adminServicesOf } from './admin';
export { registerAdminStaff, runAdminStaffAdd, type AdminStaffAddOptions } from './admin-staff';
