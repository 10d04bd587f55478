import type { Server } from 'node:http';
import type { RequestHandler } from 'express';
import { Unavailable } from '../errors';
import { sendError } from './problem';

/**
 * Tracks requests in flight so a stop can let them finish: once draining starts, new requests on
 * kept-alive connections are refused with 503, answered ones close their connection, and the server
 * stops when the last request is done or the grace period runs out.
 * Mount after requestContextMiddleware: the refusal carries the request id.
 */
export class Drain {
  #inFlight = 0;
  #draining = false;
  #server: Server | undefined;
  #idle: Array<() => void> = [];

  get draining(): boolean {
    return this.#draining;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      if (this.#draining) {
        res.setHeader('Connection', 'close');
        sendError(
          req,
          res,
          new Unavailable('the gateway is shutting down', undefined, { code: 'ERR_SHUTTING_DOWN' }),
        );
        return;
      }
      this.#inFlight += 1;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.#inFlight -= 1;
        if (this.#draining) this.#server?.closeIdleConnections();
        if (this.#inFlight === 0) this.#idle.splice(0).forEach((resolve) => resolve());
      };
      res.on('finish', finish);
      res.on('close', finish);
      if (this.#draining) res.setHeader('Connection', 'close');
      next();
    };
  }

  /** Stops accepting connections and waits for requests in flight, at most `graceMs`. */
  async close(server: Server, graceMs: number): Promise<{ cutConnections: boolean }> {
    this.#draining = true;
    this.#server = server;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const idle =
      this.#inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.#idle.push(resolve));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([idle.then(() => 'idle' as const), timedOut]);
    clearTimeout(timer);
    server.closeIdleConnections();
    if (outcome === 'timeout') server.closeAllConnections();
    await closed;
    return { cutConnections: outcome === 'timeout' };
  }
}
