import { Conflict, Forbidden, GatewayError, NotFound } from '../errors';

/**
 * The consent module's refusals, each with a stable code and the status an admin endpoint answers
 * with. Bad input (an empty reason, a period that ends before it starts, a malformed reference) is the
 * shared InvalidInput (400) of the errors module.
 */

/** ERR_UNKNOWN_CLIENT (404): the gateway has no facts about this client (never imported from an ECD). */
export class UnknownClient extends NotFound {
  constructor(patient: string) {
    super('the client is not known to the gateway', { code: 'ERR_UNKNOWN_CLIENT', detail: patient });
  }
}

/** ERR_GRANT_REFUSED (403): the person asking may not grant or withdraw access to this client's dossier now. */
export class GrantRefused extends Forbidden {
  constructor(reason: string) {
    super(reason, { code: 'ERR_GRANT_REFUSED' });
  }
}

/**
 * ERR_GRANT_NOT_FOUND (404): no portal grant of this client has that id. A Consent of another client,
 * or one that is not a portal grant, gets the same answer: the caller learns nothing about it.
 */
export class GrantNotFound extends NotFound {
  constructor(consentId: string) {
    super(`Consent/${consentId} is not a grant for this client`, { code: 'ERR_GRANT_NOT_FOUND' });
  }
}

/**
 * ERR_GRANT_NOT_WITHDRAWABLE (409): the grant cannot be withdrawn here: it was withdrawn already
 * (withdrawing again would move the moment access ended), or it is recorded in the ECD, whose next
 * sync would write it back (the withdrawal is recorded in the ECD and arrives with the sync, M-3).
 */
export class GrantNotWithdrawable extends Conflict {
  constructor(reason: string) {
    super(reason, { code: 'ERR_GRANT_NOT_WITHDRAWABLE' });
  }
}

/** ERR_SUSPENSION_NOT_FOUND (404): no suspension with this id is in force (none, or lifted already). */
export class SuspensionNotFound extends NotFound {
  constructor(id: string, why = '') {
    super(`no suspension ${id} to lift${why}`, { code: 'ERR_SUSPENSION_NOT_FOUND' });
  }
}

/**
 * ERR_INVALID_PRESET (500): a policy preset file is missing or does not pass its schema. An operator's
 * configuration error, found at start-up (or by `inzage explain`), never in a request.
 */
export class InvalidPreset extends GatewayError {
  constructor(text: string) {
    super('ERR_INVALID_PRESET', 500, text);
  }
}
