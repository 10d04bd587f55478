import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import {
  Conflict,
  Forbidden,
  GatewayError,
  InvalidInput,
  NotFound,
  TooManyAttempts,
  Unauthenticated,
  Unavailable,
} from '../../src/errors';
import { bodyParsers, createLogger, Drain, requestContextMiddleware } from '../../src/http';
import { errorHandler, notFoundHandler } from '../../src/http/error-handler';
import { toProblem, type ProblemFields } from '../../src/http/problem';
import { requestTimeout } from '../../src/http/timeout';
import { LogCapture } from '../support/log-capture';

const REQUEST_ID = 'test-request-0001';
const at = (path: string) => ({ path, requestId: REQUEST_ID });

class ExportProblems extends GatewayError implements ProblemFields {
  readonly publicFields = { problems: [{ field: 'birthDate', reason: 'lies in the future' }] };
  constructor() {
    super('ERR_TEST_INVALID', 422, 'the export was not applied');
  }
}

/** Each refusal the gateway answers below 500, with what the caller must see. */
const REFUSALS: Array<[string, GatewayError, number, string, string]> = [
  ['400', new InvalidInput('bad parameter', { detail: 'DETAIL-400' }), 400, 'ERR_INVALID_INPUT', 'invalid'],
  [
    '401',
    new Unauthenticated('log in first', 'Bearer', { detail: 'DETAIL-401' }),
    401,
    'ERR_UNAUTHENTICATED',
    'login',
  ],
  ['403', new Forbidden('not yours', { detail: 'DETAIL-403' }), 403, 'ERR_FORBIDDEN', 'forbidden'],
  ['404', new NotFound(undefined, { detail: 'DETAIL-404' }), 404, 'ERR_NOT_FOUND', 'not-found'],
  ['409', new Conflict('already lifted', { detail: 'DETAIL-409' }), 409, 'ERR_CONFLICT', 'conflict'],
  [
    '413',
    new GatewayError('ERR_TOO_LARGE', 413, 'too large', { detail: 'DETAIL-413' }),
    413,
    'ERR_TOO_LARGE',
    'too-costly',
  ],
  [
    '415',
    new GatewayError('ERR_MEDIA', 415, 'json only', { detail: 'DETAIL-415' }),
    415,
    'ERR_MEDIA',
    'not-supported',
  ],
  ['422', new ExportProblems(), 422, 'ERR_TEST_INVALID', 'processing'],
  ['429', new TooManyAttempts(30, { detail: 'DETAIL-429' }), 429, 'ERR_TOO_MANY_FAILURES', 'throttled'],
];

describe('toProblem: any error into the answer', () => {
  it.each(REFUSALS)(
    'A.1: a %s GatewayError answers its status, code and public text, never its detail',
    (_name, err, status, code, issueCode) => {
      const json = toProblem(err, at('/ecd/sync'));
      expect(json.status).toBe(status);
      expect(json.contentType).toBe('application/json');
      expect(json.body).toMatchObject({ error: code, message: err.message, requestId: REQUEST_ID });
      expect(json.headers['X-Request-Id']).toBe(REQUEST_ID);

      const fhir = toProblem(err, at('/fhir/Patient/123'));
      expect(fhir.status).toBe(status);
      expect(fhir.contentType).toBe('application/fhir+json');
      expect(fhir.body).toEqual({
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code: issueCode,
            details: { text: err.message },
            diagnostics: `request id ${REQUEST_ID}`,
          },
        ],
      });
      for (const answer of [json, fhir]) expect(JSON.stringify(answer)).not.toContain('DETAIL-');
    },
  );

  it('A.1: the FHIR base itself, not only paths below it, answers in OperationOutcomes', () => {
    expect(toProblem(new NotFound(), at('/fhir')).contentType).toBe('application/fhir+json');
    expect(toProblem(new NotFound(), at('/fhirish')).contentType).toBe('application/json');
  });

  it.each([
    ['an Error', new Error('password=hunter2 at db.internal:5432')],
    ['a TypeError', new TypeError('Cannot read properties of undefined (reading hunter2)')],
    ['a thrown string', 'hunter2'],
    ['null', null],
    ['an object that looks like a refusal', { status: 400, message: 'hunter2' }],
  ])('A.1: %s is a generic 500 that says nothing of itself', (_name, err) => {
    for (const path of ['/anything', '/fhir/Observation']) {
      const answer = toProblem(err, at(path));
      expect(answer.status).toBe(500);
      expect(answer.code).toBe('ERR_INTERNAL');
      expect(answer.withheld).toBe(true);
      expect(JSON.stringify(answer)).not.toContain('hunter2');
    }
    expect(toProblem(err, at('/x')).body).toEqual({
      error: 'ERR_INTERNAL',
      message: 'internal error',
      requestId: REQUEST_ID,
    });
    expect(toProblem(err, at('/fhir/x')).body).toMatchObject({
      issue: [{ code: 'exception', details: { text: 'internal error' } }],
    });
  });

  it('A.1: a GatewayError of 500 or more is as generic as an unknown error', () => {
    for (const status of [500, 502, 503, 504]) {
      const err = new GatewayError('ERR_STORE_LOST', status, 'lost db.internal:5432', { detail: 'pool 7' });
      const answer = toProblem(err, at('/admin/x'));
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        error: 'ERR_INTERNAL',
        message: 'internal error',
        requestId: REQUEST_ID,
      });
      expect(JSON.stringify(answer)).not.toMatch(/db\.internal|pool 7|ERR_STORE_LOST/);
    }
  });

  it('A.1: Unavailable keeps its 503, its text (come back later) and Retry-After, not its detail', () => {
    const err = new Unavailable('maintenance', 120, { code: 'ERR_MAINTENANCE', detail: 'migration 5' });
    const answer = toProblem(err, at('/readyz'));
    expect(answer.status).toBe(503);
    expect(answer.headers['Retry-After']).toBe('120');
    expect(answer.body).toEqual({ error: 'ERR_MAINTENANCE', message: 'maintenance', requestId: REQUEST_ID });
    expect(toProblem(err, at('/fhir/Patient')).body).toMatchObject({ issue: [{ code: 'transient' }] });
    expect(JSON.stringify(answer)).not.toContain('migration 5');
    expect(toProblem(new Unavailable('down'), at('/x')).headers['Retry-After']).toBeUndefined();
  });

  it('A.1: Unauthenticated sends its challenge in WWW-Authenticate, TooManyAttempts its Retry-After', () => {
    const challenged = toProblem(new Unauthenticated('log in', 'Bearer realm="inzage-ecd"'), at('/ecd/sync'));
    expect(challenged.headers['WWW-Authenticate']).toBe('Bearer realm="inzage-ecd"');
    expect(toProblem(new Unauthenticated('log in'), at('/x')).headers['WWW-Authenticate']).toBeUndefined();
    const throttled = toProblem(new TooManyAttempts(42), at('/fhir/Patient'));
    expect(throttled.headers['Retry-After']).toBe('42');
    expect(throttled.status).toBe(429);
  });

  it("A.1: public fields go into the JSON answer, after the error's own keys, and only when exposed", () => {
    const answer = toProblem(new ExportProblems(), at('/ecd/sync'));
    expect(answer.body).toEqual({
      problems: [{ field: 'birthDate', reason: 'lies in the future' }],
      error: 'ERR_TEST_INVALID',
      message: 'the export was not applied',
      requestId: REQUEST_ID,
    });
    class Leaky extends GatewayError implements ProblemFields {
      readonly publicFields = { secret: 'hunter2', requestId: 'forged' };
      constructor() {
        super('ERR_LEAKY', 500, 'boom');
      }
    }
    expect(JSON.stringify(toProblem(new Leaky(), at('/x')))).not.toContain('hunter2');
  });

  it('A.1: the body parsers’ errors map to 413, 400 and 415', () => {
    const cases: Array<[string, number, string]> = [
      ['entity.too.large', 413, 'ERR_BODY_TOO_LARGE'],
      ['entity.parse.failed', 400, 'ERR_BODY_MALFORMED'],
      ['encoding.unsupported', 415, 'ERR_BODY_ENCODING'],
      ['charset.unsupported', 415, 'ERR_BODY_ENCODING'],
    ];
    for (const [type, status, code] of cases) {
      const err = Object.assign(new Error(`raw parser text for ${type}`), { type, status, expose: true });
      const answer = toProblem(err, at('/x'));
      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({ error: code, requestId: REQUEST_ID });
      expect(JSON.stringify(answer)).not.toContain('raw parser text');
    }
  });
});

describe('error answers over HTTP', () => {
  const logs = new LogCapture();
  const drain = new Drain();
  const app = express();
  app.use(requestContextMiddleware(createLogger('info', logs)));
  app.use(drain.middleware());
  app.use(requestTimeout(50));
  app.use(bodyParsers(64));
  app.get('/refused', () => {
    throw new Forbidden('not yours', { detail: 'organisation amerhof asked for meerzicht' });
  });
  app.get('/fhir/Patient/boom', () => {
    throw new Error('connection string postgres://inzage:pw-secret@db/inzage');
  });
  app.get('/boom', async () => {
    throw new TypeError('pw-secret is not a function');
  });
  app.get('/stuck', () => undefined);
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  app.use(notFoundHandler());
  app.use(errorHandler());

  it('A.1: every error answer carries the request id, equal to its X-Request-Id header', async () => {
    for (const [path, status] of [
      ['/refused', 403],
      ['/boom', 500],
      ['/nothing', 404],
    ] as const) {
      const res = await request(app).get(path).expect(status);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
      expect(res.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    for (const [path, status] of [
      ['/fhir/Patient/boom', 500],
      ['/fhir/Nothing', 404],
    ] as const) {
      const res = await request(app).get(path).set('X-Request-Id', 'portal-trace-0042').expect(status);
      expect(res.headers['content-type']).toContain('application/fhir+json');
      expect(res.headers['x-request-id']).toBe('portal-trace-0042');
      expect(res.body.issue[0].diagnostics).toBe('request id portal-trace-0042');
    }
  });

  it('A.1: an unknown error is logged with its message and stack; the answer carries neither', async () => {
    const res = await request(app).get('/boom').set('X-Request-Id', 'trace-boom-0001').expect(500);
    expect(res.text).not.toContain('pw-secret');
    expect(res.body).toEqual({
      error: 'ERR_INTERNAL',
      message: 'internal error',
      requestId: 'trace-boom-0001',
    });
    const line = logs.lines.find((l) => l.reqId === 'trace-boom-0001' && l.msg === 'request failed');
    expect(line).toMatchObject({
      level: 'error',
      err: { type: 'TypeError', message: 'pw-secret is not a function' },
    });
    expect(String((line?.err as { stack?: string }).stack)).toContain('TypeError');
  });

  it("A.1: a refusal's detail goes to the log only", async () => {
    const res = await request(app).get('/refused').set('X-Request-Id', 'trace-refused-01').expect(403);
    expect(res.text).not.toContain('amerhof');
    const line = logs.lines.find((l) => l.reqId === 'trace-refused-01' && l.msg === 'request rejected');
    expect(line).toMatchObject({ code: 'ERR_FORBIDDEN', detail: 'organisation amerhof asked for meerzicht' });
  });

  it('A.1: body-parser refusals come through the same mapping', async () => {
    const malformed = await request(app).post('/echo').set('content-type', 'application/json').send('{"a":');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({
      error: 'ERR_BODY_MALFORMED',
      requestId: malformed.headers['x-request-id'],
    });
    const large = await request(app)
      .post('/echo')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ a: 'x'.repeat(200) }));
    expect(large.status).toBe(413);
    expect(large.body.error).toBe('ERR_BODY_TOO_LARGE');
  });

  it("A.1: the request timeout's 503 comes through the same mapping", async () => {
    const res = await request(app).get('/stuck').expect(503);
    expect(res.body).toEqual({
      error: 'ERR_TIMEOUT',
      message: 'the request took too long',
      requestId: res.headers['x-request-id'],
    });
  });

  it("A.1: the drain's 503 comes through the same mapping (runs last: it starts the drain)", async () => {
    const idle = {
      close: (done: () => void) => done(),
      closeIdleConnections: () => undefined,
      closeAllConnections: () => undefined,
    } as unknown as Server;
    await drain.close(idle, 1_000);
    const res = await request(app).get('/refused').expect(503);
    expect(res.headers.connection).toBe('close');
    expect(res.body).toEqual({
      error: 'ERR_SHUTTING_DOWN',
      message: 'the gateway is shutting down',
      requestId: res.headers['x-request-id'],
    });
    const fhir = await request(app).get('/fhir/Patient').expect(503);
    expect(fhir.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] });
  });
});
