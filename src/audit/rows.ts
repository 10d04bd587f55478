import type { Row } from '../store';
import type { StoredEntry } from './chain';
import type { AuditEntry, AuditRecord, ChainAlgorithm } from './entry';

/** The query columns of a record, each a copy of an entry field (verify checks they still are). */
export interface AuditColumns {
  readonly kind: string;
  readonly patient_id: string | null;
  readonly account_id: string | null;
  readonly client_app: string | null;
  readonly token_id: string | null;
  readonly request_id: string | null;
}

export function columnsOf(entry: AuditEntry | StoredEntry): AuditColumns {
  return {
    kind: entry.kind,
    patient_id: entry.patient?.startsWith('Patient/') ? entry.patient.slice('Patient/'.length) : null,
    account_id: entry.actor?.account ?? null,
    client_app: entry.clientApp ?? null,
    token_id: entry.tokenId ?? null,
    request_id: entry.requestId ?? null,
  };
}

/** The entry as it is stored (and hashed): JSON, with `at` as its ISO string. */
export function storedEntry(entry: AuditEntry): StoredEntry {
  // jsonb cannot hold U+0000, and a request line is the caller's text: it is kept visibly replaced.
  return JSON.parse(
    JSON.stringify(entry, (_k, v: unknown) => (typeof v === 'string' ? v.replaceAll('\u0000', '\ufffd') : v)),
  ) as StoredEntry;
}

/** The columns every read selects, in the order recordFromRow expects. */
export const RECORD_COLUMNS =
  'seq, id, recorded, kind, patient_id, account_id, client_app, token_id, request_id, entry, alg, prev_hash, hash';

export interface AuditRow extends Row {
  seq: string;
  id: string;
  recorded: Date;
  kind: string;
  patient_id: string | null;
  account_id: string | null;
  client_app: string | null;
  token_id: string | null;
  request_id: string | null;
  entry: StoredEntry;
  alg: ChainAlgorithm;
  prev_hash: string;
  hash: string;
}

export function recordFromRow(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    seq: Number(row.seq),
    recorded: row.recorded,
    entry: { ...row.entry, at: new Date(row.entry.at) } as AuditEntry,
    alg: row.alg,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
