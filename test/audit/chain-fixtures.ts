/**
 * Shared by the tamper tests (test/audit/verify*.test.ts) and the CLI test of `inzage audit verify`:
 * records written through the real trail, and the edits an attacker with write access to the
 * database would make behind its back.
 */
import { randomUUID } from 'node:crypto';
import { AuditTrail, ChainHasher, type AuditEntry, type AuditRecord } from '../../src/audit';
import type { Queryable, Store } from '../../src/store';

export const entry = (n: number, patient = 'meerzicht-mz-c001'): AuditEntry => ({
  kind: 'fhir-request',
  action: 'R',
  at: new Date('2026-11-20T10:00:00Z'),
  outcome: 'success',
  status: 200,
  requestId: `req-${n}`,
  actor: { account: 'acc-1', person: 'RelatedPerson/rp-1', role: 'first-contact', address: '10.0.0.1' },
  clientApp: 'portal-app',
  tokenId: 'jti-1',
  patient: `Patient/${patient}`,
  interaction: 'read',
  query: `read Observation/o-${n}`,
  entities: [`Observation/o-${n}`],
});

/** Writes `count` records one after another (seq 1…count on an emptied trail). */
export async function writeRecords(
  store: Store,
  count: number,
  options: { key?: Buffer; now?: () => Date; from?: number } = {},
): Promise<AuditRecord[]> {
  const trail = new AuditTrail(store, { key: options.key, now: options.now });
  const records: AuditRecord[] = [];
  for (let i = 0; i < count; i++) records.push(await trail.record(entry((options.from ?? 0) + i)));
  await trail.close();
  return records;
}

/** Writes many records at once (group commit), for the paging test. */
export async function writeManyRecords(store: Store, count: number): Promise<void> {
  const trail = new AuditTrail(store);
  await Promise.all(Array.from({ length: count }, (_, i) => trail.record(entry(i))));
  await trail.close();
}

export async function idAt(q: Queryable, seq: number): Promise<string> {
  const [row] = await q.query<{ id: string }>('SELECT id FROM audit_event WHERE seq = $1', [seq]);
  return row!.id;
}

/** Moves the records after `seq` one place up, leaving `seq + 1` free. */
export async function makeRoomAfter(q: Queryable, seq: number): Promise<void> {
  await q.query('UPDATE audit_event SET seq = -seq WHERE seq > $1', [seq]);
  await q.query('UPDATE audit_event SET seq = -seq + 1 WHERE seq < 0');
}

/**
 * Inserts a forged record at `seq`, linked to the record before it, hashed as whoever forges it can:
 * plain SHA-256, or an HMAC under a key of the forger's own.
 */
export async function insertForged(q: Queryable, seq: number, forgerKey?: Buffer): Promise<string> {
  const [before] = await q.query<{ hash: string }>('SELECT hash FROM audit_event WHERE seq = $1', [seq - 1]);
  const id = randomUUID();
  const recorded = new Date('2026-11-20T10:00:01Z');
  const forged = JSON.parse(JSON.stringify(entry(999))) as AuditEntry;
  const hasher = new ChainHasher(forgerKey);
  const hash = hasher.link(before!.hash, { seq, id, recorded, entry: forged });
  await q.query(
    `INSERT INTO audit_event (seq, id, recorded, kind, patient_id, account_id, client_app, token_id, request_id, entry, alg, prev_hash, hash)
     VALUES ($1, $2, $3, 'fhir-request', 'meerzicht-mz-c001', 'acc-1', 'portal-app', 'jti-1', 'req-999', $4::jsonb, $5, $6, $7)`,
    [seq, id, recorded.toISOString(), JSON.stringify(forged), hasher.algorithm, before!.hash, hash],
  );
  return id;
}

/** Swaps two records' places (their seq), each keeping its content. */
export async function swapSeq(q: Queryable, a: number, b: number): Promise<void> {
  await q.query('UPDATE audit_event SET seq = -1 WHERE seq = $1', [a]);
  await q.query('UPDATE audit_event SET seq = $1 WHERE seq = $2', [a, b]);
  await q.query('UPDATE audit_event SET seq = $1 WHERE seq = -1', [b]);
}

/** Swaps two records' contents (entry and the query columns), each keeping its place and hash. */
export async function swapContents(q: Queryable, a: number, b: number): Promise<void> {
  await q.query(
    `UPDATE audit_event AS t SET entry = o.entry, request_id = o.request_id
     FROM audit_event AS o
     WHERE (t.seq, o.seq) IN (($1::bigint, $2::bigint), ($2::bigint, $1::bigint))`,
    [a, b],
  );
}
