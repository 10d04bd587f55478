import type { Request, RequestHandler, Response } from 'express';
import { StoreError, type Queryable, type Store } from '../store';
import { Unavailable } from '../errors';

/**
 * Maintenance mode (M-8, A-12): one switch for the whole gateway, shared by every instance through
 * the table `gateway_setting` (migration 1), row `maintenance`. A window has a start (`from`) and
 * an optional end (`until`); it is in force while `from ≤ now < until`, worked out on every request,
 * so a scheduled window starts and ends by itself without a timer on any instance.
 *
 * The row is read on every request the switch guards, not cached and invalidated by NOTIFY: a
 * notification reaches another instance a moment after the commit, and a request in that moment
 * would still be served. Read per request, a window started through one instance holds on every
 * other from its very next request (the writer committed before it answered), and nothing can go
 * stale after a lost LISTEN connection. It is one primary-key read, as the access token's own
 * lookup on every FHIR request is: about 1 ms on a busy 2-core machine (PGlite and PostgreSQL alike)
 * against 25–40 ms for a whole FHIR read there, and an A/B run with and without it was within the
 * noise. Requests no rule covers (/admin, the health routes, the ECD push) do not read it. A read
 * that fails is an error (the request fails), never "no maintenance".
 */

export const MAINTENANCE_SETTING = 'maintenance';
/** Retry-After when a window has no end. */
export const DEFAULT_RETRY_AFTER_SECONDS = 600;

/** Who switched it on, as recorded with the window. */
export interface MaintenanceSetter {
  /** 'staff:<id>', as in the audit trail. */
  readonly account: string;
  readonly name?: string;
  readonly role?: string;
  readonly organisationId?: string;
}

/** The stored window (the jsonb value of the row). */
export interface MaintenanceWindow {
  /** ISO 8601: from when (now, or a moment to come). */
  readonly from: string;
  /** ISO 8601: until when; absent: until someone ends it. */
  readonly until?: string;
  /** What the login page says, beside the standard text. */
  readonly message?: { readonly nl?: string; readonly en?: string };
  readonly setBy: MaintenanceSetter;
  readonly reason: string;
  /** ISO 8601: when it was written. */
  readonly setAt: string;
}

/** A window in force now, as the guard answers with it. */
export interface ActiveMaintenance {
  readonly window: MaintenanceWindow;
  readonly until?: Date;
  /** Seconds until `until` (at least 1), or DEFAULT_RETRY_AFTER_SECONDS without an end. */
  readonly retryAfterSeconds: number;
}

export type MaintenancePhase = 'off' | 'scheduled' | 'active' | 'over';

/** Where a window stands at a moment. A start that cannot be read counts as started (fail closed). */
export function maintenancePhase(window: MaintenanceWindow | undefined, now: Date): MaintenancePhase {
  if (window === undefined) return 'off';
  const until = window.until === undefined ? undefined : new Date(window.until);
  if (until !== undefined && !Number.isNaN(until.getTime()) && until.getTime() <= now.getTime())
    return 'over';
  const from = new Date(window.from);
  if (!Number.isNaN(from.getTime()) && from.getTime() > now.getTime()) return 'scheduled';
  return 'active';
}

/** The window's answer now, or undefined when it is not in force. */
export function activeMaintenance(
  window: MaintenanceWindow | undefined,
  now: Date,
): ActiveMaintenance | undefined {
  if (window === undefined || maintenancePhase(window, now) !== 'active') return undefined;
  const until = window.until === undefined ? undefined : new Date(window.until);
  const end = until !== undefined && !Number.isNaN(until.getTime()) ? until : undefined;
  const retryAfterSeconds =
    end === undefined
      ? DEFAULT_RETRY_AFTER_SECONDS
      : Math.max(1, Math.ceil((end.getTime() - now.getTime()) / 1000));
  return { window, ...(end ? { until: end } : {}), retryAfterSeconds };
}

/** The stored window, whatever its phase; undefined when there is none. */
export async function readMaintenance(db: Queryable): Promise<MaintenanceWindow | undefined> {
  const rows = await db.query<{ value: MaintenanceWindow }>(
    'SELECT value FROM gateway_setting WHERE key = $1',
    [MAINTENANCE_SETTING],
  );
  if (rows.length === 0) return undefined;
  const value = rows[0]!.value as MaintenanceWindow | null;
  // Written only by writeMaintenance; anything else there still counts as a window (fail closed).
  if (typeof value !== 'object' || value === null || typeof value.from !== 'string')
    return { from: new Date(0).toISOString(), setBy: { account: 'unknown' }, reason: '', setAt: '' };
  return value;
}

/** Stores a window (replacing any other): in force on every instance from its next request. */
export async function writeMaintenance(db: Queryable, window: MaintenanceWindow): Promise<void> {
  await db.query(
    `INSERT INTO gateway_setting (key, value, updated_at) VALUES ($1, $2::jsonb, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [MAINTENANCE_SETTING, JSON.stringify(window)],
  );
}

/** Removes the window; returns the one removed (undefined when there was none). */
export async function clearMaintenance(db: Queryable): Promise<MaintenanceWindow | undefined> {
  const rows = await db.query<{ value: MaintenanceWindow }>(
    'DELETE FROM gateway_setting WHERE key = $1 RETURNING value',
    [MAINTENANCE_SETTING],
  );
  return rows[0]?.value ?? undefined;
}

/** This instance's view of the switch: the stored window, read when asked, at the clock's now. */
export class MaintenanceSwitch {
  constructor(
    private readonly store: Pick<Store, 'query'>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The window in force now, or undefined. */
  async current(): Promise<ActiveMaintenance | undefined> {
    return activeMaintenance(await readMaintenance(this.store), this.clock());
  }
}

/** One kind of request the guard closes, and how it answers during maintenance. */
export interface MaintenanceRule {
  /** Whether the rule covers the request (synchronous, on what is known before any body parser). */
  applies(req: Request): boolean;
  answer(req: Request, res: Response, active: ActiveMaintenance): void;
}

/**
 * The middleware that closes what the rules cover while a window is in force, before the routers
 * that would answer. Requests no rule covers pass without a read. A request that passed before the
 * window began is not cut off: it finishes with its whole answer (never half of one), bounded by
 * the request timeout.
 */
export function maintenanceGuard(
  maintenance: Pick<MaintenanceSwitch, 'current'>,
  rules: readonly MaintenanceRule[],
): RequestHandler {
  return (req, res, next) => {
    const rule = rules.find((r) => r.applies(req));
    if (rule === undefined) return next();
    maintenance.current().then(
      (active) => {
        if (active === undefined) return next();
        res.set('Retry-After', String(active.retryAfterSeconds));
        res.set('Cache-Control', 'no-store');
        rule.answer(req, res, active);
      },
      // Fail closed: without the switch nothing is served. The database gone is the same 503 as
      // in the FHIR pipeline; anything else goes to the error handler as it is.
      (err: unknown) => next(databaseUnavailable(err)),
    );
  };
}

function databaseUnavailable(err: unknown): unknown {
  if (err instanceof StoreError && (err.code === 'ERR_STORE_UNREACHABLE' || err.code === 'ERR_STORE_CLOSED'))
    return new Unavailable("the gateway's database cannot be reached; try again shortly", 5, {
      code: 'ERR_DATABASE_UNAVAILABLE',
      detail: err.message,
      cause: err,
    });
  return err;
}
