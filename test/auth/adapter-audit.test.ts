/**
 * The adapter's token events (issue 11, item 2): the audit record of a token row is written in the
 * transaction of that row, so both commit or neither does. A failing record undoes the token, on
 * every store driver; removals are reported with the payloads they removed.
 */
import { AuditTrail, findAuditRecords } from '../../src/audit';
import { authAdapter, type TokenEvents } from '../../src/auth/adapter';
import { AuthAudit } from '../../src/auth/audit';
import { tokenAuditEvents } from '../../src/auth/token-audit';
import { openStore, type Store } from '../../src/store';
import { describePostgres, postgresStores } from '../support/postgres';
import { useMigratedStore } from '../support/migrated-store';

function describeEvents(name: string, open: () => Promise<Store>, dispose: (store: Store) => Promise<void>) {
  describe(`the adapter's token events on ${name}`, () => {
    let store: Store;
    useMigratedStore(open, dispose, (opened) => (store = opened));

    const rows = async (model: string) =>
      Number(
        (
          await store.query<{ n: string }>('SELECT count(*) AS n FROM auth_model WHERE model = $1', [model])
        )[0]!.n,
      );

    it('AUDIT-AUTH-11: an inserted token is recorded in its transaction; a replaced one is not recorded again', async () => {
      const trail = new AuditTrail(store);
      const adapter = authAdapter(store, { events: tokenAuditEvents(new AuthAudit(trail), () => undefined) });
      const tokens = adapter('AccessToken');
      await tokens.upsert(
        'jti-1',
        { jti: 'jti-1', clientId: 'app', scope: 'patient/*.rs', grantId: 'g1' },
        60,
      );
      await tokens.upsert(
        'jti-1',
        { jti: 'jti-1', clientId: 'app', scope: 'patient/*.rs', grantId: 'g1' },
        60,
      );
      // Not a token model: no record.
      await adapter('Session').upsert('s1', { uid: 'u1' }, 60);
      await tokens.revokeByGrantId('g1');
      // A Backend Services token: the client's, for no account.
      await adapter('ClientCredentials').upsert(
        'jti-s',
        { jti: 'jti-s', clientId: 'ecd', scope: 'system/*.rs' },
        60,
      );
      const [system] = (await findAuditRecords(store, { tokenId: 'jti-s' })).map((r) => r.entry);
      expect(system).toMatchObject({
        interaction: 'issued',
        clientApp: 'ecd',
        detail: { tokenType: 'system' },
      });
      expect(system!.actor?.account).toBeUndefined();
      const records = (await findAuditRecords(store, { tokenId: 'jti-1' })).map((r) => r.entry);
      expect(records.map((e) => `${e.interaction} ${e.action}`)).toEqual(['issued C', 'revoked D']);
      expect(records[0]).toMatchObject({ clientApp: 'app', detail: { scope: 'patient/*.rs', grant: 'g1' } });
      await trail.close();
    });

    it('AUDIT-AUTH-12: a record that cannot be written undoes the token row, and the removal of one', async () => {
      const failing: TokenEvents = {
        issued: async () => {
          throw new Error('the audit trail is closed');
        },
        removed: async () => {
          throw new Error('the audit trail is closed');
        },
      };
      const tokens = authAdapter(store, { events: failing })('RefreshToken');
      await expect(tokens.upsert('rt-1', { clientId: 'app', grantId: 'g2' }, 60)).rejects.toThrow(/closed/);
      expect(await rows('RefreshToken')).toBe(0);

      await authAdapter(store)('RefreshToken').upsert('rt-2', { clientId: 'app', grantId: 'g2' }, 60);
      await expect(tokens.destroy('rt-2')).rejects.toThrow(/closed/);
      await expect(tokens.revokeByGrantId('g2')).rejects.toThrow(/closed/);
      expect(await rows('RefreshToken')).toBe(1);

      // A closed trail, as the gateway's after shutdown began: the same.
      const trail = new AuditTrail(store);
      await trail.close();
      const closed = authAdapter(store, { events: tokenAuditEvents(new AuthAudit(trail), () => undefined) });
      await expect(
        closed('AccessToken').upsert('jti-2', { jti: 'jti-2', clientId: 'app' }, 60),
      ).rejects.toThrow(/closed/);
      expect(await rows('AccessToken')).toBe(0);
    });
  });
}

describeEvents(
  'PGlite in memory',
  () => openStore({ driver: 'pglite' }),
  (store) => store.close(),
);

describePostgres('the adapter token events on PostgreSQL', () => {
  const stores = postgresStores();
  describeEvents('PostgreSQL', stores.open, stores.close);
});
