import {
  auditRecordById,
  countAuditRecords,
  findAuditRecords,
  type AuditQuery,
  type AuditRecord,
} from '../../audit';
import type { Queryable } from '../../store';

/**
 * The audit trail as the FHIR API reads it for a client's access log. Only the three reads of
 * src/audit; the rule of who may read which records is access.ts, applied on every one of them.
 */
export interface AuditLogReader {
  find(query: AuditQuery): Promise<AuditRecord[]>;
  count(query: Omit<AuditQuery, 'limit' | 'offset' | 'newestFirst'>): Promise<number>;
  byId(id: string): Promise<AuditRecord | undefined>;
}

export function auditLogReader(q: Queryable): AuditLogReader {
  return {
    find: (query) => findAuditRecords(q, query),
    count: (query) => countAuditRecords(q, query),
    byId: (id) => auditRecordById(q, id),
  };
}
