import request from 'supertest';
import { startGateway, type RunningGateway } from '../../src/commands';
import { resolveConfig } from '../../src/config';
import { createLogger } from '../../src/http';
import {
  assertion,
  backendToken,
  clientKey,
  discover,
  ECD_SCOPE,
  JWT_BEARER,
  type ClientKey,
} from '../support/backend-clients';
import { LogCapture } from '../support/log-capture';
import { asJson, smallExport } from './fixtures';

/**
 * Each organisation's ECD pushes as its registered backend client (SMART Backend Services): the
 * tokens below are real ones, got from the gateway under test with a signed client assertion.
 */
let MEERZICHT_TOKEN: string;
let AMERHOF_TOKEN: string;
const keys = Promise.all([clientKey('ES384', 'meerzicht-1'), clientKey('RS384', 'amerhof-1')]);

/** The ECD backend clients of these organisations, and a meerzicht backend client without the ECD scopes. */
async function smartClients(organisations: readonly string[]): Promise<{ clients: never[] }> {
  const [meerzicht, amerhof] = await keys;
  const all = [
    ecdClient('meerzicht-ecd', 'meerzicht', meerzicht, ECD_SCOPE),
    ecdClient('amerhof-ecd', 'amerhof', amerhof, ECD_SCOPE),
    ecdClient('meerzicht-reader', 'meerzicht', meerzicht, 'system/Patient.rs'),
  ];
  return { clients: all.filter((c) => organisations.includes(c.organisation)) as never[] };
}

function ecdClient(id: string, organisation: string, key: ClientKey, scopes: string) {
  return { id, name: id, type: 'backend', organisation, scopes, jwks: [key.publicJwk] };
}

/** Tokens of the organisations' ECD clients on this gateway. */
async function tokensOf(gateway: RunningGateway, organisations: readonly string[]): Promise<void> {
  const [meerzicht, amerhof] = await keys;
  MEERZICHT_TOKEN = await backendToken(gateway.url, 'meerzicht-ecd', meerzicht, ECD_SCOPE);
  if (organisations.includes('amerhof'))
    AMERHOF_TOKEN = await backendToken(gateway.url, 'amerhof-ecd', amerhof, ECD_SCOPE);
}

describe('POST /ecd/sync (an ECD pushes its export)', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    const config = resolveConfig(
      {
        server: { host: '127.0.0.1', port: 0 },
        upstream: { url: 'http://127.0.0.1:9/fhir' },
        organisations: [
          { id: 'meerzicht', name: 'Zorgcentrum Meerzicht', preset: 'meerlanden' },
          { id: 'amerhof', name: 'Stichting Amerhof', preset: 'amerpoort' },
        ],
        ecd: { maxPushSize: '64kb' },
        smart: await smartClients(['meerzicht', 'amerhof']),
      },
      'test',
      {},
    );
    gateway = await startGateway(config, { log: createLogger('silent') });
    await tokensOf(gateway, ['meerzicht', 'amerhof']);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const push = (body: string, key?: string, query = '') => {
    const req = request(gateway.url).post(`/ecd/sync${query}`).set('content-type', 'application/json');
    return (key ? req.set('authorization', `Bearer ${key}`) : req).send(body);
  };

  it('refuses a push without a token, or with a wrong one, and says how to authenticate', async () => {
    for (const key of [
      undefined,
      'wrong',
      `${MEERZICHT_TOKEN}x`,
      'an old push key of forty characters, 0123',
    ]) {
      const res = await push(asJson(smallExport()), key);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="inzage-ecd"');
      expect(res.body.error).toBe('ERR_ECD_UNAUTHENTICATED');
    }
  });

  it('applies an export and answers with the counts; a second push changes nothing', async () => {
    const dry = await push(asJson(smallExport()), MEERZICHT_TOKEN, '?dryRun=true').expect(200);
    expect(dry.body).toMatchObject({ organisation: 'meerzicht', dryRun: true });
    const first = await push(asJson(smallExport()), MEERZICHT_TOKEN).expect(200);
    expect(first.body).toMatchObject({
      organisation: 'meerzicht',
      dryRun: false,
      counts: { Patient: { created: 2 } },
    });
    expect(first.body.importId).toBeDefined();
    const second = await push(asJson(smallExport()), MEERZICHT_TOKEN).expect(200);
    expect(second.body.counts.Patient).toEqual({ created: 0, updated: 0, ended: 0, unchanged: 2 });
  });

  it("one organisation's client cannot sync another organisation", async () => {
    const res = await push(asJson(smallExport()), AMERHOF_TOKEN).expect(422);
    expect(res.body.problems[0].reason).toBe("this client may only sync organisation 'amerhof'");
  });

  it('ECD-LINK-2: a valid token of a client that may not push is refused 403: a backend client without the ECD scopes', async () => {
    const [meerzicht] = await keys;
    const reader = await backendToken(gateway.url, 'meerzicht-reader', meerzicht, 'system/Patient.rs');
    const res = await push(asJson(smallExport()), reader).expect(403);
    expect(res.body.error).toBe('ERR_ECD_CLIENT');
    expect(res.body.message).toContain('system/Patient.cu');
  });

  it('ECD-LINK-3: a revoked token is refused at once', async () => {
    const [meerzicht] = await keys;
    const token = await backendToken(gateway.url, 'meerzicht-ecd', meerzicht, ECD_SCOPE);
    await push(asJson(smallExport()), token, '?dryRun=true').expect(200);
    const endpoints = await discover(gateway.url);
    const revoked = await fetch(endpoints.revocation_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token,
        client_assertion_type: JWT_BEARER,
        client_assertion: await assertion({
          clientId: 'meerzicht-ecd',
          audience: endpoints.token_endpoint,
          key: meerzicht,
        }),
      }).toString(),
    });
    expect(revoked.status).toBe(200);
    expect((await push(asJson(smallExport()), token, '?dryRun=true')).status).toBe(401);
  });

  it('answers 422 with every located problem, and applies nothing', async () => {
    const exp = smallExport();
    exp.clients[1]!.birthDate = '2999-01-01';
    exp.relations[0]!.clientId = 'nobody';
    const res = await push(asJson(exp), MEERZICHT_TOKEN).expect(422);
    expect(res.body.message).toBe('the export was not applied; nothing changed');
    expect(res.body.problems).toEqual([
      expect.objectContaining({
        file: 'request body',
        entity: 'clients',
        recordId: 'c2',
        field: 'birthDate',
      }),
    ]);
  });

  it('refuses other media types and bodies over the limit', async () => {
    const csv = await request(gateway.url)
      .post('/ecd/sync')
      .set('authorization', `Bearer ${MEERZICHT_TOKEN}`)
      .set('content-type', 'text/csv')
      .send('id\n1\n')
      .expect(415);
    expect(csv.body.error).toBe('ERR_ECD_MEDIA_TYPE');
    const exp = smallExport();
    exp.clients[0]!.name.given = Array.from({ length: 10 }, () => 'x'.repeat(190));
    const big = {
      ...exp,
      relations: Array.from({ length: 200 }, (_, i) => ({ ...exp.relations[0]!, id: `big${i}` })),
    };
    const res = await push(asJson(big), MEERZICHT_TOKEN).expect(413);
    expect(res.body.error).toBe('ERR_ECD_TOO_LARGE');
  });
});

describe('POST /ecd/sync: guessing keys', () => {
  it('answers 429 with Retry-After after ten refused tokens from one address, even to the right key (B18: X-Forwarded-For counts only with server.trustProxy)', async () => {
    const config = resolveConfig(
      {
        server: { host: '127.0.0.1', port: 0 },
        upstream: { url: 'http://127.0.0.1:9/fhir' },
        organisations: [{ id: 'meerzicht', name: 'Zorgcentrum Meerzicht', preset: 'meerlanden' }],
        smart: await smartClients(['meerzicht']),
      },
      'test',
      {},
    );
    const gateway = await startGateway(config, { log: createLogger('silent') });
    await tokensOf(gateway, ['meerzicht']);
    try {
      const push = (key: string) =>
        request(gateway.url)
          .post('/ecd/sync?dryRun=true')
          .set('content-type', 'application/json')
          .set('authorization', `Bearer ${key}`)
          .send(asJson(smallExport()));
      for (let i = 0; i < 10; i += 1)
        expect((await push(`guess-${i}`).set('X-Forwarded-For', `192.0.2.${i}`)).status).toBe(401);
      // Without trustProxy the forwarded addresses are not believed: all ten came from one address.
      const refused = await push(MEERZICHT_TOKEN).set('X-Forwarded-For', '192.0.2.200');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body).toMatchObject({
        error: 'ERR_TOO_MANY_FAILURES',
        requestId: refused.headers['x-request-id'],
      });
    } finally {
      await gateway.close();
    }
  });
});

describe('POST /ecd/sync: the query, the brake per organisation and address, the log', () => {
  let gateway: RunningGateway;
  const logs = new LogCapture();

  beforeAll(async () => {
    const config = resolveConfig(
      {
        // The gateway sits behind a proxy that sets X-Forwarded-For: trust one hop.
        server: { host: '127.0.0.1', port: 0, trustProxy: 1 },
        upstream: { url: 'http://127.0.0.1:9/fhir' },
        organisations: [
          { id: 'meerzicht', name: 'Zorgcentrum Meerzicht', preset: 'meerlanden' },
          { id: 'amerhof', name: 'Stichting Amerhof', preset: 'amerpoort' },
        ],
        smart: await smartClients(['meerzicht', 'amerhof']),
      },
      'test',
      {},
    );
    gateway = await startGateway(config, { log: createLogger('info', logs) });
    await tokensOf(gateway, ['meerzicht', 'amerhof']);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const push = (from: string, key: string, query = '', body = asJson(smallExport())) =>
    request(gateway.url)
      .post(`/ecd/sync${query}`)
      .set('X-Forwarded-For', from)
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${key}`)
      .send(body);

  const stored = async () => {
    const [resources] = await gateway.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM fhir_resource',
    );
    const [imports] = await gateway.store.query<{ n: number }>('SELECT count(*)::int AS n FROM ecd_import');
    return { resources: resources?.n, imports: imports?.n };
  };

  it('B1: dryRun other than exactly true or false, a repeated or unknown parameter is 400, and nothing is applied', async () => {
    for (const query of [
      '?dryRun=1',
      '?dryrun=true',
      '?dryRun=TRUE',
      '?dryRun=yes',
      '?dryRun=',
      '?dryRun=true&dryRun=true',
      '?dryRun=false&dryRun=true',
      '?dryRun=true&force=1',
      '?organisation=Meerzicht',
      '?organisation=meerzicht&organisation=amerhof',
    ]) {
      const res = await push('198.51.100.1', MEERZICHT_TOKEN, query);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body).toMatchObject({ error: 'ERR_ECD_QUERY', requestId: res.headers['x-request-id'] });
    }
    expect((await push('198.51.100.1', MEERZICHT_TOKEN, '?dryrun=true')).body.message).toBe(
      'unknown query parameter "dryrun"; /ecd/sync takes dryRun and organisation',
    );
    expect(await stored()).toEqual({ resources: 0, imports: 0 });
  });

  it('B1: dryRun=true changes nothing; dryRun=false applies', async () => {
    const dry = await push('198.51.100.1', MEERZICHT_TOKEN, '?dryRun=true&organisation=meerzicht').expect(
      200,
    );
    expect(dry.body).toMatchObject({
      organisation: 'meerzicht',
      dryRun: true,
      counts: { Patient: { created: 2 } },
    });
    expect(await stored()).toEqual({ resources: 0, imports: 0 });
    const applied = await push('198.51.100.1', MEERZICHT_TOKEN, '?dryRun=false').expect(200);
    expect(applied.body).toMatchObject({ dryRun: false, counts: { Patient: { created: 2 } } });
    expect((await stored()).imports).toBe(1);
  });

  it('B18: ten refused tokens from one address do not lock out a good token from another address', async () => {
    for (let i = 0; i < 10; i += 1) expect((await push('203.0.113.5', `guess-${i}`)).status).toBe(401);
    expect((await push('203.0.113.5', MEERZICHT_TOKEN, '?dryRun=true')).status).toBe(429);
    expect((await push('203.0.113.9', MEERZICHT_TOKEN, '?dryRun=true')).status).toBe(200);
  });

  it('B18: ten refused tokens for one organisation do not lock out another organisation at the same address', async () => {
    const proxy = '203.0.113.20';
    for (let i = 0; i < 10; i += 1)
      expect((await push(proxy, `guess-${i}`, '?organisation=amerhof')).status).toBe(401);
    const locked = await push(proxy, AMERHOF_TOKEN, '?organisation=amerhof&dryRun=true');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await push(proxy, MEERZICHT_TOKEN, '?organisation=meerzicht&dryRun=true')).status).toBe(200);
    // A push that names no organisation is counted apart too.
    expect((await push(proxy, MEERZICHT_TOKEN, '?dryRun=true')).status).toBe(200);
  });

  it('B18: made-up organisation names share one count, so inventing names buys no extra guesses', async () => {
    const from = '203.0.113.30';
    for (let i = 0; i < 10; i += 1)
      expect((await push(from, `guess-${i}`, `?organisation=nobody-${i}`)).status).toBe(401);
    expect((await push(from, 'guess-10', '?organisation=nobody-10')).status).toBe(429);
    expect((await push(from, MEERZICHT_TOKEN, '?dryRun=true')).status).toBe(429);
    expect((await push(from, MEERZICHT_TOKEN, '?organisation=meerzicht&dryRun=true')).status).toBe(200);
  });

  it("B18: a token of another organisation's client than the one named is refused (403), and not counted as a guess", async () => {
    const from = '203.0.113.40';
    for (let i = 0; i < 12; i += 1) {
      const res = await push(from, AMERHOF_TOKEN, '?organisation=meerzicht&dryRun=true');
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: 'ERR_ECD_ORGANISATION' });
    }
    expect((await push(from, MEERZICHT_TOKEN, '?organisation=meerzicht&dryRun=true')).status).toBe(200);
  });

  it('B19: a refused token and a lockout are logged at warn with the address and the organisation', async () => {
    const from = '198.51.100.77';
    const guesses = Array.from({ length: 10 }, (_, i) => `guess-for-logs-${i}`);
    for (const guess of guesses) await push(from, guess, '?organisation=meerzicht');
    await push(from, MEERZICHT_TOKEN, '?organisation=meerzicht');
    const ours = logs.lines.filter((l) => l.address === from);
    const refused = ours.filter((l) => l.msg === 'ecd push token refused');
    expect(refused).toHaveLength(10);
    expect(refused[9]).toMatchObject({ level: 'warn', organisation: 'meerzicht', failures: 10 });
    expect(ours.filter((l) => l.msg === 'ecd push locked out: too many refused tokens')).toEqual([
      expect.objectContaining({ level: 'warn', organisation: 'meerzicht', retryAfter: expect.any(Number) }),
    ]);
    expect(ours.filter((l) => l.msg === 'ecd push refused: locked out')).toEqual([
      expect.objectContaining({ level: 'warn', organisation: 'meerzicht' }),
    ]);
    const everything = JSON.stringify(logs.lines);
    for (const secret of [...guesses, MEERZICHT_TOKEN]) expect(everything).not.toContain(secret);
  });

  it('B19: a rejected export is logged with the organisation and the number of problems', async () => {
    const exp = smallExport();
    exp.clients[0]!.bsn = '123456789';
    exp.clients[1]!.birthDate = '2999-01-01';
    const res = await push('198.51.100.88', MEERZICHT_TOKEN, '?dryRun=true', asJson(exp)).expect(422);
    expect(res.body.problems).toHaveLength(2);
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
    expect(logs.lines.filter((l) => l.msg === 'ecd push rejected: the export has problems')).toEqual([
      expect.objectContaining({ level: 'warn', organisation: 'meerzicht', problems: 2, truncated: false }),
    ]);
  });
});
