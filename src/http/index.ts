export { createLogger, type Logger } from './logger';
export { requestContextMiddleware, contextOf, type RequestContext } from './request-context';
export { securityHeaders } from './security';
export { errorHandler, notFoundHandler } from './error-handler';
export { sendProblem, type Problem } from './problem';
export { requestTimeout } from './timeout';
export { Drain } from './shutdown';
export { FailureLimit } from './failure-limit';
