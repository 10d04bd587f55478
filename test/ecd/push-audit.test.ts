import request from 'supertest';
import { findAuditRecords } from '../../src/audit';
import { startGateway, type RunningGateway } from '../../src/commands';
import { resolveConfig } from '../../src/config';
import { createLogger } from '../../src/http';
import { backendToken, clientKey, ECD_SCOPE } from '../support/backend-clients';
import { asJson, smallExport } from './fixtures';

/** Every push is recorded: applied ones with their changes, refused ones with why (NEN 7513). */
describe('POST /ecd/sync in the audit trail', () => {
  let gateway: RunningGateway;
  let token: string;

  beforeAll(async () => {
    const key = await clientKey('ES384', 'meerzicht-audit-1');
    const config = resolveConfig(
      {
        server: { host: '127.0.0.1', port: 0 },
        upstream: { url: 'http://127.0.0.1:9/fhir' },
        organisations: [{ id: 'meerzicht', name: 'Zorgcentrum Meerzicht', preset: 'meerlanden' }],
        ecd: { maxPushSize: '64kb' },
        smart: {
          clients: [
            {
              id: 'meerzicht-ecd',
              name: 'meerzicht-ecd',
              type: 'backend',
              organisation: 'meerzicht',
              scopes: ECD_SCOPE,
              jwks: [key.publicJwk],
            },
          ] as never[],
        },
      },
      'test',
      {},
    );
    gateway = await startGateway(config, { log: createLogger('silent') });
    token = await backendToken(gateway.url, 'meerzicht-ecd', key, ECD_SCOPE);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const push = (body: string, options: { token?: string; query?: string; type?: string; id: string }) => {
    const req = request(gateway.url)
      .post(`/ecd/sync${options.query ?? ''}`)
      .set('content-type', options.type ?? 'application/json')
      .set('x-request-id', options.id);
    return (options.token ? req.set('authorization', `Bearer ${options.token}`) : req).send(body);
  };

  const recordOf = async (requestId: string) => {
    const records = await findAuditRecords(gateway.store, { kinds: ['ecd-sync'] });
    const found = records.filter((r) => r.entry.requestId === requestId);
    expect(found).toHaveLength(1);
    return found[0]!.entry;
  };

  it('AUDIT-CHANGE-9: a push applied is recorded with its client, counts and request id, with a consent-change record for the client; refused pushes (401, 415, 413, 422) are recorded with their code', async () => {
    await push(asJson(smallExport()), { token, id: 'push-applied-0001' }).expect(200);
    expect(await recordOf('push-applied-0001')).toMatchObject({
      outcome: 'success',
      status: 200,
      clientApp: 'meerzicht-ecd',
      actor: { account: 'meerzicht-ecd', role: 'ecd-sync', onBehalfOf: 'Organization/meerzicht' },
      detail: { organisation: 'meerzicht', source: 'push:meerzicht', 'Patient.created': 2 },
    });
    const [change] = await findAuditRecords(gateway.store, { kinds: ['consent-change'] });
    expect(change!.entry).toMatchObject({
      requestId: 'push-applied-0001',
      patient: 'Patient/meerzicht-c1',
      detail: { granted: 2 },
    });

    await push(asJson(smallExport()), { query: '?organisation=meerzicht', id: 'push-no-token-01' }).expect(
      401,
    );
    const unauthenticated = await recordOf('push-no-token-01');
    expect(unauthenticated).toMatchObject({
      outcome: 'refused',
      status: 401,
      outcomeText: 'ERR_ECD_UNAUTHENTICATED',
      detail: { named: 'meerzicht' },
    });
    expect(unauthenticated.actor?.address).toBeDefined();
    // Who it claimed to be is not taken for who it was.
    expect(unauthenticated).not.toHaveProperty('clientApp');
    expect(unauthenticated.actor).not.toHaveProperty('onBehalfOf');

    await push('id\n1\n', { token, type: 'text/csv', id: 'push-media-type-1' }).expect(415);
    expect(await recordOf('push-media-type-1')).toMatchObject({
      outcome: 'refused',
      status: 415,
      outcomeText: 'ERR_ECD_MEDIA_TYPE',
      clientApp: 'meerzicht-ecd',
      detail: { organisation: 'meerzicht' },
    });

    const exp = smallExport();
    const big = {
      ...exp,
      relations: Array.from({ length: 300 }, (_, i) => ({ ...exp.relations[0]!, id: `big${i}` })),
    };
    await push(asJson(big), { token, id: 'push-too-large-1' }).expect(413);
    expect(await recordOf('push-too-large-1')).toMatchObject({
      outcome: 'refused',
      status: 413,
      outcomeText: 'ERR_ECD_TOO_LARGE',
    });

    const invalid = smallExport();
    invalid.relations[0]!.clientId = 'nobody';
    await push(asJson(invalid), { token, query: '?dryRun=false', id: 'push-invalid-001' }).expect(422);
    expect(await recordOf('push-invalid-001')).toMatchObject({
      outcome: 'refused',
      status: 422,
      outcomeText: 'ERR_ECD_INVALID',
      detail: { organisation: 'meerzicht', dryRun: false, problems: expect.any(Number) },
    });
    // Refusals changed nothing, and no client got a record for them.
    expect(await findAuditRecords(gateway.store, { kinds: ['consent-change'] })).toHaveLength(1);
  });
});
