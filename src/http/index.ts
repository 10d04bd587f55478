/**
 * Shared HTTP plumbing: the request context and logs, security headers, body limits, errors to
 * responses (`toProblem`), timeouts, readiness, the drain on shutdown, and the brake on guessing.
 */
export { createLogger, type Logger } from './logger';
export { requestContextMiddleware, contextOf, type RequestContext } from './request-context';
export { securityHeaders } from './security';
export { bodyParsers } from './body';
export { errorHandler, notFoundHandler } from './error-handler';
export {
  toProblem,
  sendError,
  type ProblemBody,
  type ProblemFields,
  type ProblemResponse,
  type ProblemTarget,
} from './problem';
export { requestTimeout } from './timeout';
export { Drain } from './shutdown';
export { FailureLimit } from './failure-limit';
export {
  assessReadiness,
  databaseCheck,
  upstreamCheck,
  failureReason,
  READINESS_TIMEOUT_MS,
  type ReadinessCheck,
  type ReadinessReport,
} from './readiness';
export { healthRoutes, type HealthRoutesOptions } from './health';
export {
  DEFAULT_RETRY_AFTER_SECONDS,
  MAINTENANCE_SETTING,
  MaintenanceSwitch,
  activeMaintenance,
  clearMaintenance,
  maintenanceGuard,
  maintenancePhase,
  readMaintenance,
  writeMaintenance,
  type ActiveMaintenance,
  type MaintenancePhase,
  type MaintenanceRule,
  type MaintenanceSetter,
  type MaintenanceWindow,
} from './maintenance';
