import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import {
  AccountExists,
  AccountSecret,
  LinkCodeRefused,
  OutboxFileSender,
  SecondFactorRefused,
  VerificationCodeRefused,
  createTotpSecret,
  createVerificationCode,
  findAccountByEmail,
  issueLinkCode,
  linksOfAccount,
  redeemLinkCode,
  registerAccount,
  revokeLinkCode,
  setTotpSecret,
  verifyCode,
  verifyTotp,
  type LinkCodeBinding,
} from '../../../src/auth/accounts';
import type { Store } from '../../../src/store';
import type { Actor } from '../../../src/vocabulary';
import { useMigratedStore } from '../../support/migrated-store';

const AT = new Date('2026-11-23T10:00:00+01:00');
const SECRET = AccountSecret.fromText('test secret for link codes, 32+ bytes long');
const ISSUER: Actor = { kind: 'staff', account: 'balie.amerpoort' };
const CLIENT: LinkCodeBinding = { organisationId: 'amerpoort', patient: 'Patient/p1', person: 'Patient/p1' };
const MOTHER: LinkCodeBinding = {
  organisationId: 'amerpoort',
  patient: 'Patient/p2',
  person: 'RelatedPerson/r2',
};
const PASSWORD = 'a long enough passphrase';

async function refusal(promise: Promise<unknown>): Promise<LinkCodeRefused> {
  try {
    await promise;
  } catch (error) {
    return error as LinkCodeRefused;
  }
  throw new Error('expected a refusal');
}

/** The account primitives on a real store, run on every driver. */
export function describeAccountsContract(
  name: string,
  open: () => Promise<Store>,
  dispose: (store: Store) => Promise<void>,
): void {
  describe(`accounts on ${name}`, () => {
    let store: Store;
    useMigratedStore(open, dispose, (opened) => (store = opened));

    const issue = (binding = CLIENT, at = AT) =>
      store.transaction((tx) => issueLinkCode(tx, { binding, issuedBy: ISSUER, at }, SECRET));
    const redeem = (code: string, at = AT) => store.transaction((tx) => redeemLinkCode(tx, code, at, SECRET));
    const register = (linkCode: string, email = 'ans@example.org', password = PASSWORD) =>
      store.transaction((tx) =>
        registerAccount(tx, { linkCode, email, mobile: '06 12345678', password, at: AT }, SECRET),
      );

    it('LC4: a link code is valid 14 Dutch days, stored only as a hash, and redeems to its binding once', async () => {
      const issued = await issue();
      expect(issued.validThrough).toBe('2026-12-07');
      expect(issued.expiresAt.toISOString()).toBe('2026-12-07T23:00:00.000Z');
      const stored = await store.query<{ code_hash: string; issued_by: string }>('SELECT * FROM link_code');
      expect(JSON.stringify(stored)).not.toContain(issued.code.replaceAll('-', ''));
      expect(stored[0]?.issued_by).toBe('staff:balie.amerpoort');
      await expect(redeem(issued.code.toLowerCase())).resolves.toEqual({ id: issued.id, binding: CLIENT });
      const again = await refusal(redeem(issued.code));
      expect(again).toBeInstanceOf(LinkCodeRefused);
      expect(again.detail).toMatch(/already used/);
    });

    it('LC5: of two concurrent redeems of one code exactly one wins', async () => {
      const issued = await issue();
      const results = await Promise.allSettled([redeem(issued.code), redeem(issued.code)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(LinkCodeRefused);
    });

    it('LC6: unknown, used, expired and revoked codes get the same public refusal, the reason in detail', async () => {
      const used = await issue();
      await redeem(used.code);
      const expired = await issue();
      const revoked = await issue();
      expect(await store.transaction((tx) => revokeLinkCode(tx, revoked.id, ISSUER, AT))).toBe(true);
      expect(await store.transaction((tx) => revokeLinkCode(tx, revoked.id, ISSUER, AT))).toBe(false);
      const refusals = [
        await refusal(redeem('ABCD-EFGH-JK01')),
        await refusal(redeem(used.code)),
        await refusal(redeem(expired.code, expired.expiresAt)),
        await refusal(redeem(revoked.code)),
        await refusal(redeem('not a code')),
      ];
      expect(new Set(refusals.map((r) => `${r.code} ${r.status} ${r.message}`)).size).toBe(1);
      expect(refusals[0]?.code).toBe('ERR_LINK_CODE_REFUSED');
      expect(refusals.map((r) => r.detail)).toEqual([
        'no such link code',
        expect.stringMatching(/already used/),
        expect.stringMatching(/expired/),
        expect.stringMatching(/revoked/),
        'not in the form of a link code',
      ]);
      // A moment before the end of the last valid day still works.
      await expect(redeem(expired.code, new Date(expired.expiresAt.getTime() - 1))).resolves.toBeDefined();
    });

    it('RG1: M-14: without a valid link code no account is made', async () => {
      await expect(register('ABCD-EFGH-JK01')).rejects.toBeInstanceOf(LinkCodeRefused);
      expect(await store.query('SELECT id FROM account')).toEqual([]);
    });

    it("RG2: A-9: registration makes an unverified account linked to the code's client and role", async () => {
      const { code } = await issue();
      const registration = await register(code, ' Ans@Example.org ');
      expect(registration.outcome).toBe('created');
      expect(registration.account).toMatchObject({
        email: 'ans@example.org',
        mobile: '+31612345678',
        hasTotp: false,
      });
      expect(registration.account.emailVerifiedAt).toBeUndefined();
      expect(registration.link).toMatchObject({
        organisationId: 'amerpoort',
        person: 'Patient/p1',
        patient: 'Patient/p1',
      });
      const [row] = await store.query<{ password_hash: string }>('SELECT password_hash FROM account');
      expect(row?.password_hash).toMatch(/^scrypt\$/);
    });

    it('RG3: a second code with the same e-mail and password links a second client to the account', async () => {
      const first = await register((await issue()).code);
      const second = await register((await issue(MOTHER)).code, 'ANS@example.org');
      expect(second.outcome).toBe('linked');
      expect(second.account.id).toBe(first.account.id);
      const links = await linksOfAccount(store, first.account.id);
      expect(links.map((l) => [l.person, l.patient]).sort()).toEqual([
        ['Patient/p1', 'Patient/p1'],
        ['RelatedPerson/r2', 'Patient/p2'],
      ]);
    });

    it('RG4: a duplicate e-mail with another password is refused and leaves the code unused', async () => {
      await register((await issue()).code);
      const other = await issue(MOTHER);
      await expect(register(other.code, 'ans@example.org', 'somebody else entirely')).rejects.toBeInstanceOf(
        AccountExists,
      );
      expect(
        await linksOfAccount(store, (await findAccountByEmail(store, 'ans@example.org'))!.id),
      ).toHaveLength(1);
      await expect(redeem(other.code)).resolves.toMatchObject({ binding: MOTHER });
    });

    it('RG5: a weak password is refused before anything is written', async () => {
      const { code } = await issue();
      await expect(register(code, 'ans@example.org', 'kort')).rejects.toMatchObject({
        code: 'ERR_WEAK_PASSWORD',
      });
      expect(await store.query('SELECT id FROM account')).toEqual([]);
      await expect(redeem(code)).resolves.toBeDefined();
    });

    it('TF5: TOTP on an account: a valid code is accepted once, a replay and a far code are refused', async () => {
      const { account } = await register((await issue()).code);
      const secret = createTotpSecret();
      await store.transaction((tx) => setTotpSecret(tx, account.id, secret, SECRET));
      const reference = new TOTP({
        secret: Secret.fromBase32(secret),
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
      });
      const token = reference.generate({ timestamp: AT.getTime() });
      const check = (code: string, at = AT) =>
        store.transaction((tx) => verifyTotp(tx, account.id, code, at, SECRET));
      await expect(check(token)).resolves.toBeUndefined();
      await expect(check(token, new Date(AT.getTime() + 30_000))).rejects.toMatchObject({
        code: 'ERR_SECOND_FACTOR_REFUSED',
        detail: 'code of a step already used',
      });
      const far = reference.generate({ timestamp: AT.getTime() + 120_000 });
      await expect(check(far)).rejects.toBeInstanceOf(SecondFactorRefused);
      const next = reference.generate({ timestamp: AT.getTime() + 30_000 });
      await expect(check(next, new Date(AT.getTime() + 30_000))).resolves.toBeUndefined();
    });

    it('TF6: the TOTP secret is stored encrypted (AES-256-GCM); a plain row of before still works', async () => {
      const { account } = await register((await issue()).code);
      const secret = createTotpSecret();
      await store.transaction((tx) => setTotpSecret(tx, account.id, secret, SECRET));
      const [row] = await store.query<{ totp_secret: string }>(
        'SELECT totp_secret FROM account WHERE id = $1',
        [account.id],
      );
      expect(row!.totp_secret).toMatch(/^aes256gcm:/);
      expect(row!.totp_secret).not.toContain(secret);
      const code = (at: Date) =>
        new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
          timestamp: at.getTime(),
        });
      await expect(
        store.transaction((tx) => verifyTotp(tx, account.id, code(AT), AT, SECRET)),
      ).resolves.toBeUndefined();
      // Another key cannot read it.
      const other = AccountSecret.fromText('another secret for link codes, 32+ bytes');
      const later = new Date(AT.getTime() + 30_000);
      await expect(
        store.transaction((tx) => verifyTotp(tx, account.id, code(later), later, other)),
      ).rejects.toThrow();
      // A row written before the encryption (plain base32) is still read.
      await store.query('UPDATE account SET totp_secret = $2, totp_last_step = NULL WHERE id = $1', [
        account.id,
        secret,
      ]);
      await expect(
        store.transaction((tx) => verifyTotp(tx, account.id, code(later), later, SECRET)),
      ).resolves.toBeUndefined();
    });

    describe('verification codes', () => {
      let dir: string;
      let outbox: OutboxFileSender;
      beforeAll(() => {
        dir = mkdtempSync(join(tmpdir(), 'inzage-verify-'));
        outbox = new OutboxFileSender(join(dir, 'outbox.jsonl'));
      });
      afterAll(() => rmSync(dir, { recursive: true, force: true }));

      const lastCode = () => {
        const lines = readFileSync(outbox.path, 'utf8').trimEnd().split('\n');
        const { to, text } = JSON.parse(lines.at(-1)!) as { to: string; text: string };
        return { to, code: /\b([0-9]{6})\b/.exec(text)![1]! };
      };

      it('VC1: A-9: a code sent to the e-mail address verifies it; the code is stored only hashed', async () => {
        const { account } = await register((await issue()).code);
        await store.transaction((tx) =>
          createVerificationCode(
            tx,
            { accountId: account.id, purpose: 'verify-email', at: AT },
            outbox,
            SECRET,
          ),
        );
        const sent = lastCode();
        expect(sent.to).toBe('ans@example.org');
        const rows = await store.query('SELECT * FROM verification_code');
        expect(JSON.stringify(rows)).not.toContain(sent.code);
        await verifyCode(
          store,
          { accountId: account.id, purpose: 'verify-email', code: sent.code, at: AT },
          SECRET,
        );
        const verified = await findAccountByEmail(store, 'ans@example.org');
        expect(verified?.emailVerifiedAt).toEqual(AT);
        expect(verified?.mobileVerifiedAt).toBeUndefined();
      });

      it('VC2: five wrong attempts spend the code: the right one no longer works; attempts are counted', async () => {
        const { account } = await register((await issue()).code);
        await store.transaction((tx) =>
          createVerificationCode(
            tx,
            { accountId: account.id, purpose: 'verify-mobile', at: AT },
            outbox,
            SECRET,
          ),
        );
        const sent = lastCode();
        expect(sent.to).toBe('+31612345678');
        const wrong = sent.code === '000000' ? '111111' : '000000';
        const attempt = (code: string) =>
          verifyCode(store, { accountId: account.id, purpose: 'verify-mobile', code, at: AT }, SECRET);
        for (let i = 1; i <= 4; i++) {
          await expect(attempt(wrong)).rejects.toMatchObject({ code: 'ERR_VERIFICATION_CODE_REFUSED' });
        }
        await expect(attempt(wrong)).rejects.toMatchObject({ code: 'ERR_VERIFICATION_CODE_SPENT' });
        await expect(attempt(sent.code)).rejects.toBeInstanceOf(VerificationCodeRefused);
        expect((await findAccountByEmail(store, 'ans@example.org'))?.mobileVerifiedAt).toBeUndefined();
      });

      it('VC3: an expired code and a superseded code are refused', async () => {
        const { account } = await register((await issue()).code);
        const send = () =>
          store.transaction((tx) =>
            createVerificationCode(tx, { accountId: account.id, purpose: 'login', at: AT }, outbox, SECRET),
          );
        const { expiresAt } = await send();
        const first = lastCode();
        const attempt = (code: string, at = AT) =>
          verifyCode(store, { accountId: account.id, purpose: 'login', code, at }, SECRET);
        await expect(attempt(first.code, expiresAt)).rejects.toMatchObject({
          detail: expect.stringMatching(/expired/),
        });
        await send();
        const second = lastCode();
        if (first.code !== second.code)
          await expect(attempt(first.code)).rejects.toBeInstanceOf(VerificationCodeRefused);
        await expect(attempt(second.code)).resolves.toBeUndefined();
      });
    });
  });
}
