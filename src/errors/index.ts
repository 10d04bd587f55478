/** The gateway's one error model: every module's errors extend GatewayError. */
export {
  GatewayError,
  InvalidInput,
  NotFound,
  Conflict,
  Forbidden,
  Unauthenticated,
  TooManyAttempts,
  Unavailable,
  DependencyFailed,
  isGatewayError,
  type GatewayErrorOptions,
} from './gateway-error';
