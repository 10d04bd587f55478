import type { Queryable } from '../store';
import { ChainHasher, ChainKeyMissing } from './chain';
import { columnsOf, RECORD_COLUMNS, type AuditRow } from './rows';

/** Why a link is broken. */
export type ChainProblem =
  /** The record's content (or its hash) is not what was hashed: it was changed. */
  | 'changed'
  /** A query column no longer matches the entry it was copied from. */
  | 'column-changed'
  /** The record does not link to the one before it: records were reordered or one before it removed. */
  | 'unlinked'
  /** A sequence number is missing or out of place: records were deleted or inserted. */
  | 'gap'
  /** An unkeyed link after keyed ones: the chain was rewritten without the key. */
  | 'downgraded'
  /** A keyed record, checked without INZAGE_AUDIT_KEY (or with another key: then it shows as changed). */
  | 'key-missing'
  /** The chain head does not match the last record: the newest records were deleted or replaced. */
  | 'head-mismatch';

export interface BrokenLink {
  readonly problem: ChainProblem;
  /** The sequence number where the break was found (for head-mismatch: the head's). */
  readonly seq: number;
  /** The id of the record found there, when there is one. */
  readonly id?: string;
  readonly detail: string;
}

export interface ChainReport {
  readonly ok: boolean;
  /** Records checked. */
  readonly checked: number;
  /** The link before the first record kept (0 until retention deleted records). */
  readonly startSeq: number;
  /** The last record's sequence number and hash: publish them elsewhere to anchor the chain. */
  readonly headSeq: number;
  readonly headHash: string;
  /** The first broken link, in chain order. */
  readonly firstBroken?: BrokenLink;
}

/**
 * Walks the whole chain in order, a page at a time, and stops at the first broken link. Every
 * record is checked three ways: its place (seq without gaps from the start link), its link to the
 * one before (prev_hash), and its own hash over its content.
 */
export async function verifyChain(
  q: Queryable,
  options: { key?: Buffer; pageSize?: number } = {},
): Promise<ChainReport> {
  const hasher = new ChainHasher(options.key);
  const pageSize = options.pageSize ?? 1000;
  const [start] = await q.query<{ seq: string; hash: string }>(
    'SELECT seq, hash FROM audit_chain_start WHERE id = 1',
  );
  const [head] = await q.query<{ seq: string; hash: string }>(
    'SELECT seq, hash FROM audit_chain_head WHERE id = 1',
  );
  const startSeq = Number(start?.seq ?? 0);
  let expectedSeq = startSeq + 1;
  let prevHash = start?.hash ?? '0'.repeat(64);
  let checked = 0;
  let keyedSeen = false;
  const report = (firstBroken?: BrokenLink): ChainReport => ({
    ok: firstBroken === undefined,
    checked,
    startSeq,
    headSeq: Number(head?.seq ?? 0),
    headHash: head?.hash ?? '',
    ...(firstBroken ? { firstBroken } : {}),
  });
  if (!start || !head)
    return report({ problem: 'head-mismatch', seq: 0, detail: 'the chain head or start row is missing' });
  let after = startSeq;
  for (;;) {
    const rows = await q.query<AuditRow>(
      `SELECT ${RECORD_COLUMNS} FROM audit_event WHERE seq > $1 ORDER BY seq LIMIT ${pageSize}`,
      [after],
    );
    for (const row of rows) {
      const seq = Number(row.seq);
      const at = { seq, id: row.id };
      if (seq !== expectedSeq)
        return report({
          problem: 'gap',
          ...at,
          detail: `expected record ${expectedSeq}, found ${seq}: ${seq > expectedSeq ? 'records were deleted' : 'a record was inserted'}`,
        });
      if (row.prev_hash !== prevHash)
        return report({
          problem: 'unlinked',
          ...at,
          detail: 'does not link to the record before it (reordered, or the one before was replaced)',
        });
      if (row.alg === 'sha256' && keyedSeen)
        return report({ problem: 'downgraded', ...at, detail: 'an unkeyed link after keyed ones' });
      let hash: string;
      try {
        hash = hasher.link(
          row.prev_hash,
          { seq, id: row.id, recorded: row.recorded, entry: row.entry },
          row.alg,
        );
      } catch (err) {
        if (err instanceof ChainKeyMissing)
          return report({ problem: 'key-missing', ...at, detail: err.message });
        throw err;
      }
      if (!ChainHasher.same(hash, row.hash))
        return report({
          problem: 'changed',
          ...at,
          detail: 'its content is not what was hashed when it was written',
        });
      const columns = columnsOf(row.entry);
      const changedColumn = (Object.keys(columns) as (keyof typeof columns)[]).find(
        (c) => columns[c] !== row[c],
      );
      if (changedColumn)
        return report({
          problem: 'column-changed',
          ...at,
          detail: `column ${changedColumn} no longer matches the entry`,
        });
      if (row.alg === 'hmac-sha256') keyedSeen = true;
      prevHash = row.hash;
      expectedSeq = seq + 1;
      checked += 1;
      after = seq;
    }
    if (rows.length < pageSize) break;
  }
  if (Number(head.seq) !== expectedSeq - 1 || head.hash !== prevHash)
    return report({
      problem: 'head-mismatch',
      seq: Number(head.seq),
      detail: `the head names record ${head.seq}, the chain ends at ${expectedSeq - 1}: the newest records were deleted or replaced`,
    });
  return report();
}
