import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { activeJwks, authAdapter, ensureSigningKeys } from '../../src/auth';
import { migrate, openStore, type Store } from '../../src/store';

const CLIENT = { client_id: 'backend', client_secret: 'a-secret-long-enough-for-the-test' };

// The real library on the real adapter: if oidc-provider's use of the adapter and ours disagree
// (names, payload shape, consumed, expiry), a token request or its introspection fails here.
describe('oidc-provider on the store adapter', () => {
  let store: Store;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    store = await openStore({ driver: 'pglite' });
    await migrate(store);
    await ensureSigningKeys(store);
    // oidc-provider is ESM-only; a dynamic import loads it under --experimental-vm-modules.
    const { default: Provider } = await import('oidc-provider');
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const provider = new Provider(base, {
      adapter: authAdapter(store),
      jwks: await activeJwks(store),
      clients: [{ ...CLIENT, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] }],
      ttl: { ClientCredentials: 600 },
      features: {
        clientCredentials: { enabled: true },
        introspection: { enabled: true, allowedPolicy: () => true },
        devInteractions: { enabled: false },
      },
    });
    server.on('request', provider.callback());
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
  });

  function form(fields: Record<string, string>): RequestInit {
    const basic = Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64');
    return {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    };
  }

  it('AUTH-9: a client_credentials token is stored in auth_model and introspects as active', async () => {
    const tokenResponse = await fetch(`${base}/token`, form({ grant_type: 'client_credentials' }));
    expect(tokenResponse.status).toBe(200);
    const token = (await tokenResponse.json()) as { access_token: string; token_type: string };
    expect(token.token_type).toBe('Bearer');

    const rows = await store.query<{ model: string; id: string; expires_at: Date | null }>(
      `SELECT model, id, expires_at FROM auth_model`,
    );
    expect(rows).toEqual([
      { model: 'ClientCredentials', id: token.access_token, expires_at: expect.any(Date) },
    ]);

    const introspection = await fetch(`${base}/token/introspection`, form({ token: token.access_token }));
    expect(introspection.status).toBe(200);
    expect(await introspection.json()).toMatchObject({ active: true, client_id: CLIENT.client_id });

    // Destroyed behind the library's back (another instance revoked it): no longer active.
    await authAdapter(store)('ClientCredentials').destroy(token.access_token);
    const after = await fetch(`${base}/token/introspection`, form({ token: token.access_token }));
    expect(await after.json()).toEqual({ active: false });
  });
});
