import type { ErrorRequestHandler, RequestHandler } from 'express';
import { sendProblem, type Problem } from './problem';
import { contextOf } from './request-context';

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Maps an error thrown anywhere before the response to a Problem. Unknown errors stay generic. */
function problemFrom(err: unknown): Problem {
  const type = (err as BodyParserError | undefined)?.type;
  if (type === 'entity.too.large')
    return { status: 413, code: 'ERR_BODY_TOO_LARGE', text: 'request body is too large' };
  if (type === 'entity.parse.failed')
    return { status: 400, code: 'ERR_BODY_MALFORMED', text: 'request body is not valid JSON' };
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return { status: 415, code: 'ERR_BODY_ENCODING', text: 'request body encoding is not supported' };
  return { status: 500, code: 'ERR_INTERNAL', text: 'internal error' };
}

/** The last error handler: logs the detail, answers with nothing but a safe text and the request id. */
export function errorHandler(fhirBasePath: string): ErrorRequestHandler {
  return (err, req, res, next) => {
    const problem = problemFrom(err);
    const log = contextOf(req).log;
    if (problem.status >= 500) log.error({ err }, 'request failed');
    else log.info({ code: problem.code }, 'request rejected');
    if (res.headersSent) {
      // Part of a body may be out already: cut the connection rather than finish a partial answer.
      next(err);
      return;
    }
    sendProblem(req, res, problem, fhirBasePath);
  };
}

export function notFoundHandler(fhirBasePath: string): RequestHandler {
  return (req, res) =>
    sendProblem(req, res, { status: 404, code: 'ERR_NOT_FOUND', text: 'not found' }, fhirBasePath);
}
