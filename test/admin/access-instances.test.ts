import { startGateway, type RunningGateway } from '../../src/commands';
import { resolveConfig } from '../../src/config';
import { createLogger } from '../../src/http';
import { openStore, type Store } from '../../src/store';
import { CONFIG_SECTIONS, SECRET, seedGatewayDatabase } from '../audit/durability/support';
import {
  createTestDatabase,
  describePostgres,
  dropTestDatabase,
  type TestDatabase,
} from '../support/postgres';
import { freePort } from '../support/processes';
import {
  PORTAL_APP_REGISTRATION,
  adminCall,
  discoveryOf,
  fhirRead,
  portalLogin,
  refresh,
} from './support/access';
import { staffLogin, type StaffLogin } from './support/staff';

/**
 * Issue 12, item 2, "done when": staff change access through the admin API of one gateway instance,
 * and a portal user's requests to another instance on the same PostgreSQL database are refused: a
 * block on the very next request (the token verifier reads the store every time), a suspension or a
 * closure as soon as its NOTIFY reached the other instance's policy engine (the admin API answers
 * only after its own instance heard it); lifting and reopening restore access the same way. Each instance has its own pool, engine and caches, as
 * two processes would.
 */
describePostgres('access changes on every instance', () => {
  let database: TestDatabase;
  let store: Store;
  const gateways: RunningGateway[] = [];
  let a: string;
  let b: string;
  let admin: StaffLogin;
  let desk: StaffLogin;
  let person: Awaited<ReturnType<typeof seedGatewayDatabase>>;
  let patientId: string;
  let session: { accessToken: string; refreshToken: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore({ driver: 'postgres', databaseUrl: database.url });
    person = await seedGatewayDatabase(store);
    patientId = person.patient.slice('Patient/'.length);
    const [link] = await store.query<{ organisation_id: string }>(
      'SELECT organisation_id FROM account_link WHERE id = $1',
      [person.linkId],
    );
    const organisationId = link!.organisation_id;
    // One public address for both (a load balancer's): a token of one is good at the other.
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    for (const listen of [port, 0])
      gateways.push(
        await startGateway(
          resolveConfig(
            {
              server: { host: '127.0.0.1', port: listen, publicUrl },
              database: { poolSize: 3 },
              ...CONFIG_SECTIONS,
              smart: { clients: [PORTAL_APP_REGISTRATION] },
              log: { level: 'silent' },
            },
            'test',
            { DATABASE_URL: database.url },
          ),
          { log: createLogger('silent'), readinessChecks: [], accountSecret: SECRET },
        ),
      );
    a = gateways[0]!.url;
    b = gateways[1]!.url;
    admin = await staffLogin(store, 'functional-administrator', { organisationId, name: 'Fenna Beheer' });
    desk = await staffLogin(store, 'support-desk', { organisationId, name: 'Sam Servicedesk' });
    // The person logs in at the public address (instance A's here) and reads from instance B.
    session = await portalLogin(await discoveryOf(a), person);
  }, 120_000);

  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await store?.close();
    await dropTestDatabase(database);
  });

  const readOnB = async () => (await fhirRead(b, session.accessToken, person.patient)).status;
  it('ADMIN-ACCESS-PG-1 (M-5): a suspension made on instance A refuses the reads on instance B on the very next request; the lift on A restores it on B', async () => {
    expect(await readOnB()).toBe(200);
    const made = await adminCall(a, admin, 'POST', `/clients/${patientId}/suspensions`, {
      person: person.person,
      reason: 'misbruik gemeld',
    });
    expect(made.status).toBe(201);
    expect(await readOnB()).toBe(404);
    const lifted = await adminCall(a, admin, 'POST', `/suspensions/${made.body.id}/lift`, {
      reason: 'opgelost',
    });
    expect(lifted.status).toBe(200);
    expect(await readOnB()).toBe(200);
  });

  it('ADMIN-ACCESS-PG-2 (A-10): closing the portal on A refuses the reads on B on the very next request; reopening on A restores it', async () => {
    expect(await readOnB()).toBe(200);
    expect(
      (await adminCall(a, admin, 'POST', `/clients/${patientId}/close`, { reason: 'datalek' })).status,
    ).toBe(201);
    expect(await readOnB()).toBe(404);
    expect(
      (await adminCall(a, admin, 'POST', `/clients/${patientId}/reopen`, { reason: 'onderzoek klaar' }))
        .status,
    ).toBe(200);
    expect(await readOnB()).toBe(200);
  });

  it('ADMIN-ACCESS-PG-3 (M-6): the support desk blocks the account on A: the very next read on B is 401 and the refresh on B is refused', async () => {
    expect(await readOnB()).toBe(200);
    const blocked = await adminCall(a, desk, 'POST', `/accounts/${person.accountId}/block`, {
      reason: 'telefoon gestolen',
    });
    expect(blocked.status).toBe(200);
    // The token verifier asks the store on every request: strictly the very next read.
    expect(await readOnB()).toBe(401);
    // The refresh at instance B's own token endpoint.
    const { discovery } = await discoveryOf(a);
    const refreshed = await refresh(
      { discovery: { ...discovery, token_endpoint: discovery.token_endpoint.replace(a, b) } },
      session.refreshToken,
    );
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
  });
});
