import request from 'supertest';
import { startGateway, type RunningGateway } from '../../src/commands';
import { resolveConfig } from '../../src/config';
import { createLogger } from '../../src/http';
import { LogCapture } from '../support/log-capture';
import { asJson, smallExport } from './fixtures';

const MEERZICHT_KEY = 'meerzicht-push-key-0123456789abcdefghijklmnop';
const AMERHOF_KEY = 'amerhof-push-key-0123456789abcdefghijklmnopqrs';

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
      },
      'test',
      { INZAGE_ECD_KEY_MEERZICHT: MEERZICHT_KEY, INZAGE_ECD_KEY_AMERHOF: AMERHOF_KEY },
    );
    gateway = await startGateway(config, { log: createLogger('silent') });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const push = (body: string, key?: string, query = '') => {
    const req = request(gateway.url).post(`/ecd/sync${query}`).set('content-type', 'application/json');
    return (key ? req.set('authorization', `Bearer ${key}`) : req).send(body);
  };

  it('refuses a push without a key, or with a wrong one, and says how to authenticate', async () => {
    for (const key of [undefined, 'wrong', `${MEERZICHT_KEY}x`]) {
      const res = await push(asJson(smallExport()), key);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="inzage-ecd"');
      expect(res.body.error).toBe('ERR_ECD_UNAUTHENTICATED');
    }
  });

  it('applies an export and answers with the counts; a second push changes nothing', async () => {
    const dry = await push(asJson(smallExport()), MEERZICHT_KEY, '?dryRun=true').expect(200);
    expect(dry.body).toMatchObject({ organisation: 'meerzicht', dryRun: true });
    const first = await push(asJson(smallExport()), MEERZICHT_KEY).expect(200);
    expect(first.body).toMatchObject({
      organisation: 'meerzicht',
      dryRun: false,
      counts: { Patient: { created: 2 } },
    });
    expect(first.body.importId).toBeDefined();
    const second = await push(asJson(smallExport()), MEERZICHT_KEY).expect(200);
    expect(second.body.counts.Patient).toEqual({ created: 0, updated: 0, ended: 0, unchanged: 2 });
  });

  it("one organisation's key cannot sync another organisation", async () => {
    const res = await push(asJson(smallExport()), AMERHOF_KEY).expect(422);
    expect(res.body.problems[0].reason).toBe("this key may only sync organisation 'amerhof'");
  });

  it('answers 422 with every located problem, and applies nothing', async () => {
    const exp = smallExport();
    exp.clients[1]!.birthDate = '2999-01-01';
    exp.relations[0]!.clientId = 'nobody';
    const res = await push(asJson(exp), MEERZICHT_KEY).expect(422);
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
      .set('authorization', `Bearer ${MEERZICHT_KEY}`)
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
    const res = await push(asJson(big), MEERZICHT_KEY).expect(413);
    expect(res.body.error).toBe('ERR_ECD_TOO_LARGE');
  });
});

describe('POST /ecd/sync: guessing keys', () => {
  it('answers 429 with Retry-After after ten wrong keys from one address, even to the right key (B18: X-Forwarded-For counts only with server.trustProxy)', async () => {
    const config = resolveConfig(
      {
        server: { host: '127.0.0.1', port: 0 },
        upstream: { url: 'http://127.0.0.1:9/fhir' },
        organisations: [{ id: 'meerzicht', name: 'Zorgcentrum Meerzicht', preset: 'meerlanden' }],
      },
      'test',
      { INZAGE_ECD_KEY_MEERZICHT: MEERZICHT_KEY },
    );
    const gateway = await startGateway(config, { log: createLogger('silent') });
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
      const refused = await push(MEERZICHT_KEY).set('X-Forwarded-For', '192.0.2.200');
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
      },
      'test',
      { INZAGE_ECD_KEY_MEERZICHT: MEERZICHT_KEY, INZAGE_ECD_KEY_AMERHOF: AMERHOF_KEY },
    );
    gateway = await startGateway(config, { log: createLogger('info', logs) });
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
      const res = await push('198.51.100.1', MEERZICHT_KEY, query);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body).toMatchObject({ error: 'ERR_ECD_QUERY', requestId: res.headers['x-request-id'] });
    }
    expect((await push('198.51.100.1', MEERZICHT_KEY, '?dryrun=true')).body.message).toBe(
      'unknown query parameter "dryrun"; /ecd/sync takes dryRun and organisation',
    );
    expect(await stored()).toEqual({ resources: 0, imports: 0 });
  });

  it('B1: dryRun=true changes nothing; dryRun=false applies', async () => {
    const dry = await push('198.51.100.1', MEERZICHT_KEY, '?dryRun=true&organisation=meerzicht').expect(200);
    expect(dry.body).toMatchObject({
      organisation: 'meerzicht',
      dryRun: true,
      counts: { Patient: { created: 2 } },
    });
    expect(await stored()).toEqual({ resources: 0, imports: 0 });
    const applied = await push('198.51.100.1', MEERZICHT_KEY, '?dryRun=false').expect(200);
    expect(applied.body).toMatchObject({ dryRun: false, counts: { Patient: { created: 2 } } });
    expect((await stored()).imports).toBe(1);
  });

  it('B18: ten wrong keys from one address do not lock out the right key from another address', async () => {
    for (let i = 0; i < 10; i += 1) expect((await push('203.0.113.5', `guess-${i}`)).status).toBe(401);
    expect((await push('203.0.113.5', MEERZICHT_KEY, '?dryRun=true')).status).toBe(429);
    expect((await push('203.0.113.9', MEERZICHT_KEY, '?dryRun=true')).status).toBe(200);
  });

  it('B18: ten wrong keys for one organisation do not lock out another organisation at the same address', async () => {
    const proxy = '203.0.113.20';
    for (let i = 0; i < 10; i += 1)
      expect((await push(proxy, `guess-${i}`, '?organisation=amerhof')).status).toBe(401);
    const locked = await push(proxy, AMERHOF_KEY, '?organisation=amerhof&dryRun=true');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await push(proxy, MEERZICHT_KEY, '?organisation=meerzicht&dryRun=true')).status).toBe(200);
    // A push that names no organisation is counted apart too.
    expect((await push(proxy, MEERZICHT_KEY, '?dryRun=true')).status).toBe(200);
  });

  it('B18: made-up organisation names share one count, so inventing names buys no extra guesses', async () => {
    const from = '203.0.113.30';
    for (let i = 0; i < 10; i += 1)
      expect((await push(from, `guess-${i}`, `?organisation=nobody-${i}`)).status).toBe(401);
    expect((await push(from, 'guess-10', '?organisation=nobody-10')).status).toBe(429);
    expect((await push(from, MEERZICHT_KEY, '?dryRun=true')).status).toBe(429);
    expect((await push(from, MEERZICHT_KEY, '?organisation=meerzicht&dryRun=true')).status).toBe(200);
  });

  it('B18: a key for another organisation than the one named is refused (403), and not counted as a guess', async () => {
    const from = '203.0.113.40';
    for (let i = 0; i < 12; i += 1) {
      const res = await push(from, AMERHOF_KEY, '?organisation=meerzicht&dryRun=true');
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: 'ERR_ECD_ORGANISATION' });
    }
    expect((await push(from, MEERZICHT_KEY, '?organisation=meerzicht&dryRun=true')).status).toBe(200);
  });

  it('B19: a refused key and a lockout are logged at warn with the address and the organisation', async () => {
    const from = '198.51.100.77';
    const guesses = Array.from({ length: 10 }, (_, i) => `guess-for-logs-${i}`);
    for (const guess of guesses) await push(from, guess, '?organisation=meerzicht');
    await push(from, MEERZICHT_KEY, '?organisation=meerzicht');
    const ours = logs.lines.filter((l) => l.address === from);
    const refused = ours.filter((l) => l.msg === 'ecd push key refused');
    expect(refused).toHaveLength(10);
    expect(refused[9]).toMatchObject({ level: 'warn', organisation: 'meerzicht', failures: 10 });
    expect(ours.filter((l) => l.msg === 'ecd push locked out: too many wrong keys')).toEqual([
      expect.objectContaining({ level: 'warn', organisation: 'meerzicht', retryAfter: expect.any(Number) }),
    ]);
    expect(ours.filter((l) => l.msg === 'ecd push refused: locked out')).toEqual([
      expect.objectContaining({ level: 'warn', organisation: 'meerzicht' }),
    ]);
    const everything = JSON.stringify(logs.lines);
    for (const secret of [...guesses, MEERZICHT_KEY]) expect(everything).not.toContain(secret);
  });

  it('B19: a rejected export is logged with the organisation and the number of problems', async () => {
    const exp = smallExport();
    exp.clients[0]!.bsn = '123456789';
    exp.clients[1]!.birthDate = '2999-01-01';
    const res = await push('198.51.100.88', MEERZICHT_KEY, '?dryRun=true', asJson(exp)).expect(422);
    expect(res.body.problems).toHaveLength(2);
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
    expect(logs.lines.filter((l) => l.msg === 'ecd push rejected: the export has problems')).toEqual([
      expect.objectContaining({ level: 'warn', organisation: 'meerzicht', problems: 2, truncated: false }),
    ]);
  });
});
