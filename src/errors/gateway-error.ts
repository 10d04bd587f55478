/**
 * The one error model of the gateway. Every refusal and failure that a module raises on purpose is a
 * GatewayError (or a subclass): a stable code for programs, an HTTP status, a public text that is safe
 * to show the caller, and an internal detail that goes to the log only. `toProblem` in the http module
 * turns any error into the response; anything that is not a GatewayError becomes a generic 500.
 */
export interface GatewayErrorOptions {
  /** For the log only: never sent to a caller. */
  detail?: string;
  cause?: unknown;
}

export class GatewayError extends Error {
  /** A stable `ERR_*` code, documented where the subclass is defined. */
  readonly code: string;
  /** The HTTP status a request that ends in this error gets. */
  readonly status: number;
  /** Internal detail (ids, paths, the underlying failure): logged, never sent. */
  readonly detail: string | undefined;

  constructor(code: string, status: number, publicText: string, options: GatewayErrorOptions = {}) {
    super(publicText, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.detail = options.detail;
  }

  /** Whether the public text may be sent: a 5xx says nothing about itself. */
  get expose(): boolean {
    return this.status < 500;
  }
}

/** The input of a request or command is malformed (a bad parameter, a bad moment, a bad reference). */
export class InvalidInput extends GatewayError {
  constructor(text: string, options: GatewayErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'ERR_INVALID_INPUT', 400, text, options);
  }
}

/** The thing asked for does not exist, or the caller may not know that it exists. */
export class NotFound extends GatewayError {
  constructor(text = 'not found', options: GatewayErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'ERR_NOT_FOUND', 404, text, options);
  }
}

/** The request conflicts with the current state (for example a suspension that was already lifted). */
export class Conflict extends GatewayError {
  constructor(text: string, options: GatewayErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'ERR_CONFLICT', 409, text, options);
  }
}

/** The caller is known but may not do this. */
export class Forbidden extends GatewayError {
  constructor(text: string, options: GatewayErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'ERR_FORBIDDEN', 403, text, options);
  }
}

/** The caller could not be authenticated. `challenge` goes into WWW-Authenticate. */
export class Unauthenticated extends GatewayError {
  constructor(
    text: string,
    readonly challenge?: string,
    options: GatewayErrorOptions & { code?: string } = {},
  ) {
    super(options.code ?? 'ERR_UNAUTHENTICATED', 401, text, options);
  }
}

/** Too many attempts; `retryAfterSeconds` goes into Retry-After. */
export class TooManyAttempts extends GatewayError {
  constructor(
    readonly retryAfterSeconds: number,
    options: GatewayErrorOptions = {},
  ) {
    super(
      'ERR_TOO_MANY_FAILURES',
      429,
      `too many failed attempts; try again in ${retryAfterSeconds} s`,
      options,
    );
  }
}

/** The gateway cannot answer now (shutting down, maintenance, a dependency down); retry later. */
export class Unavailable extends GatewayError {
  constructor(
    text: string,
    readonly retryAfterSeconds?: number,
    options: GatewayErrorOptions & { code?: string } = {},
  ) {
    super(options.code ?? 'ERR_UNAVAILABLE', 503, text, options);
  }
}

/**
 * Something the gateway depends on failed (the upstream FHIR server unreachable, too slow, or
 * answering what cannot be used): 502 or 504. Its public text names the dependency, never what it
 * said: an upstream's own error body is never passed on.
 */
export class DependencyFailed extends GatewayError {
  constructor(status: 502 | 504, text: string, options: GatewayErrorOptions & { code?: string } = {}) {
    super(options.code ?? (status === 504 ? 'ERR_UPSTREAM_TIMEOUT' : 'ERR_UPSTREAM'), status, text, options);
  }
}

/** Recognises a GatewayError also across realms (jest runs code in vm contexts). */
export function isGatewayError(err: unknown): err is GatewayError {
  if (err instanceof GatewayError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as Partial<GatewayError>;
  return (
    typeof e.code === 'string' &&
    typeof e.status === 'number' &&
    typeof e.message === 'string' &&
    typeof (e as { expose?: unknown }).expose === 'boolean'
  );
}
