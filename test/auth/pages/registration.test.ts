// Registration with a link code through the pages (items 4 and 9; A-9, M-14): end to end, the code
// used once, expired codes refused with the same message, an existing address not revealed, a second
// link for an existing account, TOTP encrypted in the table, and the lockout of link-code entry.
import { termsAnswersOf } from '../../../src/auth';
import { Browser, PASSWORD, mainText, startPagesGateway, totpCode, type PagesGateway } from './gateway';

describe('registration with a link code', () => {
  let env: PagesGateway;

  beforeAll(async () => {
    env = await startPagesGateway();
  });

  afterAll(async () => {
    await env?.close();
  });

  async function registerPage(browser: Browser) {
    const login = await browser.start();
    const link = /href="([^"]+\/register)"/.exec(login.html)![1]!;
    const page = await browser.go(link);
    expect(page.status).toBe(200);
    return page;
  }

  const form = (linkCode: string, email: string, mobile: string, password = PASSWORD) => ({
    linkCode,
    email,
    mobile,
    password,
    password2: password,
  });

  it('REG-1 (A-9, M-14): link code, e-mail and mobile verified, TOTP chosen and confirmed, then login to a token', async () => {
    const binding = env.selfBinding(0, 0);
    const code = await env.issue(binding);
    const browser = new Browser(env.base);
    const page = await registerPage(browser);
    expect(mainText(page.html)).toContain('Account maken met een koppelcode');
    for (const name of ['linkCode', 'email', 'mobile', 'password', 'password2', 'csrf']) {
      expect(page.html).toContain(`name="${name}"`);
    }
    const email = 'nieuw@example.org';
    const verifyEmail = await browser.post('register', form(code.toLowerCase(), email, '06 12 34 56 78'));
    expect(verifyEmail.status).toBe(200);
    expect(mainText(verifyEmail.html)).toContain('Bevestig uw e-mailadres');
    // Only the e-mail code so far: the SMS follows once the address is confirmed.
    expect(env.messagesTo('+31612345678')).toHaveLength(0);
    const wrong = await browser.post('verify', {
      code: env.lastCode(email) === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(400);
    expect(mainText(wrong.html)).toContain('De code klopt niet of is verlopen.');
    const verifyMobile = await browser.post('verify', { code: env.lastCode(email) });
    expect(mainText(verifyMobile.html)).toContain('Bevestig uw mobiele nummer');
    expect(mainText(verifyMobile.html)).toContain('78');
    const factor = await browser.post('verify', { code: env.lastCode('+31612345678') });
    expect(mainText(factor.html)).toContain('Kies uw tweede stap');
    const setup = await browser.post('factor', { factor: 'totp' });
    const secret = /<code class="secret">([A-Z2-7]+)<\/code>/.exec(setup.html)?.[1];
    expect(secret).toEqual(expect.stringMatching(/^[A-Z2-7]{32}$/));
    expect(setup.html).toContain('otpauth://totp/');
    const done = await browser.post('totp', { code: totpCode(secret!) });
    expect(done.status).toBe(200);
    expect(mainText(done.html)).toContain('Uw account is klaar.');
    expect(done.html).toContain('name="password"');

    // The secret is encrypted at rest.
    const [row] = await env.gateway.store.query<{ id: string; totp_secret: string }>(
      'SELECT id, totp_secret FROM account WHERE email = $1',
      [email],
    );
    expect(row!.totp_secret).toMatch(/^aes256gcm:/);
    expect(row!.totp_secret).not.toContain(secret!);

    // Back at the login step of the same interaction: password and the next TOTP code.
    const second = await browser.post('login', { email, password: PASSWORD });
    expect(mainText(second.html)).toContain('authenticator-app');
    await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 100));
    const terms = await browser.post('second-factor', { code: totpCode(secret!) });
    expect(terms.html).toContain('name="accept"');
    const token = await browser.token(await browser.follow(await browser.post('terms', { accept: 'yes' })));
    expect(token.status).toBe(200);
    expect(token.body.patient).toBe(binding.patient.slice('Patient/'.length));
    expect(await termsAnswersOf(env.gateway.store, row!.id)).toHaveLength(1);

    // The code was used once: a second registration with it is refused.
    const again = new Browser(env.base);
    await registerPage(again);
    const reuse = await again.post('register', form(code, 'ander@example.org', '0687654321'));
    expect(reuse.status).toBe(400);
    expect(mainText(reuse.html)).toContain('Deze koppelcode is niet (meer) geldig.');
  }, 60_000);

  it('REG-2: an expired, an unknown and a malformed link code get the same message as a used one', async () => {
    const expired = await env.issue(env.selfBinding(0, 1), new Date(Date.now() - 20 * 24 * 3600 * 1000), 1);
    const texts = [];
    for (const code of [expired, 'ZZZZ-ZZZZ-ZZZZ', 'nonsense']) {
      const browser = new Browser(env.base);
      await registerPage(browser);
      const page = await browser.post('register', form(code, 'iemand@example.org', '0611223344'));
      texts.push([page.status, mainText(page.html).replace(code, '<code>')]);
    }
    expect(texts[0]![0]).toBe(400);
    expect(texts[0]![1]).toContain('Deze koppelcode is niet (meer) geldig.');
    expect(texts[1]).toEqual(texts[0]);
    expect(texts[2]).toEqual(texts[0]);
  });

  it('REG-3: an existing address with another password is answered like a new one; its owner gets a notice', async () => {
    const owner = await env.account('bestaand@example.org', '0699999999', [env.selfBinding(0, 1)]);
    const fresh = new Browser(env.base);
    await registerPage(fresh);
    const asNew = await fresh.post(
      'register',
      form(await env.issue(env.selfBinding(0, 0)), 'nog-niet@example.org', '0611111112'),
    );

    const code = await env.issue(env.selfBinding(0, 0));
    const browser = new Browser(env.base);
    await registerPage(browser);
    const before = env.messagesTo(owner.email).length;
    const asExisting = await browser.post(
      'register',
      form(code, owner.email, '0611111113', 'a different long password'),
    );
    expect(asExisting.status).toBe(asNew.status);
    expect(mainText(asExisting.html)).toEqual(mainText(asNew.html));
    const notices = env.messagesTo(owner.email).slice(before);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('al een account');
    expect(notices[0]).not.toMatch(/[0-9]{6}/);
    // No code fits, and the link code was not used: it still registers its rightful holder.
    expect((await browser.post('verify', { code: '123456' })).status).toBe(400);
    const holder = new Browser(env.base);
    await registerPage(holder);
    const ok = await holder.post('register', form(code, 'rechthebbende@example.org', '0611111114'));
    expect(mainText(ok.html)).toContain('Bevestig uw e-mailadres');
    expect(env.messagesTo('rechthebbende@example.org')).toHaveLength(1);
  });

  it('REG-4: an existing account adds a second link with its own password (a parent of two children)', async () => {
    const parent = await env.account('ouder2@example.org', '0612121212', [
      env.relationBinding(1, 'ah-c009', 1),
    ]);
    const code = await env.issue(env.relationBinding(1, 'ah-c010', 0));
    const browser = new Browser(env.base);
    await registerPage(browser);
    const added = await browser.post('register', form(code, parent.email, '0612121212'));
    expect(added.status).toBe(200);
    expect(mainText(added.html)).toContain('De koppeling is aan uw account toegevoegd.');
    await browser.post('login', { email: parent.email, password: PASSWORD });
    const picker = await browser.post('second-factor', { code: env.lastCode(parent.mobile) });
    expect(mainText(picker.html)).toContain('Kies een dossier');
    expect([...picker.html.matchAll(/name="link"/g)]).toHaveLength(2);
  });

  it('REG-5: the registration checks the password repeat and the policy before anything else', async () => {
    const browser = new Browser(env.base);
    await registerPage(browser);
    const code = await env.issue(env.selfBinding(0, 2));
    const differ = await browser.post('register', {
      ...form(code, 'x@example.org', '0611111115'),
      password2: 'other',
    });
    expect(differ.status).toBe(400);
    expect(mainText(differ.html)).toContain('De twee wachtwoorden zijn niet gelijk.');
    const weak = await browser.post('register', form(code, 'x@example.org', '0611111115', 'kort'));
    expect(weak.status).toBe(400);
    expect(mainText(weak.html)).toContain('minstens 12 tekens');
    // The values typed stay (escaped), the passwords do not.
    expect(weak.html).toContain('value="x@example.org"');
    expect(weak.html).not.toContain('value="kort"');
  });

  it('REG-6: ten wrong link codes from one address lock link-code entry with 429', async () => {
    const browser = new Browser(env.base);
    await registerPage(browser);
    let last = 0;
    // REG-1 and REG-2 already counted four failures from this address.
    for (let i = 0; i < 10 && last !== 429; i++) {
      last = (await browser.post('register', form(`WRNG-${i}XXX-XXXX`, 'y@example.org', '0611111116')))
        .status;
    }
    expect(last).toBe(429);
    const code = await env.issue(env.selfBinding(0, 0));
    const page = await browser.post('register', form(code, 'z@example.org', '0611111117'));
    expect(page.status).toBe(429);
    expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(mainText(page.html)).toContain('Te veel pogingen');
  });
});
