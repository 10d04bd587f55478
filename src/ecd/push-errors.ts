import { Forbidden, GatewayError, InvalidInput, Unauthenticated } from '../errors';
import type { ProblemFields } from '../http';
import type { ImportProblem } from './problems';

/**
 * The refusals of POST /ecd/sync. Codes:
 * - ERR_ECD_QUERY (400): a query parameter other than dryRun and organisation, a repeated one, or a
 *   value that is not allowed (dryRun is exactly `true` or `false`).
 * - ERR_ECD_UNAUTHENTICATED (401): no key, or not the key of any organisation (or of the one named).
 * - ERR_ECD_ORGANISATION (403): a valid key, but of another organisation than the one named.
 * - ERR_ECD_TOO_LARGE (413): the export is larger than `ecd.maxPushSize`.
 * - ERR_ECD_MEDIA_TYPE (415): the body is not application/json.
 * - ERR_ECD_INVALID (422): the export has problems; nothing was applied.
 * - ERR_TOO_MANY_FAILURES (429, TooManyAttempts): too many wrong keys; wait Retry-After seconds.
 */
export class EcdPushQueryInvalid extends InvalidInput {
  constructor(text: string) {
    super(text, { code: 'ERR_ECD_QUERY' });
  }
}

export const ECD_PUSH_CHALLENGE = 'Bearer realm="inzage-ecd"';

export class EcdPushKeyRefused extends Unauthenticated {
  constructor() {
    super('a valid ECD push key is required (Authorization: Bearer <key>)', ECD_PUSH_CHALLENGE, {
      code: 'ERR_ECD_UNAUTHENTICATED',
    });
  }
}

export class EcdPushOtherOrganisation extends Forbidden {
  constructor(named: string) {
    super(`this key does not belong to organisation '${named}'`, { code: 'ERR_ECD_ORGANISATION' });
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
