// The login pages through real HTTP against a real gateway (PGlite, sandbox data): each step, each
// refusal, the terms record and the abuse limits (issue 9, items 6, 7 and 9).
import {
  createTotpSecret,
  hashPassword,
  registerAccount,
  revokeAccountTokens,
  setTotpSecret,
  termsAnswersOf,
} from '../../../src/auth';
import {
  Browser,
  PASSWORD,
  REDIRECT,
  SECRET,
  mainText,
  registrationMobile,
  startPagesGateway,
  totpCode,
  type Binding,
  type PagesGateway,
  type TestAccount,
} from './gateway';

describe('the login pages', () => {
  let env: PagesGateway;
  let totpAccount: TestAccount;
  let smsAccount: TestAccount;
  let twoLinks: TestAccount;
  let secondChild: Binding;

  beforeAll(async () => {
    env = await startPagesGateway();
    totpAccount = await env.account('totp@example.org', '0611111111', [env.selfBinding(0, 0)], true);
    smsAccount = await env.account('sms@example.org', '0622222222', [env.selfBinding(0, 1)]);
    // A parent of two children under 12 (the sandbox's siblings with a shared parent).
    // The sandbox's shared parent of two siblings under 12, with parental authority (ah-r015, ah-r016).
    secondChild = env.relationBinding(1, 'ah-c010', 0);
    twoLinks = await env.account('ouder@example.org', '0633333333', [
      env.relationBinding(1, 'ah-c009', 1),
      secondChild,
    ]);
  });

  afterAll(async () => {
    await env?.close();
  });

  async function refreshWith(
    refreshToken: string,
  ): Promise<{ status: number; body: Record<string, string> }> {
    const res = await fetch(`${env.base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: 'app',
      }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }

  /** Password and second factor: the browser stands on the next page. */
  async function throughSecondFactor(browser: Browser, account: TestAccount) {
    await browser.start();
    const afterPassword = await browser.post('login', { email: account.email, password: PASSWORD });
    expect(afterPassword.status).toBe(200);
    const code = account.totpSecret ? totpCode(account.totpSecret) : env.lastCode(account.mobile);
    return browser.post('second-factor', { code });
  }

  it('PAGES-1 (M-13): the login page is Dutch, says it is not for urgent matters, and switches to English', async () => {
    const browser = new Browser(env.base);
    const page = await browser.start();
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="nl">');
    expect(mainText(page.html)).toContain(
      'Niet voor spoedeisende zaken: bel bij spoed 112 of uw zorgorganisatie.',
    );
    expect(page.html).toMatch(/name="email"[^>]*type="email"/);
    expect(page.html).toContain('name="password"');
    expect(page.html).toContain('name="csrf"');
    expect(page.html).toContain('Ik heb een koppelcode');
    // The app's name is escaped (eta escapes by default).
    expect(page.html).toContain('Mijn Dossier &lt;App&gt;');
    expect(page.html).not.toContain('Mijn Dossier <App>');
    expect(page.html).toContain(`href="${browser.interaction}?lang=en"`);

    const english = await browser.go(`${browser.interaction}?lang=en`);
    expect(english.html).toContain('<html lang="en">');
    expect(mainText(english.html)).toContain(
      'Not for urgent matters: in an emergency call 112 or your care organisation.',
    );
    const cookie = english.headers.getSetCookie().find((c) => c.startsWith('inzage_lang=en'));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    // Remembered: the next page without ?lang is English too, with a switch back.
    const again = await browser.go(browser.interaction);
    expect(again.html).toContain('<html lang="en">');
    expect(again.html).toContain(`href="${browser.interaction}?lang=nl"`);
  });

  it('PAGES-2: the pages use the stylesheet route, and their CSP lets the last form redirect to the app', async () => {
    const browser = new Browser(env.base);
    const page = await browser.start();
    expect(page.html).toContain('<link rel="stylesheet" href="/auth/pages/style.css">');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`form-action 'self' ${new URL(REDIRECT).origin}`);
    expect(csp).not.toContain('unsafe-inline');
    const css = await fetch(`${env.base}/auth/pages/style.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toContain(':focus-visible');
  });

  it('PAGES-3: an unknown address, a wrong password and a blocked account get the same page and status', async () => {
    const blocked = await env.account('blocked@example.org', '0644444444', [env.selfBinding(0, 3)], true);
    await env.gateway.store.query('UPDATE account SET blocked_at = now() WHERE id = $1', [blocked.id]);
    const answers = [];
    for (const [email, password] of [
      ['nobody@example.org', PASSWORD],
      [totpAccount.email, 'not the right password at all'],
      [blocked.email, PASSWORD],
    ] as const) {
      const browser = new Browser(env.base);
      await browser.start();
      const page = await browser.post('login', { email, password });
      answers.push({ status: page.status, text: mainText(page.html).replace(email, '<email>') });
    }
    expect(answers[0]!.status).toBe(401);
    expect(answers[0]!.text).toContain('E-mailadres, wachtwoord of code klopt niet.');
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('PAGES-4 (M-12, A-14): password, TOTP, terms, token; the acceptance is recorded with version, link and app', async () => {
    const browser = new Browser(env.base);
    await browser.start();
    const second = await browser.post('login', { email: totpAccount.email, password: PASSWORD });
    expect(second.status).toBe(200);
    expect(mainText(second.html)).toContain('authenticator-app');
    expect(second.html).toContain('name="code"');
    const terms = await browser.post('second-factor', { code: totpCode(totpAccount.totpSecret!) });
    expect(terms.status).toBe(200);
    expect(mainText(terms.html)).toContain('Zorgcentrum Meerzicht');
    expect(mainText(terms.html)).toContain('2026-01');
    expect(terms.html).toMatch(/name="accept" value="yes"/);
    expect(terms.html).toMatch(/name="accept" value="no"/);
    const before = new Date();
    const callback = await browser.follow(await browser.post('terms', { accept: 'yes' }));
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
    const token = await browser.token(callback);
    expect(token.status).toBe(200);
    expect(token.body.patient).toBe(env.selfBinding(0, 0).patient.slice('Patient/'.length));

    const answers = await termsAnswersOf(env.gateway.store, totpAccount.id);
    const last = answers[answers.length - 1]!;
    expect(last).toMatchObject({
      accountId: totpAccount.id,
      organisationId: 'meerzicht',
      clientId: 'app',
      termsVersion: '2026-01',
      accepted: true,
      linkId: expect.stringMatching(/^link-/),
    });
    expect(last.answeredAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);

    // The browser keeps its session, yet the next authorization logs in again (terms every time).
    const again = await browser.start();
    expect(again.status).toBe(200);
    expect(again.html).toContain('name="password"');
  });

  it('PAGES-5: without TOTP the second factor is a code sent by SMS to the verified mobile number', async () => {
    const browser = new Browser(env.base);
    await browser.start();
    const before = env.messagesTo(registrationMobile('0622222222')).length;
    const second = await browser.post('login', { email: smsAccount.email, password: PASSWORD });
    expect(second.status).toBe(200);
    expect(mainText(second.html)).toContain('per sms');
    expect(mainText(second.html)).toContain('22');
    expect(env.messagesTo(registrationMobile('0622222222')).length).toBe(before + 1);
    const wrong = await browser.post('second-factor', {
      code: '000000' === env.lastCode('+31622222222') ? '111111' : '000000',
    });
    expect(wrong.status).toBe(401);
    expect(mainText(wrong.html)).toContain('E-mailadres, wachtwoord of code klopt niet.');
    const terms = await browser.post('second-factor', { code: env.lastCode('+31622222222') });
    expect(terms.status).toBe(200);
    expect(terms.html).toContain('name="accept"');
  });

  it('PAGES-6: with two links the picker shows the clients by name and the role, never only ids', async () => {
    const browser = new Browser(env.base);
    await browser.start();
    await browser.post('login', { email: twoLinks.email, password: PASSWORD });
    const picker = await browser.post('second-factor', { code: env.lastCode('+31633333333') });
    expect(picker.status).toBe(200);
    const text = mainText(picker.html);
    expect(text).toContain('Kies een dossier');
    const exp = env.exports[1]!;
    const children = ['ah-c009', 'ah-c010'].map((id) => exp.clients.find((c) => c.id === id)!);
    for (const child of children) expect(text).toContain(child.name.family);
    expect(text).toMatch(/u bent (ouder|moeder|vader)/);
    expect(text).not.toContain('Patient/');
    expect(text).not.toContain('link-');
    const values = [...picker.html.matchAll(/name="link" value="([^"]+)"/g)].map((m) => m[1]!);
    expect(values).toHaveLength(2);
    const terms = await browser.post('pick', { link: values[1]! });
    expect(mainText(terms.html)).toContain('Stichting Amerhof');
    const token = await browser.token(await browser.follow(await browser.post('terms', { accept: 'yes' })));
    expect(token.status).toBe(200);
    expect(token.body.patient).toBe(secondChild.patient.slice('Patient/'.length));
  });

  it('PAGES-7 (A-14): refusing the terms ends access: access_denied, and a refresh token from before is revoked', async () => {
    const account = await env.account('refuser@example.org', '0677777777', [env.selfBinding(0, 1)]);
    const first = new Browser(env.base);
    await throughSecondFactor(first, account);
    const token = await first.token(await first.follow(await first.post('terms', { accept: 'yes' })));
    expect(token.body.refresh_token).toEqual(expect.any(String));

    const second = new Browser(env.base);
    const terms = await throughSecondFactor(second, account);
    expect(terms.html).toContain('name="accept"');
    const refused = await second.post('terms', { accept: 'no' });
    const callback = await second.follow(refused);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();

    const refresh = await refreshWith(token.body.refresh_token!);
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('invalid_grant');
    const answers = await termsAnswersOf(env.gateway.store, account.id);
    expect(answers.map((a) => a.accepted)).toEqual([true, false]);
    expect(answers[1]).toMatchObject({ accepted: false, termsVersion: '2026-01', clientId: 'app' });
  });

  it('PAGES-13: revokeAccountTokens (a block) ends the sessions and tokens of every link of the account', async () => {
    const account = await env.account('later-blocked@example.org', '0688888888', [env.selfBinding(0, 0)]);
    const browser = new Browser(env.base);
    await throughSecondFactor(browser, account);
    const token = await browser.token(await browser.follow(await browser.post('terms', { accept: 'yes' })));
    expect(token.status).toBe(200);
    expect(await revokeAccountTokens(env.gateway.store, account.id)).toBeGreaterThan(0);
    expect((await refreshWith(token.body.refresh_token!)).body.error).toBe('invalid_grant');
    const rows = await env.gateway.store.query(
      `SELECT model FROM auth_model WHERE payload->>'accountId' LIKE 'link-%' AND payload->>'accountId' = ANY(
         SELECT id FROM account_link WHERE account_id = $1)`,
      [account.id],
    );
    expect(rows).toEqual([]);
  });

  it('PAGES-14: a password hash with old parameters is replaced at login', async () => {
    const account = await env.account('oud-hash@example.org', '0619191919', [env.selfBinding(0, 0)]);
    const old = await hashPassword(PASSWORD, { N: 2 ** 14, r: 8, p: 1 });
    await env.gateway.store.query('UPDATE account SET password_hash = $2 WHERE id = $1', [account.id, old]);
    const browser = new Browser(env.base);
    await browser.start();
    expect((await browser.post('login', { email: account.email, password: PASSWORD })).status).toBe(200);
    const [row] = await env.gateway.store.query<{ password_hash: string }>(
      'SELECT password_hash FROM account WHERE id = $1',
      [account.id],
    );
    expect(row!.password_hash).not.toBe(old);
    expect(row!.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it('PAGES-15: an account registered outside the pages verifies its addresses at login, unless it has TOTP', async () => {
    const register = async (email: string, mobile: string) => {
      const linkCode = await env.issue(env.selfBinding(0, 0));
      const { account } = await env.gateway.store.transaction((tx) =>
        registerAccount(tx, { linkCode, email, mobile, password: PASSWORD, at: new Date() }, SECRET),
      );
      return account.id;
    };
    await register('ongeverifieerd@example.org', '0620202020');
    const browser = new Browser(env.base);
    await browser.start();
    const verify = await browser.post('login', { email: 'ongeverifieerd@example.org', password: PASSWORD });
    expect(mainText(verify.html)).toContain('Bevestig uw e-mailadres');
    const mobile = await browser.post('verify', { code: env.lastCode('ongeverifieerd@example.org') });
    expect(mainText(mobile.html)).toContain('Bevestig uw mobiele nummer');
    const sms = await browser.post('verify', { code: env.lastCode('+31620202020') });
    expect(mainText(sms.html)).toContain('per sms');

    const withTotp = await register('met-totp@example.org', '0621212121');
    const secret = createTotpSecret();
    await env.gateway.store.transaction((tx) => setTotpSecret(tx, withTotp, secret, SECRET));
    const other = new Browser(env.base);
    await other.start();
    const second = await other.post('login', { email: 'met-totp@example.org', password: PASSWORD });
    expect(mainText(second.html)).toContain('authenticator-app');
    expect((await other.post('second-factor', { code: totpCode(secret) })).html).toContain('name="accept"');
  });

  it('PAGES-8: a form without the interaction’s CSRF token is refused with 403', async () => {
    const browser = new Browser(env.base);
    await browser.start();
    browser.csrf = 'forged';
    const forged = await browser.post('login', { email: totpAccount.email, password: PASSWORD });
    expect(forged.status).toBe(403);
    expect(mainText(forged.html)).toContain('Dit formulier is verlopen');
    const other = new Browser(env.base);
    await other.start();
    // The token of another interaction does not fit either.
    browser.csrf = other.csrf;
    expect((await browser.post('login', { email: totpAccount.email, password: PASSWORD })).status).toBe(403);
  });

  it('PAGES-9: five wrong passwords lock the login of that address with 429 and Retry-After, known or not', async () => {
    const locked = await env.account('locked@example.org', '0655555555', [env.selfBinding(0, 4)], true);
    for (const email of [locked.email, 'unknown-person@example.org']) {
      const browser = new Browser(env.base);
      await browser.start();
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        statuses.push(
          (await browser.post('login', { email, password: `wrong password number ${i}` })).status,
        );
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429]);
      const right = await browser.post('login', { email, password: PASSWORD });
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(800);
      expect(mainText(right.html)).toContain('Probeer het opnieuw over 15 minuten.');
    }
  });

  it('PAGES-10: five wrong second-factor codes lock the second factor with 429', async () => {
    const account = await env.account('codes@example.org', '0666666666', [env.selfBinding(1, 0)], true);
    const browser = new Browser(env.base);
    await browser.start();
    await browser.post('login', { email: account.email, password: PASSWORD });
    const right = totpCode(account.totpSecret!);
    const wrong = right === '123456' ? '654321' : '123456';
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await browser.post('second-factor', { code: wrong })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const page = await browser.post('second-factor', { code: right });
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toMatch(/^[0-9]+$/);
  });

  it('PAGES-11: an error of the authorization request is shown in the same layout, Dutch with an English switch', async () => {
    const res = await fetch(
      `${env.base}/auth/authorize?client_id=nobody&response_type=code&redirect_uri=${REDIRECT}`,
    );
    const html = await res.text();
    expect(res.status).toBe(400);
    expect(html).toContain('<html lang="nl">');
    expect(mainText(html)).toContain('Inloggen lukt niet');
    expect(mainText(html)).toContain('Niet voor spoedeisende zaken');
    expect(html).toContain('invalid_client');
    // The switch repeats the request in English.
    expect(html).toContain(`href="/auth/authorize?client_id=nobody&amp;response_type=code&amp;redirect_uri=`);
    expect(html).toMatch(/lang=en" lang="en"/);
    const english = await (
      await fetch(`${env.base}/auth/authorize?client_id=nobody&response_type=code&lang=en`)
    ).text();
    expect(english).toContain('<html lang="en">');
    expect(mainText(english)).toContain('Login failed');
  });

  it('PAGES-12: an unknown or expired interaction gets the "login expired" page', async () => {
    const res = await fetch(`${env.base}/auth/interaction/nonexistent`);
    expect(res.status).toBe(400);
    expect(mainText(await res.text())).toContain('Deze inlogpoging is verlopen of onbekend.');
  });
});
