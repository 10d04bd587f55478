import type { Queryable } from '../store';
import type { EcdCareAgreement, EcdClient } from './export-format';
import type { RecordEntity } from './record-schemas';

/**
 * The staging tables of one import: every checked record of the export, and every reference from one
 * record to a relation, in temporary tables that go with the import's transaction. The cross-record
 * checks (duplicates, references, BSNs) are queries on them, and the apply steps read the records back
 * a batch at a time, so that the memory an import needs does not grow with the export.
 */

/** Records read back, and problems listed, a batch at a time. */
export const BATCH = 500;

/** A row of a known shape, as the drivers return it. */
type Shaped<T> = T & Record<string, unknown>;

/** Where a staged record came from. */
export interface StagedPosition {
  entity: RecordEntity;
  record_id: string;
  file: string;
  line: number;
  idx: number | null;
}

export interface StagedRow {
  entity: RecordEntity;
  record_id: string | null;
  client_id: string | null;
  record: unknown;
  file: string;
  line: number;
  idx: number | null;
}

/** A record's reference to a relation (a grantee, a person who registered or granted). */
export interface RelationRef extends StagedPosition {
  field: string;
  relation_id: string;
  client_id: string;
}

export async function createStaging(tx: Queryable): Promise<void> {
  await tx.query(`CREATE TEMP TABLE ecd_stage (
    entity text NOT NULL, record_id text, client_id text, record jsonb NOT NULL,
    file text NOT NULL, line integer NOT NULL, idx integer) ON COMMIT DROP`);
  await tx.query('CREATE INDEX ecd_stage_key ON ecd_stage (entity, record_id)');
  await tx.query('CREATE INDEX ecd_stage_client ON ecd_stage (entity, client_id)');
  await tx.query(`CREATE TEMP TABLE ecd_stage_ref (
    entity text NOT NULL, record_id text NOT NULL, field text NOT NULL, relation_id text NOT NULL,
    client_id text NOT NULL, file text NOT NULL, line integer NOT NULL, idx integer) ON COMMIT DROP`);
}

export async function stageRecords(
  tx: Queryable,
  rows: readonly StagedRow[],
  refs: readonly RelationRef[],
): Promise<void> {
  if (rows.length > 0) {
    await tx.query(
      `INSERT INTO ecd_stage (entity, record_id, client_id, record, file, line, idx)
       SELECT entity, record_id, client_id, record, file, line, idx
       FROM jsonb_to_recordset($1::jsonb) AS r(entity text, record_id text, client_id text, record jsonb,
         file text, line integer, idx integer)`,
      [JSON.stringify(rows)],
    );
  }
  if (refs.length > 0) {
    await tx.query(
      `INSERT INTO ecd_stage_ref (entity, record_id, field, relation_id, client_id, file, line, idx)
       SELECT entity, record_id, field, relation_id, client_id, file, line, idx
       FROM jsonb_to_recordset($1::jsonb) AS r(entity text, record_id text, field text, relation_id text,
         client_id text, file text, line integer, idx integer)`,
      [JSON.stringify(refs)],
    );
  }
}

// ---- reading back ------------------------------------------------------------------------------

/** Staged records of one entity in id order, a batch at a time. */
export async function* stagedRecords<R>(
  tx: Queryable,
  entity: RecordEntity,
): AsyncGenerator<Array<StagedPosition & { record: R }>> {
  yield* inBatches<StagedPosition & { record: R }>(tx, entity, 's.record');
}

/** Staged clients in id order, each with the care agreements staged for it (in id order). */
export async function* stagedClients(
  tx: Queryable,
): AsyncGenerator<Array<StagedPosition & { record: EcdClient; agreements: EcdCareAgreement[] }>> {
  yield* inBatches<StagedPosition & { record: EcdClient; agreements: EcdCareAgreement[] }>(
    tx,
    'clients',
    `s.record, COALESCE((SELECT jsonb_agg(a.record ORDER BY a.record_id) FROM ecd_stage a
       WHERE a.entity = 'careAgreements' AND a.client_id = s.record_id), '[]'::jsonb) AS agreements`,
  );
}

async function* inBatches<R extends StagedPosition>(
  tx: Queryable,
  entity: RecordEntity,
  select: string,
): AsyncGenerator<R[]> {
  let after = '';
  for (;;) {
    const rows = await tx.query<Shaped<R>>(
      `SELECT s.entity, s.record_id, s.line, s.file, s.idx, ${select} FROM ecd_stage s
       WHERE s.entity = $1 AND s.record_id > $2 ORDER BY s.record_id LIMIT ${BATCH}`,
      [entity, after],
    );
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1]!.record_id;
  }
}

export async function countStaged(tx: Queryable, entity: RecordEntity): Promise<number> {
  const rows = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM ecd_stage WHERE entity = $1', [
    entity,
  ]);
  return rows[0]?.n ?? 0;
}

/** Which of these client ids the export lists. */
export async function stagedClientIds(tx: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx.query<{ record_id: string }>(
    `SELECT record_id FROM ecd_stage WHERE entity = 'clients' AND record_id = ANY($1::text[])`,
    [ids],
  );
  return new Set(rows.map((r) => r.record_id));
}

// ---- cross-record checks -------------------------------------------------------------------------

/** Second and later records with an id already used by a record of the same entity. */
export function duplicateIds(
  tx: Queryable,
  limit: number,
): Promise<Array<Shaped<StagedPosition & { first_line: number }>>> {
  return tx.query<Shaped<StagedPosition & { first_line: number }>>(
    `SELECT s.entity, s.record_id, s.file, s.line, s.idx, d.first_line
     FROM ecd_stage s
     JOIN (SELECT entity, record_id, min(line) AS first_line FROM ecd_stage
           WHERE record_id IS NOT NULL GROUP BY entity, record_id HAVING count(*) > 1) d
       ON d.entity = s.entity AND d.record_id = s.record_id
     WHERE s.line > d.first_line
     ORDER BY s.line LIMIT $1`,
    [limit],
  );
}

/**
 * Clients with the BSN of a client listed before them (B11): one person is one client of an
 * organisation. A client listed twice under one id is the duplicate-id problem, not this one.
 */
export function duplicateBsns(
  tx: Queryable,
  limit: number,
): Promise<Array<Shaped<StagedPosition & { first_id: string; first_line: number }>>> {
  return tx.query<Shaped<StagedPosition & { first_id: string; first_line: number }>>(
    `WITH c AS (SELECT entity, record_id, record->>'bsn' AS bsn, file, line, idx FROM ecd_stage
                WHERE entity = 'clients' AND record->>'bsn' IS NOT NULL),
          first AS (SELECT DISTINCT ON (bsn) bsn, record_id, line FROM c ORDER BY bsn, line, record_id)
     SELECT c.entity, c.record_id, c.file, c.line, c.idx, first.record_id AS first_id, first.line AS first_line
     FROM c JOIN first ON first.bsn = c.bsn AND first.record_id <> c.record_id
     ORDER BY c.line LIMIT $1`,
    [limit],
  );
}

/** Staged clients that have a BSN, in id order, a batch at a time. */
export async function* stagedBsns(tx: Queryable): AsyncGenerator<Array<StagedPosition & { bsn: string }>> {
  let after = '';
  for (;;) {
    const rows = await tx.query<Shaped<StagedPosition & { bsn: string }>>(
      `SELECT entity, record_id, file, line, idx, record->>'bsn' AS bsn FROM ecd_stage
       WHERE entity = 'clients' AND record->>'bsn' IS NOT NULL AND record_id > $1
       ORDER BY record_id LIMIT ${BATCH}`,
      [after],
    );
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1]!.record_id;
  }
}

/** The client ids that records refer to but the export does not list (care agreements left out). */
export async function clientsReferredToNotStaged(tx: Queryable): Promise<string[]> {
  const rows = await tx.query<{ client_id: string }>(
    `SELECT DISTINCT s.client_id FROM ecd_stage s
     WHERE s.entity NOT IN ('clients', 'careAgreements')
       AND NOT EXISTS (SELECT 1 FROM ecd_stage c WHERE c.entity = 'clients' AND c.record_id = s.client_id)`,
  );
  return rows.map((r) => r.client_id);
}

/**
 * Records whose client the export does not list, except those whose client is among `known` (stored
 * by an earlier sync, which a delta may refer to). A care agreement always needs its client listed.
 */
export function recordsWithoutClient(
  tx: Queryable,
  known: readonly string[],
  limit: number,
): Promise<Array<Shaped<StagedPosition & { client_id: string }>>> {
  return tx.query<Shaped<StagedPosition & { client_id: string }>>(
    `SELECT s.entity, s.record_id, s.client_id, s.file, s.line, s.idx FROM ecd_stage s
     WHERE s.entity <> 'clients'
       AND NOT EXISTS (SELECT 1 FROM ecd_stage c WHERE c.entity = 'clients' AND c.record_id = s.client_id)
       AND (s.entity = 'careAgreements' OR NOT s.client_id = ANY($2::text[]))
     ORDER BY s.line LIMIT $1`,
    [limit, known],
  );
}

/** The references to relations the export does not list at all, as distinct (relation, client) pairs. */
export function relationsReferredToNotStaged(
  tx: Queryable,
): Promise<Array<Shaped<{ relation_id: string; client_id: string }>>> {
  return tx.query<Shaped<{ relation_id: string; client_id: string }>>(
    `SELECT DISTINCT r.relation_id, r.client_id FROM ecd_stage_ref r
     WHERE NOT EXISTS (SELECT 1 FROM ecd_stage s WHERE s.entity = 'relations' AND s.record_id = r.relation_id)`,
  );
}

/**
 * References to a relation that is not the referring record's client's relation in this export,
 * except those in `known` (a relation of that client stored by an earlier sync); `owner` is the
 * client the export lists the relation under, if any.
 */
export function badRelationRefs(
  tx: Queryable,
  known: ReadonlyArray<{ relation_id: string; client_id: string }>,
  limit: number,
): Promise<Array<Shaped<RelationRef & { owner: string | null }>>> {
  return tx.query<Shaped<RelationRef & { owner: string | null }>>(
    `SELECT r.*, (SELECT s.client_id FROM ecd_stage s WHERE s.entity = 'relations' AND s.record_id = r.relation_id LIMIT 1) AS owner
     FROM ecd_stage_ref r
     WHERE NOT EXISTS (SELECT 1 FROM ecd_stage s WHERE s.entity = 'relations' AND s.record_id = r.relation_id
                         AND s.client_id = r.client_id)
       AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($2::jsonb) AS k(relation_id text, client_id text)
                       WHERE k.relation_id = r.relation_id AND k.client_id = r.client_id)
     ORDER BY r.line LIMIT $1`,
    [limit, JSON.stringify(known)],
  );
}
