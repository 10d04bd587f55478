import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from './logger';

/** What every later step may know about the request in flight, without a shared mutable bag. */
export interface RequestContext {
  readonly id: string;
  readonly log: Logger;
  readonly startedAt: bigint;
}

const contexts = new WeakMap<Request, RequestContext>();

/** An id the caller sent is kept only when it is short and plain, so it cannot inject into logs. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestContextMiddleware(log: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const id = incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const context: RequestContext = { id, log: log.child({ reqId: id }), startedAt: process.hrtime.bigint() };
    contexts.set(req, context);
    res.setHeader('X-Request-Id', id);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - context.startedAt) / 1e6;
      context.log.info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          bytes: Number(res.getHeader('content-length') ?? 0),
        },
        'request',
      );
    });
    next();
  };
}

/** The context of a request that passed requestContextMiddleware; throws for any other. */
export function contextOf(req: Request): RequestContext {
  const context = contexts.get(req);
  if (!context) throw new TypeError('request has no context: requestContextMiddleware is not mounted');
  return context;
}
