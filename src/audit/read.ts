import type { Queryable } from '../store';
import type { AuditEventKind, AuditRecord } from './entry';
import { RECORD_COLUMNS, recordFromRow, type AuditRow } from './rows';

/** One record by its id (the AuditEvent id), or undefined. */
export async function auditRecordById(q: Queryable, id: string): Promise<AuditRecord | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  const [row] = await q.query<AuditRow>(`SELECT ${RECORD_COLUMNS} FROM audit_event WHERE id = $1`, [id]);
  return row ? recordFromRow(row) : undefined;
}

/** The record of one request by its X-Request-Id (the kill -9 test and support use it). */
export async function auditRecordsOfRequest(q: Queryable, requestId: string): Promise<AuditRecord[]> {
  const rows = await q.query<AuditRow>(
    `SELECT ${RECORD_COLUMNS} FROM audit_event WHERE request_id = $1 ORDER BY seq`,
    [requestId],
  );
  return rows.map(recordFromRow);
}

export interface AuditQuery {
  /** `recorded` at or after. */
  readonly from?: Date;
  /** `recorded` before. */
  readonly to?: Date;
  /** A client's gateway Patient id (without `Patient/`). */
  readonly patientId?: string;
  readonly accountId?: string;
  readonly clientApp?: string;
  readonly tokenId?: string;
  readonly kinds?: readonly AuditEventKind[];
  /** Newest first (the client's log) instead of in chain order. */
  readonly newestFirst?: boolean;
  /** At most this many (default: all). */
  readonly limit?: number;
  /** Skip this many (paging). */
  readonly offset?: number;
}

/** Records matching every condition given, in chain order (or newest first). */
export async function findAuditRecords(q: Queryable, query: AuditQuery): Promise<AuditRecord[]> {
  const { where, params } = conditionsOf(query);
  let sql = `SELECT ${RECORD_COLUMNS} FROM audit_event${where}`;
  sql += query.newestFirst ? ' ORDER BY seq DESC' : ' ORDER BY seq';
  if (query.limit !== undefined) sql += ` LIMIT ${Math.max(0, Math.floor(query.limit))}`;
  if (query.offset !== undefined) sql += ` OFFSET ${Math.max(0, Math.floor(query.offset))}`;
  const rows = await q.query<AuditRow>(sql, params);
  return rows.map(recordFromRow);
}

/** How many records match (the client's log's Bundle.total). */
export async function countAuditRecords(
  q: Queryable,
  query: Omit<AuditQuery, 'limit' | 'offset' | 'newestFirst'>,
): Promise<number> {
  const { where, params } = conditionsOf(query);
  const [row] = await q.query<{ n: string }>(`SELECT count(*) AS n FROM audit_event${where}`, params);
  return Number(row?.n ?? 0);
}

function conditionsOf(query: AuditQuery): { where: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (query.from) add('recorded >= ?', query.from.toISOString());
  if (query.to) add('recorded < ?', query.to.toISOString());
  if (query.patientId !== undefined) add('patient_id = ?', query.patientId);
  if (query.accountId !== undefined) add('account_id = ?', query.accountId);
  if (query.clientApp !== undefined) add('client_app = ?', query.clientApp);
  if (query.tokenId !== undefined) add('token_id = ?', query.tokenId);
  if (query.kinds) add('kind = ANY(?::text[])', `{${query.kinds.join(',')}}`);
  return { where: where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '', params };
}
