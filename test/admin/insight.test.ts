import { join } from 'node:path';
import { addDays, addYears, startOfDutchDay, todayInAmsterdam } from '../../src/calendar';
import { findAuditRecords } from '../../src/audit';
import { patientId } from '../../src/ecd';
import {
  accessTimeline,
  clientAccess,
  needsDecision,
  type AccessTimeline,
  type ClientAccess,
  type ClientAuditLog,
  type NeedsDecision,
} from '../../src/admin/operations/insight';
import { PORTAL_SECTIONS } from '../../src/vocabulary';
import { freshEmail, startConformanceGateway, type ConformanceGateway } from '../smart/support/gateway';
import { backendToken, clientKey, type ClientKey } from '../support/backend-clients';
import { describeBrowser, launchChromium } from '../support/browser';
import { staffLogin, type StaffLogin } from './support/staff';

const AXE = join(__dirname, '../../node_modules/axe-core/axe.min.js');

/** Seeing why (issue 12, item 8): access now and why, the coming changes, what needs a decision. */
describe('seeing why: client access, the access timeline and what needs a decision', () => {
  let gateway: ConformanceGateway;
  let key: ClientKey;
  let amerhof: StaffLogin;
  let reviewer: StaffLogin;
  let meerzicht: StaffLogin;
  const today = todayInAmsterdam();
  const turns12Soon = addDays(today, 30);
  let ids: {
    turns12Tomorrow: string;
    turnsTwelveSoon: string;
    unassessedMinor: string;
    twoParentsNoneRegistered: string;
    incapableRefused: string;
    careEndedYesterday: string;
    minorRefused: string;
    financial: string;
  };

  const id = (clientId: string) => patientId('amerhof', clientId);

  beforeAll(async () => {
    key = await clientKey('ES384', 'admin-insight');
    gateway = await startConformanceGateway({
      clients: [
        {
          id: 'amerhof-ecd',
          name: 'amerhof-ecd',
          type: 'backend',
          organisation: 'amerhof',
          scopes: 'system/Patient.rs',
          jwks: [key.publicJwk] as never,
        },
      ],
      adjust(data) {
        const s = data.scenarios;
        const exp = data.exports.find((e) => e.organisation.id === 'amerhof')!;
        const client = (clientId: string) => exp.clients.find((c) => c.id === clientId)!;
        // A child of 11 turning 12 in 30 days, judged able: the parents lose the administration then.
        const [sibling1, sibling2] = s.siblingsSharedParent;
        client(sibling1).birthDate = addYears(turns12Soon, -12);
        client(sibling1).administratorCapacity = {
          capable: true,
          assessedOn: addDays(data.today, -5),
          assessorRole: 'behavioural-expert',
        };
        // A minor of 12-15 without a capacity assessment.
        delete client(s.minorCapableParentalAccessAgreed).administratorCapacity;
        // Two parents with authority, neither registered as administrator.
        exp.portalRegistrations = exp.portalRegistrations.filter(
          (r) => !(r.clientId === sibling2 && r.requestedRole === 'administrator'),
        );
        return data;
      },
    });
    const s = gateway.data.scenarios;
    ids = {
      turns12Tomorrow: id(s.turns12Tomorrow),
      turnsTwelveSoon: id(s.siblingsSharedParent[0]),
      unassessedMinor: id(s.minorCapableParentalAccessAgreed),
      twoParentsNoneRegistered: id(s.siblingsSharedParent[1]),
      incapableRefused: id(s.incapableRefused),
      careEndedYesterday: id(s.careEndedYesterday),
      minorRefused: id(s.minorCapableParentalAccessRefused),
      financial: id(s.withFinancialAdministrator),
    };
    amerhof = await staffLogin(gateway.running.store, 'support-desk', { organisationId: 'amerhof' });
    reviewer = await staffLogin(gateway.running.store, 'privacy-officer', { organisationId: 'amerhof' });
    meerzicht = await staffLogin(gateway.running.store, 'functional-administrator');
  }, 120_000);
  afterAll(async () => gateway?.close());

  const get = async <T>(login: StaffLogin, path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${gateway.base}/admin${path}`, { headers: { cookie: login.cookie } });
    return { status: res.status, body: (await res.json()) as T };
  };

  it('ADMIN-INSIGHT-1: A-8: clientAccess lists the client and every relation, allowed or not, with the sections and the rule that decided', async () => {
    const { status, body } = await get<ClientAccess>(reviewer, `/clients/${ids.minorRefused}/access`);
    expect(status).toBe(200);
    expect(body.preset).toBe('amerpoort');
    expect(body.portalOpen).toBe(true);
    expect(body.administrator).toBe(`Patient/${ids.minorRefused}`);
    const client = body.people.find((p) => p.reference === `Patient/${ids.minorRefused}`)!;
    expect(client).toMatchObject({ relation: 'client', allowed: true, accessRole: 'administrator' });
    expect(client.sections).toEqual([...PORTAL_SECTIONS]);
    const parents = body.people.filter((p) => p.relation === 'parent');
    expect(parents).toHaveLength(2);
    for (const parent of parents) {
      expect(parent).toMatchObject({ allowed: false, sections: [], parentalAuthority: true });
      expect(parent.basis).toContainEqual(expect.objectContaining({ kind: 'rule', rule: 'A-8' }));
      expect(parent.explanation).toMatch(/^DENY/);
    }
    // The child refused one parent (recorded), the other has no consent on record.
    const texts = parents.map((p) => p.basis.filter((b) => b.rule === 'A-8').at(-1)!.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/refused on/),
        expect.stringMatching(/none is on record/),
      ]),
    );
  });

  it('ADMIN-INSIGHT-2: A-6: a financial administrator is listed and refused by rule; account links are shown', async () => {
    const s = gateway.data.scenarios;
    const person = await gateway.register(
      freshEmail('insight'),
      gateway.patientOf(s.withFinancialAdministrator),
    );
    const { body } = await get<ClientAccess>(amerhof, `/clients/${ids.financial}/access`);
    const bewindvoerder = body.people.find((p) => p.relation === 'financial-administrator')!;
    expect(bewindvoerder).toMatchObject({ allowed: false, accessRole: 'none' });
    expect(bewindvoerder.basis.at(-1)).toMatchObject({ rule: 'A-6' });
    const client = body.people.find((p) => p.relation === 'client')!;
    expect(client.accounts).toEqual([
      { linkId: person.linkId, accountId: person.accountId, linkedAt: expect.any(String) },
    ]);
    expect(client.basis.map((b) => b.rule)).toContain('A-4');
  });

  it('ADMIN-INSIGHT-3: A-8: the timeline shows the parent losing access on the 12th birthday of a child judged able', async () => {
    const { status, body } = await get<AccessTimeline>(
      amerhof,
      `/clients/${ids.turnsTwelveSoon}/access-timeline`,
    );
    expect(status).toBe(200);
    const birthday = body.changes.find((c) => c.causes.some((x) => x.kind === 'birthday'))!;
    expect(birthday.day).toBe(turns12Soon);
    expect(birthday.at).toBe(startOfDutchDay(turns12Soon).toISOString());
    expect(birthday.causes).toContainEqual(
      expect.objectContaining({ kind: 'birthday', age: 12, rule: 'A-8' }),
    );
    const parents = birthday.people.filter((p) => p.relation === 'parent');
    expect(parents.length).toBe(2);
    const administrator = parents.find((p) => p.before.accessRole === 'administrator')!;
    expect(administrator.losses).toEqual([...PORTAL_SECTIONS]);
    // A parent is a relation the administrator may admit (a delegate), but nobody admitted them yet.
    expect(administrator.after).toEqual({ allowed: false, accessRole: 'delegate', sections: [] });
    expect(administrator.summary).toBe(
      `the parent loses access to all sections (${PORTAL_SECTIONS.join(', ')})`,
    );
    expect(administrator.basis).toContainEqual(expect.objectContaining({ rule: 'A-8' }));
    // The other parent saw what the administrator granted; from the birthday the child grants.
    const other = parents.find((p) => p !== administrator)!;
    expect(other.losses).toEqual(['reports', 'appointments', 'measurements']);
    const child = birthday.people.find((p) => p.relation === 'client')!;
    expect(child.after.accessRole).toBe('administrator');
    // Only what lies inside the window: 20 days ahead sees nothing yet.
    const near = await get<AccessTimeline>(
      amerhof,
      `/clients/${ids.turnsTwelveSoon}/access-timeline?days=20`,
    );
    expect(near.body.changes.filter((c) => c.causes.some((x) => x.kind === 'birthday'))).toEqual([]);
  });

  it('ADMIN-INSIGHT-4: A-8 and A-11: tomorrow the sandbox child turns 12 and the ended care closes its portal after two grace days', async () => {
    const tomorrow = addDays(today, 1);
    const birthday = await get<AccessTimeline>(
      amerhof,
      `/clients/${ids.turns12Tomorrow}/access-timeline?days=30`,
    );
    expect(birthday.body.changes[0]).toMatchObject({ day: tomorrow });
    expect(
      birthday.body.changes[0]!.people.find((p) => p.before.accessRole === 'administrator'),
    ).toMatchObject({
      relation: 'parent',
      after: { allowed: false },
    });
    const closing = await get<AccessTimeline>(amerhof, `/clients/${ids.careEndedYesterday}/access-timeline`);
    expect(closing.body.changes).toHaveLength(1);
    const [change] = closing.body.changes;
    expect(change!.day).toBe(tomorrow);
    expect(change!.causes).toEqual([
      expect.objectContaining({ kind: 'portal-closes', rule: 'A-11', date: addDays(today, -1) }),
    ]);
    expect(change!.people.map((p) => [p.relation, p.after.allowed])).toEqual(
      expect.arrayContaining([
        ['client', false],
        ['first-contact-person', false],
      ]),
    );
  });

  it('ADMIN-INSIGHT-5: needsDecision finds the minor without assessment (A-8), the two parents none registered (A-3), the refused first contact (A-5); only its own organisation', async () => {
    const { status, body } = await get<NeedsDecision>(amerhof, '/decisions');
    expect(status).toBe(200);
    expect(body.organisationId).toBe('amerhof');
    expect(body.checked).toBeGreaterThan(10);
    const of = (patient: string) =>
      body.items.filter((i) => i.patientId === patient).map((i) => [i.kind, i.rule]);
    expect(of(ids.unassessedMinor)).toEqual([['capacity-assessment', 'A-8']]);
    expect(of(ids.twoParentsNoneRegistered)).toEqual([['two-parents-none-registered', 'A-3']]);
    const parents = body.items.find((i) => i.patientId === ids.twoParentsNoneRegistered)!;
    expect(parents.candidates.map((c) => c.relation)).toEqual([
      'parent with authority',
      'parent with authority',
    ]);
    expect(parents.because).toMatch(/2 parents with authority/);
    expect(of(ids.incapableRefused)).toEqual([['no-administrator', 'A-5']]);
    // A closed portal (care ended) needs no decision; a child with a registered parent neither.
    expect(of(ids.careEndedYesterday)).toEqual([]);
    expect(of(ids.turnsTwelveSoon)).toEqual([]);
    expect(body.items.every((i) => i.patientId.startsWith('amerhof-'))).toBe(true);

    const other = await get<NeedsDecision>(meerzicht, '/decisions');
    expect(other.body.organisationId).toBe('meerzicht');
    expect(other.body.items.every((i) => i.patientId.startsWith('meerzicht-'))).toBe(true);
    const limited = await get<NeedsDecision>(amerhof, '/decisions?limit=1');
    expect(limited.body).toMatchObject({ truncated: true, items: [expect.any(Object)] });
  });

  it("ADMIN-INSIGHT-6: another organisation's client is the same 404 as none; a system with system/Patient.rs reads; every read is in the audit trail", async () => {
    for (const path of [
      `/clients/${ids.minorRefused}/access`,
      `/clients/${ids.minorRefused}/access-timeline`,
    ]) {
      const res = await get<{ error: string }>(meerzicht, path);
      expect([path, res.status, res.body.error]).toEqual([path, 404, 'ERR_ADMIN_NO_CLIENT']);
    }
    const missing = await get<{ error: string }>(amerhof, '/clients/amerhof-nobody/access');
    expect([missing.status, missing.body.error]).toEqual([404, 'ERR_ADMIN_NO_CLIENT']);
    const token = await backendToken(gateway.base, 'amerhof-ecd', key, 'system/Patient.rs');
    const system = await fetch(`${gateway.base}/admin/clients/${ids.minorRefused}/access`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(system.status).toBe(200);
    const records = (await findAuditRecords(gateway.running.store, { kinds: ['admin'] }))
      .map((r) => r.entry)
      .filter((e) => e.interaction === 'clientAccess' && e.patient === `Patient/${ids.minorRefused}`);
    expect(records.map((e) => [e.outcome, e.status])).toEqual(
      expect.arrayContaining([
        ['success', 200],
        ['refused', 404],
      ]),
    );
  });

  it('ADMIN-INSIGHT-7: the console client page shows details, the access table with reasons and the timeline, in Dutch and in English, with the links to the other pages', async () => {
    const page = async (path: string) => {
      const res = await fetch(`${gateway.base}/admin/console${path}`, {
        headers: { cookie: amerhof.cookie },
      });
      return { status: res.status, text: await res.text() };
    };
    const nl = await page(`/clients/${ids.turnsTwelveSoon}`);
    expect(nl.status).toBe(200);
    expect(nl.text).toContain('<html lang="nl">');
    expect(nl.text).toContain('Wie heeft toegang, en waarom');
    expect(nl.text).toContain('<th scope="col">Onderdelen</th>');
    expect(nl.text).toContain('Portaalbeheerder: ziet alles');
    expect(nl.text).toContain('De cliënt wordt 12');
    expect(nl.text).toContain('verliest de toegang tot alle onderdelen');
    for (const link of ['access', 'link-codes', 'administrator'])
      expect(nl.text).toContain(`href="/admin/console/clients/${ids.turnsTwelveSoon}/${link}"`);
    const en = await page(`/clients/${ids.turnsTwelveSoon}?lang=en`);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Who has access, and why');
    expect(en.text).toContain('The client turns 12');
    expect(en.text).toContain('loses access to all sections');
    // A Meerlanden client: the legal representative counts as the client (M-1).
    const mentor = patientId('meerzicht', gateway.data.scenarios.withMentorElderlyCare);
    const elderly = await fetch(`${gateway.base}/admin/console/clients/${mentor}`, {
      headers: { cookie: meerzicht.cookie },
    });
    expect(elderly.status).toBe(200);
    const elderlyText = await elderly.text();
    expect(elderlyText).toContain('Wettelijk vertegenwoordiger: telt als de cliënt en ziet alles (M-1)');
    const foreign = await fetch(`${gateway.base}/admin/console/clients/${ids.turnsTwelveSoon}`, {
      headers: { cookie: meerzicht.cookie },
    });
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain('Wie heeft toegang');
  });

  it('ADMIN-INSIGHT-8: the console lists what needs a decision, linked to each client, under "Te beslissen"', async () => {
    const res = await fetch(`${gateway.base}/admin/console/decisions`, {
      headers: { cookie: reviewer.cookie },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('aria-current="page"');
    expect(text).toContain('Te beslissen');
    expect(text).toContain(`href="/admin/console/clients/${ids.twoParentsNoneRegistered}"`);
    expect(text).toContain('Twee ouders met gezag');
    expect(text).toContain('A-5');
    const en = await (
      await fetch(`${gateway.base}/admin/console/decisions?lang=en`, { headers: { cookie: reviewer.cookie } })
    ).text();
    expect(en).toContain('Needs a decision');
    expect(en).toContain('Assess whether the client');
  });

  it("ADMIN-INSIGHT-10: A-7: the privacy officer reads a client's audit records, newest first, in the API and the console; another organisation's client is 404", async () => {
    const { status, body } = await get<ClientAuditLog>(
      reviewer,
      `/clients/${ids.minorRefused}/audit?kind=admin`,
    );
    expect(status).toBe(200);
    expect(body.total).toBeGreaterThanOrEqual(2);
    expect(body.records.every((r) => r.kind === 'admin')).toBe(true);
    const times = body.records.map((r) => r.recorded);
    expect([...times].sort().reverse()).toEqual(times);
    expect(
      body.records.find((r) => r.interaction === 'clientAccess' && r.actor.role === 'privacy-officer'),
    ).toMatchObject({
      outcome: 'success',
      actor: { role: 'privacy-officer', onBehalfOf: 'Organization/amerhof' },
      auditEvent: { resourceType: 'AuditEvent' },
    });
    const foreign = await get<{ error: string }>(meerzicht, `/clients/${ids.minorRefused}/audit`);
    expect([foreign.status, foreign.body.error]).toEqual([404, 'ERR_ADMIN_NO_CLIENT']);
    const token = await backendToken(gateway.base, 'amerhof-ecd', key, 'system/Patient.rs');
    const system = await fetch(`${gateway.base}/admin/clients/${ids.minorRefused}/audit`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(system.status).toBe(403);

    const page = await fetch(`${gateway.base}/admin/console/audit?patientId=${ids.minorRefused}`, {
      headers: { cookie: reviewer.cookie },
    });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('Auditlog van een cliënt');
    expect(text).toContain('clientAccess');
    expect(text).toContain('privacy-officer');
    const client = await (
      await fetch(`${gateway.base}/admin/console/clients/${ids.minorRefused}`, {
        headers: { cookie: reviewer.cookie },
      })
    ).text();
    expect(client).toContain(`href="/admin/console/audit?patientId=${ids.minorRefused}"`);
  });

  it('ADMIN-INSIGHT-11: `inzage admin clients timeline|access|decisions` print the dates, the rules and the explanations', async () => {
    const timeline = await get<AccessTimeline>(amerhof, `/clients/${ids.turnsTwelveSoon}/access-timeline`);
    const printed = accessTimeline.command!.print!(timeline.body);
    expect(printed).toContain(`${turns12Soon}  A-8: the client turns 12`);
    expect(printed).toMatch(/RelatedPerson\/\S+ \(.+\): the parent loses access to all sections/);
    const access = await get<ClientAccess>(amerhof, `/clients/${ids.minorRefused}/access`);
    expect(clientAccess.command!.print!(access.body)).toMatch(/DENY {2}RelatedPerson\/[\s\S]*rule A-8/);
    const decisions = await get<NeedsDecision>(amerhof, '/decisions');
    expect(needsDecision.command!.print!(decisions.body)).toContain(`${ids.incapableRefused}\t`);
  });

  describeBrowser('in Chromium', () => {
    it('ADMIN-INSIGHT-9: the client, decisions and audit pages have no WCAG 2.1 AA violations (axe-core), in Dutch and English', async () => {
      const chromium = await launchChromium();
      try {
        const context = await chromium.newContext({ bypassCSP: true });
        const [name, value] = reviewer.cookie.split('=') as [string, string];
        await context.addCookies([{ name, value, url: gateway.base }]);
        const page = await context.newPage();
        for (const path of [
          `/clients/${ids.turnsTwelveSoon}`,
          `/clients/${ids.financial}`,
          '/decisions',
          `/audit?patientId=${ids.minorRefused}`,
        ])
          for (const lang of ['nl', 'en'] as const) {
            await page.goto(
              `${gateway.base}/admin/console${path}${path.includes('?') ? '&' : '?'}lang=${lang}`,
            );
            expect(await page.getAttribute('html', 'lang')).toBe(lang);
            await page.addScriptTag({ path: AXE });
            const violations = await page.evaluate(async () => {
              const scope = globalThis as unknown as {
                axe: {
                  run: (context: unknown, options: unknown) => Promise<{ violations: { id: string }[] }>;
                };
                document: unknown;
              };
              const result = await scope.axe.run(scope.document, {
                runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
              });
              return result.violations.map((v) => v.id);
            });
            expect([path, lang, violations]).toEqual([path, lang, []]);
          }
      } finally {
        await chromium.close();
      }
    }, 60_000);
  });
});
