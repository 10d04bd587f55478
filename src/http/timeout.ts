import type { RequestHandler } from 'express';
import { sendProblem } from './problem';
import { contextOf } from './request-context';

/** Answers 503 for a request still running after `ms`, so no caller hangs on a stuck dependency. */
export function requestTimeout(ms: number, fhirBasePath: string): RequestHandler {
  return (req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      contextOf(req).log.warn({ ms }, 'request timed out');
      sendProblem(
        req,
        res,
        { status: 503, code: 'ERR_TIMEOUT', text: 'the request took too long' },
        fhirBasePath,
      );
    }, ms);
    timer.unref();
    res.on('close', () => clearTimeout(timer));
    next();
  };
}
