import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Queryable } from '../store';
import { toAuditEvent } from './audit-event';
import { RECORD_COLUMNS, recordFromRow, type AuditRow } from './rows';

/** A reviewer's export: the records written in [from, to), of one client or of all. */
export interface AuditExportQuery {
  /** `recorded` at or after (inclusive). */
  readonly from: Date;
  /** `recorded` before (exclusive). */
  readonly to: Date;
  /** A client's gateway Patient id (without `Patient/`). */
  readonly patientId?: string;
  /** Records read per query (default 500). */
  readonly pageSize?: number;
}

/**
 * The export as NDJSON lines (each an AuditEvent for reviewers, with its newline), in chain order,
 * read a page at a time by sequence number: never more than one page in memory, however long the
 * range.
 */
export async function* auditExportLines(q: Queryable, query: AuditExportQuery): AsyncGenerator<string> {
  const pageSize = Math.max(1, Math.floor(query.pageSize ?? 500));
  const params: unknown[] = [query.from.toISOString(), query.to.toISOString()];
  let patient = '';
  if (query.patientId !== undefined) {
    params.push(query.patientId);
    patient = ` AND patient_id = $${params.length}`;
  }
  let after = 0;
  for (;;) {
    const rows = await q.query<AuditRow>(
      `SELECT ${RECORD_COLUMNS} FROM audit_event
       WHERE recorded >= $1 AND recorded < $2${patient} AND seq > $${params.length + 1}
       ORDER BY seq LIMIT ${pageSize}`,
      [...params, after],
    );
    for (const row of rows) yield `${JSON.stringify(toAuditEvent(recordFromRow(row), 'reviewer'))}\n`;
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/** Writes the export to a stream, waiting when it is full; resolves with the number of lines. */
export async function writeAuditExport(
  q: Queryable,
  query: AuditExportQuery,
  out: Writable,
): Promise<number> {
  let lines = 0;
  for await (const line of auditExportLines(q, query)) {
    lines += 1;
    if (!out.write(line)) {
      if (out.destroyed) throw new Error('the export stream was closed');
      await Promise.race([once(out, 'drain'), once(out, 'close')]);
      if (out.destroyed) throw new Error('the export stream was closed');
    }
  }
  return lines;
}
