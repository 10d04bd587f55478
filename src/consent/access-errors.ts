import { Forbidden, InvalidInput } from '../errors';

/** Refused input is echoed only up to this length: an error text is no place for a payload. */
const ECHO = 80;
const echo = (text: string) => (text.length > ECHO ? `${text.slice(0, ECHO)}…` : text);

/**
 * ERR_UNSAFE_QUERY (400): a search parameter that `narrow` cannot restrict to what the user may see
 * (another patient, a chain, `_has`, `_filter`, `_type`, an unknown parameter or modifier, …). The
 * request is refused as a whole; it is never sent on without the parameter.
 */
export class UnsafeQuery extends InvalidInput {
  constructor(parameter: string, why: string) {
    super(`the search parameter '${echo(parameter)}' is not supported here: ${why}`, {
      code: 'ERR_UNSAFE_QUERY',
    });
  }
}

/**
 * ERR_ACCESS_DENIED (403): the decision allows nothing of what was asked (nothing at all, or no
 * section of this resource type). The public text says no more than that; why is in `detail`, for
 * the log and the audit trail. The pipeline answers a read with the same 404 as a missing resource.
 */
export class AccessDenied extends Forbidden {
  constructor(reason: string) {
    super('access to this part of the dossier is not granted', { code: 'ERR_ACCESS_DENIED', detail: reason });
  }
}
