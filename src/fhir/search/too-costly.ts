import { InvalidInput } from '../../errors';

/**
 * A total the gateway would have to count over more than it may read: refused (400, issue code
 * `too-costly`) rather than estimated, since an estimate of the upstream's would count hidden data.
 */
export class SearchTooCostly extends InvalidInput {
  /** The FHIR issue-type code of the OperationOutcome (http/problem.ts reads it). */
  readonly fhirIssue = 'too-costly';

  constructor(text: string, detail: string) {
    super(text, { code: 'ERR_SEARCH_TOO_COSTLY', detail });
  }
}
