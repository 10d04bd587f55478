import type { Request, Response } from 'express';
import { contextOf } from './request-context';

/** A failure the HTTP layer answers itself: a status, a stable code, and text safe to show anyone. */
export interface Problem {
  status: number;
  code: string;
  /** Safe for the caller; never internal detail (that goes to the log only). */
  text: string;
}

/** FHIR issue-type codes for the statuses the HTTP layer produces. */
const FHIR_ISSUE_CODE: Record<number, string> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  405: 'not-supported',
  413: 'too-costly',
  415: 'not-supported',
  429: 'throttled',
  503: 'transient',
};

/**
 * Writes a problem in the caller's language: an OperationOutcome under the FHIR base, a small JSON
 * object elsewhere. Both carry the request id, so a user's report can be found in the logs.
 */
export function sendProblem(req: Request, res: Response, problem: Problem, fhirBasePath: string): void {
  const requestId = contextOf(req).id;
  if (req.path === fhirBasePath || req.path.startsWith(`${fhirBasePath}/`)) {
    res
      .status(problem.status)
      .type('application/fhir+json')
      .json({
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code: FHIR_ISSUE_CODE[problem.status] ?? 'exception',
            details: { text: problem.text },
            diagnostics: `request id ${requestId}`,
          },
        ],
      });
    return;
  }
  res.status(problem.status).json({ error: problem.code, message: problem.text, requestId });
}
