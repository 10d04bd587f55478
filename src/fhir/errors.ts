import { DependencyFailed, Forbidden, GatewayError, InvalidInput, type GatewayErrorOptions } from '../errors';

/**
 * The FHIR API's refusals. Each names its failure with a stable code; the public text is what the
 * portal app may read, the detail (logs only) says why.
 */

/**
 * The one 404: a resource that does not exist and a resource the caller may not see get exactly
 * this answer, status, body and headers alike (leak vectors 7 and 9). Its text never varies.
 */
export class ResourceNotFound extends GatewayError {
  constructor(options: GatewayErrorOptions = {}) {
    super('ERR_NOT_FOUND', 404, 'Resource not found', options);
  }
}

/** The method or interaction is not offered (the portal reads; only the request channel writes). */
export class InteractionNotSupported extends GatewayError {
  constructor(text: string, options: GatewayErrorOptions = {}) {
    super('ERR_INTERACTION_NOT_SUPPORTED', 405, text, options);
  }
}

/** The token's scopes do not cover the interaction on this type (checked before any upstream call). */
export class ScopeInsufficient extends Forbidden {
  constructor(text: string, options: GatewayErrorOptions = {}) {
    super(text, { ...options, code: 'ERR_SCOPE_INSUFFICIENT' });
  }
}

/** The token carries no patient or user context: nothing can be decided, so nothing is read. */
export class ContextMissing extends Forbidden {
  constructor(text: string, options: GatewayErrorOptions = {}) {
    super(text, { ...options, code: 'ERR_NO_CONTEXT' });
  }
}

/** The request cannot be read as a FHIR request (a bad path, parameter or body). */
export class MalformedRequest extends InvalidInput {
  constructor(text: string, options: GatewayErrorOptions = {}) {
    super(text, { ...options, code: 'ERR_MALFORMED_REQUEST' });
  }
}

/** Only FHIR JSON is offered. */
export class FormatNotSupported extends GatewayError {
  constructor(text: string, options: GatewayErrorOptions = {}) {
    super('ERR_FORMAT_NOT_SUPPORTED', 406, text, options);
  }
}

/** The client's dossier is not at the upstream, or not exactly once: nothing is read from it. */
export class DossierNotLinked extends DependencyFailed {
  constructor(reason: 'not-found' | 'ambiguous', options: GatewayErrorOptions = {}) {
    super(
      502,
      reason === 'not-found'
        ? "the client's dossier cannot be found at the care organisation's FHIR server"
        : "the client's dossier is not unambiguous at the care organisation's FHIR server",
      { ...options, code: reason === 'not-found' ? 'ERR_DOSSIER_NOT_FOUND' : 'ERR_DOSSIER_AMBIGUOUS' },
    );
  }
}

/** The upstream could not be used: unreachable, an error, or an answer that is not FHIR JSON. */
export function upstreamFailed(detail: string, cause?: unknown): DependencyFailed {
  return new DependencyFailed(502, "the care organisation's FHIR server could not be read", {
    detail,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The upstream did not answer in time. */
export function upstreamTimedOut(detail: string, cause?: unknown): DependencyFailed {
  return new DependencyFailed(504, "the care organisation's FHIR server did not answer in time", {
    detail,
    ...(cause === undefined ? {} : { cause }),
  });
}
