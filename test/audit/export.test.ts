import { PassThrough } from 'node:stream';
import type { AuditEvent } from '@medplum/fhirtypes';
import { AuditTrail, auditExportLines, writeAuditExport, type AuditRecord } from '../../src/audit';
import { migrate, openStore, type Store } from '../../src/store';
import { resetGatewayTables } from '../support/tables';
import { entry } from './chain-fixtures';

/** The NDJSON export for reviewers (issue 11, item 4): range, chain order, pages, backpressure. */
describe('the NDJSON export', () => {
  let store: Store;
  let records: AuditRecord[];
  const day = (d: number, hour = 12) => new Date(Date.UTC(2026, 10, d, hour));

  beforeAll(async () => {
    store = await openStore({ driver: 'pglite' });
    await migrate(store);
    await resetGatewayTables(store);
    let current = day(1);
    const trail = new AuditTrail(store, { now: () => current });
    records = [];
    for (let i = 0; i < 12; i++) {
      current = day(1 + i);
      records.push(await trail.record(entry(i, i % 3 === 0 ? 'meerzicht-mz-c003' : 'meerzicht-mz-c001')));
    }
    await trail.close();
  });
  afterAll(async () => store.close());

  it('AUDIT-EXPORT-1: one reviewer AuditEvent a line, in chain order, from inclusive and to exclusive', async () => {
    const out = new PassThrough({ highWaterMark: 64 });
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const lines = await writeAuditExport(store, { from: day(3), to: day(9), pageSize: 2 }, out);
    out.end();
    expect(lines).toBe(6);
    expect(text.endsWith('\n')).toBe(true);
    const events = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEvent);
    expect(events.map((e) => e.id)).toEqual(records.slice(2, 8).map((r) => r.id));
    for (const event of events) {
      expect(event.resourceType).toBe('AuditEvent');
      expect(new Date(event.recorded).getTime()).toBeGreaterThanOrEqual(day(3).getTime());
      expect(new Date(event.recorded).getTime()).toBeLessThan(day(9).getTime());
    }
    // The reviewer's view: token ids and network addresses are in it.
    expect(text).toContain('jti-1');
    expect(text).toContain('10.0.0.1');
  });

  it("AUDIT-EXPORT-2: one client's records only, and an empty range gives no line", async () => {
    const lines: string[] = [];
    for await (const line of auditExportLines(store, {
      from: day(1),
      to: day(30),
      patientId: 'meerzicht-mz-c003',
      pageSize: 1,
    }))
      lines.push(line);
    expect(lines.map((l) => (JSON.parse(l) as AuditEvent).id)).toEqual(
      records.filter((_, i) => i % 3 === 0).map((r) => r.id),
    );
    const none: string[] = [];
    for await (const line of auditExportLines(store, { from: day(20), to: day(21) })) none.push(line);
    expect(none).toEqual([]);
  });
});
