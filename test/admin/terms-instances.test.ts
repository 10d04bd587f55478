import { termsAnswersOf } from '../../src/auth';
import { startGateway, type RunningGateway } from '../../src/commands';
import { resolveConfig } from '../../src/config';
import { createLogger } from '../../src/http';
import { openStore, type Store } from '../../src/store';
import { CONFIG_SECTIONS, SECRET, logIn, seedGatewayDatabase } from '../audit/durability/support';
import {
  createTestDatabase,
  describePostgres,
  dropTestDatabase,
  type TestDatabase,
} from '../support/postgres';
import { staffLogin } from './support/staff';

/**
 * M-12 across instances: a terms version published on one gateway is what the very next login on
 * another gateway of the same PostgreSQL database asks for (the versions are read from the database
 * at every login, never cached per instance).
 */
describePostgres('admin: terms on several instances', () => {
  let database: TestDatabase;
  let store: Store;
  const gateways: RunningGateway[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore({ driver: 'postgres', databaseUrl: database.url });
  });
  afterAll(async () => {
    for (const g of gateways) await g.close();
    await store?.close();
    await dropTestDatabase(database);
  });

  it('ADMIN-TERMS-6 (M-12): published on instance A, the next login on instance B asks for and records the new version', async () => {
    const person = await seedGatewayDatabase(store);
    const organisationId = (
      await store.query<{ organisation_id: string }>(
        'SELECT organisation_id FROM account_link WHERE id = $1',
        [person.linkId],
      )
    )[0]!.organisation_id;
    for (let i = 0; i < 2; i++)
      gateways.push(
        await startGateway(
          resolveConfig(
            {
              server: { host: '127.0.0.1', port: 0 },
              database: { poolSize: 3 },
              ...CONFIG_SECTIONS,
              log: { level: 'silent' },
            },
            'test',
            { DATABASE_URL: database.url },
          ),
          { log: createLogger('silent'), readinessChecks: [], accountSecret: SECRET },
        ),
      );
    const [a, b] = gateways as [RunningGateway, RunningGateway];
    // One login only: the person's TOTP code cannot be used twice within its 30 seconds.

    const admin = await staffLogin(store, 'functional-administrator', { organisationId });
    const published = await fetch(`${a.url}/admin/terms`, {
      method: 'POST',
      headers: {
        cookie: admin.cookie,
        'content-type': 'application/json',
        'x-csrf-token': await admin.csrf(a.url),
      },
      body: JSON.stringify({ version: '2026-09', summary: 'Nieuwe versie', reason: 'Herziening' }),
    });
    expect(published.status).toBe(201);

    await logIn(b.url, person);
    const answers = await termsAnswersOf(store, person.accountId);
    expect(answers.map((x) => [x.termsVersion, x.accepted])).toEqual([['2026-09', true]]);
  }, 120_000);
});
