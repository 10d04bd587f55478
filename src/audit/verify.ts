import type { Queryable } from '../store';
import { AUDIT_KEY_VARIABLE, ChainHasher, ChainKeyMissing } from './chain';
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
  | 'head-mismatch'
  /**
   * Two keyed records in a row do not verify under the key given: INZAGE_AUDIT_KEY is not the key
   * they were written with, or the chain was rewritten with another key.
   */
  | 'key-wrong'
  /** The record at an anchored head (published earlier) is not the one anchored, or is gone. */
  | 'anchor-mismatch';

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
  /** Of the records checked: how many are keyed (hmac-sha256) and how many plain sha256. */
  readonly keyed: number;
  readonly unkeyed: number;
  /** The anchor checked (see VerifyOptions.anchor), when one was given and reached. */
  readonly anchorChecked?: boolean;
  /** The first broken link, in chain order. */
  readonly firstBroken?: BrokenLink;
}

/** A head published earlier (`inzage audit verify` prints it): the chain must still contain it. */
export interface ChainAnchor {
  readonly seq: number;
  readonly hash: string;
}

export interface VerifyOptions {
  /** INZAGE_AUDIT_KEY, for the keyed records. */
  readonly key?: Buffer;
  /** Records read per query (default 1000). */
  readonly pageSize?: number;
  /** Check only the records up to this seq (retention checks what it is about to delete). */
  readonly throughSeq?: number;
  /** A head published earlier: the record at its seq must have its hash. */
  readonly anchor?: ChainAnchor;
}

/**
 * Walks the whole chain in order, a page at a time, and stops at the first broken link. Every
 * record is checked three ways: its place (seq without gaps from the start link), its link to the
 * one before (prev_hash), and its own hash over its content.
 */
export async function verifyChain(q: Queryable, options: VerifyOptions = {}): Promise<ChainReport> {
  const hasher = new ChainHasher(options.key);
  const pageSize = options.pageSize ?? 1000;
  const [start] = await q.query<{ seq: string; hash: string }>(
    'SELECT seq, hash FROM audit_chain_start WHERE id = 1',
  );
  const readHead = async () =>
    (await q.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1'))[0];
  let head = await readHead();
  const startSeq = Number(start?.seq ?? 0);
  let expectedSeq = startSeq + 1;
  let prevHash = start?.hash ?? '0'.repeat(64);
  let checked = 0;
  let keyed = 0;
  let keyedSeen = false;
  let anchorChecked = false;
  const anchor = options.anchor;
  const through = options.throughSeq ?? Number.POSITIVE_INFINITY;
  const report = (firstBroken?: BrokenLink): ChainReport => ({
    ok: firstBroken === undefined,
    checked,
    startSeq,
    headSeq: Number(head?.seq ?? 0),
    headHash: head?.hash ?? '',
    keyed,
    unkeyed: checked - keyed,
    ...(anchor ? { anchorChecked } : {}),
    ...(firstBroken ? { firstBroken } : {}),
  });
  if (!start || !head) {
    // A trail emptied by hand (TRUNCATE) has neither: the writer starts it again at the genesis link.
    const [any] = await q.query('SELECT 1 FROM audit_event LIMIT 1');
    if (!start && !head && !any && !anchor) return report();
    return report({ problem: 'head-mismatch', seq: 0, detail: 'the chain head or start row is missing' });
  }
  if (anchor && anchor.seq <= startSeq && !(anchor.seq === startSeq && anchor.hash === start.hash))
    return report({
      problem: 'anchor-mismatch',
      seq: anchor.seq,
      detail: `the anchored record ${anchor.seq} was deleted by retention (the chain now starts after ${startSeq}) and the start link is not it: check an anchor published later`,
    });
  if (anchor && anchor.seq === startSeq) anchorChecked = true;
  let after = startSeq;
  let headSeen = Number(head.seq);
  for (;;) {
    for (;;) {
      const rows = await q.query<AuditRow>(
        `SELECT ${RECORD_COLUMNS} FROM audit_event WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT ${pageSize}`,
        [after, Number.isFinite(through) ? through : Number.MAX_SAFE_INTEGER],
      );
      for (const [index, row] of rows.entries()) {
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
            detail:
              'does not link to the record before it: records were reordered, or one before it was replaced or inserted',
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
        if (!ChainHasher.same(hash, row.hash)) {
          // A changed record breaks its own hash only: the next one still hashes over its own stored
          // link. When no keyed record has verified yet and the next one fails too, the key is the
          // likelier cause; after one that verified, the key is right and this record was changed.
          if (row.alg === 'hmac-sha256' && options.key !== undefined && !keyedSeen) {
            const next = rows[index + 1] ?? (await nextRow(q, seq));
            if (next?.alg === 'hmac-sha256' && !linkVerifies(hasher, next))
              return report({
                problem: 'key-wrong',
                ...at,
                detail: `neither this keyed record nor the next verifies under the key given: ${AUDIT_KEY_VARIABLE} is not the key the chain was written with, or the chain was rewritten with another key`,
              });
          }
          return report({
            problem: 'changed',
            ...at,
            detail:
              row.alg === 'hmac-sha256'
                ? 'its content is not what was hashed when it was written (or, if it is the only keyed record, the key is another one)'
                : 'its content is not what was hashed when it was written',
          });
        }
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
        if (anchor && seq === anchor.seq) {
          if (!ChainHasher.same(anchor.hash, row.hash))
            return report({
              problem: 'anchor-mismatch',
              ...at,
              detail: `the record at the anchored head ${anchor.seq} has another hash than the one anchored: the chain was rewritten from there or before`,
            });
          anchorChecked = true;
        }
        if (row.alg === 'hmac-sha256') {
          keyedSeen = true;
          keyed += 1;
        }
        prevHash = row.hash;
        expectedSeq = seq + 1;
        checked += 1;
        after = seq;
      }
      if (rows.length < pageSize) break;
    }
    if (Number.isFinite(through)) break;
    // A gateway writing while the walk went on commits its records with a later head: walk on to
    // it, so that a live trail verifies. A head that did not move ends the walk.
    const latest = await readHead();
    if (!latest) break;
    head = latest;
    if (Number(latest.seq) > headSeen && Number(latest.seq) > expectedSeq - 1) {
      headSeen = Number(latest.seq);
      continue;
    }
    break;
  }
  if (Number.isFinite(through)) {
    if (expectedSeq - 1 !== through && through <= Number(head.seq))
      return report({
        problem: 'gap',
        seq: expectedSeq,
        detail: `expected record ${expectedSeq}, found none: records were deleted`,
      });
    return report();
  }
  if (anchor && !anchorChecked)
    return report({
      problem: 'anchor-mismatch',
      seq: anchor.seq,
      detail: `the anchored head ${anchor.seq} is past the end of the chain (${expectedSeq - 1}): the newest records were deleted`,
    });
  if (Number(head.seq) !== expectedSeq - 1 || head.hash !== prevHash)
    return report({
      problem: 'head-mismatch',
      seq: Number(head.seq),
      detail: `the head names record ${head.seq}, the chain ends at ${expectedSeq - 1}: the newest records were deleted or replaced`,
    });
  return report();
}

async function nextRow(q: Queryable, seq: number): Promise<AuditRow | undefined> {
  const [row] = await q.query<AuditRow>(`SELECT ${RECORD_COLUMNS} FROM audit_event WHERE seq = $1`, [
    seq + 1,
  ]);
  return row;
}

/** Whether a record's hash is right over its own stored link and content. */
function linkVerifies(hasher: ChainHasher, row: AuditRow): boolean {
  try {
    const hash = hasher.link(
      row.prev_hash,
      { seq: Number(row.seq), id: row.id, recorded: row.recorded, entry: row.entry },
      row.alg,
    );
    return ChainHasher.same(hash, row.hash);
  } catch {
    return false;
  }
}
