// The SQL of the login pages on a real store, run on every driver: the throttle, the terms record
// and the revocation of an account's oidc-provider records.
import { AccountSecret, issueLinkCode, registerAccount, revokeAccountTokens } from '../../../src/auth';
import { authAdapter } from '../../../src/auth/adapter';
import {
  LIMITS,
  clearFailures,
  lockedSeconds,
  recordFailure,
  throttleKey,
} from '../../../src/auth/pages/limits';
import { recordTermsAnswer, termsAnswersOf } from '../../../src/auth/pages/terms';
import type { Store } from '../../../src/store';
import { useMigratedStore } from '../../support/migrated-store';

const AT = new Date('2026-11-23T10:00:00+01:00');
const SECRET = AccountSecret.fromText('test secret for link codes, 32+ bytes long');
const later = (seconds: number) => new Date(AT.getTime() + seconds * 1000);

export function describePagesStoreContract(
  name: string,
  open: () => Promise<Store>,
  dispose: (store: Store) => Promise<void>,
): void {
  describe(`the login pages' tables on ${name}`, () => {
    let store: Store;
    useMigratedStore(open, dispose, (opened) => (store = opened));

    async function account(email: string) {
      const { code } = await issueLinkCode(
        store,
        {
          binding: { organisationId: 'meerzicht', patient: 'Patient/p1', person: 'Patient/p1' },
          issuedBy: { kind: 'system', id: 'test' } as never,
          at: AT,
        },
        SECRET,
      );
      return store.transaction((tx) =>
        registerAccount(
          tx,
          { linkCode: code, email, mobile: '0612345678', password: 'a long enough passphrase', at: AT },
          SECRET,
        ),
      );
    }

    it('LIMIT-1: the fifth failure in the window locks for the lock time; a new window starts after it', async () => {
      const limit = LIMITS.loginAccount;
      const key = throttleKey(limit, 'Iemand@Example.org ');
      expect(key).toBe(throttleKey(limit, 'iemand@example.org'));
      expect(key).not.toContain('iemand');
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await recordFailure(store, limit, key, later(i)));
      expect(results.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
      expect(results[4]).toBe(limit.lockSeconds);
      expect(await lockedSeconds(store, key, later(4 + 60))).toBe(limit.lockSeconds - 60);
      expect(await lockedSeconds(store, key, later(4 + limit.lockSeconds))).toBeUndefined();
      // Past the window the count starts again at one.
      expect(await recordFailure(store, limit, key, later(limit.windowSeconds + 10))).toBeUndefined();
      const [row] = await store.query<{ failures: number }>(
        'SELECT failures FROM login_throttle WHERE key = $1',
        [key],
      );
      expect(row!.failures).toBe(1);
      await clearFailures(store, key);
      expect(await store.query('SELECT 1 FROM login_throttle')).toEqual([]);
    });

    it('TERMS-2: answers are recorded and read back oldest first', async () => {
      const { account: a, link } = await account('a@example.org');
      const base = { accountId: a.id, linkId: link.id, organisationId: 'meerzicht', clientId: 'app' };
      await recordTermsAnswer(store, {
        ...base,
        termsVersion: '2026-01',
        accepted: true,
        shownAt: AT,
        answeredAt: later(5),
      });
      await recordTermsAnswer(store, {
        ...base,
        termsVersion: '2026-07',
        accepted: false,
        shownAt: later(60),
        answeredAt: later(70),
      });
      const answers = await termsAnswersOf(store, a.id);
      expect(answers.map((x) => [x.termsVersion, x.accepted, x.answeredAt.toISOString()])).toEqual([
        ['2026-01', true, later(5).toISOString()],
        ['2026-07', false, later(70).toISOString()],
      ]);
      expect(await termsAnswersOf(store, 'account-other')).toEqual([]);
    });

    it('REVOKE-1: an account’s sessions, grants and tokens go; another account’s and another app’s stay as asked', async () => {
      const { account: a, link } = await account('b@example.org');
      const { link: other } = await account('c@example.org');
      const adapter = authAdapter(store);
      await adapter('Session').upsert('s1', { accountId: link.id }, 600);
      await adapter('Grant').upsert('g1', { accountId: link.id, clientId: 'app' }, 600);
      await adapter('RefreshToken').upsert('r1', { accountId: link.id, clientId: 'app', grantId: 'g1' }, 600);
      await adapter('RefreshToken').upsert(
        'r2',
        { accountId: link.id, clientId: 'other-app', grantId: 'g2' },
        600,
      );
      await adapter('AccessToken').upsert('t3', { accountId: other.id, clientId: 'app', grantId: 'g3' }, 600);
      const ids = async () =>
        (await store.query<{ id: string }>('SELECT id FROM auth_model ORDER BY id')).map((r) => r.id);

      expect(await revokeAccountTokens(store, a.id, { clientId: 'app' })).toBe(2);
      expect(await ids()).toEqual(['r2', 's1', 't3']);
      expect(await revokeAccountTokens(store, a.id)).toBe(2);
      expect(await ids()).toEqual(['t3']);
    });
  });
}
