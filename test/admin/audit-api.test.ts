import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { authoriseAuditReader } from '../../src/admin';
import { findAuditRecords, type AuditRecord } from '../../src/audit';
import { entry } from '../audit/chain-fixtures';
import { backendToken, clientKey, type ClientKey } from '../support/backend-clients';
import { startConformanceGateway, type ConformanceGateway } from '../smart/support/gateway';

/**
 * The admin API for staff and reviewers (issue 11, item 4): a real gateway, real backend clients
 * with Backend Services tokens, and the records of the admin reads themselves.
 */
describe('the admin API of the audit trail', () => {
  let gateway: ConformanceGateway;
  let key: ClientKey;
  let token: string;
  let written: AuditRecord[];
  const PATIENT = 'meerzicht-mz-c021';

  const get = async (path: string, bearer: string | null = token) => {
    const res = await fetch(`${gateway.base}${path}`, {
      headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` },
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const adminRecords = async () =>
    (await findAuditRecords(gateway.running.store, { kinds: ['admin'] })).map((r) => r.entry);

  beforeAll(async () => {
    key = await clientKey('ES384', 'reviewer-1');
    const backend = (id: string, scopes: string) => ({
      id,
      name: id,
      type: 'backend' as const,
      organisation: 'meerzicht',
      scopes,
      jwks: [key.publicJwk] as never,
    });
    gateway = await startConformanceGateway({
      clients: [
        backend('reviewer', 'system/AuditEvent.rs system/AuditEvent.read'),
        backend('ecd-broad', 'system/*.rs system/Patient.rs'),
      ],
    });
    token = await backendToken(gateway.base, 'reviewer', key, 'system/AuditEvent.rs');
    written = [];
    for (let i = 0; i < 5; i++) written.push(await gateway.running.audit.record(entry(100 + i, PATIENT)));
  }, 120_000);
  afterAll(async () => gateway?.close());

  it('AUDIT-ADMIN-1: no token or a bad one: 401; a token without system/AuditEvent.rs (also system/*.rs): 403; each refusal recorded', async () => {
    const none = await get('/admin/audit/AuditEvent', null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(JSON.parse(none.text)).toMatchObject({ error: 'ERR_NO_TOKEN', requestId: expect.any(String) });
    expect((await get('/admin/audit/verify', 'not-a-token')).status).toBe(401);

    const patientOnly = await backendToken(gateway.base, 'ecd-broad', key, 'system/Patient.rs');
    const wildcard = await backendToken(gateway.base, 'ecd-broad', key, 'system/*.rs');
    for (const other of [patientOnly, wildcard]) {
      const refused = await get(`/admin/audit/AuditEvent?patient=Patient/${PATIENT}`, other);
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.text)).toMatchObject({ error: 'ERR_ADMIN_SCOPE' });
      expect(refused.text).not.toContain(written[0]!.id);
    }
    const refusals = (await adminRecords()).filter((e) => e.outcome === 'refused');
    expect(refusals.map((e) => e.status)).toEqual([401, 401, 403, 403]);
    expect(refusals[2]).toMatchObject({ clientApp: 'ecd-broad', actor: { account: 'ecd-broad' } });
  });

  it('AUDIT-ADMIN-2: a search gives a searchset Bundle with self and next links, and the search is itself recorded', async () => {
    const first = await get(`/admin/audit/AuditEvent?patient=Patient/${PATIENT}&kind=fhir-request&_count=3`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('application/fhir+json');
    expect(first.headers.get('cache-control')).toBe('no-store');
    const bundle = JSON.parse(first.text) as Bundle<AuditEvent>;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 5 });
    expect(bundle.entry?.map((e) => e.resource?.id)).toEqual(written.slice(0, 3).map((r) => r.id));
    expect(bundle.entry?.[0]?.fullUrl).toBe(`${gateway.base}/admin/audit/AuditEvent/${written[0]!.id}`);
    const self = bundle.link?.find((l) => l.relation === 'self')?.url;
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    expect(self).toContain('page=1');
    expect(next).toContain('page=2');
    const second = JSON.parse((await get(next!.slice(gateway.base.length))).text) as Bundle<AuditEvent>;
    expect(second.entry?.map((e) => e.resource?.id)).toEqual(written.slice(3).map((r) => r.id));
    expect(second.link?.some((l) => l.relation === 'next')).toBe(false);
    expect(second.link?.some((l) => l.relation === 'previous')).toBe(true);

    const searches = (await adminRecords()).filter(
      (e) => e.interaction === 'search' && e.outcome === 'success',
    );
    expect(searches[0]).toMatchObject({
      kind: 'admin',
      action: 'R',
      status: 200,
      actor: { account: 'reviewer', role: 'reviewer' },
      clientApp: 'reviewer',
      tokenId: expect.any(String),
      patient: `Patient/${PATIENT}`,
      query: `GET /admin/audit/AuditEvent?_count=3&kind=fhir-request&patient=Patient%2F${PATIENT}`,
      entities: written.slice(0, 3).map((r) => `AuditEvent/${r.id}`),
    });
  });

  it('AUDIT-ADMIN-3: a read by id; an unknown id is 404 and an unknown parameter 400', async () => {
    const read = await get(`/admin/audit/AuditEvent/${written[2]!.id}`);
    expect(read.status).toBe(200);
    expect(JSON.parse(read.text)).toMatchObject({ resourceType: 'AuditEvent', id: written[2]!.id });
    expect(read.text).toContain('jti-1'); // the reviewer's view
    expect((await get('/admin/audit/AuditEvent/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const unknown = await get('/admin/audit/AuditEvent?access_token=secret-value');
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.text)).toMatchObject({ error: 'ERR_ADMIN_QUERY' });
    // The refused request's record names the path, not the query it was refused for.
    const last = (await adminRecords()).at(-1)!;
    expect(last).toMatchObject({ outcome: 'refused', status: 400, query: 'GET /admin/audit/AuditEvent' });
    expect(JSON.stringify(last)).not.toContain('secret-value');
  });

  it('AUDIT-ADMIN-4: the export streams application/fhir+ndjson for a range, one AuditEvent a line', async () => {
    const from = new Date(written[0]!.recorded.getTime()).toISOString();
    const to = new Date(written[4]!.recorded.getTime() + 1).toISOString();
    const res = await get(
      `/admin/audit/export?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&patient=Patient/${PATIENT}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/fhir+ndjson');
    const events = res.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(events.map((e) => e.id)).toEqual(written.map((r) => r.id));
    expect((await get('/admin/audit/export?from=2026-11-01')).status).toBe(400);
  });

  it('AUDIT-ADMIN-5: verify answers the chain report as JSON, also with the v1 scope system/AuditEvent.read', async () => {
    const v1 = await backendToken(gateway.base, 'reviewer', key, 'system/AuditEvent.read');
    const res = await get('/admin/audit/verify', v1);
    expect(res.status).toBe(200);
    const report = JSON.parse(res.text) as {
      ok: boolean;
      checked: number;
      headSeq: number;
      headHash: string;
    };
    expect(report).toMatchObject({ ok: true });
    expect(report.checked).toBeGreaterThanOrEqual(5);
    expect(report.headHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await adminRecords()).at(-1)).toMatchObject({
      interaction: 'verify',
      action: 'E',
      outcome: 'success',
    });
  });

  it('AUDIT-ADMIN-7: refused tokens brake an address (429 with Retry-After), and the braked requests do not flood the trail', async () => {
    const recordedBefore = (await adminRecords()).length;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await get('/admin/audit/verify', `bad-${i}`)).status);
    // Ten refusals a minute per address; the earlier tests of this file spent two.
    expect(statuses.filter((s) => s === 401)).toHaveLength(8);
    expect(statuses.slice(8)).toEqual([429, 429, 429, 429]);
    const braked = await get('/admin/audit/verify', 'bad-again');
    expect(braked.status).toBe(429);
    expect(Number(braked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await adminRecords()).length - recordedBefore).toBe(8);
  });
});

describe('who may read the audit trail', () => {
  const caller = (kind: 'user' | 'system', ...scopes: string[]) => ({ clientId: 'c', kind, scopes });

  it('AUDIT-ADMIN-6: only a system token with AuditEvent read and search named outright', () => {
    expect(() => authoriseAuditReader(caller('system', 'system/AuditEvent.rs'))).not.toThrow();
    expect(() => authoriseAuditReader(caller('system', 'system/AuditEvent.read'))).not.toThrow();
    expect(() => authoriseAuditReader(caller('system', 'system/AuditEvent.cruds'))).not.toThrow();
    for (const refused of [
      caller('user', 'system/AuditEvent.rs'),
      caller('system', 'user/AuditEvent.rs', 'patient/AuditEvent.rs'),
      caller('system', 'system/AuditEvent.r'),
      caller('system', 'system/AuditEvent.rs?patient=Patient/x'),
      caller('system', 'system/*.rs', 'system/*.read'),
      caller('system'),
    ])
      expect(() => authoriseAuditReader(refused)).toThrow(expect.objectContaining({ status: 403 }));
  });
});
