import type { OperationOutcome } from '@medplum/fhirtypes';
import type { Request, Response } from 'express';
import { FHIR_BASE_PATH } from '../config';
import { DependencyFailed, Unavailable, isGatewayError } from '../errors';
import type { Logger } from './logger';
import { contextOf } from './request-context';

/**
 * Structured fields a refusal may add to its answer beside the text (for example the located
 * problems of a rejected ECD export). Sent only when the error is exposed, and only in the JSON
 * form; they must be as safe for the caller as the public text.
 */
export interface ProblemFields {
  readonly publicFields: Readonly<Record<string, unknown>>;
}

/** The JSON answer outside the FHIR base. */
export interface ProblemBody {
  error: string;
  message: string;
  requestId: string;
  [field: string]: unknown;
}

/** What an error becomes on the wire. */
export interface ProblemResponse {
  status: number;
  /** The stable code the answer names (ERR_INTERNAL for anything withheld). */
  code: string;
  /** X-Request-Id always; WWW-Authenticate and Retry-After when the error carries them. */
  headers: Record<string, string>;
  contentType: 'application/json' | 'application/fhir+json';
  body: ProblemBody | OperationOutcome;
  /** True when the error's own text was withheld (an unknown error or a 5xx): log all of it. */
  withheld: boolean;
}

/** Which request the answer is for: its path picks the language, its id goes into the answer. */
export interface ProblemTarget {
  path: string;
  requestId: string;
}

/** What the caller may learn of an error, before it is put into a language. */
interface Classified {
  status: number;
  code: string;
  text: string;
  headers: Record<string, string>;
  fields: Readonly<Record<string, unknown>>;
  withheld: boolean;
  /** A FHIR issue-type code the error names itself (e.g. `too-costly` on a 400), else by status. */
  issue?: string;
}

const INTERNAL: Classified = {
  status: 500,
  code: 'ERR_INTERNAL',
  text: 'internal error',
  headers: {},
  fields: {},
  withheld: true,
};

type FhirIssueCode = NonNullable<OperationOutcome['issue']>[number]['code'];

/** FHIR issue-type codes for the statuses the gateway answers with. */
const FHIR_ISSUE_CODE: Record<number, FhirIssueCode> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  405: 'not-supported',
  409: 'conflict',
  413: 'too-costly',
  415: 'not-supported',
  422: 'processing',
  429: 'throttled',
  502: 'transient',
  503: 'transient',
  504: 'timeout',
};

/**
 * Turns any error into the answer: an OperationOutcome under the FHIR base, `{error, message,
 * requestId}` elsewhere, both with the request id. A GatewayError below 500 says its code and public
 * text (never its detail); an Unavailable keeps its 503 and text, which tell the caller to come
 * back; everything else, unknown errors and other 5xx alike, is a generic 500 that says nothing
 * about itself.
 */
export function toProblem(err: unknown, target: ProblemTarget): ProblemResponse {
  const c = classify(err);
  const headers = { ...c.headers, 'X-Request-Id': target.requestId };
  if (underFhirBase(target.path)) {
    return {
      status: c.status,
      code: c.code,
      headers,
      contentType: 'application/fhir+json',
      withheld: c.withheld,
      body: {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code: (c.issue as FhirIssueCode | undefined) ?? FHIR_ISSUE_CODE[c.status] ?? 'exception',
            details: { text: c.text },
            diagnostics: `request id ${target.requestId}`,
          },
        ],
      },
    };
  }
  return {
    status: c.status,
    code: c.code,
    headers,
    contentType: 'application/json',
    withheld: c.withheld,
    body: { ...c.fields, error: c.code, message: c.text, requestId: target.requestId },
  };
}

/**
 * Answers a request with the problem an error makes, and logs it: withheld errors at error with
 * their stack and detail, refusals at info with their code and detail. Every error body the
 * gateway sends goes through here.
 */
export function sendError(req: Request, res: Response, err: unknown): void {
  const context = contextOf(req);
  const problem = toProblem(err, { path: pathOf(req), requestId: context.id });
  logProblem(context.log, err, problem);
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.status(problem.status).type(problem.contentType).json(problem.body);
}

function classify(err: unknown): Classified {
  const parserProblem = bodyParserProblem(err);
  if (parserProblem) return parserProblem;
  if (!isGatewayError(err)) return INTERNAL;
  // A 503, 502 or 504 keeps its status and its (fixed, dependency-naming) text: a browser app and a
  // retrying client must see that the cause is elsewhere and passing. Every other 5xx says nothing.
  if (!err.expose && !(err instanceof Unavailable) && !(err instanceof DependencyFailed)) return INTERNAL;
  const headers: Record<string, string> = {};
  const { challenge, retryAfterSeconds } = err as { challenge?: unknown; retryAfterSeconds?: unknown };
  if (err.status === 401 && typeof challenge === 'string') headers['WWW-Authenticate'] = challenge;
  if ((err.status === 429 || err.status === 503) && typeof retryAfterSeconds === 'number')
    headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  const fields = (err as Partial<ProblemFields>).publicFields;
  const { fhirIssue } = err as { fhirIssue?: unknown };
  return {
    ...(typeof fhirIssue === 'string' && /^[a-z-]{1,32}$/.test(fhirIssue) ? { issue: fhirIssue } : {}),
    status: err.status,
    code: err.code,
    text: err.message,
    headers,
    fields: err.expose && fields && typeof fields === 'object' ? fields : {},
    withheld: false,
  };
}

/** The errors express's body parsers raise (http-errors with a `type`). */
function bodyParserProblem(err: unknown): Classified | undefined {
  const type = (err as { type?: unknown } | null | undefined)?.type;
  const refusal = (status: number, code: string, text: string): Classified => ({
    status,
    code,
    text,
    headers: {},
    fields: {},
    withheld: false,
  });
  if (type === 'entity.too.large') return refusal(413, 'ERR_BODY_TOO_LARGE', 'request body is too large');
  if (type === 'entity.parse.failed')
    return refusal(400, 'ERR_BODY_MALFORMED', 'request body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return refusal(415, 'ERR_BODY_ENCODING', 'request body encoding is not supported');
  return undefined;
}

function logProblem(log: Logger, err: unknown, problem: ProblemResponse): void {
  if (problem.withheld) {
    log.error({ err, status: problem.status }, 'request failed');
    return;
  }
  const detail = isGatewayError(err) ? err.detail : undefined;
  log.info({ status: problem.status, code: problem.code, detail }, 'request rejected');
}

function underFhirBase(path: string): boolean {
  // Express routes without regard to case, so /FHIR/… reaches the FHIR API: its errors too must be
  // OperationOutcomes.
  const lower = path.toLowerCase();
  return lower === FHIR_BASE_PATH || lower.startsWith(`${FHIR_BASE_PATH}/`);
}

/** The full path, also inside a router mounted on a prefix (where `req.path` is relative). */
function pathOf(req: Request): string {
  const url = req.originalUrl || req.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
