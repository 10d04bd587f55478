import type { RequestHandler } from 'express';
import { Unavailable } from '../errors';
import { sendError } from './problem';
import { contextOf } from './request-context';

/** Answers 503 for a request still running after `ms`, so no caller hangs on a stuck dependency. */
export function requestTimeout(ms: number): RequestHandler {
  return (req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      contextOf(req).log.warn({ ms }, 'request timed out');
      sendError(req, res, new Unavailable('the request took too long', undefined, { code: 'ERR_TIMEOUT' }));
    }, ms);
    timer.unref();
    res.on('close', () => clearTimeout(timer));
    next();
  };
}
