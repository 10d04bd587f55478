import express, { type Request, type Router } from 'express';
import { contextOf } from '../http';
import { capabilityStatement } from './capability';
import { fhirCors } from './cors';
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
}

/** The only headers an answer carries besides the gateway's own (request id, security, CORS). */
const RESULT_HEADERS = new Set(['ETag', 'Last-Modified', 'Location', 'Content-Location']);
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export function fhirRouter(options: FhirRouterOptions): Router {
  const router = express.Router();
  const capability = JSON.stringify(capabilityStatement(options.issuer, options.pipeline.settings.fhirBase));
  router.use('/fhir', fhirCors(options.origins));
  // Public, as SMART discovery is: apps read it before they have a token.
  router.get('/fhir/metadata', (_req, res) => {
    res.set('Access-Control-Allow-Origin', '*');
    res.set('Cache-Control', 'public, max-age=300');
    res.type(FHIR_JSON).send(capability);
  });
  router.use('/fhir', (req, res, next) => {
    handle(options.pipeline, req)
      .then((result) => {
        res.set('Cache-Control', 'no-store');
        res.vary('Authorization');
        for (const [name, value] of Object.entries(result.headers ?? {}))
          if (RESULT_HEADERS.has(name)) res.set(name, value);
        res.status(result.status);
        if (result.resource === undefined) res.end();
        else res.type(FHIR_JSON).send(JSON.stringify(result.resource));
      })
      .catch(next);
  });
  return router;
}

async function handle(pipeline: PipelineDependencies, req: Request) {
  const original = req.originalUrl;
  const q = original.indexOf('?');
  return runPipeline(pipeline, {
    requestId: contextOf(req).id,
    authorization: req.get('authorization'),
    line: {
      method: req.method,
      path: req.path,
      query: q < 0 ? '' : original.slice(q + 1),
      ...(req.get('content-type') === undefined ? {} : { contentType: req.get('content-type')! }),
      ...(req.get('accept') === undefined ? {} : { accept: req.get('accept')! }),
      body: req.body as unknown,
    },
  });
}
