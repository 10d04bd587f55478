import { authAdapter, pruneExpired } from '../../src/auth/adapter';
import { migrate, openStore, type Store } from '../../src/store';
import { describePostgres, postgresStores } from '../support/postgres';
import { useMigratedStore } from '../support/migrated-store';

const T0 = new Date('2026-12-01T10:00:00+01:00');

/** A clock the test moves by hand: expiry is proven without waiting. */
function clock(start: Date): { now: () => Date; advance: (seconds: number) => void } {
  let at = start.getTime();
  return { now: () => new Date(at), advance: (seconds) => (at += seconds * 1000) };
}

/** The same contract, on every store driver. */
function describeAdapter(
  name: string,
  open: () => Promise<Store>,
  dispose: (store: Store) => Promise<void>,
): void {
  describe(`the oidc-provider adapter on ${name}`, () => {
    let store: Store;
    useMigratedStore(open, dispose, (opened) => (store = opened));

    it('AUTH-1: upsert then find returns the payload; upsert again replaces it', async () => {
      const tokens = authAdapter(store)('AccessToken');
      await tokens.upsert('at1', { jti: 'at1', clientId: 'app', grantId: 'g1', scope: 'openid' }, 3600);
      expect(await tokens.find('at1')).toEqual({
        jti: 'at1',
        clientId: 'app',
        grantId: 'g1',
        scope: 'openid',
      });
      await tokens.upsert('at1', { jti: 'at1', clientId: 'app', scope: 'patient/*.rs' }, 3600);
      expect(await tokens.find('at1')).toEqual({ jti: 'at1', clientId: 'app', scope: 'patient/*.rs' });
      expect(await tokens.find('unknown')).toBeUndefined();
    });

    it('AUTH-2: models are separate name spaces for the same id', async () => {
      const factory = authAdapter(store);
      await factory('AccessToken').upsert('x', { jti: 'x', kind: 'AccessToken' }, 60);
      await factory('RefreshToken').upsert('x', { jti: 'x', kind: 'RefreshToken' }, 60);
      expect((await factory('AccessToken').find('x'))?.kind).toBe('AccessToken');
      expect((await factory('RefreshToken').find('x'))?.kind).toBe('RefreshToken');
      expect(await factory('AuthorizationCode').find('x')).toBeUndefined();
    });

    it('AUTH-3: an expired row is never returned, by any lookup, and pruneExpired removes it', async () => {
      const time = clock(T0);
      const factory = authAdapter(store, { now: time.now });
      await factory('Session').upsert('s1', { jti: 's1', uid: 'u1' }, 60);
      await factory('DeviceCode').upsert('d1', { jti: 'd1', userCode: 'ABCD-EFGH' }, 60);
      await factory('Grant').upsert('g1', { jti: 'g1' });
      time.advance(59);
      expect(await factory('Session').findByUid('u1')).toMatchObject({ jti: 's1' });
      expect(await factory('DeviceCode').findByUserCode('ABCD-EFGH')).toMatchObject({ jti: 'd1' });
      time.advance(1);
      expect(await factory('Session').find('s1')).toBeUndefined();
      expect(await factory('Session').findByUid('u1')).toBeUndefined();
      expect(await factory('DeviceCode').findByUserCode('ABCD-EFGH')).toBeUndefined();
      // Without expiresIn a row lives until it is destroyed.
      expect(await factory('Grant').find('g1')).toEqual({ jti: 'g1' });

      expect(await pruneExpired(store, new Date(T0.getTime() + 30_000))).toBe(0);
      expect(await pruneExpired(store, time.now())).toBe(2);
      const left = await store.query<{ model: string }>(`SELECT model FROM auth_model ORDER BY model`);
      expect(left.map((r) => r.model)).toEqual(['Grant']);
    });

    it('AUTH-4: findByUid and findByUserCode look within their own model', async () => {
      const factory = authAdapter(store);
      await factory('Session').upsert('s1', { jti: 's1', uid: 'u1' }, 600);
      await factory('Interaction').upsert('i1', { jti: 'i1', uid: 'u2' }, 600);
      await factory('DeviceCode').upsert('d1', { jti: 'd1', userCode: 'WXYZ' }, 600);
      expect(await factory('Session').findByUid('u1')).toMatchObject({ jti: 's1' });
      expect(await factory('Session').findByUid('u2')).toBeUndefined();
      expect(await factory('DeviceCode').findByUserCode('WXYZ')).toMatchObject({ jti: 'd1' });
      expect(await factory('Session').findByUserCode('WXYZ')).toBeUndefined();
    });

    it('AUTH-5: consume marks the payload consumed once, at the first moment, and a re-save keeps it', async () => {
      const time = clock(T0);
      const codes = authAdapter(store, { now: time.now })('AuthorizationCode');
      await codes.upsert('c1', { jti: 'c1', grantId: 'g1' }, 60);
      await codes.consume('c1');
      const consumedAt = Math.floor(T0.getTime() / 1000);
      expect(await codes.find('c1')).toEqual({ jti: 'c1', grantId: 'g1', consumed: consumedAt });
      time.advance(10);
      await codes.consume('c1');
      const again = await codes.find('c1');
      expect(again?.consumed).toBe(consumedAt);
      await codes.upsert('c1', { ...again, scope: 'openid' }, 50);
      expect(await codes.find('c1')).toMatchObject({ consumed: consumedAt, scope: 'openid' });
      await codes.consume('unknown'); // no row: nothing happens, no error
    });

    it('AUTH-6: destroy removes one row of one model', async () => {
      const factory = authAdapter(store);
      await factory('AccessToken').upsert('t1', { jti: 't1' }, 60);
      await factory('AccessToken').upsert('t2', { jti: 't2' }, 60);
      await factory('RefreshToken').upsert('t1', { jti: 't1' }, 60);
      await factory('AccessToken').destroy('t1');
      expect(await factory('AccessToken').find('t1')).toBeUndefined();
      expect(await factory('AccessToken').find('t2')).toBeDefined();
      expect(await factory('RefreshToken').find('t1')).toBeDefined();
    });

    it("AUTH-7: revokeByGrantId removes the grant's rows of that model, and only those", async () => {
      const factory = authAdapter(store);
      await factory('AccessToken').upsert('a1', { jti: 'a1', grantId: 'g1' }, 60);
      await factory('AccessToken').upsert('a2', { jti: 'a2', grantId: 'g1' }, 60);
      await factory('AccessToken').upsert('a3', { jti: 'a3', grantId: 'g2' }, 60);
      await factory('RefreshToken').upsert('r1', { jti: 'r1', grantId: 'g1' }, 600);
      await factory('AccessToken').revokeByGrantId('g1');
      expect(await factory('AccessToken').find('a1')).toBeUndefined();
      expect(await factory('AccessToken').find('a2')).toBeUndefined();
      expect(await factory('AccessToken').find('a3')).toBeDefined();
      // oidc-provider revokes per model (and the Grant by its own policy).
      expect(await factory('RefreshToken').find('r1')).toBeDefined();
      await factory('RefreshToken').revokeByGrantId('g1');
      expect(await factory('RefreshToken').find('r1')).toBeUndefined();
    });

    it("AUTH-8: two adapters on the same store (two instances) see each other's writes at once", async () => {
      const first = authAdapter(store)('AccessToken');
      const second = authAdapter(store)('AccessToken');
      await first.upsert('t1', { jti: 't1', grantId: 'g1' }, 60);
      expect(await second.find('t1')).toEqual({ jti: 't1', grantId: 'g1' });
      await second.consume('t1');
      expect((await first.find('t1'))?.consumed).toEqual(expect.any(Number));
      await second.revokeByGrantId('g1');
      expect(await first.find('t1')).toBeUndefined();
    });
  });
}

describeAdapter(
  'PGlite in memory',
  () => openStore({ driver: 'pglite' }),
  (store) => store.close(),
);

describePostgres('the oidc-provider adapter on PostgreSQL', () => {
  const stores = postgresStores();
  describeAdapter('PostgreSQL', stores.open, stores.close);
});

describePostgres('the oidc-provider adapter across two connection pools', () => {
  const stores = postgresStores();
  let store: Store;
  let other: Store;

  beforeAll(async () => {
    store = await stores.open();
    await migrate(store);
  });

  afterAll(async () => {
    await other?.close();
    await stores.close(store);
  });

  it('AUTH-8: a second instance with its own pool finds, consumes and revokes what the first wrote', async () => {
    const database = (await store.query<{ db: string }>(`SELECT current_database() AS db`))[0]?.db;
    const base = new URL(process.env.TEST_DATABASE_URL ?? '');
    base.pathname = `/${database}`;
    other = await openStore({ driver: 'postgres', databaseUrl: base.toString() });
    const mine = authAdapter(store)('AuthorizationCode');
    const theirs = authAdapter(other)('AuthorizationCode');
    await mine.upsert('c1', { jti: 'c1', grantId: 'g1' }, 60);
    await theirs.consume('c1');
    expect((await mine.find('c1'))?.consumed).toEqual(expect.any(Number));
    await theirs.revokeByGrantId('g1');
    expect(await mine.find('c1')).toBeUndefined();
  });
});
