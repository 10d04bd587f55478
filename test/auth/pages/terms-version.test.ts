// the terms are asked at every login, and a new version configured for the
// organisation is what the next login shows and records. Two gateways on one PGlite directory,
// the second with a new terms version, stand for a configuration change.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { termsAnswersOf } from '../../../src/auth';
import {
  Browser,
  PASSWORD,
  mainText,
  startPagesGateway,
  type PagesGateway,
  type TestAccount,
} from './gateway';

describe('the terms version', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'inzage-terms-')), 'db');
  let env: PagesGateway | undefined;

  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  async function login(gateway: PagesGateway, account: TestAccount) {
    const browser = new Browser(gateway.base);
    await browser.start();
    await browser.post('login', { email: account.email, password: PASSWORD });
    const terms = await browser.post('second-factor', { code: gateway.lastCode(account.mobile) });
    const callback = await browser.follow(await browser.post('terms', { accept: 'yes' }));
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
    return terms;
  }

  it('TERMS-1 (M-12, A-14, A-15): every login asks and records; a new version is asked at the next login', async () => {
    env = await startPagesGateway({ dataDir });
    const account = await env.account('voorwaarden@example.org', '0613131313', [env.selfBinding(0, 0)]);
    const first = await login(env, account);
    expect(mainText(first.html)).toContain('Versie: 2026-01');
    // Accepted before, asked again (A-14: logging in is accepting the current version, every time).
    await login(env, account);
    await env.close();

    env = await startPagesGateway({
      dataDir,
      importData: false,
      termsVersion: '2026-07',
      termsUrl: 'https://www.meerzicht.example.org/voorwaarden?versie=2026-07',
    });
    const third = await login(env, account);
    expect(mainText(third.html)).toContain('Versie: 2026-07');
    expect(third.html).toContain('href="https://www.meerzicht.example.org/voorwaarden?versie=2026-07"');
    const answers = await termsAnswersOf(env.gateway.store, account.id);
    expect(answers.map((a) => [a.termsVersion, a.accepted])).toEqual([
      ['2026-01', true],
      ['2026-01', true],
      ['2026-07', true],
    ]);
    for (const a of answers) {
      expect(a).toMatchObject({ accountId: account.id, clientId: 'app', organisationId: 'meerzicht' });
      expect(a.shownAt.getTime()).toBeLessThanOrEqual(a.answeredAt.getTime());
    }
  }, 90_000);
});
