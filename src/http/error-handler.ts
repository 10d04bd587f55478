import type { ErrorRequestHandler, RequestHandler } from 'express';
import { NotFound } from '../errors';
import { sendError } from './problem';
import { contextOf } from './request-context';

/** The last error handler: every error that reaches it is answered through `toProblem`. */
export function errorHandler(): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      // Part of a body may be out already: cut the connection rather than finish a partial answer.
      contextOf(req).log.error({ err }, 'request failed after the answer began');
      next(err);
      return;
    }
    sendError(req, res, err);
  };
}

/** Whatever no router answered. */
export function notFoundHandler(): RequestHandler {
  return (req, res) => sendError(req, res, new NotFound());
}
