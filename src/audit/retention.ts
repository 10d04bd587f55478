import { addYears, dutchDate, startOfDutchDay } from '../calendar';
import type { Queryable, Store } from '../store';
import type { AuditEntry, AuditRecord } from './entry';
import type { AuditTrail } from './trail';
import { verifyChain, type ChainReport } from './verify';

/** NEN 7513 and the WGBO: audit records are kept at least five years (the config refuses less). */
const MIN_RETENTION_YEARS = 5;

/** The most records one pruning transaction deletes; a larger backlog goes in several. */
const DEFAULT_BATCH = 10_000;

/**
 * The first moment whose records must still be kept: the start of today's date in Amsterdam,
 * `retentionYears` years back (29 February becomes 28 February). Everything written before it is
 * more than `retentionYears` old by any clock on any moment of today, however the years are counted;
 * nothing written at or after it is deleted.
 */
export function retentionCutoff(now: Date, retentionYears: number): Date {
  if (!Number.isInteger(retentionYears) || retentionYears < MIN_RETENTION_YEARS)
    throw new RangeError(`audit records are kept at least ${MIN_RETENTION_YEARS} years`);
  return startOfDutchDay(addYears(dutchDate(now), -retentionYears));
}

/** What pruning would delete (or did): the oldest records, a whole prefix of the chain. */
export interface AuditPrunePlan {
  readonly retentionYears: number;
  /** Records written before this moment may be deleted. */
  readonly cutoff: Date;
  readonly count: number;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
  readonly oldestRecorded?: Date;
  readonly newestRecorded?: Date;
}

export interface AuditPruneResult extends AuditPrunePlan {
  /** The 'audit-deletion' record written in the same transaction (none when nothing was deleted). */
  readonly deletion?: AuditRecord;
}

export interface AuditPruneOptions {
  readonly retentionYears: number;
  /** The clock (tests); the deletion record's own `recorded` is the trail's clock. */
  readonly now?: () => Date;
  /** INZAGE_AUDIT_KEY: what is about to be deleted is verified first. */
  readonly key?: Buffer;
  /** Records per transaction (default 10,000: the head stays locked, and writers wait, while it runs). */
  readonly batch?: number;
  /** Who prunes, for the deletion record (`inzage audit prune`, the gateway's daily run). */
  readonly by?: string;
}

/** The chain is broken in what pruning would delete: nothing is deleted, the break stays visible. */
export class AuditChainBroken extends Error {
  override readonly name = 'AuditChainBroken';
  constructor(readonly report: ChainReport) {
    super(
      `the audit chain is broken at record ${report.firstBroken?.seq ?? '?'} (${report.firstBroken?.problem ?? '?'}), ` +
        'in or before the records retention would delete: nothing was deleted; run `inzage audit verify`',
    );
  }
}

/** What `pruneAuditTrail` would delete now, without deleting (`inzage audit prune` without --apply). */
export async function planAuditPrune(
  q: Queryable,
  options: Pick<AuditPruneOptions, 'retentionYears' | 'now'>,
): Promise<AuditPrunePlan> {
  const cutoff = retentionCutoff((options.now ?? (() => new Date()))(), options.retentionYears);
  return planBefore(q, cutoff, options.retentionYears, Number.MAX_SAFE_INTEGER);
}

/**
 * Deletes the records older than the retention period, oldest first: in each transaction, holding
 * the chain head's lock, the oldest records up to the first one that must be kept (a whole prefix
 * of the chain, never a record after a younger one), after verifying them; moves audit_chain_start
 * to the last one deleted, so that the chain verifies from there; and records the deletion itself
 * ('audit-deletion': how many, which, the cutoff, the retention) in the same transaction. Returns
 * one result per transaction that deleted something.
 */
export async function pruneAuditTrail(
  store: Store,
  trail: AuditTrail,
  options: AuditPruneOptions,
): Promise<AuditPruneResult[]> {
  const now = (options.now ?? (() => new Date()))();
  const cutoff = retentionCutoff(now, options.retentionYears);
  const batch = Math.max(1, Math.floor(options.batch ?? DEFAULT_BATCH));
  const results: AuditPruneResult[] = [];
  for (;;) {
    const result = await store.transaction(async (tx): Promise<AuditPruneResult> => {
      // The head's lock first, as every writer takes it: no record is appended while the start moves.
      await tx.query('SELECT seq FROM audit_chain_head WHERE id = 1 FOR UPDATE');
      const plan = await planBefore(tx, cutoff, options.retentionYears, batch);
      if (plan.count === 0 || plan.lastSeq === undefined) return plan;
      // Deleting a broken part would destroy the evidence: check it first, under the same lock.
      const check = await verifyChain(tx, { key: options.key, throughSeq: plan.lastSeq });
      if (!check.ok) throw new AuditChainBroken(check);
      const [last] = await tx.query<{ hash: string }>('SELECT hash FROM audit_event WHERE seq = $1', [
        plan.lastSeq,
      ]);
      await tx.query('DELETE FROM audit_event WHERE seq <= $1', [plan.lastSeq]);
      await tx.query('UPDATE audit_chain_start SET seq = $1, hash = $2 WHERE id = 1', [
        plan.lastSeq,
        last!.hash,
      ]);
      const deletion = await trail.recordIn(tx, deletionEntry(plan, now, options.by));
      return { ...plan, deletion };
    });
    if (result.count === 0) break;
    results.push(result);
    if (result.count < batch) break;
  }
  return results;
}

/**
 * Prunes now and then (a gateway: once a day, and once shortly after it starts, so that an instance
 * restarted more often than daily still prunes). Every instance may run it: the head's lock lets one
 * delete, and the others then find nothing. The returned stop waits for a run in progress.
 */
export function pruneAuditEvery(
  store: Store,
  trail: AuditTrail,
  options: AuditPruneOptions & {
    readonly intervalMs: number;
    readonly firstDelayMs?: number;
    readonly onPruned?: (results: AuditPruneResult[]) => void;
    readonly onError?: (err: unknown) => void;
  },
): () => Promise<void> {
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = pruneAuditTrail(store, trail, options)
      .then((results) => {
        if (results.length > 0) options.onPruned?.(results);
      })
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(run, options.firstDelayMs ?? Math.min(options.intervalMs, 5 * 60_000));
  const timer = setInterval(run, options.intervalMs);
  first.unref();
  timer.unref();
  return async () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}

async function planBefore(
  q: Queryable,
  cutoff: Date,
  retentionYears: number,
  limit: number,
): Promise<AuditPrunePlan> {
  // The first record that must be kept, in chain order: everything before it is older than the cutoff.
  const [young] = await q.query<{ seq: string }>(
    'SELECT seq FROM audit_event WHERE recorded >= $1 ORDER BY seq LIMIT 1',
    [cutoff.toISOString()],
  );
  const [row] = await q.query<{ n: string; first: string | null; last: string | null }>(
    `SELECT count(*) AS n, min(seq) AS first, max(seq) AS last FROM (
       SELECT seq FROM audit_event WHERE seq < $1 ORDER BY seq LIMIT ${limit}) AS old`,
    [young ? Number(young.seq) : Number.MAX_SAFE_INTEGER],
  );
  const count = Number(row?.n ?? 0);
  if (count === 0 || !row?.first || !row.last) return { retentionYears, cutoff, count: 0 };
  const [span] = await q.query<{ oldest: Date; newest: Date }>(
    'SELECT min(recorded) AS oldest, max(recorded) AS newest FROM audit_event WHERE seq BETWEEN $1 AND $2',
    [Number(row.first), Number(row.last)],
  );
  return {
    retentionYears,
    cutoff,
    count,
    firstSeq: Number(row.first),
    lastSeq: Number(row.last),
    ...(span ? { oldestRecorded: new Date(span.oldest), newestRecorded: new Date(span.newest) } : {}),
  };
}

function deletionEntry(plan: AuditPrunePlan, at: Date, by = 'retention'): AuditEntry {
  return {
    kind: 'audit-deletion',
    action: 'D',
    at,
    outcome: 'success',
    outcomeText: `${plan.count} audit records older than ${plan.retentionYears} years deleted`,
    actor: { account: by, role: 'retention' },
    interaction: 'prune',
    policy: `audit.retentionYears ${plan.retentionYears}`,
    detail: {
      count: plan.count,
      firstSeq: plan.firstSeq ?? 0,
      lastSeq: plan.lastSeq ?? 0,
      cutoff: plan.cutoff.toISOString(),
      retentionYears: plan.retentionYears,
      ...(plan.oldestRecorded ? { oldestRecorded: plan.oldestRecorded.toISOString() } : {}),
      ...(plan.newestRecorded ? { newestRecorded: plan.newestRecorded.toISOString() } : {}),
    },
  };
}
