/**
 * The audit trail (NEN 7513): every FHIR request, login, token, link code, terms answer, consent
 * change, suspension and ECD sync, as a hash-chained record written before the answer leaves; read
 * as FHIR AuditEvents by the client and by reviewers. The module owns audit_event, audit_chain_head
 * and audit_chain_start; no other module touches them.
 */
export {
  AUDIT_EVENT_KINDS,
  type AuditAction,
  type AuditActor,
  type AuditBasis,
  type AuditChecks,
  type AuditEntry,
  type AuditEventKind,
  type AuditOutcome,
  type AuditRecord,
  type ChainAlgorithm,
} from './entry';
export { AuditTrail, type AuditTrailOptions } from './trail';
export {
  AUDIT_KEY_VARIABLE,
  auditKeyFromEnvironment,
  ChainHasher,
  ChainKeyMissing,
  GENESIS_HASH,
} from './chain';
export { canonicalJson } from './canonical';
export {
  verifyChain,
  type BrokenLink,
  type ChainAnchor,
  type ChainProblem,
  type ChainReport,
  type VerifyOptions,
} from './verify';
export {
  retentionCutoff,
  planAuditPrune,
  pruneAuditTrail,
  pruneAuditEvery,
  AuditChainBroken,
  type AuditPrunePlan,
  type AuditPruneResult,
  type AuditPruneOptions,
} from './retention';
export { auditExportLines, writeAuditExport, type AuditExportQuery } from './export';
export {
  toAuditEvent,
  AUDIT_EVENT_SUBTYPE_SYSTEM,
  NEN7513_CONTROLS_EXTENSION,
  DECISION_BASIS_ENTITY,
  type AuditAudience,
} from './audit-event';
export {
  auditRecordById,
  auditRecordsOfRequest,
  findAuditRecords,
  countAuditRecords,
  type AuditQuery,
} from './read';
export {
  breachReport,
  breachRecords,
  BREACH_RECORD_LIMIT,
  type BreachAccess,
  type BreachActor,
  type BreachClient,
  type BreachReport,
  type BreachScope,
} from './breach';
