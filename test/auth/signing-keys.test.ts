import { randomBytes } from 'node:crypto';
import { compactVerify, CompactSign, importJWK } from 'jose';
import { GatewayError } from '../../src/errors';
import {
  activeJwks,
  ensureSigningKeys,
  keyEncryptionKeyFromEnvironment,
  parseKeyEncryptionKey,
  publicJwks,
} from '../../src/auth';
import { openStore, type Store } from '../../src/store';
import { describePostgres, postgresStores } from '../support/postgres';
import { useMigratedStore } from '../support/migrated-store';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function describeSigningKeys(
  name: string,
  open: () => Promise<Store>,
  dispose: (store: Store) => Promise<void>,
): void {
  describe(`the signing keys on ${name}`, () => {
    let store: Store;
    useMigratedStore(open, dispose, (opened) => (store = opened));

    it('KEY-1: two ensureSigningKeys racing on one store leave one active key per algorithm', async () => {
      await Promise.all([
        ensureSigningKeys(store, { algs: ['RS256', 'ES384'] }),
        ensureSigningKeys(store, { algs: ['RS256', 'ES384'] }),
      ]);
      const rows = await store.query<{ alg: string }>(`SELECT alg FROM auth_signing_key ORDER BY alg`);
      expect(rows.map((r) => r.alg)).toEqual(['ES384', 'RS256']);
      const jwks = await activeJwks(store);
      expect(jwks.keys.map((k) => k.alg)).toEqual(['ES384', 'RS256']);
      // A later start finds them and makes none.
      await ensureSigningKeys(store, { algs: ['RS256', 'ES384'] });
      expect((await activeJwks(store)).keys.map((k) => k.kid)).toEqual(jwks.keys.map((k) => k.kid));
    });

    it('KEY-2: the public JWKS has no private members, and verifies what the private key signs', async () => {
      await ensureSigningKeys(store);
      const [privateKeys, publicKeys] = [await activeJwks(store), await publicJwks(store)];
      expect(publicKeys.keys).toHaveLength(2);
      for (const key of publicKeys.keys) {
        for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
        expect(key).toMatchObject({ use: 'sig', kid: expect.any(String), alg: expect.any(String) });
      }
      for (const key of privateKeys.keys) expect(key).toHaveProperty('d');
      const es = privateKeys.keys.find((k) => k.alg === 'ES384');
      const esPublic = publicKeys.keys.find((k) => k.kid === es?.kid);
      const jws = await new CompactSign(new TextEncoder().encode('inzage'))
        .setProtectedHeader({ alg: 'ES384', kid: es?.kid })
        .sign(await importJWK(es ?? {}, 'ES384'));
      const verified = await compactVerify(jws, await importJWK(esPublic ?? {}, 'ES384'));
      expect(new TextDecoder().decode(verified.payload)).toBe('inzage');
    });

    it('KEY-3: with a key-encryption key the private parts are stored sealed and read back', async () => {
      const encryptionKey = randomBytes(32);
      await ensureSigningKeys(store, { algs: ['ES384'], encryptionKey });
      const [row] = await store.query<{ private_jwk: Record<string, unknown> }>(
        `SELECT private_jwk FROM auth_signing_key`,
      );
      expect(row?.private_jwk).toMatchObject({ sealed: 'A256GCM' });
      expect(row?.private_jwk).not.toHaveProperty('d');
      const [key] = (await activeJwks(store, { encryptionKey })).keys;
      expect(key).toMatchObject({ alg: 'ES384', d: expect.any(String) });

      await expect(activeJwks(store)).rejects.toMatchObject({ code: 'ERR_AUTH_SIGNING_KEY_LOCKED' });
      await expect(activeJwks(store, { encryptionKey: randomBytes(32) })).rejects.toMatchObject({
        code: 'ERR_AUTH_SIGNING_KEY_UNREADABLE',
      });
      // A row moved under another kid does not decrypt: the kid is bound in.
      await store.query(`UPDATE auth_signing_key SET kid = 'other'`);
      await expect(activeJwks(store, { encryptionKey })).rejects.toBeInstanceOf(GatewayError);
    });
  });
}

describe('the key-encryption key setting', () => {
  it('KEY-4: takes 32 bytes as hex or base64 and refuses anything else', () => {
    const bytes = randomBytes(32);
    expect(parseKeyEncryptionKey(bytes.toString('hex'))).toEqual(bytes);
    expect(parseKeyEncryptionKey(bytes.toString('base64'))).toEqual(bytes);
    expect(parseKeyEncryptionKey(bytes.toString('base64url'))).toEqual(bytes);
    for (const bad of ['', 'short', randomBytes(16).toString('base64'), 'not base64 at all!']) {
      expect(() => parseKeyEncryptionKey(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_AUTH_KEY_ENCRYPTION_KEY', status: 500 }),
      );
    }
    expect(keyEncryptionKeyFromEnvironment({})).toBeUndefined();
    expect(keyEncryptionKeyFromEnvironment({ INZAGE_KEY_ENCRYPTION_KEY: ' ' })).toBeUndefined();
    expect(keyEncryptionKeyFromEnvironment({ INZAGE_KEY_ENCRYPTION_KEY: bytes.toString('hex') })).toEqual(
      bytes,
    );
  });
});

describeSigningKeys(
  'PGlite in memory',
  () => openStore({ driver: 'pglite' }),
  (store) => store.close(),
);

describePostgres('the signing keys on PostgreSQL', () => {
  const stores = postgresStores();
  describeSigningKeys('PostgreSQL', stores.open, stores.close);
});
