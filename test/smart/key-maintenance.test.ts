/**
 * Key maintenance on a running gateway: signing-key rotation (new keys sign after a restart, the
 * replaced ones stay published until their tokens have expired, then go) and the periodic removal
 * of expired authorization rows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { AccessTokenVerifier, activeJwks, authAdapter, publicJwks, rotateSigningKeys } from '../../src/auth';
import { resolveConfig, type GatewayConfig } from '../../src/config';
import { startGateway, type RunningGateway } from '../../src/commands';
import { createLogger } from '../../src/http';
import { backendToken, clientKey, type ClientKey } from '../support/backend-clients';
import { freePort } from '../support/processes';

const ORGANISATIONS = [{ id: 'meerzicht', name: 'Meerzicht', preset: 'meerlanden' as const }];

describe('signing-key rotation and pruning', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'inzage-keys-')), 'db');
  let key: ClientKey;
  let config: GatewayConfig;
  let gateway: RunningGateway | undefined;

  beforeAll(async () => {
    key = await clientKey('ES384', 'back-1');
    config = resolveConfig(
      {
        // One port for both starts: the issuer, and so the tokens' iss and aud, stay the same.
        server: { host: '127.0.0.1', port: await freePort() },
        upstream: { url: 'http://127.0.0.1:9/fhir' },
        database: { pgliteDataDir: dataDir },
        organisations: ORGANISATIONS,
        smart: {
          clients: [
            {
              id: 'back',
              name: 'ECD',
              type: 'backend',
              organisation: 'meerzicht',
              scopes: 'system/Patient.rs',
              jwks: [key.publicJwk as never],
            },
          ],
        },
        log: { level: 'silent' },
      },
      'test',
      {},
    );
  });

  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  const start = (pruneIntervalMs?: number) =>
    startGateway(config, { log: createLogger('silent'), readinessChecks: [], pruneIntervalMs });
  const verifier = (g: RunningGateway) => new AccessTokenVerifier(g.store, `${g.url}/auth`, `${g.url}/fhir`);
  const published = async (g: RunningGateway) =>
    ((await (await fetch(`${g.url}/auth/jwks`)).json()) as { keys: { kid: string }[] }).keys.map(
      (k) => k.kid,
    );

  it('KEY-ROT-1: a rotation is published at once; old tokens still verify; after a restart the new key signs; later the old key goes', async () => {
    gateway = await start();
    const before = await backendToken(gateway.url, 'back', key, 'system/Patient.rs');
    const oldKid = decodeProtectedHeader(before).kid!;
    const now = new Date();
    const first = await rotateSigningKeys(gateway.store, { now, retireAfter: 3600 });
    expect(first.retired).toContain(oldKid);
    expect(first.created).toHaveLength(2);
    expect(first.removed).toEqual([]);
    // Every instance publishes from the store: the new keys and the replaced ones, without a restart.
    expect(await published(gateway)).toEqual(expect.arrayContaining([...first.created, ...first.retired]));
    expect((await activeJwks(gateway.store)).keys.map((k) => k.kid).sort()).toEqual(
      [...first.created].sort(),
    );
    await expect(verifier(gateway).verify(before)).resolves.toMatchObject({ clientId: 'back' });

    // oidc-provider read its keys at start-up: until a restart it signs with the replaced key,
    // which stays published, so those tokens verify too.
    const stillOld = await backendToken(gateway.url, 'back', key, 'system/Patient.rs');
    expect(decodeProtectedHeader(stillOld).kid).toBe(oldKid);
    await gateway.close();

    gateway = await start();
    const after = await backendToken(gateway.url, 'back', key, 'system/Patient.rs');
    expect(first.created).toContain(decodeProtectedHeader(after).kid);
    await expect(verifier(gateway).verify(before)).resolves.toMatchObject({ clientId: 'back' });

    // Within retireAfter the replaced keys are kept; after it the next rotation removes them.
    const soon = await rotateSigningKeys(gateway.store, {
      now: new Date(now.getTime() + 60_000),
      retireAfter: 3600,
    });
    expect(soon.removed).toEqual([]);
    const later = await rotateSigningKeys(gateway.store, {
      now: new Date(now.getTime() + 3601_000),
      retireAfter: 3600,
    });
    expect(later.removed.sort()).toEqual([...first.retired].sort());
    const kids = (await publicJwks(gateway.store)).keys.map((k) => k.kid);
    expect(kids).not.toContain(oldKid);
    // Two generations retired and kept, one active: two keys (RS256, ES384) each.
    expect(kids).toHaveLength(6);
  });

  it('KEY-PRUNE-1: the periodic job removes expired authorization rows, and stops with the gateway', async () => {
    gateway = await start(50);
    const adapter = authAdapter(gateway.store, { now: () => new Date(Date.now() - 3600_000) });
    await adapter('Session').upsert('expired-session', { kind: 'Session' } as never, 60);
    await authAdapter(gateway.store)('Session').upsert('live-session', { kind: 'Session' } as never, 3600);
    const ids = async () =>
      (await gateway!.store.query<{ id: string }>(`SELECT id FROM auth_model WHERE model = 'Session'`)).map(
        (r) => r.id,
      );
    for (let i = 0; i < 100 && (await ids()).includes('expired-session'); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await ids()).toEqual(['live-session']);
  });
});
