import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOTP, Secret } from 'otpauth';
import {
  AccountSecret,
  AccountSecretMissing,
  OutboxFileSender,
  PasswordHashUnreadable,
  WeakPassword,
  acceptedTotpStep,
  assertPasswordPolicy,
  createTotpSecret,
  generateLinkCode,
  hashPassword,
  needsRehash,
  normaliseEmail,
  normaliseLinkCode,
  normaliseMobile,
  passwordProblems,
  totpEnrolmentUri,
  totpStep,
  verifyAgainstNoAccount,
  verifyPassword,
} from '../../../src/auth/accounts';

/** Cheap parameters keep the tests fast; the production ones are tested once. */
const CHEAP = { N: 2 ** 10, r: 8, p: 1 };

describe('passwords', () => {
  it('AC1: a password verifies against its scrypt hash, which records its parameters', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    await expect(verifyPassword('correct horse battery staple', hash)).resolves.toBe(true);
  });

  it('AC2: a wrong password does not verify, and the same password gets another salt', async () => {
    const a = await hashPassword('correct horse battery staple', CHEAP);
    const b = await hashPassword('correct horse battery staple', CHEAP);
    expect(a).not.toBe(b);
    await expect(verifyPassword('correct horse battery stapler', a)).resolves.toBe(false);
    await expect(verifyPassword('correct horse battery staple', b)).resolves.toBe(true);
  });

  it('AC3: a hash made with other parameters needs a rehash; a current one does not', async () => {
    const old = await hashPassword('correct horse battery staple', CHEAP);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(old, CHEAP)).toBe(false);
  });

  it('AC4: an unreadable or oversized stored hash is an internal error, not a failed login', async () => {
    await expect(verifyPassword('x', 'md5$abc')).rejects.toBeInstanceOf(PasswordHashUnreadable);
    const huge = `scrypt$${2 ** 24}$8$1$${'A'.repeat(22)}$${'A'.repeat(43)}`;
    await expect(verifyPassword('x', huge)).rejects.toBeInstanceOf(PasswordHashUnreadable);
  });

  it('AC5: the check for an unknown account does the work and answers false', async () => {
    await expect(verifyAgainstNoAccount('whatever they typed')).resolves.toBe(false);
  });

  it('AC6: the policy wants 12 characters and refuses common passwords, in Dutch and English', () => {
    expect(passwordProblems('a sound passphrase')).toEqual([]);
    expect(passwordProblems('kort')[0]?.nl).toMatch(/minstens 12 tekens/);
    expect(passwordProblems('Wachtwoord123')[0]?.en).toMatch(/widely used/);
    expect(() => assertPasswordPolicy('kort')).toThrow(WeakPassword);
    try {
      assertPasswordPolicy('kort');
    } catch (error) {
      expect((error as WeakPassword).code).toBe('ERR_WEAK_PASSWORD');
      expect((error as WeakPassword).status).toBe(400);
    }
  });
});

describe('link code form', () => {
  it('LC1: a code is 12 characters of Crockford base 32 in three groups (60 bits)', () => {
    const codes = new Set(Array.from({ length: 200 }, generateLinkCode));
    expect(codes.size).toBe(200);
    for (const code of codes)
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('LC2: case, spaces, hyphens and O/I/L for 0/1 do not matter when typed', () => {
    expect(normaliseLinkCode(' abcd-efgh-jk01 ')).toBe('ABCDEFGHJK01');
    expect(normaliseLinkCode('ABCD EFGH JKOL')).toBe('ABCDEFGHJK01');
    expect(normaliseLinkCode('ABCD-EFGH-JKU1')).toBeUndefined();
    expect(normaliseLinkCode('ABCD-EFGH')).toBeUndefined();
  });

  it('LC3: the server secret comes from INZAGE_LINK_CODE_SECRET and must be 32 bytes', () => {
    expect(() => AccountSecret.fromEnvironment({})).toThrow(AccountSecretMissing);
    expect(() => AccountSecret.fromEnvironment({ INZAGE_LINK_CODE_SECRET: 'short' })).toThrow(
      AccountSecretMissing,
    );
    const secret = AccountSecret.fromEnvironment({ INZAGE_LINK_CODE_SECRET: 'x'.repeat(32) });
    expect(secret.hash('link-code', 'A')).toMatch(/^[0-9a-f]{64}$/);
    expect(secret.hash('link-code', 'A')).not.toBe(secret.hash('verification-code', 'A'));
    expect(JSON.stringify({ secret })).not.toContain('xxxx');
  });
});

describe('TOTP', () => {
  const secret = createTotpSecret();
  const reference = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  const at = new Date('2026-11-23T10:00:15Z');
  const codeAt = (moment: Date) => reference.generate({ timestamp: moment.getTime() });

  it('TF1: the current code and those one step either side are accepted, with their step', () => {
    const step = totpStep(at);
    expect(acceptedTotpStep(secret, codeAt(at), at, undefined)).toBe(step);
    expect(acceptedTotpStep(secret, codeAt(new Date(at.getTime() - 30_000)), at, undefined)).toBe(step - 1);
    expect(acceptedTotpStep(secret, codeAt(new Date(at.getTime() + 30_000)), at, undefined)).toBe(step + 1);
  });

  it('TF2: a code two steps off is refused', () => {
    expect(acceptedTotpStep(secret, codeAt(new Date(at.getTime() - 60_000)), at, undefined)).toBeUndefined();
    expect(acceptedTotpStep(secret, codeAt(new Date(at.getTime() + 60_000)), at, undefined)).toBeUndefined();
    expect(acceptedTotpStep(secret, 'abcdef', at, undefined)).toBeUndefined();
  });

  it('TF3: a code of the step already used, or an earlier one, is refused', () => {
    const step = totpStep(at);
    expect(acceptedTotpStep(secret, codeAt(at), at, step)).toBeUndefined();
    expect(acceptedTotpStep(secret, codeAt(new Date(at.getTime() - 30_000)), at, step - 1)).toBeUndefined();
    expect(acceptedTotpStep(secret, codeAt(new Date(at.getTime() + 30_000)), at, step)).toBe(step + 1);
  });

  it('TF4: the enrolment URI is an otpauth:// URI with the issuer, account and secret', () => {
    const uri = new URL(totpEnrolmentUri(secret, 'ans@example.org'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Inzage');
    expect(decodeURIComponent(uri.pathname)).toContain('ans@example.org');
  });
});

describe('addresses', () => {
  it('AD1: e-mail addresses are trimmed and lower-cased; mobile numbers become E.164', () => {
    expect(normaliseEmail(' Ans@Example.ORG ')).toBe('ans@example.org');
    expect(() => normaliseEmail('no at sign')).toThrow(/e-mail/);
    expect(normaliseMobile('06-12345678')).toBe('+31612345678');
    expect(normaliseMobile('0031 6 1234 5678')).toBe('+31612345678');
    expect(normaliseMobile('+32 470 12 34 56')).toBe('+32470123456');
    expect(() => normaliseMobile('020-1234567')).toThrow(/mobile/);
    expect(() => normaliseMobile('+31201234567')).toThrow(/mobile/);
  });
});

describe('outbox sender', () => {
  it('MS1: the outbox sender appends one JSON line per message to its file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inzage-outbox-'));
    try {
      const path = join(dir, 'outbox.jsonl');
      const sender = new OutboxFileSender(path, () => new Date('2026-11-23T09:00:00Z'));
      await sender.send({ channel: 'email', address: 'ans@example.org' }, 'eerste');
      await sender.send({ channel: 'sms', address: '+31612345678' }, 'tweede\nregel');
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
        { at: '2026-11-23T09:00:00.000Z', channel: 'email', to: 'ans@example.org', text: 'eerste' },
        { at: '2026-11-23T09:00:00.000Z', channel: 'sms', to: '+31612345678', text: 'tweede\nregel' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
