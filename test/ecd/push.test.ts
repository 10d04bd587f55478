import request from 'supertest';
import { startGateway, type RunningGateway } from '../../src/app';
import { resolveConfig } from '../../src/config';
import { createLogger } from '../../src/http';
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
  it('answers 429 with Retry-After after ten wrong keys from one address, even to the right key', async () => {
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
      for (let i = 0; i < 10; i += 1) expect((await push(`guess-${i}`)).status).toBe(401);
      const refused = await push(MEERZICHT_KEY);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await gateway.close();
    }
  });
});
