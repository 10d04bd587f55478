import { findAuditRecords } from '../../src/audit';
import { registerAccount } from '../../src/auth';
import { ADMIN_OPERATIONS, invokeOperation, type AdminServices } from '../../src/admin';
import { issueLinkCode } from '../../src/admin/operations/onboarding';
import {
  LINK_CODE_SECRET,
  PASSWORD,
  freshEmail,
  startConformanceGateway,
  type ConformanceGateway,
} from '../smart/support/gateway';
import { staffLogin, type StaffLogin } from './support/staff';

/** Onboarding over the admin API (issue 12, item 3): link codes and the administrator. */
describe('onboarding: link codes and the portal administrator', () => {
  let gateway: ConformanceGateway;
  let admin: StaffLogin;
  let desk: StaffLogin;
  let reviewer: StaffLogin;
  let elsewhere: StaffLogin;
  const csrf = new Map<StaffLogin, string>();
  // ah-c010: under 12, two parents with authority; the ECD's registration of one is taken out, so
  // that the organisation has to choose (issue 12, item 8: "two parents with authority and none registered").
  const TWO_PARENTS = 'ah-c010';

  beforeAll(async () => {
    gateway = await startConformanceGateway({
      clients: [],
      adjust: (data) => {
        for (const exp of data.exports)
          exp.portalRegistrations = exp.portalRegistrations.filter((r) => r.clientId !== TWO_PARENTS);
        return data;
      },
    });
    const store = gateway.running.store;
    admin = await staffLogin(store, 'functional-administrator', {
      organisationId: 'amerhof',
      name: 'Fenna Beheer',
    });
    desk = await staffLogin(store, 'support-desk', { organisationId: 'amerhof', name: 'Sam Servicedesk' });
    reviewer = await staffLogin(store, 'privacy-officer', { organisationId: 'amerhof', name: 'Pim Privacy' });
    elsewhere = await staffLogin(store, 'functional-administrator', { organisationId: 'meerzicht' });
    for (const login of [admin, desk, reviewer, elsewhere]) csrf.set(login, await login.csrf(gateway.base));
  }, 120_000);
  afterAll(async () => gateway?.close());

  const idOf = (ref: string) => ref.slice(ref.indexOf('/') + 1);
  const get = (login: StaffLogin, path: string) =>
    fetch(`${gateway.base}/admin${path}`, { headers: { cookie: login.cookie } });
  const post = (login: StaffLogin, path: string, body: unknown) =>
    fetch(`${gateway.base}/admin${path}`, {
      method: 'POST',
      headers: { cookie: login.cookie, 'x-csrf-token': csrf.get(login)!, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const redeem = async (code: string) => {
    return gateway.running.store.transaction((tx) =>
      registerAccount(
        tx,
        {
          linkCode: code,
          email: freshEmail('onboard'),
          mobile: `+3162${String(1_000_000 + Math.floor(Math.random() * 8_999_999))}`,
          password: PASSWORD,
          at: new Date(),
        },
        LINK_CODE_SECRET,
      ),
    );
  };

  it('ADMIN-ONBOARD-1 (A-9): a functional administrator issues a link code for a relation; it is shown once, listed without its value, and registers that person for that client once', async () => {
    const patient = gateway.patientOf('ah-c008');
    const person = gateway.relationOf('ah-c008', 'first-contact-person');
    const res = await post(admin, `/clients/${idOf(patient)}/link-codes`, {
      person,
      reason: 'vragenformulier cliëntportaal ontvangen',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const issued = (await res.json()) as {
      id: string;
      code: string;
      validThrough: string;
      portalUrl: string;
    };
    expect(issued.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(issued.portalUrl).toBe(gateway.base);

    const listed = await get(admin, `/clients/${idOf(patient)}/link-codes`);
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(text).not.toContain(issued.code);
    expect(text).not.toContain(issued.code.replaceAll('-', ''));
    const list = JSON.parse(text) as {
      linkCodes: { id: string; state: string; person: string; issuedByName?: string }[];
    };
    expect(list.linkCodes.find((c) => c.id === issued.id)).toMatchObject({
      state: 'open',
      person,
      issuedByName: 'Fenna Beheer',
    });

    const registration = await redeem(issued.code);
    expect(registration.link).toMatchObject({ patient, person });
    await expect(redeem(issued.code)).rejects.toMatchObject({ code: 'ERR_LINK_CODE_REFUSED' });
    const after = (await (await get(desk, `/clients/${idOf(patient)}/link-codes`)).json()) as typeof list;
    expect(after.linkCodes.find((c) => c.id === issued.id)?.state).toBe('used');

    // Neither the audit trail nor any other table holds the code: only its keyed hash is kept.
    const dump = await gateway.running.store.query<{ t: string }>(
      `SELECT string_agg(a::text, '\n') AS t FROM audit_event a`,
    );
    const codes = await gateway.running.store.query<{ t: string }>(
      `SELECT string_agg(l::text, '\n') AS t FROM link_code l`,
    );
    for (const haystack of [dump[0]!.t, codes[0]!.t]) {
      expect(haystack).not.toContain(issued.code);
      expect(haystack).not.toContain(issued.code.replaceAll('-', ''));
    }
    const records = (await findAuditRecords(gateway.running.store, { kinds: ['admin'] })).map((r) => r.entry);
    expect(records.find((e) => e.interaction === 'issueLinkCode')).toMatchObject({
      action: 'C',
      outcome: 'success',
      patient,
      actor: { name: 'Fenna Beheer', role: 'functional-administrator' },
      detail: { reason: 'vragenformulier cliëntportaal ontvangen' },
    });
  });

  it('ADMIN-ONBOARD-2 (A-9): the support desk issues and revokes; a revoked code is refused at registration, and cannot be revoked twice', async () => {
    const patient = gateway.patientOf('ah-c008');
    const issued = (await (
      await post(desk, `/clients/${idOf(patient)}/link-codes`, { person: patient, reason: 'brief kwijt' })
    ).json()) as { id: string; code: string };
    const revoked = await post(desk, `/clients/${idOf(patient)}/link-codes/${issued.id}/revoke`, {
      reason: 'de brief is zoekgeraakt',
    });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: issued.id, state: 'revoked' });
    await expect(redeem(issued.code)).rejects.toMatchObject({ code: 'ERR_LINK_CODE_REFUSED' });
    const again = await post(desk, `/clients/${idOf(patient)}/link-codes/${issued.id}/revoke`, {
      reason: 'nog eens',
    });
    expect(again.status).toBe(409);
    const list = (await (await get(desk, `/clients/${idOf(patient)}/link-codes`)).json()) as {
      linkCodes: { id: string; state: string; revokedBy?: string }[];
    };
    expect(list.linkCodes.find((c) => c.id === issued.id)).toMatchObject({
      state: 'revoked',
      revokedBy: `staff:${desk.staff.id}`,
    });
  });

  it('ADMIN-ONBOARD-3: the privacy officer may list but not issue; another organisation’s client, a person of another client: 404', async () => {
    const patient = gateway.patientOf('ah-c008');
    const refused = await post(reviewer, `/clients/${idOf(patient)}/link-codes`, {
      person: patient,
      reason: 'probeer',
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'ERR_ADMIN_ROLE' });
    expect((await get(reviewer, `/clients/${idOf(patient)}/link-codes`)).status).toBe(200);

    for (const res of [
      await post(elsewhere, `/clients/${idOf(patient)}/link-codes`, {
        person: patient,
        reason: 'andere organisatie',
      }),
      await get(elsewhere, `/clients/${idOf(patient)}/link-codes`),
      await get(elsewhere, `/clients/${idOf(patient)}/administrator`),
    ]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'ERR_ADMIN_NO_CLIENT' });
    }
    const otherClientsRelation = gateway.relationOf('ah-c005', 'first-contact-person');
    const wrongPerson = await post(admin, `/clients/${idOf(patient)}/link-codes`, {
      person: otherClientsRelation,
      reason: 'verkeerde persoon',
    });
    expect(wrongPerson.status).toBe(404);
    const otherPatient = await post(admin, `/clients/${idOf(patient)}/link-codes`, {
      person: gateway.patientOf('ah-c005'),
      reason: 'verkeerde cliënt',
    });
    expect(otherPatient.status).toBe(404);
  });

  it('ADMIN-ONBOARD-4: without the account secret, issuing is refused plainly (503) and recorded', async () => {
    const recorded: unknown[] = [];
    const services = {
      store: gateway.running.store,
      trail: { record: async (entry: unknown) => void recorded.push(entry) },
      publicUrl: gateway.base,
    } as unknown as AdminServices;
    await expect(
      invokeOperation(issueLinkCode as never, {
        caller: {
          kind: 'staff',
          staffId: admin.staff.id,
          name: 'Fenna Beheer',
          email: admin.staff.email,
          role: 'functional-administrator',
          organisationId: 'amerhof',
          via: 'command',
        },
        services,
        fields: {
          patientId: idOf(gateway.patientOf('ah-c008')),
          person: gateway.patientOf('ah-c008'),
          reason: 'test',
        },
        fromText: true,
        channel: 'command',
      }),
    ).rejects.toMatchObject({ status: 503, code: 'ERR_ADMIN_NO_ACCOUNT_SECRET' });
    expect(recorded).toEqual([expect.objectContaining({ outcome: 'failed', interaction: 'issueLinkCode' })]);
    expect(ADMIN_OPERATIONS.map((o) => o.id)).toEqual(
      expect.arrayContaining(['issueLinkCode', 'listLinkCodes', 'revokeLinkCode', 'appointAdministrator']),
    );
  });

  it('ADMIN-ONBOARD-5 (A-5): a client judged unable: the first contact person becomes administrator only with the client’s recorded agreement, which the next ECD import keeps', async () => {
    const patient = gateway.patientOf('ah-c004');
    const first = gateway.relationOf('ah-c004', 'first-contact-person');
    const before = (await (await get(reviewer, `/clients/${idOf(patient)}/administrator`)).json()) as {
      administrator?: { reference: string };
      basis: { rule: string };
      options: { reference: string; how: string; rule: string }[];
    };
    expect(before.administrator).toBeUndefined();
    expect(before.basis.rule).toBe('A-5');
    expect(before.options).toEqual([
      expect.objectContaining({ reference: first, how: 'agreement', rule: 'A-5' }),
    ]);

    const withoutAgreement = await post(admin, `/clients/${idOf(patient)}/administrator`, {
      person: first,
      reason: 'gesprek met de gedragsdeskundige',
    });
    expect(withoutAgreement.status).toBe(409);
    expect(((await withoutAgreement.json()) as { message: string }).message).toContain('A-5');
    const byDesk = await post(desk, `/clients/${idOf(patient)}/administrator`, {
      person: first,
      clientAgreed: true,
      agreementNote: 'mondeling, 1 december',
      reason: 'servicedesk',
    });
    expect(byDesk.status).toBe(403);

    const appointed = await post(admin, `/clients/${idOf(patient)}/administrator`, {
      person: first,
      clientAgreed: true,
      agreementNote: 'cliënt stemde in tijdens het gesprek met de gedragsdeskundige op 1 december',
      reason: 'cliënt heeft alsnog ingestemd',
    });
    expect(appointed.status).toBe(200);
    expect(await appointed.json()).toMatchObject({
      appointed: first,
      how: 'agreement',
      administrator: { reference: first },
      basis: { rule: 'A-5' },
    });
    const changes = (await findAuditRecords(gateway.running.store, { kinds: ['consent-change'] })).map(
      (r) => r.entry,
    );
    expect(changes.find((e) => e.patient === patient && e.actor?.name === 'Fenna Beheer')).toMatchObject({
      basis: [{ kind: 'rule', ref: 'A-5' }],
      actor: { role: 'functional-administrator', onBehalfOf: 'Organization/amerhof' },
      detail: {
        subject: first,
        reason: expect.stringContaining('gesprek met de gedragsdeskundige op 1 december'),
      },
    });
    // The note is the staff's: it stays out of the Consent, which the portal can show.
    const consents = await gateway.running.store.query<{ t: string }>(
      `SELECT string_agg(content::text, '') AS t FROM fhir_resource WHERE resource_type = 'Consent' AND patient_id = $1`,
      [idOf(patient)],
    );
    expect(consents[0]!.t).toContain('administrator-appointment');
    expect(consents[0]!.t).not.toContain('gedragsdeskundige');

    // The ECD's own refusal (80 days ago) comes again with the next import; the newer yes stands.
    const amerhof = structuredClone(gateway.data.exports.find((e) => e.organisation.id === 'amerhof')!);
    amerhof.portalRegistrations = amerhof.portalRegistrations.filter((r) => r.clientId !== TWO_PARENTS);
    await gateway.importExport(amerhof);
    const after = (await (
      await get(admin, `/clients/${idOf(patient)}/administrator`)
    ).json()) as typeof before;
    expect(after.administrator?.reference).toBe(first);
  });

  it('ADMIN-ONBOARD-6 (A-3, A-8): two parents with authority and none registered: the organisation registers one, the ECD import does not undo it, and it can change it', async () => {
    const patient = gateway.patientOf(TWO_PARENTS);
    const path = `/clients/${idOf(patient)}/administrator`;
    const before = (await (await get(admin, path)).json()) as {
      administrator?: { reference: string };
      basis: { rule: string; text: string };
      options: { reference: string; how: string; role: string }[];
      choice?: { reference: string };
    };
    expect(before.administrator).toBeUndefined();
    expect(before.basis.rule).toBe('A-3');
    expect(before.options).toHaveLength(2);
    expect(before.options.every((o) => o.how === 'registration' && o.role === 'parent')).toBe(true);
    const [one, other] = before.options.map((o) => o.reference) as [string, string];

    const chosen = await post(admin, path, {
      person: one,
      reason: 'beide ouders gesproken; zij kozen samen',
    });
    expect(chosen.status).toBe(200);
    expect(await chosen.json()).toMatchObject({
      appointed: one,
      how: 'registration',
      administrator: { reference: one },
    });
    const again = await post(admin, path, { person: one, reason: 'nog eens' });
    expect(again.status).toBe(409);

    // The ECD export registers a parent again (the original data): the organisation's choice stands.
    await gateway.importExport(gateway.data.exports.find((e) => e.organisation.id === 'amerhof')!);
    const afterImport = (await (await get(admin, path)).json()) as typeof before;
    expect(afterImport.choice?.reference).toBe(one);
    expect(afterImport.administrator?.reference).toBe(one);

    const changed = await post(admin, path, { person: other, reason: 'ouders vroegen om te wisselen' });
    expect(changed.status).toBe(200);
    expect(((await (await get(admin, path)).json()) as typeof before).administrator?.reference).toBe(other);
  });

  it('ADMIN-ONBOARD-7 (A-4, A-6, A-8): where the rules decide alone, an appointment is refused with the rule', async () => {
    const cases: [string, string, string][] = [
      ['ah-c008', gateway.relationOf('ah-c008', 'first-contact-person'), 'A-4'],
      ['ah-c005', gateway.relationOf('ah-c005', 'first-contact-person'), 'A-6'],
      ['ah-c011', gateway.relationOf('ah-c011', 'guardian'), 'A-8'],
    ];
    for (const [client, person, rule] of cases) {
      const res = await post(admin, `/clients/${idOf(gateway.patientOf(client))}/administrator`, {
        person,
        reason: 'probeer een andere beheerder',
      });
      const body = (await res.json()) as { error: string; message: string };
      expect([client, res.status]).toEqual([client, 409]);
      expect([client, body.message]).toEqual([client, expect.stringContaining(rule)]);
    }
    const meerzicht = await staffLogin(gateway.running.store, 'functional-administrator', {
      organisationId: 'meerzicht',
    });
    const mz = gateway.patientOf('mz-c001');
    const res = await fetch(`${gateway.base}/admin/clients/${idOf(mz)}/administrator`, {
      method: 'POST',
      headers: {
        cookie: meerzicht.cookie,
        'x-csrf-token': await meerzicht.csrf(gateway.base),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        person: gateway.relationOf('mz-c001', 'first-contact-person'),
        reason: 'probeer',
      }),
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { message: string }).message).toContain('M-1/M-2');
  });
});
