// The audit records of registration with a link code (issue 11, item 1): a code used (to which
// client and person the new account was linked), a code refused, an existing address (answered like
// a new one on the page, recorded for the reviewer), and the lockout; never the code, the address or
// the password.
import { findAuditRecords, type AuditEntry } from '../../../src/audit';
import { Browser, PASSWORD, startPagesGateway, type PagesGateway } from './gateway';

describe('the audit records of link codes', () => {
  let env: PagesGateway;

  beforeAll(async () => {
    env = await startPagesGateway();
  });

  afterAll(async () => {
    await env?.close();
  });

  async function registration(linkCode: string, email: string, mobile: string, password = PASSWORD) {
    const browser = new Browser(env.base);
    const login = await browser.start();
    await browser.go(/href="([^"]+\/register)"/.exec(login.html)![1]!);
    return browser.post('register', { linkCode, email, mobile, password, password2: password });
  }

  const linkCodeRecords = async (from: Date): Promise<AuditEntry[]> =>
    (await findAuditRecords(env.gateway.store, { kinds: ['link-code'], from })).map((r) => r.entry);

  it('AUDIT-AUTH-9: a link code used is recorded with the account, client and person it linked; refused ones without them', async () => {
    const started = new Date();
    const binding = env.relationBinding(0, env.exports[0]!.relations[0]!.clientId);
    const code = await env.issue(binding);
    const made = await registration(code, 'audit-nieuw@example.org', '0612340001');
    expect(made.status).toBe(200);
    const refused = await registration(code, 'audit-ander@example.org', '0612340002');
    expect(refused.status).toBe(400);

    const [used, again] = await linkCodeRecords(started);
    const [account] = await env.gateway.store.query<{ id: string }>(
      'SELECT id FROM account WHERE email = $1',
      ['audit-nieuw@example.org'],
    );
    expect(used).toMatchObject({
      kind: 'link-code',
      action: 'C',
      outcome: 'success',
      interaction: 'registered',
      clientApp: 'app',
      patient: binding.patient,
      actor: { account: account!.id, person: binding.person, address: expect.any(String) },
      detail: {
        organisation: binding.organisationId,
        account: 'created',
        link: expect.stringMatching(/^link-/),
      },
    });
    expect(again).toMatchObject({
      outcome: 'refused',
      outcomeText: 'ERR_LINK_CODE_REFUSED',
      status: 400,
      interaction: 'register',
    });
    expect(again!.patient).toBeUndefined();
    expect(again!.actor?.account).toBeUndefined();
    const text = JSON.stringify([used, again]);
    for (const secret of [code, PASSWORD, 'audit-nieuw@example.org', 'audit-ander@example.org'])
      expect(text).not.toContain(secret);
  });

  it('AUDIT-AUTH-10: an existing address is refused in the record (not on the page), and the lockout is recorded', async () => {
    const owner = await env.account('audit-bestaand@example.org', '0612340003', [env.selfBinding(0, 2)]);
    const started = new Date();
    const page = await registration(
      await env.issue(env.selfBinding(0, 3)),
      owner.email,
      '0612340004',
      'a different long password',
    );
    expect(page.status).toBe(200);
    const [existing] = await linkCodeRecords(started);
    expect(existing).toMatchObject({ outcome: 'refused', outcomeText: 'ERR_ACCOUNT_EXISTS', status: 200 });
    expect(existing!.actor?.account).toBeUndefined();

    // Ten wrong codes from one address lock link-code entry.
    const lockStart = new Date();
    let last = 0;
    for (let i = 0; i < 11; i++)
      last = (await registration('ZZZZ-ZZZZ-ZZZZ', 'x@example.org', '0612340005')).status;
    expect(last).toBe(429);
    const entries = await linkCodeRecords(lockStart);
    expect(entries.slice(-2).map((e) => `${e.status} ${e.outcomeText}`)).toEqual([
      '429 ERR_TOO_MANY_ATTEMPTS',
      '429 ERR_TOO_MANY_ATTEMPTS',
    ]);
  });
});
