import { createHash } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import type { OrganisationConfig } from '../config';
import { ECD_SYNC_CHANNEL } from '../consent';
import type { Queryable, Store } from '../store';
import type {
  EcdCareAgreement,
  EcdClient,
  EcdClientAgreement,
  EcdExportMode,
  EcdOrganisation,
  EcdPortalAuthorisation,
  EcdPortalRegistration,
  EcdRelation,
} from './export-format';
import { mapAuthorisation, mapClient, mapClientAgreement, mapRelation, validateMapped } from './fhir';
import { endResource } from './lifecycle';
import { EcdImportError, type ImportProblem } from './problems';
import { EcdReadError, lineOfField, type EcdRecord } from './read';
import { checkRecord, type RecordEntity } from './record-schemas';

/** What one import did, per kind of record. */
export interface ChangeCounts {
  created: number;
  updated: number;
  ended: number;
  unchanged: number;
}

export type CountedKind = 'Patient' | 'RelatedPerson' | 'Consent' | 'PortalRegistration';

export interface ImportResult {
  organisationId: string;
  dryRun: boolean;
  /** Records read from the export. */
  records: number;
  counts: Record<CountedKind, ChangeCounts>;
  /** The import's row in ecd_import; absent for a dry run. */
  importId?: string;
}

export type ImportPhase = 'reading' | 'checking' | 'applying' | 'ending';

export interface ImportOptions {
  /** The organisations this gateway serves; the export's organisation must be one of them. */
  organisations: readonly OrganisationConfig[];
  /** For a push authenticated as one organisation: the export must be that organisation's. */
  expectedOrganisationId?: string;
  /** Check and count everything, change nothing. */
  dryRun?: boolean;
  /** The clock; "today" for date checks is its calendar date in the Netherlands. */
  now?: Date;
  /** Where the export came from, for the import log ("cli:/path/export.json", "push"). */
  source: string;
  /** Stop reading after this many problems (default 100). */
  maxProblems?: number;
  /** An export with no clients would end every client; refuse unless this is set. */
  allowEndingAll?: boolean;
  onProgress?: (phase: ImportPhase, done: number) => void;
}

/** The channel on which a committed sync is announced, so every instance drops what it cached. */
export { ECD_SYNC_CHANNEL };

const BATCH = 500;
const DEFAULT_MAX_PROBLEMS = 100;

/** Thrown inside the transaction to roll a dry run back after counting. */
class DryRunRollback extends Error {
  constructor(readonly result: ImportResult) {
    super('dry run');
  }
}

/**
 * Applies one ECD export as one transaction: every record is read as a stream into a staging table,
 * checked, cross-checked (duplicates, references), mapped to FHIR, validated against our profiles,
 * and compared with what is stored; only what changed gets a new version, and what disappeared is
 * ended. Any problem anywhere rolls everything back.
 */
export async function importEcdExport(
  store: Store,
  records: AsyncIterable<EcdRecord>,
  options: ImportOptions,
): Promise<ImportResult> {
  const now = options.now ?? new Date();
  const today = dutchCalendarDate(now);
  try {
    return await store.transaction(async (tx) => {
      const run = new ImportRun(tx, options, now, today);
      const result = await run.execute(records);
      if (options.dryRun) throw new DryRunRollback(result);
      return result;
    });
  } catch (err) {
    if (err instanceof DryRunRollback) return err.result;
    throw err;
  }
}

/** The calendar date in the Netherlands at `moment` (a day starts at midnight Amsterdam time). */
export function dutchCalendarDate(moment: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(moment);
}

interface StagedRow {
  entity: RecordEntity;
  record_id: string | null;
  client_id: string | null;
  record: unknown;
  file: string;
  line: number;
  idx: number | null;
}

type RelationRef = {
  entity: RecordEntity;
  record_id: string;
  field: string;
  relation_id: string;
  client_id: string;
  file: string;
  line: number;
  idx: number | null;
};

interface StagedPosition {
  record_id: string;
  line: number;
  file: string;
  idx: number | null;
}

interface MappedResource {
  resource: Resource & { id: string };
  patientId: string;
  sourceRecord: string;
  /** Where the record came from, to locate a validation failure. */
  origin: StagedPosition & { entity: RecordEntity };
}

type ExportHeader = EcdOrganisation & { exportedAt: string; mode?: EcdExportMode };

class ImportRun {
  readonly #problems: ImportProblem[] = [];
  #truncated = false;
  #records = 0;
  #header: ExportHeader | undefined;
  readonly #counts: Record<CountedKind, ChangeCounts> = {
    Patient: zero(),
    RelatedPerson: zero(),
    Consent: zero(),
    PortalRegistration: zero(),
  };
  #lastUpdated = '';

  constructor(
    readonly tx: Queryable,
    readonly options: ImportOptions,
    readonly now: Date,
    readonly today: string,
  ) {}

  get maxProblems(): number {
    return this.options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
  }

  async execute(records: AsyncIterable<EcdRecord>): Promise<ImportResult> {
    const startedAt = await this.tx.query<{ now: Date }>('SELECT now() AS now');
    this.#lastUpdated = (startedAt[0]?.now ?? this.now).toISOString();
    await this.createStaging();
    await this.stage(records);
    this.failIfProblems();
    const org = this.checkHeader();
    this.failIfProblems();
    const delta = org.mode === 'delta';
    await this.crossCheck(org.id, delta);
    this.failIfProblems();
    if (!delta) await this.guardAgainstEndingAll(org.id);

    await this.applyClients(org);
    await this.applyRelations(org);
    await this.applyConsents(org);
    this.failIfProblems();
    if (!delta) await this.endVanished(org.id);
    await this.applyRegistrations(org.id, delta);

    const counts = this.#counts;
    const result: ImportResult = {
      organisationId: org.id,
      dryRun: !!this.options.dryRun,
      records: this.#records,
      counts,
    };
    if (!this.options.dryRun) {
      const rows = await this.tx.query<{ id: string }>(
        `INSERT INTO ecd_import (organisation_id, source, exported_at, started_at, finished_at, counts)
         VALUES ($1, $2, $3, $4, clock_timestamp(), $5::jsonb) RETURNING id`,
        [org.id, this.options.source, org.exportedAt, this.#lastUpdated, JSON.stringify(counts)],
      );
      result.importId = rows[0]?.id;
      // Delivered on commit only: other instances never hear of a sync that rolled back.
      await this.tx.query('SELECT pg_notify($1, $2)', [ECD_SYNC_CHANNEL, org.id]);
    }
    return result;
  }

  // ---- reading and staging -------------------------------------------------------------------

  async createStaging(): Promise<void> {
    await this.tx.query(`CREATE TEMP TABLE ecd_stage (
      entity text NOT NULL, record_id text, client_id text, record jsonb NOT NULL,
      file text NOT NULL, line integer NOT NULL, idx integer) ON COMMIT DROP`);
    await this.tx.query('CREATE INDEX ecd_stage_key ON ecd_stage (entity, record_id)');
    await this.tx.query('CREATE INDEX ecd_stage_client ON ecd_stage (entity, client_id)');
    await this.tx.query(`CREATE TEMP TABLE ecd_stage_ref (
      entity text NOT NULL, record_id text NOT NULL, field text NOT NULL, relation_id text NOT NULL,
      client_id text NOT NULL, file text NOT NULL, line integer NOT NULL, idx integer) ON COMMIT DROP`);
    await this.tx.query(`CREATE TEMP TABLE ecd_seen (resource_type text NOT NULL, id text NOT NULL,
      PRIMARY KEY (resource_type, id)) ON COMMIT DROP`);
  }

  async stage(records: AsyncIterable<EcdRecord>): Promise<void> {
    let rows: StagedRow[] = [];
    let refs: RelationRef[] = [];
    const flush = async () => {
      if (rows.length > 0) {
        await this.tx.query(
          `INSERT INTO ecd_stage (entity, record_id, client_id, record, file, line, idx)
           SELECT entity, record_id, client_id, record, file, line, idx
           FROM jsonb_to_recordset($1::jsonb) AS r(entity text, record_id text, client_id text, record jsonb,
             file text, line integer, idx integer)`,
          [JSON.stringify(rows)],
        );
      }
      if (refs.length > 0) {
        await this.tx.query(
          `INSERT INTO ecd_stage_ref (entity, record_id, field, relation_id, client_id, file, line, idx)
           SELECT entity, record_id, field, relation_id, client_id, file, line, idx
           FROM jsonb_to_recordset($1::jsonb) AS r(entity text, record_id text, field text, relation_id text,
             client_id text, file text, line integer, idx integer)`,
          [JSON.stringify(refs)],
        );
      }
      rows = [];
      refs = [];
    };
    try {
      for await (const item of records) {
        this.#records += 1;
        const entity = item.entity as RecordEntity;
        const found = checkRecord(entity, item.record, this.today);
        const recordId = typeof item.record.id === 'string' ? item.record.id : undefined;
        if (found.length > 0) {
          for (const p of found) {
            this.addProblem({
              ...positionOf(item, p.field),
              entity,
              recordId,
              field: p.field,
              reason: p.reason,
            });
          }
          if (this.#truncated) break;
          continue;
        }
        if (entity === 'organisation') {
          if (this.#header) {
            this.addProblem({
              ...positionOf(item),
              entity,
              field: '',
              reason: 'the export has more than one organisation',
            });
          }
          this.#header = item.record as unknown as ExportHeader;
          continue;
        }
        const record = item.record;
        const clientId = entity === 'clients' ? (record.id as string) : (record.clientId as string);
        const row: StagedRow = {
          entity,
          record_id: recordId ?? null,
          client_id: clientId,
          record,
          file: item.position.file,
          line: item.position.line,
          idx: item.position.index ?? null,
        };
        rows.push(row);
        for (const [field, relationId] of relationReferences(entity, record)) {
          refs.push({
            entity,
            record_id: recordId as string,
            field,
            relation_id: relationId,
            client_id: clientId,
            file: row.file,
            line: row.line,
            idx: row.idx,
          });
        }
        if (rows.length >= BATCH) await flush();
        if (this.#records % 1000 === 0) this.options.onProgress?.('reading', this.#records);
      }
    } catch (err) {
      if (!(err instanceof EcdReadError)) throw err;
      this.addProblem({
        file: err.position.file,
        line: err.position.line,
        index: err.position.index,
        field: err.field ?? '',
        reason: err.reason,
      });
    }
    if (this.#problems.length === 0) await flush();
    this.options.onProgress?.('reading', this.#records);
  }

  addProblem(problem: ImportProblem): void {
    if (this.#problems.length >= this.maxProblems) {
      this.#truncated = true;
      return;
    }
    this.#problems.push(problem);
  }

  failIfProblems(): void {
    if (this.#problems.length > 0) throw new EcdImportError(this.#problems, this.#truncated);
  }

  checkHeader(): ExportHeader {
    const header = this.#header;
    if (!header) {
      this.addProblem({
        file: '(export)',
        field: 'organisation',
        reason: 'the export names no organisation',
      });
      return { id: '', name: '', exportedAt: '' };
    }
    const configured = this.options.organisations.find((o) => o.id === header.id);
    if (!configured) {
      this.addProblem({
        file: '(export)',
        entity: 'organisation',
        field: 'organisation.id',
        reason: `organisation '${header.id}' is not configured on this gateway (configured: ${this.options.organisations.map((o) => o.id).join(', ')})`,
      });
    } else if (this.options.expectedOrganisationId && this.options.expectedOrganisationId !== header.id) {
      this.addProblem({
        file: '(export)',
        entity: 'organisation',
        field: 'organisation.id',
        reason: `this key may only sync organisation '${this.options.expectedOrganisationId}'`,
      });
    }
    return header;
  }

  // ---- cross-record checks --------------------------------------------------------------------

  /**
   * Duplicates and references. In a delta, a reference may also point at what an earlier sync stored
   * for this organisation.
   */
  async crossCheck(organisationId: string, delta: boolean): Promise<void> {
    this.options.onProgress?.('checking', 0);
    const duplicates = await this.tx.query<{
      entity: string;
      record_id: string;
      file: string;
      line: number;
      idx: number | null;
      first_line: number;
    }>(
      `SELECT s.entity, s.record_id, s.file, s.line, s.idx, d.first_line
       FROM ecd_stage s
       JOIN (SELECT entity, record_id, min(line) AS first_line, count(*) AS n FROM ecd_stage
             WHERE record_id IS NOT NULL GROUP BY entity, record_id HAVING count(*) > 1) d
         ON d.entity = s.entity AND d.record_id = s.record_id
       WHERE s.line > d.first_line
       ORDER BY s.line LIMIT $1`,
      [this.maxProblems],
    );
    for (const d of duplicates) {
      this.addProblem({
        ...stagedPosition(d),
        field: 'id',
        reason: `duplicate id '${d.record_id}' (first used on line ${d.first_line})`,
      });
    }

    const orphans = await this.tx.query<{
      entity: string;
      record_id: string;
      client_id: string;
      file: string;
      line: number;
      idx: number | null;
    }>(
      `SELECT s.entity, s.record_id, s.client_id, s.file, s.line, s.idx FROM ecd_stage s
       WHERE s.entity <> 'clients'
         AND NOT EXISTS (SELECT 1 FROM ecd_stage c WHERE c.entity = 'clients' AND c.record_id = s.client_id)
         AND (NOT $2::boolean OR s.entity = 'careAgreements' OR NOT EXISTS (
           SELECT 1 FROM fhir_resource f WHERE f.resource_type = 'Patient' AND f.organisation_id = $3
             AND f.source = 'ecd' AND f.source_record = s.client_id))
       ORDER BY s.line LIMIT $1`,
      [this.maxProblems, delta, organisationId],
    );
    for (const o of orphans) {
      this.addProblem({
        ...stagedPosition(o),
        field: 'clientId',
        reason:
          delta && o.entity === 'careAgreements'
            ? `in a delta export a care agreement comes with its client; client '${o.client_id}' is not in it`
            : `refers to client '${o.client_id}', which is not in this export${delta ? ' nor stored' : ''}`,
      });
    }

    const badRefs = await this.tx.query<RelationRef & { owner: string | null }>(
      `SELECT r.*, (SELECT s.client_id FROM ecd_stage s WHERE s.entity = 'relations' AND s.record_id = r.relation_id LIMIT 1) AS owner
       FROM ecd_stage_ref r
       WHERE NOT EXISTS (SELECT 1 FROM ecd_stage s WHERE s.entity = 'relations' AND s.record_id = r.relation_id AND s.client_id = r.client_id)
         AND (NOT $2::boolean
           OR EXISTS (SELECT 1 FROM ecd_stage s WHERE s.entity = 'relations' AND s.record_id = r.relation_id)
           OR NOT EXISTS (
             SELECT 1 FROM fhir_resource rp JOIN fhir_resource p
               ON p.resource_type = 'Patient' AND p.id = rp.patient_id AND p.organisation_id = rp.organisation_id
             WHERE rp.resource_type = 'RelatedPerson' AND rp.organisation_id = $3 AND rp.source = 'ecd'
               AND rp.source_record = r.relation_id AND p.source_record = r.client_id))
       ORDER BY r.line LIMIT $1`,
      [this.maxProblems, delta, organisationId],
    );
    for (const r of badRefs) {
      this.addProblem({
        ...stagedPosition(r),
        field: r.field,
        reason: r.owner
          ? `relation '${r.relation_id}' belongs to client '${r.owner}', not to client '${r.client_id}'`
          : `refers to relation '${r.relation_id}', which is not in this export`,
      });
    }
  }

  async guardAgainstEndingAll(organisationId: string): Promise<void> {
    if (this.options.allowEndingAll) return;
    const staged = await this.tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ecd_stage WHERE entity = 'clients'`,
    );
    if ((staged[0]?.n ?? 0) > 0) return;
    const stored = await this.tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM fhir_resource
       WHERE organisation_id = $1 AND source = 'ecd' AND resource_type = 'Patient' AND ended_at IS NULL`,
      [organisationId],
    );
    const n = stored[0]?.n ?? 0;
    if (n > 0) {
      this.addProblem({
        file: '(export)',
        entity: 'clients',
        field: 'clients',
        reason: `the export has no clients: applying it would end all ${n} clients of '${organisationId}'; refused (confirm with --allow-ending-all)`,
      });
      this.failIfProblems();
    }
  }

  // ---- mapping and applying -------------------------------------------------------------------

  /** Staged records of one entity in id order, a batch at a time (memory stays flat). */
  async *batches<R>(
    entity: RecordEntity,
    select: string,
  ): AsyncGenerator<Array<R & { record_id: string; line: number; file: string; idx: number | null }>> {
    let after = '';
    for (;;) {
      const rows = await this.tx.query<
        R & { record_id: string; line: number; file: string; idx: number | null }
      >(
        `SELECT s.record_id, s.line, s.file, s.idx, ${select} FROM ecd_stage s
         WHERE s.entity = $1 AND s.record_id > $2 ORDER BY s.record_id LIMIT ${BATCH}`,
        [entity, after],
      );
      if (rows.length === 0) return;
      yield rows;
      after = rows[rows.length - 1]!.record_id;
    }
  }

  async applyClients(org: EcdOrganisation): Promise<void> {
    let done = 0;
    for await (const rows of this.batches<{ record: EcdClient; agreements: EcdCareAgreement[] }>(
      'clients',
      `s.record, COALESCE((SELECT jsonb_agg(a.record ORDER BY a.record_id) FROM ecd_stage a
         WHERE a.entity = 'careAgreements' AND a.client_id = s.record_id), '[]'::jsonb) AS agreements`,
    )) {
      const mapped = rows.map((r) =>
        this.mapSafely(r, 'clients', () => {
          const patient = mapClient(
            { ...r.record, careAgreements: [] },
            r.agreements.map(withoutClientId),
            org,
          );
          return { resource: patient, patientId: patient.id, sourceRecord: r.record.id };
        }),
      );
      await this.upsert('Patient', org.id, mapped.filter(isMapped));
      this.options.onProgress?.('applying', (done += rows.length));
    }
  }

  async applyRelations(org: EcdOrganisation): Promise<void> {
    await this.applyEach<EcdRelation>('relations', 'RelatedPerson', org, (record) =>
      mapRelation(record, org),
    );
  }

  async applyConsents(org: EcdOrganisation): Promise<void> {
    await this.applyEach<EcdPortalAuthorisation>('portalAuthorisations', 'Consent', org, (record) =>
      mapAuthorisation(record, org),
    );
    await this.applyEach<EcdClientAgreement>('clientAgreements', 'Consent', org, (record) =>
      mapClientAgreement(record, org),
    );
  }

  /** Maps and stores every staged record of one entity whose resource needs nothing but the record. */
  async applyEach<R extends { id: string }>(
    entity: RecordEntity,
    type: 'RelatedPerson' | 'Consent',
    org: EcdOrganisation,
    map: (record: R) => Resource & { id: string; patient?: { reference?: string } },
  ): Promise<void> {
    let done = 0;
    for await (const rows of this.batches<{ record: R }>(entity, 's.record')) {
      const mapped = rows.map((r) =>
        this.mapSafely(r, entity, () => {
          const resource = map(r.record);
          return { resource, patientId: referenceId(resource.patient?.reference), sourceRecord: r.record.id };
        }),
      );
      await this.upsert(type, org.id, mapped.filter(isMapped));
      this.options.onProgress?.('applying', (done += rows.length));
    }
  }

  /** Maps one record; a record the mapping cannot handle is a problem of that record. */
  mapSafely(
    row: StagedPosition,
    entity: RecordEntity,
    map: () => Omit<MappedResource, 'origin'>,
  ): MappedResource | undefined {
    try {
      return { ...map(), origin: { ...row, entity } };
    } catch (err) {
      this.addMappingProblem({ ...row, entity }, err);
      return undefined;
    }
  }

  addMappingProblem(origin: StagedPosition & { entity: RecordEntity }, err: unknown): void {
    this.addProblem({
      ...stagedPosition(origin),
      field: '',
      reason: `does not map to a valid FHIR resource: ${err instanceof Error ? err.message : String(err)}`,
    });
  }

  async upsert(
    type: 'Patient' | 'RelatedPerson' | 'Consent',
    organisationId: string,
    mapped: MappedResource[],
  ): Promise<void> {
    if (mapped.length === 0) return;
    const ids = mapped.map((m) => m.resource.id);
    const existing = await this.tx.query<{
      id: string;
      version_id: number;
      content_hash: string;
      ended_at: Date | null;
    }>(
      `SELECT id, version_id, content_hash, ended_at FROM fhir_resource
       WHERE resource_type = $1 AND id IN (SELECT jsonb_array_elements_text($2::jsonb))`,
      [type, JSON.stringify(ids)],
    );
    const current = new Map(existing.map((e) => [e.id, e]));
    const writes: Array<Record<string, unknown>> = [];
    for (const m of mapped) {
      const hash = contentHash(m.resource);
      const before = current.get(m.resource.id);
      if (before && before.content_hash === hash && before.ended_at === null) {
        this.#counts[type].unchanged += 1;
        continue;
      }
      // Validated only when it is to be written: an unchanged resource passed when it was stored.
      try {
        validateMapped(m.resource);
      } catch (err) {
        this.addMappingProblem(m.origin, err);
        continue;
      }
      const version = (before?.version_id ?? 0) + 1;
      this.#counts[type][before ? 'updated' : 'created'] += 1;
      writes.push(
        this.row(type, m.resource, version, organisationId, m.patientId, m.sourceRecord, hash, null),
      );
    }
    await this.tx.query(
      `INSERT INTO ecd_seen (resource_type, id) SELECT $1, jsonb_array_elements_text($2::jsonb) ON CONFLICT DO NOTHING`,
      [type, JSON.stringify(ids)],
    );
    await this.write(writes);
  }

  row(
    type: string,
    resource: Resource & { id: string },
    version: number,
    organisationId: string,
    patientId: string,
    sourceRecord: string,
    hash: string,
    endedAt: string | null,
  ): Record<string, unknown> {
    const content = {
      ...resource,
      meta: { ...resource.meta, versionId: String(version), lastUpdated: this.#lastUpdated },
    };
    return {
      resource_type: type,
      id: resource.id,
      version_id: version,
      last_updated: this.#lastUpdated,
      organisation_id: organisationId,
      patient_id: patientId,
      source: 'ecd',
      source_record: sourceRecord,
      content_hash: hash,
      ended_at: endedAt,
      content,
    };
  }

  async write(rows: Array<Record<string, unknown>>): Promise<void> {
    if (rows.length === 0) return;
    const json = JSON.stringify(rows);
    await this.tx.query(
      `INSERT INTO fhir_resource (resource_type, id, version_id, last_updated, organisation_id, patient_id, source,
         source_record, content_hash, ended_at, content)
       SELECT resource_type, id, version_id, last_updated, organisation_id, patient_id, source, source_record,
         content_hash, ended_at, content
       FROM jsonb_to_recordset($1::jsonb) AS r(resource_type text, id text, version_id integer, last_updated timestamptz,
         organisation_id text, patient_id text, source text, source_record text, content_hash text,
         ended_at timestamptz, content jsonb)
       ON CONFLICT (resource_type, id) DO UPDATE SET version_id = excluded.version_id,
         last_updated = excluded.last_updated, organisation_id = excluded.organisation_id,
         patient_id = excluded.patient_id, source = excluded.source, source_record = excluded.source_record,
         content_hash = excluded.content_hash, ended_at = excluded.ended_at, content = excluded.content`,
      [json],
    );
    await this.tx.query(
      `INSERT INTO fhir_resource_history (resource_type, id, version_id, last_updated, content)
       SELECT resource_type, id, version_id, last_updated, content
       FROM jsonb_to_recordset($1::jsonb) AS r(resource_type text, id text, version_id integer,
         last_updated timestamptz, content jsonb)`,
      [json],
    );
  }

  /** What the ECD no longer lists is ended (a new version that says so), never deleted. */
  async endVanished(organisationId: string): Promise<void> {
    for (;;) {
      const rows = await this.tx.query<{
        resource_type: 'Patient' | 'RelatedPerson' | 'Consent';
        id: string;
        version_id: number;
        patient_id: string;
        source_record: string;
        content: Resource & { id: string };
      }>(
        `SELECT f.resource_type, f.id, f.version_id, f.patient_id, f.source_record, f.content FROM fhir_resource f
         WHERE f.organisation_id = $1 AND f.source = 'ecd' AND f.ended_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM ecd_seen s WHERE s.resource_type = f.resource_type AND s.id = f.id)
         ORDER BY f.resource_type, f.id LIMIT ${BATCH}`,
        [organisationId],
      );
      if (rows.length === 0) return;
      const writes = rows.map((r) => {
        const ended = endResource(stripVersion(r.content), this.today, this.#lastUpdated);
        this.#counts[r.resource_type].ended += 1;
        return this.row(
          r.resource_type,
          ended,
          r.version_id + 1,
          organisationId,
          r.patient_id,
          r.source_record,
          contentHash(ended),
          this.#lastUpdated,
        );
      });
      await this.write(writes);
      this.options.onProgress?.(
        'ending',
        this.#counts.Patient.ended + this.#counts.RelatedPerson.ended + this.#counts.Consent.ended,
      );
    }
  }

  async applyRegistrations(organisationId: string, delta: boolean): Promise<void> {
    const counts = this.#counts.PortalRegistration;
    for await (const rows of this.batches<{ record: EcdPortalRegistration }>(
      'portalRegistrations',
      's.record',
    )) {
      const existing = await this.tx.query<{ id: string; content_hash: string; ended_at: Date | null }>(
        `SELECT id, content_hash, ended_at FROM portal_registration
         WHERE organisation_id = $1 AND id IN (SELECT jsonb_array_elements_text($2::jsonb))`,
        [organisationId, JSON.stringify(rows.map((r) => r.record_id))],
      );
      const current = new Map(existing.map((e) => [e.id, e]));
      const writes = [];
      for (const r of rows) {
        const hash = contentHash(r.record);
        const before = current.get(r.record_id);
        if (before && before.content_hash === hash && before.ended_at === null) {
          counts.unchanged += 1;
          continue;
        }
        counts[before ? 'updated' : 'created'] += 1;
        writes.push({
          id: r.record.id,
          client_id: r.record.clientId,
          person: r.record.person,
          registered_on: r.record.registeredOn,
          requested_role: r.record.requestedRole,
          content_hash: hash,
        });
      }
      if (writes.length > 0) {
        await this.tx.query(
          `INSERT INTO portal_registration (organisation_id, id, client_id, person, registered_on, requested_role,
             content_hash, updated_at, ended_at)
           SELECT $1, id, client_id, person, registered_on, requested_role, content_hash, $3::timestamptz, NULL
           FROM jsonb_to_recordset($2::jsonb) AS r(id text, client_id text, person jsonb, registered_on date,
             requested_role text, content_hash text)
           ON CONFLICT (organisation_id, id) DO UPDATE SET client_id = excluded.client_id, person = excluded.person,
             registered_on = excluded.registered_on, requested_role = excluded.requested_role,
             content_hash = excluded.content_hash, updated_at = excluded.updated_at, ended_at = NULL`,
          [organisationId, JSON.stringify(writes), this.#lastUpdated],
        );
      }
    }
    if (delta) return;
    const ended = await this.tx.query<{ n: number }>(
      `WITH ended AS (
         UPDATE portal_registration p SET ended_at = $2::timestamptz, updated_at = $2::timestamptz
         WHERE p.organisation_id = $1 AND p.ended_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM ecd_stage s WHERE s.entity = 'portalRegistrations' AND s.record_id = p.id)
         RETURNING 1)
       SELECT count(*)::int AS n FROM ended`,
      [organisationId, this.#lastUpdated],
    );
    counts.ended += ended[0]?.n ?? 0;
  }
}

function zero(): ChangeCounts {
  return { created: 0, updated: 0, ended: 0, unchanged: 0 };
}

function isMapped(m: MappedResource | undefined): m is MappedResource {
  return m !== undefined;
}

/** Where a staged record came from, in the terms of an ImportProblem. */
function stagedPosition(row: {
  file: string;
  line: number;
  idx: number | null;
  entity: string;
  record_id: string;
}) {
  return {
    file: row.file,
    line: row.line,
    index: row.idx ?? undefined,
    entity: row.entity,
    recordId: row.record_id,
  };
}

/** Where a record is, or (given a field of it) where that field is. */
function positionOf(item: EcdRecord, field = ''): { file: string; line: number; index?: number } {
  return { file: item.position.file, line: lineOfField(item.position, field), index: item.position.index };
}

function withoutClientId(a: EcdCareAgreement & { clientId?: string }): EcdCareAgreement {
  const { clientId: _clientId, ...agreement } = a;
  return agreement;
}

/** The relation ids a record points at, with the field that holds each. */
function relationReferences(entity: RecordEntity, record: Record<string, unknown>): Array<[string, string]> {
  const refs: Array<[string, string]> = [];
  const person = (field: string, value: unknown) => {
    const p = value as { kind?: string; relationId?: string } | undefined;
    if (p?.kind === 'relation' && typeof p.relationId === 'string')
      refs.push([`${field}.relationId`, p.relationId]);
  };
  if (entity === 'portalRegistrations') person('person', record.person);
  if (entity === 'portalAuthorisations') {
    person('grantedBy', record.grantedBy);
    refs.push(['granteeRelationId', record.granteeRelationId as string]);
  }
  if (entity === 'clientAgreements') refs.push(['relationId', record.relationId as string]);
  return refs;
}

function referenceId(reference: string | undefined): string {
  const id = reference?.split('/')[1];
  if (!id) throw new TypeError(`not a relative reference: ${String(reference)}`);
  return id;
}

function stripVersion<T extends Resource>(resource: T): T {
  if (!resource.meta) return resource;
  const { versionId: _v, lastUpdated: _l, ...meta } = resource.meta;
  return { ...resource, meta };
}

/** A stable hash of a resource's content: keys sorted, so a re-import of the same data matches. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
