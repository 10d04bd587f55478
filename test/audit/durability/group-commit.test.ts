import { auditRecordsOfRequest, verifyChain } from '../../../src/audit';
import { startGateway, type RunningGateway } from '../../../src/commands';
import { resolveConfig } from '../../../src/config';
import { createLogger } from '../../../src/http';
import { createTestDatabase, describePostgres, dropTestDatabase } from '../../support/postgres';
import { CONFIG_SECTIONS, SECRET, logIn, seedGatewayDatabase } from './support';

/**
 * Issue 11, item 2: concurrent FHIR requests share the trail's transactions (group commit), and
 * still every one of them has its record before its answer arrives.
 */
const REQUESTS = 64;

function groupCommitSuite(
  database: () => Promise<{ env: NodeJS.ProcessEnv; drop?: () => Promise<void> }>,
  grouping: 'shared' | 'at most one each',
) {
  let gateway: RunningGateway | undefined;
  let drop: (() => Promise<void>) | undefined;
  let token: string;
  let patient: string;

  beforeAll(async () => {
    const { env, drop: dropDatabase } = await database();
    drop = dropDatabase;
    gateway = await startGateway(
      resolveConfig(
        { server: { host: '127.0.0.1', port: 0 }, ...CONFIG_SECTIONS, log: { level: 'silent' } },
        'test',
        env,
      ),
      { log: createLogger('silent'), readinessChecks: [], accountSecret: SECRET },
    );
    const person = await seedGatewayDatabase(gateway.store);
    patient = person.patient;
    token = await logIn(gateway.url, person);
  });
  afterAll(async () => {
    await gateway?.close();
    await drop?.();
  });

  it('AUDIT-DURABILITY-3: concurrent requests share transactions, and every answer has its record', async () => {
    const running = gateway!;
    const before = running.audit.stats;
    const answers = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const res = await fetch(`${running.url}/fhir/${patient}`, {
          headers: i % 4 === 3 ? {} : { authorization: `Bearer ${token}` },
        });
        await res.arrayBuffer();
        return { status: res.status, requestId: res.headers.get('x-request-id')! };
      }),
    );
    const after = running.audit.stats;
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200, 401]));
    const records = after.records - before.records;
    const batches = after.batches - before.batches;
    expect(records).toBe(REQUESTS);
    // PGlite has one connection: under a loaded machine the requests' own reads queue behind each
    // flush, so their records can arrive one flush apart. That the writer groups what arrives
    // together is shown by test/audit/trail.test.ts; here, on PGlite, only that it never splits one.
    if (grouping === 'shared') expect(batches).toBeLessThan(records);
    else expect(batches).toBeLessThanOrEqual(records);
    for (const { requestId } of answers)
      expect(await auditRecordsOfRequest(running.store, requestId)).toHaveLength(1);
    expect(await verifyChain(running.store)).toMatchObject({ ok: true });
  });
}

describe('group commit on PGlite', () => {
  groupCommitSuite(async () => ({ env: {} }), 'at most one each');
});

describePostgres('group commit on PostgreSQL', () => {
  groupCommitSuite(async () => {
    const database = await createTestDatabase();
    return { env: { DATABASE_URL: database.url }, drop: () => dropTestDatabase(database) };
  }, 'shared');
});
