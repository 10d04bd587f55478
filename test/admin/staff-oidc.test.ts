import { findAuditRecords } from '../../src/audit';
import { createStaffAccount, sealStaffTotp } from '../../src/admin';
import { createTotpSecret, totpCode } from '../../src/auth';
import { Browser, locationOf } from '../smart/support/browser';
import { LINK_CODE_SECRET, startConformanceGateway, type ConformanceGateway } from '../smart/support/gateway';
import { csrfOf } from './support/browser';
import { StaffIdp } from './support/idp';

/** The console's login through the organisation's own OpenID Connect provider (issue 12, item 1). */
describe("the staff login through the organisation's identity provider", () => {
  const idp = new StaffIdp();
  let gateway: ConformanceGateway;

  beforeAll(async () => {
    await idp.listen();
    gateway = await startConformanceGateway({
      clients: [],
      config: {
        admin: {
          identityProviders: [
            {
              id: 'meerzicht-staff',
              name: 'Meerzicht-account',
              organisation: 'meerzicht',
              issuer: idp.issuer,
              clientId: 'inzage-console',
              mfa: 'amr',
            },
          ],
        },
      },
    });
    await idp.start(`${gateway.base}/admin/console/login/oidc/meerzicht-staff/callback`);
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await idp.close();
  });

  /** From the console's button to the answer after the provider's callback. */
  async function viaProvider(browser: Browser, sub: string, options: { mfa?: boolean; next?: string } = {}) {
    const login = await (await browser.go(`${gateway.base}/admin/console/login`)).text();
    expect(login).toContain('Inloggen met Meerzicht-account');
    let url = `${gateway.base}/admin/console/login/oidc/meerzicht-staff${options.next ? `?next=${encodeURIComponent(options.next)}` : ''}`;
    for (let i = 0; i < 12; i += 1) {
      const target = new URL(url);
      if (target.origin === idp.issuer && target.pathname.startsWith('/interaction/')) {
        target.searchParams.set('sub', sub);
        if (options.mfa) target.searchParams.set('mfa', '1');
      }
      const res = await browser.go(target.href);
      if (target.pathname.endsWith('/callback')) return res;
      const next = locationOf(res, target.href);
      if (!next) throw new Error(`no redirect from ${target.href} (${res.status}): ${await res.text()}`);
      url = next;
    }
    throw new Error('too many redirects');
  }

  it('ADMIN-STAFF-11: the first login finds the staff account by the verified e-mail and links the identity; without mfa in amr the TOTP code is asked next; with it the console opens at once', async () => {
    const secret = createTotpSecret();
    const staff = await createStaffAccount(gateway.running.store, {
      organisationId: 'meerzicht',
      email: 'fenna@meerzicht.example.org',
      name: 'Fenna Federatie',
      role: 'functional-administrator',
      totpSecret: sealStaffTotp(secret, LINK_CODE_SECRET),
      createdBy: 'test',
    });
    idp.people.set('fenna-sub', { email: 'Fenna@Meerzicht.example.org', verified: true });

    const browser = new Browser();
    const callback = await viaProvider(browser, 'fenna-sub', { next: '/admin/console/?q=x' });
    expect(callback.status).toBe(303);
    const codeUrl = locationOf(callback, gateway.base)!;
    expect(codeUrl).toBe(
      `${gateway.base}/admin/console/login/code?next=${encodeURIComponent('/admin/console/?q=x')}`,
    );
    const page = await (await browser.go(codeUrl)).text();
    const done = await browser.post(`${gateway.base}/admin/console/login/code`, {
      _csrf: csrfOf(page),
      code: totpCode(secret),
      next: '/admin/console/?q=x',
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/admin/console/?q=x');
    expect((await browser.go(`${gateway.base}/admin/me`)).status).toBe(200);
    const [row] = await gateway.running.store.query<{ oidc_issuer: string; oidc_subject: string }>(
      'SELECT oidc_issuer, oidc_subject FROM staff_account WHERE id = $1',
      [staff.id],
    );
    expect(row).toEqual({ oidc_issuer: idp.issuer, oidc_subject: 'fenna-sub' });

    // Next time, by the linked identity even when the e-mail claim changed; with mfa in amr.
    idp.people.set('fenna-sub', { email: 'iets-anders@example.org', verified: false });
    const again = new Browser();
    const direct = await viaProvider(again, 'fenna-sub', { mfa: true });
    expect(direct.status).toBe(303);
    expect(direct.headers.get('location')).toBe('/admin/console');
    const me = await again.go(`${gateway.base}/admin/me`);
    expect(await me.json()).toMatchObject({ staffId: staff.id });

    const records = (await findAuditRecords(gateway.running.store, { kinds: ['login'] }))
      .map((r) => r.entry)
      .filter((e) => e.actor?.account === `staff:${staff.id}` && e.interaction === 'federated');
    expect(records.map((e) => e.outcome)).toEqual(['success', 'success']);
  });

  it('ADMIN-STAFF-12: an unverified e-mail, a staff member of another organisation, a blocked account and a forged callback get no session', async () => {
    await createStaffAccount(gateway.running.store, {
      organisationId: 'meerzicht',
      email: 'onbevestigd@meerzicht.example.org',
      name: 'Onbevestigd',
      role: 'support-desk',
      createdBy: 'test',
    });
    idp.people.set('unverified', { email: 'onbevestigd@meerzicht.example.org', verified: false });
    const b1 = new Browser();
    expect((await viaProvider(b1, 'unverified')).status).toBe(403);
    expect((await b1.go(`${gateway.base}/admin/me`)).status).toBe(401);

    await createStaffAccount(gateway.running.store, {
      organisationId: 'amerhof',
      email: 'amerhof@amerhof.example.org',
      name: 'Amerhof',
      role: 'functional-administrator',
      createdBy: 'test',
    });
    idp.people.set('other-org', { email: 'amerhof@amerhof.example.org', verified: true });
    expect((await viaProvider(new Browser(), 'other-org', { mfa: true })).status).toBe(403);

    const blocked = await createStaffAccount(gateway.running.store, {
      organisationId: 'meerzicht',
      email: 'geblokkeerd@meerzicht.example.org',
      name: 'Geblokkeerd',
      role: 'support-desk',
      createdBy: 'test',
    });
    await gateway.running.store.query('UPDATE staff_account SET blocked_at = now() WHERE id = $1', [
      blocked.id,
    ]);
    idp.people.set('blocked', { email: 'geblokkeerd@meerzicht.example.org', verified: true });
    expect((await viaProvider(new Browser(), 'blocked', { mfa: true })).status).toBe(403);

    // A callback without this browser's pending login (another browser's code and state).
    const forged = await new Browser().go(
      `${gateway.base}/admin/console/login/oidc/meerzicht-staff/callback?code=abc&state=def`,
    );
    expect(forged.status).toBe(400);
  });
});
