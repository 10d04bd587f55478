import { once } from 'node:events';
import express, { type Request, type Response, type Router } from 'express';
import type { SectionMapping } from '../consent';
import { contextOf } from '../http';
import { capabilityStatement } from './capability';
import { fhirCors } from './cors';
import type { StreamedBundle } from './interactions';
import { normalise, type HttpRequestLine } from './normalise';
import { runPipeline, type PipelineDependencies } from './pipeline';

/**
 * The express side of the FHIR API, and the only file of the module that knows express: a request
 * under /fhir becomes the pipeline's input, its result becomes the answer (step 9). Errors go to the
 * app's error handler, which answers with an OperationOutcome; CORS headers are set before anything
 * else, so that they are on every answer.
 */
export interface FhirRouterOptions {
  readonly pipeline: PipelineDependencies;
  readonly origins: ReadonlySet<string>;
  readonly issuer: string;
  /** The section mapping of every organisation: the CapabilityStatement lists the types they place. */
  readonly sectionMappings: readonly SectionMapping[];
}

/** The only headers an answer carries besides the gateway's own (request id, security, CORS). */
const RESULT_HEADERS = new Set(['ETag', 'Last-Modified', 'Location', 'Content-Location']);
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export function fhirRouter(options: FhirRouterOptions): Router {
  const router = express.Router();
  const capability = JSON.stringify(
    capabilityStatement(options.issuer, options.pipeline.settings.fhirBase, options.sectionMappings),
  );
  // Public, as SMART discovery is: apps read it before they have a token, from any origin (it
  // says nothing of anyone's data), so its CORS is `*` rather than the portal apps' origins.
  router.options('/fhir/metadata', (_req, res) => {
    res.set('Access-Control-Allow-Origin', '*');
    res.set('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
    res.set('Access-Control-Allow-Headers', 'Accept, Authorization');
    res.set('Access-Control-Max-Age', '600');
    res.status(204).end();
  });
  router.get('/fhir/metadata', (req, res, next) => {
    res.set('Access-Control-Allow-Origin', '*');
    try {
      // The same format rules as every other answer: XML is refused with a 406.
      normalise({ ...lineOf(req), path: '/metadata' });
    } catch (err) {
      next(err);
      return;
    }
    res.set('Cache-Control', 'public, max-age=300');
    res.type(FHIR_JSON).send(capability);
  });
  router.use('/fhir', fhirCors(options.origins));
  router.use('/fhir', (req, res, next) => {
    handle(options.pipeline, req)
      .then(async (result) => {
        res.set('Cache-Control', 'no-store');
        res.vary('Authorization');
        for (const [name, value] of Object.entries(result.headers ?? {}))
          if (RESULT_HEADERS.has(name)) res.set(name, value);
        if (result.stream) return sendStream(res, result.stream, result.status);
        res.status(result.status);
        if (result.resource === undefined) res.end();
        else res.type(FHIR_JSON).send(JSON.stringify(result.resource));
      })
      .catch(next);
  });
  return router;
}

/**
 * A streamed Bundle, entry by entry, with chunked encoding (no Content-Length). Nothing is written
 * before the first entry has been composed, so a failure that early is thrown and answered as any
 * error (an OperationOutcome with its status). After that the status is sent, and a failure cuts the
 * connection: the Bundle is never closed, the chunked body never ended, so the client sees a broken
 * answer and cannot take the part it got for the whole. A client that goes away ends the stream.
 */
async function sendStream(res: Response, stream: StreamedBundle, status: number): Promise<void> {
  const head = JSON.stringify(stream.bundle).slice(0, -1);
  let started = false;
  const write = async (chunk: string) => {
    if (!started) {
      started = true;
      res.status(status).type(FHIR_JSON);
      chunk = `${head},"entry":[${chunk}`;
    }
    if (res.destroyed) throw new Error('the client closed the connection');
    if (!res.write(chunk)) await drained(res);
  };
  let first = true;
  try {
    for await (const entry of stream.entries) {
      await write(`${first ? '' : ','}${JSON.stringify(entry)}`);
      first = false;
    }
  } catch (err) {
    if (!started) throw err;
    res.destroy();
    return;
  }
  // Nothing shown: a Bundle without entries (FHIR JSON has no empty arrays).
  if (!started) {
    res.status(status).type(FHIR_JSON).send(JSON.stringify(stream.bundle));
    return;
  }
  res.end(']}');
}

/** Until the client has taken what was written, or has gone away (no listener is left behind). */
async function drained(res: Response): Promise<void> {
  const settled = new AbortController();
  try {
    await Promise.race([
      once(res, 'drain', { signal: settled.signal }),
      once(res, 'close', { signal: settled.signal }),
    ]);
  } finally {
    settled.abort();
  }
}

function lineOf(req: Request): HttpRequestLine {
  const original = req.originalUrl;
  const q = original.indexOf('?');
  return {
    method: req.method,
    path: req.path,
    query: q < 0 ? '' : original.slice(q + 1),
    ...(req.get('content-type') === undefined ? {} : { contentType: req.get('content-type')! }),
    ...(req.get('accept') === undefined ? {} : { accept: req.get('accept')! }),
    body: req.body as unknown,
  };
}

async function handle(pipeline: PipelineDependencies, req: Request) {
  return runPipeline(pipeline, {
    requestId: contextOf(req).id,
    authorization: req.get('authorization'),
    line: lineOf(req),
    // The caller's address as express sees it: behind a reverse proxy, `server.trustProxy` makes it
    // the client's rather than the proxy's.
    ...(req.ip === undefined ? {} : { address: req.ip }),
  });
}
