import { Forbidden, GatewayError, InvalidInput, Unauthenticated } from '../errors';
import type { ProblemFields } from '../http';
import type { ImportProblem } from './problems';

/**
 * The refusals of POST /ecd/sync. Codes:
 * - ERR_ECD_QUERY (400): a query parameter other than dryRun and organisation, a repeated one, or a
 *   value that is not allowed (dryRun is exactly `true` or `false`).
 * - ERR_ECD_UNAUTHENTICATED (401): no access token, or not a valid one (forged, expired, revoked).
 * - ERR_ECD_CLIENT (403): a valid token, but not of an organisation's ECD backend client, or without
 *   the ECD link scopes (ECD_SYNC_SCOPES).
 * - ERR_ECD_ORGANISATION (403): a valid token, but of another organisation's client than the one named.
 * - ERR_ECD_TOO_LARGE (413): the export is larger than `ecd.maxPushSize`.
 * - ERR_ECD_MEDIA_TYPE (415): the body is not application/json.
 * - ERR_ECD_INVALID (422): the export has problems; nothing was applied.
 * - ERR_TOO_MANY_FAILURES (429, TooManyAttempts): too many refused tokens; wait Retry-After seconds.
 */
export class EcdPushQueryInvalid extends InvalidInput {
  constructor(text: string) {
    super(text, { code: 'ERR_ECD_QUERY' });
  }
}

export const ECD_PUSH_CHALLENGE = 'Bearer realm="inzage-ecd"';

/** No access token, or one that is not valid. `detail` (why) is logged, never answered. */
export class EcdPushTokenRefused extends Unauthenticated {
  constructor(detail?: string) {
    super(
      "an access token of the organisation's ECD backend client is required (Authorization: Bearer <token>, " +
        'from SMART Backend Services; `inzage ecd push` gets one)',
      ECD_PUSH_CHALLENGE,
      { code: 'ERR_ECD_UNAUTHENTICATED', ...(detail === undefined ? {} : { detail }) },
    );
  }
}

/** A valid token of a client that may not push: not a backend client of an organisation, or lacking the scopes. */
export class EcdPushClientRefused extends Forbidden {
  constructor(text: string) {
    super(text, { code: 'ERR_ECD_CLIENT' });
  }
}

export class EcdPushOtherOrganisation extends Forbidden {
  constructor(named: string) {
    super(`this client does not belong to organisation '${named}'`, { code: 'ERR_ECD_ORGANISATION' });
  }
}

export class EcdPushMediaType extends GatewayError {
  constructor() {
    super(
      'ERR_ECD_MEDIA_TYPE',
      415,
      'push the export as application/json; CSV directories are imported with `inzage ecd import`',
    );
  }
}

export class EcdExportTooLarge extends GatewayError {
  constructor(readonly maxBytes: number) {
    super('ERR_ECD_TOO_LARGE', 413, `the export is larger than ${maxBytes} bytes`);
  }
}

/** The export was read and checked, and has problems: the answer lists them, located. */
export class EcdExportRejected extends GatewayError implements ProblemFields {
  readonly publicFields: { problems: readonly ImportProblem[]; truncated: boolean };

  constructor(problems: readonly ImportProblem[], truncated: boolean, options: { cause?: unknown } = {}) {
    super('ERR_ECD_INVALID', 422, 'the export was not applied; nothing changed', options);
    this.publicFields = { problems, truncated };
  }
}
