import { ADMIN_OPERATIONS } from '../../src/admin';
import { compileAll } from '../../src/admin/schemas';
import { findAuditRecords } from '../../src/audit';
import { startConformanceGateway, type ConformanceGateway } from '../smart/support/gateway';
import { backendToken, clientKey, type ClientKey } from '../support/backend-clients';
import { staffLogin } from './support/staff';

/** The admin operations' three ways in share one definition (issue 12, items 1, 9, 10). */
describe('the admin API foundation', () => {
  let gateway: ConformanceGateway;
  let key: ClientKey;

  beforeAll(async () => {
    key = await clientKey('ES384', 'admin-foundation');
    const backend = (id: string, scopes: string) => ({
      id,
      name: id,
      type: 'backend' as const,
      organisation: 'meerzicht',
      scopes,
      jwks: [key.publicJwk] as never,
    });
    gateway = await startConformanceGateway({
      clients: [backend('care-system', 'system/Patient.rs'), backend('broad', 'system/*.rs')],
    });
  }, 120_000);
  afterAll(async () => gateway?.close());

  const adminRecords = async () =>
    (await findAuditRecords(gateway.running.store, { kinds: ['admin'] })).map((r) => r.entry);

  it("ADMIN-SCHEMA-1: every operation's input and output schemas compile (strict ajv), so that none fails at its first call", () => {
    expect(() => compileAll(ADMIN_OPERATIONS)).not.toThrow();
  });

  it('ADMIN-OPENAPI-1: /admin/openapi.json is a valid OpenAPI 3.1 document naming every operation', async () => {
    const res = await fetch(`${gateway.base}/admin/openapi.json`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    expect(document.openapi).toBe('3.1.0');
    // ESM only: loaded the way the suite loads openid-client.
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const validator = new Validator();
    const result = await validator.validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const ids = Object.values(document.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    expect(ids).toEqual(expect.arrayContaining(['whoAmI', 'findClients']));
  });

  it('ADMIN-AUTH-1: a staff session and a Backend Services token with the scope named outright are callers; none, a wildcard: refused', async () => {
    const login = await staffLogin(gateway.running.store, 'support-desk', { name: 'Sam Servicedesk' });
    const me = await fetch(`${gateway.base}/admin/me`, { headers: { cookie: login.cookie } });
    expect(me.status).toBe(200);
    expect(me.headers.get('x-csrf-token')).toEqual(expect.any(String));
    expect(await me.json()).toMatchObject({
      kind: 'staff',
      role: 'support-desk',
      organisationId: 'meerzicht',
    });

    const system = await backendToken(gateway.base, 'care-system', key, 'system/Patient.rs');
    const asSystem = await fetch(`${gateway.base}/admin/me`, {
      headers: { authorization: `Bearer ${system}` },
    });
    expect(asSystem.status).toBe(200);
    expect(await asSystem.json()).toMatchObject({ kind: 'system', clientId: 'care-system' });

    const wildcard = await backendToken(gateway.base, 'broad', key, 'system/*.rs');
    const broad = await fetch(`${gateway.base}/admin/me`, {
      headers: { authorization: `Bearer ${wildcard}` },
    });
    expect(broad.status).toBe(403);
    expect(await broad.json()).toMatchObject({ error: 'ERR_ADMIN_SCOPE' });

    const none = await fetch(`${gateway.base}/admin/me`);
    expect(none.status).toBe(401);
    const ended = await fetch(`${gateway.base}/admin/me`, {
      headers: { cookie: 'inzage_staff=not-a-session' },
    });
    expect(ended.status).toBe(401);
  });

  it('ADMIN-AUDIT-1: every operation is recorded with the staff member, role and outcome; bad input is 400 naming the field', async () => {
    const login = await staffLogin(gateway.running.store, 'functional-administrator', {
      name: 'Fenna Beheer',
    });
    const family = gateway.data.exports.find((e) => e.organisation.id === 'meerzicht')!.clients[0]!.name
      .family;
    const found = await fetch(
      `${gateway.base}/admin/clients?q=${encodeURIComponent(family.slice(1, 5).toUpperCase())}`,
      {
        headers: { cookie: login.cookie },
      },
    );
    expect(found.status).toBe(200);
    const body = (await found.json()) as { clients: { id: string }[] };
    expect(body.clients.length).toBeGreaterThan(0);
    const bad = await fetch(`${gateway.base}/admin/clients?q=x&limit=0`, {
      headers: { cookie: login.cookie },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: 'ERR_ADMIN_INPUT',
      message: expect.stringContaining('limit'),
    });
    const records = (await adminRecords()).filter((e) => e.actor?.account === `staff:${login.staff.id}`);
    expect(records.map((e) => [e.interaction, e.outcome, e.status])).toEqual([
      ['findClients', 'success', 200],
      ['findClients', 'refused', 400],
    ]);
    expect(records[0]).toMatchObject({
      kind: 'admin',
      action: 'R',
      actor: { name: 'Fenna Beheer', role: 'functional-administrator', onBehalfOf: 'Organization/meerzicht' },
      detail: { operation: 'findClients', channel: 'api' },
    });
  });

  it('ADMIN-CONSOLE-1: the console needs a session (else the login), and finds a client in Dutch', async () => {
    const anonymous = await fetch(`${gateway.base}/admin/console`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/admin\/console\/login\?next=/);
    const login = await staffLogin(gateway.running.store, 'support-desk');
    const client = gateway.data.exports.find((e) => e.organisation.id === 'meerzicht')!.clients[0]!;
    const id = gateway.patientOf(client.id).slice('Patient/'.length);
    const page = await fetch(`${gateway.base}/admin/console?q=${id}`, {
      headers: { cookie: login.cookie },
    });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('<html lang="nl">');
    expect(text).toContain('Cliënt zoeken');
    expect(text).toContain(`/admin/console/clients/${id}`);
  });
});
