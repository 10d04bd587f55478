/**
 * linkWithCode on a real store (PGlite): which account a link code links an external identity to,
 * and that every refusal gives the code back.
 */
import {
  AccountSecret,
  issueLinkCode,
  linksOfAccount,
  passwordHashOf,
  registerAccount,
  verifyPassword,
  type LinkCodeBinding,
} from '../../../src/auth/accounts';
import { findLinkedIdentity } from '../../../src/auth/federation/identities';
import { linkWithCode } from '../../../src/auth/federation/link';
import { openStore, type Store } from '../../../src/store';
import type { Actor } from '../../../src/vocabulary';
import { useMigratedStore } from '../../support/migrated-store';

const AT = new Date('2026-11-23T10:00:00+01:00');
const SECRET = AccountSecret.fromText('test secret for link codes, 32+ bytes long');
const ISSUER: Actor = { kind: 'staff', account: 'balie.amerpoort' };
const CLIENT: LinkCodeBinding = { organisationId: 'amerpoort', patient: 'Patient/p1', person: 'Patient/p1' };
const IDENTITY = { issuer: 'https://idp.example.org', subject: 'sub-1' };

describe('linking an external identity with a link code', () => {
  let store: Store;
  useMigratedStore(
    () => openStore({ driver: 'pglite' }),
    (s) => s.close(),
    (opened) => (store = opened),
  );

  const issue = async (binding = CLIENT) =>
    (await store.transaction((tx) => issueLinkCode(tx, { binding, issuedBy: ISSUER, at: AT }, SECRET))).code;
  const register = async (email: string) => {
    const code = await issue();
    return store.transaction((tx) =>
      registerAccount(
        tx,
        { linkCode: code, email, mobile: '0612345678', password: 'a long enough passphrase', at: AT },
        SECRET,
      ),
    );
  };
  const link = (linkCode: string, extra: { email?: string; mobile?: string } = {}, identity = IDENTITY) =>
    linkWithCode(store, { identity, providerId: 'digid', linkCode, at: AT, ...extra }, SECRET);
  const unused = async () =>
    (await store.query<{ n: number }>('SELECT count(*)::int AS n FROM link_code WHERE used_at IS NULL'))[0]!
      .n;

  it('SMART-FED-12: M-14: a new person gets an account with the code’s link and the identity, and a random password (a real scrypt hash)', async () => {
    const registration = await link(await issue(), { email: 'Ans@Example.org', mobile: '06 12345678' });
    expect(registration.outcome).toBe('created');
    expect(registration.account).toMatchObject({ email: 'ans@example.org', mobile: '+31612345678' });
    // A real scrypt hash, so the password form treats it like any other, of a random 32 bytes.
    const hash = await passwordHashOf(store, registration.account.id);
    expect(hash).toMatch(/^scrypt\$/);
    expect(await verifyPassword('', hash!)).toBe(false);
    const links = await linksOfAccount(store, registration.account.id);
    expect(links.map((l) => [l.patient, l.person])).toEqual([['Patient/p1', 'Patient/p1']]);
    expect(await findLinkedIdentity(store, IDENTITY)).toMatchObject({
      accountId: registration.account.id,
      providerId: 'digid',
      linkCodeId: registration.linkCodeId,
    });
  });

  it('SMART-FED-13: a code for a binding an account holds adds only the identity to that account', async () => {
    const existing = await register('ans@example.org');
    const registration = await link(await issue());
    expect(registration).toMatchObject({ outcome: 'existing', account: { id: existing.account.id } });
    expect(await linksOfAccount(store, existing.account.id)).toHaveLength(1);
    expect((await findLinkedIdentity(store, IDENTITY))?.accountId).toBe(existing.account.id);
  });

  it('SMART-FED-14: every refusal links nothing and gives the code back', async () => {
    const code = await issue();
    // A new person without e-mail and mobile.
    await expect(link(code)).rejects.toMatchObject({ code: 'ERR_REGISTRATION_INCOMPLETE' });
    // The e-mail address of another account.
    await register('bep@example.org');
    const other = await issue({ ...CLIENT, patient: 'Patient/p9', person: 'Patient/p9' });
    await expect(link(other, { email: 'bep@example.org', mobile: '0612345678' })).rejects.toMatchObject({
      code: 'ERR_ACCOUNT_EXISTS',
    });
    expect(await unused()).toBe(2);
    expect(await findLinkedIdentity(store, IDENTITY)).toBeUndefined();
    // The identity linked already: the second code stays unused.
    await link(code, { email: 'ans@example.org', mobile: '0612345678' });
    await expect(link(other, { email: 'cor@example.org', mobile: '0612345678' })).rejects.toMatchObject({
      code: 'ERR_IDENTITY_LINKED',
    });
    expect(await unused()).toBe(1);
  });

  it('SMART-FED-15: a blocked holder, or two holders of the binding, are refused', async () => {
    const first = await register('ans@example.org');
    await store.query('UPDATE account SET blocked_at = $2 WHERE id = $1', [first.account.id, AT]);
    await expect(link(await issue())).rejects.toMatchObject({ code: 'ERR_ACCOUNT_BLOCKED' });
    await store.query('UPDATE account SET blocked_at = NULL');
    await register('bep@example.org');
    await expect(link(await issue())).rejects.toMatchObject({ code: 'ERR_ACCOUNT_EXISTS' });
    expect(await findLinkedIdentity(store, IDENTITY)).toBeUndefined();
  });
});
