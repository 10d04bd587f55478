import request from 'supertest';
import { startGateway, type RunningGateway } from '../../src/commands';
import { resolveConfig, type GatewayConfig } from '../../src/config';
import { createLogger } from '../../src/http';
import { generateSandboxData, startSandboxServer, type SandboxServer } from '../../src/sandbox';
import { LogCapture } from '../support/log-capture';

function configFor(upstreamUrl: string, overrides: Record<string, unknown> = {}): GatewayConfig {
  return resolveConfig(
    {
      server: { host: '127.0.0.1', port: 0, bodyLimit: '2kb', ...overrides },
      upstream: { url: upstreamUrl, timeoutMs: 1000 },
      organisations: [{ id: 'meerzicht', name: 'Meerzicht', preset: 'meerlanden' }],
    },
    'test',
    {},
  );
}

describe('gateway foundation', () => {
  let sandbox: SandboxServer;
  let gateway: RunningGateway;
  const logs = new LogCapture();

  beforeAll(async () => {
    sandbox = await startSandboxServer({ data: generateSandboxData({ clients: 8, seed: 7 }), port: 0 });
    gateway = await startGateway(configFor(sandbox.url), { log: createLogger('info', logs) });
  });

  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
  });

  it('/healthz says the process is alive', async () => {
    const res = await request(gateway.url).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'alive' });
  });

  it('/readyz is 200 when the database and the upstream answer', async () => {
    const res = await request(gateway.url).get('/readyz').expect(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok', upstream: 'ok' } });
  });

  it('sends security headers and no caching on every response', async () => {
    const res = await request(gateway.url).get('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('gives every request an id, echoes a sane incoming one, and replaces an unsafe one', async () => {
    const own = await request(gateway.url).get('/healthz');
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await request(gateway.url).get('/healthz').set('X-Request-Id', 'portal-abc-12345');
    expect(kept.headers['x-request-id']).toBe('portal-abc-12345');
    const replaced = await request(gateway.url)
      .get('/healthz')
      .set('X-Request-Id', 'spoofed id; level=fatal');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs JSON lines carrying the request id, and never the query string', async () => {
    await request(gateway.url)
      .get('/fhir/Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn|999990019')
      .set('X-Request-Id', 'trace-query-0001');
    const line = logs.lines.find((l) => l.reqId === 'trace-query-0001' && l.msg === 'request');
    expect(line).toMatchObject({ level: 'info', method: 'GET', path: '/fhir/Patient', status: 401 });
    expect(JSON.stringify(logs.lines)).not.toContain('999990019');
  });

  it('answers FHIR paths with an OperationOutcome (401 before anything without a token), other paths with JSON', async () => {
    const fhir = await request(gateway.url).get('/fhir/Nothing/here').expect(401);
    expect(fhir.headers['content-type']).toContain('application/fhir+json');
    expect(fhir.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'login' }],
    });
    const other = await request(gateway.url).get('/nothing').expect(404);
    expect(other.body).toMatchObject({ error: 'ERR_NOT_FOUND', requestId: other.headers['x-request-id'] });
  });

  it('refuses a body over the size limit with 413 and an OperationOutcome on the FHIR base', async () => {
    const res = await request(gateway.url)
      .post('/fhir/Observation/_search')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(`code=${'x'.repeat(4096)}`)
      .expect(413);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await request(gateway.url)
      .post('/anything')
      .set('content-type', 'application/json')
      .send('{"a":')
      .expect(400);
    expect(res.body.error).toBe('ERR_BODY_MALFORMED');
  });
});

describe('readiness when a dependency is down', () => {
  it('/readyz is 503 and names the upstream when it does not answer (B19: logged in one line)', async () => {
    const sandbox = await startSandboxServer({ data: generateSandboxData({ clients: 2, seed: 1 }), port: 0 });
    const url = sandbox.url;
    await sandbox.close();
    const logs = new LogCapture();
    const gateway = await startGateway(configFor(url), { log: createLogger('info', logs) });
    try {
      const res = await request(gateway.url)
        .get('/readyz')
        .set('X-Request-Id', 'ready-probe-0001')
        .expect(503);
      expect(res.body).toEqual({ status: 'not-ready', checks: { database: 'ok', upstream: 'failing' } });
      // B19: one line for the failing check, at warn, with the reason and without a stack trace.
      const failed = logs.lines.filter(
        (l) => l.reqId === 'ready-probe-0001' && l.msg === 'readiness check failed',
      );
      expect(failed).toEqual([expect.objectContaining({ level: 'warn', check: 'upstream' })]);
      expect(failed[0]?.reason).toEqual(expect.stringMatching(/fetch failed \(ECONNREFUSED\)/));
      expect(JSON.stringify(failed)).not.toMatch(/stack|\n\s+at /);
    } finally {
      await gateway.close();
    }
  });

  it('/readyz is 503 when the database is closed', async () => {
    const sandbox = await startSandboxServer({ data: generateSandboxData({ clients: 2, seed: 1 }), port: 0 });
    const gateway = await startGateway(configFor(sandbox.url), { log: createLogger('silent') });
    try {
      await gateway.store.close();
      const res = await request(gateway.url).get('/readyz').expect(503);
      expect(res.body.checks).toEqual({ database: 'failing', upstream: 'ok' });
    } finally {
      await gateway.close();
      await sandbox.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('lets a request in flight finish, refuses new ones, then closes the database', async () => {
    let release: () => void = () => undefined;
    const slow = { name: 'slow', check: () => new Promise<void>((resolve) => (release = resolve)) };
    const gateway = await startGateway(configFor('http://127.0.0.1:9/fhir', { shutdownGraceMs: 5000 }), {
      log: createLogger('silent'),
      readinessChecks: [slow],
    });
    const inFlight = request(gateway.url).get('/readyz');
    const answered = inFlight.then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = gateway.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(request(gateway.url).get('/healthz')).rejects.toThrow();
    release();
    const res = await answered;
    expect(res.status).toBe(200);
    await closing;
    await expect(gateway.store.ping()).rejects.toThrow();
  });

  it('cuts connections that outlive the grace period', async () => {
    const never = { name: 'never', check: () => new Promise<void>(() => undefined) };
    const gateway = await startGateway(
      configFor('http://127.0.0.1:9/fhir', { shutdownGraceMs: 200, requestTimeoutMs: 60000 }),
      {
        log: createLogger('silent'),
        readinessChecks: [never],
      },
    );
    const inFlight = request(gateway.url)
      .get('/readyz')
      .then(
        (res) => res.status,
        () => 'cut',
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await gateway.close();
    // The readiness check itself times out after 2 s; the grace period (200 ms) ends first.
    expect(await inFlight).toBe('cut');
  });
});
