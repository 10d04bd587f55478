import { startGateway, type RunningGateway } from '../../src/commands';
import { resolveConfig } from '../../src/config';
import { createLogger } from '../../src/http';
import { openStore, type Store } from '../../src/store';
import { CONFIG_SECTIONS, SECRET, seedGatewayDatabase } from '../audit/durability/support';
import type { ConformanceGateway } from '../smart/support/gateway';
import { codeFor, exchangePublic, tokenRequest } from '../smart/support/oauth';
import {
  createTestDatabase,
  describePostgres,
  dropTestDatabase,
  type TestDatabase,
} from '../support/postgres';
import { freePort } from '../support/processes';
import { staffLogin } from './support/staff';

/**
 * Issue 12, item 7: an app registered through one gateway instance works through another at once,
 * and disabled through one, it is refused by the other on the very next request (two instances,
 * one PostgreSQL, as two processes would be).
 */
describePostgres('portal apps on several instances', () => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore({ driver: 'postgres', databaseUrl: database.url });
  });
  afterAll(async () => {
    await store?.close();
    await dropTestDatabase(database);
  });

  it('ADMIN-APPS-9: registered on A, an app logs in through B and reads with CORS; disabled on A, its token is refused by B on the next request', async () => {
    const person = await seedGatewayDatabase(store);
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const gateways: RunningGateway[] = [];
    try {
      for (const listen of [port, 0])
        gateways.push(
          await startGateway(
            resolveConfig(
              {
                server: { host: '127.0.0.1', port: listen, publicUrl },
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
      const admin = await staffLogin(store, 'functional-administrator');
      const csrf = await admin.csrf(a.url);
      const adminCall = (path: string, body: Record<string, unknown>) =>
        fetch(`${a.url}/admin${path}`, {
          method: 'POST',
          headers: { cookie: admin.cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const origin = 'http://127.0.0.1:7811';
      const redirectUri = `${origin}/callback`;
      const scope = 'openid fhirUser launch/patient offline_access patient/*.rs';
      const made = await adminCall('/apps', {
        id: 'vendor-pg',
        name: 'Vendor',
        type: 'public',
        redirectUris: [redirectUri],
        scopes: scope,
        reason: 'contract',
      });
      expect(made.status).toBe(201);

      // Through B: its oidc-provider reads the registration from the database.
      const text = await (await fetch(`${b.url}/fhir/.well-known/smart-configuration`)).text();
      // The endpoints are named by the shared public URL (A's port): asked at B's own port instead.
      const discovery = JSON.parse(text.replaceAll(publicUrl, b.url)) as object;
      const viaB = { base: b.url, fhirBase: `${publicUrl}/fhir`, discovery } as unknown as ConformanceGateway;
      const got = await codeFor(viaB, person, { clientId: 'vendor-pg', redirectUri, scope });
      const token = await exchangePublic(viaB, got, 'vendor-pg');
      expect(token.status).toBe(200);
      const accessToken = String(token.body.access_token);
      const read = (base: string) =>
        fetch(`${base}/fhir/${person.patient}`, {
          headers: { authorization: `Bearer ${accessToken}`, origin },
        });
      const before = await read(b.url);
      expect(before.status).toBe(200);
      // B heard of the registration (by notification) for its CORS allow-list.
      expect(before.headers.get('access-control-allow-origin')).toBe(origin);

      const disabled = await adminCall('/apps/vendor-pg/disable', { reason: 'contract ended' });
      expect(disabled.status).toBe(200);
      expect((await read(b.url)).status).toBe(401);
      const refreshed = await tokenRequest(viaB, {
        grant_type: 'refresh_token',
        refresh_token: String(token.body.refresh_token),
        client_id: 'vendor-pg',
      });
      expect(refreshed.body.error).toBe('invalid_client');
    } finally {
      for (const gateway of gateways) await gateway.close();
    }
  }, 180_000);
});
