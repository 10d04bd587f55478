import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { GatewayError } from '../errors';

type IssueType = OperationOutcomeIssue['code'];

/**
 * A request the sandbox refuses on purpose. It answers with an OperationOutcome, like the FHIR servers
 * it stands in for, so that the gateway's upstream code meets refusals of the real shape. The texts
 * name only what the caller sent (a parameter, an operation), so they are sent even with a 5xx.
 *
 * Codes: ERR_SANDBOX_NOT_FHIR (404, path outside /fhir or an unknown type), ERR_SANDBOX_METHOD (405, a
 * method or interaction the sandbox does not allow), ERR_SANDBOX_BODY (400/413/415, a body it cannot
 * take), ERR_SANDBOX_SYSTEM_SEARCH (400, a search without a type), ERR_SANDBOX_BAD_PARAMETER (400),
 * ERR_SANDBOX_UNSUPPORTED_OPERATION (501), ERR_SANDBOX_ROUTER (400/404, the router's own refusal,
 * passed on with its outcome).
 */
export class SandboxRefusal extends GatewayError {
  readonly outcome: OperationOutcome;

  constructor(code: string, status: number, issue: IssueType, text: string, outcome?: OperationOutcome) {
    super(code, status, text);
    this.outcome = outcome ?? {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: issue, details: { text } }],
    };
  }

  override get expose(): boolean {
    return true;
  }
}

/** `$everything`, `$lastn`, `$meta`, …: the router implements no operations, so none is pretended. */
export class UnsupportedOperation extends SandboxRefusal {
  constructor(readonly operation: string) {
    super(
      'ERR_SANDBOX_UNSUPPORTED_OPERATION',
      501,
      'not-supported',
      `Operation ${operation} is not supported by the sandbox`,
    );
  }
}

/** A search or result parameter the sandbox does not know, or a value it cannot read (`_count=abc`). */
export class BadSearchParameter extends SandboxRefusal {
  constructor(text: string, issue: IssueType = 'invalid') {
    super('ERR_SANDBOX_BAD_PARAMETER', 400, issue, text);
  }
}
