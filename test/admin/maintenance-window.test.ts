import type { Request, Response } from 'express';
import {
  MaintenanceSwitch,
  activeMaintenance,
  maintenanceGuard,
  maintenancePhase,
  writeMaintenance,
  type MaintenanceWindow,
} from '../../src/http';
import { migrate, openStore, type Store } from '../../src/store';
import { dutchLocalToIso } from '../../src/admin/console/pages/maintenance';

/** The window's arithmetic at an injected clock, and the guard's behaviour when the read fails. */
const window = (from: string, until?: string): MaintenanceWindow => ({
  from,
  ...(until ? { until } : {}),
  setBy: { account: 'staff:test' },
  reason: 'test',
  setAt: from,
});

describe('the maintenance window', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ driver: 'pglite' });
    await migrate(store);
  });
  afterAll(async () => store?.close());

  it('ADMIN-MAINT-11 (M-8): from ≤ now < until, worked out at the clock of each request; Retry-After counts down to until', async () => {
    const w = window('2026-12-01T22:00:00Z', '2026-12-01T23:00:00Z');
    expect(maintenancePhase(undefined, new Date())).toBe('off');
    expect(maintenancePhase(w, new Date('2026-12-01T21:59:59.999Z'))).toBe('scheduled');
    expect(maintenancePhase(w, new Date('2026-12-01T22:00:00Z'))).toBe('active');
    expect(maintenancePhase(w, new Date('2026-12-01T23:00:00Z'))).toBe('over');
    expect(activeMaintenance(w, new Date('2026-12-01T22:30:00Z'))?.retryAfterSeconds).toBe(1800);
    expect(activeMaintenance(w, new Date('2026-12-01T22:59:59.900Z'))?.retryAfterSeconds).toBe(1);
    expect(activeMaintenance(window('2026-12-01T22:00:00Z'), new Date('2027-01-01T00:00:00Z'))).toMatchObject(
      {
        retryAfterSeconds: 600,
      },
    );

    let now = new Date('2026-12-01T21:00:00Z');
    const maintenance = new MaintenanceSwitch(store, () => now);
    await writeMaintenance(store, w);
    expect(await maintenance.current()).toBeUndefined();
    now = new Date('2026-12-01T22:00:01Z');
    expect(await maintenance.current()).toMatchObject({ retryAfterSeconds: 3599 });
    now = new Date('2026-12-01T23:00:01Z');
    expect(await maintenance.current()).toBeUndefined();
  });

  it('ADMIN-MAINT-12: fails closed: a stored value it cannot read is maintenance, and a failed read is an error, never a pass', async () => {
    await store.query(
      `INSERT INTO gateway_setting (key, value) VALUES ('maintenance', '"garbage"'::jsonb)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    );
    expect(await new MaintenanceSwitch(store).current()).toMatchObject({ retryAfterSeconds: 600 });
    expect(maintenancePhase(window('not a date'), new Date())).toBe('active');
    await store.query("UPDATE gateway_setting SET value = 'null'::jsonb WHERE key = 'maintenance'");
    expect(await new MaintenanceSwitch(store).current()).toMatchObject({ retryAfterSeconds: 600 });

    const broken = { current: () => Promise.reject(new Error('database down')) };
    const guard = maintenanceGuard(broken, [{ applies: () => true, answer: () => undefined }]);
    const passed = await new Promise<unknown>((resolve) =>
      guard({} as Request, {} as Response, (err?: unknown) => resolve(err ?? 'passed')),
    );
    expect(passed).toEqual(new Error('database down'));
    // A request no rule covers passes without reading.
    const open = maintenanceGuard(broken, [{ applies: () => false, answer: () => undefined }]);
    const through = await new Promise<unknown>((resolve) =>
      open({} as Request, {} as Response, (err?: unknown) => resolve(err ?? 'passed')),
    );
    expect(through).toBe('passed');
  });

  it('ADMIN-MAINT-13: the console takes Dutch wall-clock time, summer and winter', () => {
    expect(dutchLocalToIso('2026-07-01T22:00')).toBe('2026-07-01T20:00:00.000Z');
    expect(dutchLocalToIso('2026-12-01T22:00')).toBe('2026-12-01T21:00:00.000Z');
    expect(dutchLocalToIso('2026-10-25T01:30')).toBe('2026-10-24T23:30:00.000Z');
    expect(dutchLocalToIso('2026-12-01T22:00:00+01:00')).toBe('2026-12-01T22:00:00+01:00');
  });
});
