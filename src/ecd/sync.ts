import type { Resource } from '@medplum/fhirtypes';
import { dutchDate } from '../calendar';
import type { OrganisationConfig } from '../config';
import {
  announceChange,
  contentHash,
  countCurrent,
  currentVersions,
  resourcesWithIdentifier,
  startSweep,
  stripVersion,
  writeResources,
  type ResourceScope,
  type ResourceWrite,
  type Sweep,
} from '../resources';
import type { ConsentChange } from '../consent';
import type { Queryable, Store } from '../store';
import { NAMING_SYSTEM, parsePatientReference, patientReference, type Actor } from '../vocabulary';
import {
  currentRegistrations,
  endRegistrationsNotStaged,
  finishImportLog,
  startImportLog,
  transactionStart,
  writeRegistrations,
  type RegistrationWrite,
} from './ecd-tables';
import type {
  EcdCareAgreement,
  EcdClientAgreement,
  EcdExportMode,
  EcdOrganisation,
  EcdPortalAuthorisation,
  EcdPortalRegistration,
  EcdRelation,
} from './export-format';
import {
  mapAuthorisation,
  mapClient,
  mapClientAgreement,
  mapRelation,
  patientId,
  relatedPersonId,
  validateMapped,
} from './fhir';
import { endResource } from './lifecycle';
import { ProblemList, type ImportProblem } from './problems';
import { EcdReadError, lineOfField, type EcdRecord } from './read';
import { checkRecord, type RecordEntity } from './record-schemas';
import { ecdClientConsentEntry, ecdSyncEntry, type EcdSyncAudit } from './sync-audit';
import {
  BATCH,
  badRelationRefs,
  clientsReferredToNotStaged,
  countStaged,
  createStaging,
  duplicateBsns,
  duplicateIds,
  recordsWithoutClient,
  relationsReferredToNotStaged,
  stageRecords,
  stagedBsns,
  stagedClientIds,
  stagedClients,
  stagedRecords,
  type RelationRef,
  type StagedPosition,
  type StagedRow,
} from './staging';

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
  /**
   * The import's row in ecd_import, also the run in the actor of every version it wrote
   * (`ecd-import:<organisation>:<importId>`); absent for a dry run.
   */
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
  /**
   * The audit trail and who syncs (NEN 7513): an applied run writes its 'ecd-sync' record, and a
   * 'consent-change' record for each client whose Consents it changed, inside its own transaction;
   * a dry run its record after. The push route and `inzage ecd import` always give it; refusals and
   * failures are recorded by them (`ecdSyncRefusalEntry`).
   */
  audit?: EcdSyncAudit;
}

const DEFAULT_MAX_PROBLEMS = 100;
/** How many ids one look-up in the store takes. */
const LOOKUP = 1000;

/** Thrown inside the transaction to roll a dry run back after counting. */
class DryRunRollback extends Error {
  constructor(readonly result: ImportResult) {
    super('dry run');
  }
}

/**
 * Applies one ECD export as one transaction: every record is read as a stream into a staging table,
 * checked, cross-checked (duplicates, references, BSNs), mapped to FHIR, validated against our
 * profiles, and compared with what is stored; only what changed gets a new version, and what
 * disappeared is ended. Any problem anywhere rolls everything back. The versions are written through
 * the resources module, each with the import as its actor.
 */
export async function importEcdExport(
  store: Store,
  records: AsyncIterable<EcdRecord>,
  options: ImportOptions,
): Promise<ImportResult> {
  const began = options.now ?? new Date();
  const today = dutchDate(began);
  try {
    return await store.transaction(async (tx) => {
      const result = await new ImportRun(tx, options, today).execute(records);
      if (options.dryRun) throw new DryRunRollback(result);
      return result;
    });
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
    // A dry run changed nothing, but it did look at the organisation's clients: recorded all the same.
    const { audit } = options;
    if (audit) await audit.trail.record(ecdSyncEntry(audit.origin, began, options.source, err.result));
    return err.result;
  }
}

type ExportHeader = EcdOrganisation & { exportedAt: string; mode?: EcdExportMode };

interface MappedResource {
  resource: Resource & { id: string };
  patientId: string;
  sourceRecord: string;
  /** Where the record came from, to locate a validation failure. */
  origin: StagedPosition;
}

/** Where and as whom the apply steps write: the same for every step of one import. */
interface WriteTarget {
  org: EcdOrganisation;
  scope: ResourceScope;
  actor: Actor;
  /** The import's moment: lastUpdated of every version, and the end of what it ends. */
  at: Date;
  /** Marks what a full export lists; absent for a delta, which ends nothing. */
  sweep: Sweep | undefined;
}

type ResourceKind = 'Patient' | 'RelatedPerson' | 'Consent';

class ImportRun {
  readonly problems: ProblemList;

  /** Per client (patient id): the Consent versions this run writes, for the client's audit record. */
  readonly consentChanges = new Map<string, ConsentChange[]>();

  constructor(
    readonly tx: Queryable,
    readonly options: ImportOptions,
    /** The import's calendar date in the Netherlands. */
    readonly today: string,
  ) {
    this.problems = new ProblemList(options.maxProblems ?? DEFAULT_MAX_PROBLEMS);
  }

  async execute(records: AsyncIterable<EcdRecord>): Promise<ImportResult> {
    const startedAt = await transactionStart(this.tx);
    await createStaging(this.tx);
    const staged = await this.stage(records);
    this.problems.throwIfAny();
    const org = this.checkHeader(staged.header);
    this.problems.throwIfAny();
    const delta = org.mode === 'delta';
    const scope: ResourceScope = { organisationId: org.id, source: 'ecd' };
    await this.crossCheck(org, scope, delta);
    this.problems.throwIfAny();
    if (!delta) await this.guardAgainstEndingAll(scope);

    const run = await startImportLog(this.tx, {
      organisationId: org.id,
      source: this.options.source,
      exportedAt: org.exportedAt,
      startedAt,
    });
    const target: WriteTarget = {
      org,
      scope,
      actor: { kind: 'ecd-import', organisationId: org.id, run },
      at: startedAt,
      sweep: delta ? undefined : await startSweep(this.tx, scope),
    };
    const counts: Record<CountedKind, ChangeCounts> = {
      Patient: await this.applyClients(target),
      RelatedPerson: await this.applyRelations(target),
      Consent: await this.applyConsents(target),
      PortalRegistration: zero(),
    };
    this.problems.throwIfAny();
    if (target.sweep) {
      const ended = await this.endVanished(target, target.sweep);
      for (const kind of Object.keys(ended) as ResourceKind[]) counts[kind].ended += ended[kind];
    }
    counts.PortalRegistration = await this.applyRegistrations(org.id, delta, startedAt);

    const result: ImportResult = {
      organisationId: org.id,
      dryRun: !!this.options.dryRun,
      records: staged.records,
      counts,
    };
    if (!this.options.dryRun) {
      await finishImportLog(this.tx, run, counts);
      result.importId = run;
      // Last, so that the chain head's lock is held only from here to the commit.
      const { audit } = this.options;
      if (audit)
        await audit.trail.recordAllIn(this.tx, [
          ecdSyncEntry(audit.origin, startedAt, this.options.source, result),
          ...[...this.consentChanges].map(([patient, changes]) =>
            ecdClientConsentEntry(audit.origin, patient, changes, run),
          ),
        ]);
      // Delivered on commit only: other instances never hear of a sync that rolled back.
      await announceChange(this.tx, { organisation: org.id });
    }
    return result;
  }

  // ---- reading and staging -------------------------------------------------------------------

  /** Checks each record on its own and stages it; returns the header and how many records there were. */
  async stage(records: AsyncIterable<EcdRecord>): Promise<{ header?: ExportHeader; records: number }> {
    let header: ExportHeader | undefined;
    let count = 0;
    let rows: StagedRow[] = [];
    let refs: RelationRef[] = [];
    const flush = async () => {
      await stageRecords(this.tx, rows, refs);
      rows = [];
      refs = [];
    };
    try {
      for await (const item of records) {
        count += 1;
        const entity = item.entity as RecordEntity;
        const found = checkRecord(entity, item.record, this.today);
        const recordId = typeof item.record.id === 'string' ? item.record.id : undefined;
        if (found.length > 0) {
          for (const p of found) {
            this.problems.add({
              ...positionOf(item, p.field),
              entity,
              recordId,
              field: p.field,
              reason: p.reason,
            });
          }
          if (this.problems.full) break;
          continue;
        }
        if (entity === 'organisation') {
          if (header) {
            this.problems.add({
              ...positionOf(item),
              entity,
              field: '',
              reason: 'the export has more than one organisation',
            });
          }
          header = item.record as unknown as ExportHeader;
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
        if (count % 1000 === 0) this.options.onProgress?.('reading', count);
      }
    } catch (err) {
      if (!(err instanceof EcdReadError)) throw err;
      this.problems.add({
        file: err.position.file,
        line: err.position.line,
        index: err.position.index,
        field: err.field ?? '',
        reason: err.reason,
      });
    }
    if (this.problems.count === 0) await flush();
    this.options.onProgress?.('reading', count);
    return { header, records: count };
  }

  checkHeader(header: ExportHeader | undefined): ExportHeader {
    if (!header) {
      this.problems.add({
        file: '(export)',
        field: 'organisation',
        reason: 'the export names no organisation',
      });
      return { id: '', name: '', exportedAt: '' };
    }
    const configured = this.options.organisations.find((o) => o.id === header.id);
    if (!configured) {
      this.problems.add({
        file: '(export)',
        entity: 'organisation',
        field: 'organisation.id',
        reason: `organisation '${header.id}' is not configured on this gateway (configured: ${this.options.organisations.map((o) => o.id).join(', ')})`,
      });
    } else if (this.options.expectedOrganisationId && this.options.expectedOrganisationId !== header.id) {
      this.problems.add({
        file: '(export)',
        entity: 'organisation',
        field: 'organisation.id',
        reason: `this client may only sync organisation '${this.options.expectedOrganisationId}'`,
      });
    }
    return header;
  }

  // ---- cross-record checks --------------------------------------------------------------------

  /**
   * Duplicates (ids, and BSNs among one organisation's clients), and references. In a delta, a
   * reference may also point at what an earlier sync stored for this organisation, and a client's
   * BSN must not be another stored client's.
   */
  async crossCheck(org: EcdOrganisation, scope: ResourceScope, delta: boolean): Promise<void> {
    this.options.onProgress?.('checking', 0);
    const limit = this.problems.max;
    for (const d of await duplicateIds(this.tx, limit)) {
      this.problems.add({
        ...problemPosition(d),
        field: 'id',
        reason: `duplicate id '${d.record_id}' (first used on line ${d.first_line})`,
      });
    }
    for (const d of await duplicateBsns(this.tx, limit)) {
      this.problems.add({
        ...problemPosition(d),
        field: 'bsn',
        reason: `has the same BSN as client '${d.first_id}' (line ${d.first_line}); one person is one client of an organisation`,
      });
    }
    if (delta) await this.checkBsnsAgainstStore(scope);

    const knownClients = delta ? await this.storedClients(org, scope) : [];
    for (const o of await recordsWithoutClient(this.tx, knownClients, limit)) {
      this.problems.add({
        ...problemPosition(o),
        field: 'clientId',
        reason:
          delta && o.entity === 'careAgreements'
            ? `in a delta export a care agreement comes with its client; client '${o.client_id}' is not in it`
            : `refers to client '${o.client_id}', which is not in this export${delta ? ' nor stored' : ''}`,
      });
    }

    const knownRelations = delta ? await this.storedRelations(org, scope) : [];
    for (const r of await badRelationRefs(this.tx, knownRelations, limit)) {
      this.problems.add({
        ...problemPosition(r),
        field: r.field,
        reason: r.owner
          ? `relation '${r.relation_id}' belongs to client '${r.owner}', not to client '${r.client_id}'`
          : `refers to relation '${r.relation_id}', which is not in this export`,
      });
    }
  }

  /** B11 for a delta: a new or changed client's BSN must not be held by another standing client. */
  async checkBsnsAgainstStore(scope: ResourceScope): Promise<void> {
    for await (const clients of stagedBsns(this.tx)) {
      const holders = (
        await resourcesWithIdentifier(
          this.tx,
          scope,
          'Patient',
          NAMING_SYSTEM.bsn,
          clients.map((c) => c.bsn),
        )
      ).filter((p) => p.endedAt === null && p.sourceRecord !== null);
      if (holders.length === 0) continue;
      // A stored client that this delta lists too is judged on the BSN the delta gives it.
      const relisted = await stagedClientIds(
        this.tx,
        holders.map((p) => p.sourceRecord as string),
      );
      for (const client of clients) {
        const other = holders.find(
          (p) =>
            p.sourceRecord !== client.record_id &&
            !relisted.has(p.sourceRecord as string) &&
            p.content.resourceType === 'Patient' &&
            (p.content.identifier ?? []).some(
              (i) => i.system === NAMING_SYSTEM.bsn && i.value === client.bsn,
            ),
        );
        if (!other) continue;
        this.problems.add({
          ...problemPosition(client),
          field: 'bsn',
          reason: `has the same BSN as client '${other.sourceRecord}', stored by an earlier sync; one person is one client of an organisation`,
        });
      }
    }
  }

  /** Of the clients a delta refers to without listing them, those an earlier sync stored. */
  async storedClients(org: EcdOrganisation, scope: ResourceScope): Promise<string[]> {
    const known: string[] = [];
    for (const ids of chunks(await clientsReferredToNotStaged(this.tx), LOOKUP)) {
      const stored = await currentVersions(
        this.tx,
        scope,
        'Patient',
        ids.map((id) => patientId(org.id, id)),
      );
      known.push(...ids.filter((id) => stored.has(patientId(org.id, id))));
    }
    return known;
  }

  /** Of the relations a delta refers to without listing them, those an earlier sync stored for that client. */
  async storedRelations(
    org: EcdOrganisation,
    scope: ResourceScope,
  ): Promise<Array<{ relation_id: string; client_id: string }>> {
    const known: Array<{ relation_id: string; client_id: string }> = [];
    for (const refs of chunks(await relationsReferredToNotStaged(this.tx), LOOKUP)) {
      const stored = await currentVersions(
        this.tx,
        scope,
        'RelatedPerson',
        refs.map((r) => relatedPersonId(org.id, r.relation_id)),
      );
      known.push(
        ...refs.filter(
          (r) =>
            stored.get(relatedPersonId(org.id, r.relation_id))?.patientId === patientId(org.id, r.client_id),
        ),
      );
    }
    return known;
  }

  async guardAgainstEndingAll(scope: ResourceScope): Promise<void> {
    if (this.options.allowEndingAll) return;
    if ((await countStaged(this.tx, 'clients')) > 0) return;
    const n = await countCurrent(this.tx, scope, 'Patient');
    if (n > 0) {
      this.problems.add({
        file: '(export)',
        entity: 'clients',
        field: 'clients',
        reason: `the export has no clients: applying it would end all ${n} clients of '${scope.organisationId}'; refused (confirm with --allow-ending-all)`,
      });
      this.problems.throwIfAny();
    }
  }

  // ---- mapping and applying -------------------------------------------------------------------

  async applyClients(target: WriteTarget): Promise<ChangeCounts> {
    const counts = zero();
    let done = 0;
    for await (const rows of stagedClients(this.tx)) {
      const mapped = rows.map((r) =>
        this.mapSafely(r, () => {
          const patient = mapClient(
            { ...r.record, careAgreements: [] },
            r.agreements.map(withoutClientId),
            target.org,
          );
          return { resource: patient, patientId: patient.id, sourceRecord: r.record.id };
        }),
      );
      addCounts(counts, await this.upsert('Patient', target, mapped.filter(isMapped)));
      this.options.onProgress?.('applying', (done += rows.length));
    }
    return counts;
  }

  applyRelations(target: WriteTarget): Promise<ChangeCounts> {
    return this.applyEach<EcdRelation>('relations', 'RelatedPerson', target, mapRelation);
  }

  async applyConsents(target: WriteTarget): Promise<ChangeCounts> {
    const counts = await this.applyEach<EcdPortalAuthorisation>(
      'portalAuthorisations',
      'Consent',
      target,
      mapAuthorisation,
    );
    addCounts(
      counts,
      await this.applyEach<EcdClientAgreement>('clientAgreements', 'Consent', target, mapClientAgreement),
    );
    return counts;
  }

  /** Maps and stores every staged record of one entity whose resource needs nothing but the record. */
  async applyEach<R extends { id: string }>(
    entity: RecordEntity,
    type: 'RelatedPerson' | 'Consent',
    target: WriteTarget,
    map: (record: R, org: EcdOrganisation) => Resource & { id: string; patient?: { reference?: string } },
  ): Promise<ChangeCounts> {
    const counts = zero();
    let done = 0;
    for await (const rows of stagedRecords<R>(this.tx, entity)) {
      const mapped = rows.map((r) =>
        this.mapSafely(r, () => {
          const resource = map(r.record, target.org);
          const patient = parsePatientReference(resource.patient?.reference).id;
          return { resource, patientId: patient, sourceRecord: r.record.id };
        }),
      );
      addCounts(counts, await this.upsert(type, target, mapped.filter(isMapped)));
      this.options.onProgress?.('applying', (done += rows.length));
    }
    return counts;
  }

  /** Maps one record; a record the mapping cannot handle is a problem of that record. */
  mapSafely(row: StagedPosition, map: () => Omit<MappedResource, 'origin'>): MappedResource | undefined {
    try {
      return { ...map(), origin: row };
    } catch (err) {
      this.addMappingProblem(row, err);
      return undefined;
    }
  }

  addMappingProblem(origin: StagedPosition, err: unknown): void {
    this.problems.add({
      ...problemPosition(origin),
      field: '',
      reason: `does not map to a valid FHIR resource: ${err instanceof Error ? err.message : String(err)}`,
    });
  }

  /** Writes a new version of each mapped resource that differs from the stored one. */
  async upsert(type: ResourceKind, target: WriteTarget, mapped: MappedResource[]): Promise<ChangeCounts> {
    const counts = zero();
    if (mapped.length === 0) return counts;
    const ids = mapped.map((m) => m.resource.id);
    const current = await currentVersions(this.tx, target.scope, type, ids);
    const writes: ResourceWrite[] = [];
    for (const m of mapped) {
      const before = current.get(m.resource.id);
      if (before && before.contentHash === contentHash(m.resource) && before.endedAt === null) {
        counts.unchanged += 1;
        continue;
      }
      // Validated only when it is to be written: an unchanged resource passed when it was stored.
      try {
        validateMapped(m.resource);
      } catch (err) {
        this.addMappingProblem(m.origin, err);
        continue;
      }
      counts[before ? 'updated' : 'created'] += 1;
      if (type === 'Consent')
        this.noteConsent(
          target,
          m.patientId,
          m.resource,
          before?.versionId ?? 0,
          !before ? 'grant' : undefined,
        );
      writes.push({
        resource: m.resource,
        organisationId: target.org.id,
        patientId: m.patientId,
        source: 'ecd',
        sourceRecord: m.sourceRecord,
        basedOn: before?.versionId ?? 0,
      });
    }
    await target.sweep?.keep(type, ids);
    await writeResources(this.tx, writes, target.actor, target.at);
    return counts;
  }

  /** What the ECD no longer lists is ended (a new version that says so), never deleted. */
  async endVanished(target: WriteTarget, sweep: Sweep): Promise<Record<ResourceKind, number>> {
    const ended: Record<ResourceKind, number> = { Patient: 0, RelatedPerson: 0, Consent: 0 };
    const now = target.at.toISOString();
    for (;;) {
      const vanished = await sweep.notKept(BATCH);
      if (vanished.length === 0) return ended;
      const writes = vanished.map((r): ResourceWrite => {
        ended[r.resourceType as ResourceKind] += 1;
        if (r.resourceType === 'Consent' && r.patientId !== null)
          this.noteConsent(target, r.patientId, r.content, r.versionId, 'withdrawal');
        return {
          resource: endResource(stripVersion(r.content), this.today, now),
          organisationId: r.organisationId,
          patientId: r.patientId,
          source: 'ecd',
          sourceRecord: r.sourceRecord,
          endedAt: target.at,
          basedOn: r.versionId,
        };
      });
      await writeResources(this.tx, writes, target.actor, target.at);
      this.options.onProgress?.('ending', ended.Patient + ended.RelatedPerson + ended.Consent);
    }
  }

  /**
   * Notes a Consent version this run writes: new (a grant), ended or made inactive (a withdrawal),
   * or otherwise changed (a replacement).
   */
  noteConsent(
    target: WriteTarget,
    patient: string,
    resource: Resource & { id: string },
    basedOn: number,
    kind?: ConsentChange['kind'],
  ): void {
    const status = (resource as { status?: string }).status;
    const change: ConsentChange = {
      kind: kind ?? (status === 'active' ? 'replacement' : 'withdrawal'),
      patient: patientReference(patient),
      organisationId: target.org.id,
      at: target.at,
      by: target.actor,
      consent: { id: resource.id, versionId: basedOn + 1 },
    };
    const changes = this.consentChanges.get(patient);
    if (changes) changes.push(change);
    else this.consentChanges.set(patient, [change]);
  }

  async applyRegistrations(organisationId: string, delta: boolean, at: Date): Promise<ChangeCounts> {
    const counts = zero();
    for await (const rows of stagedRecords<EcdPortalRegistration>(this.tx, 'portalRegistrations')) {
      const current = await currentRegistrations(
        this.tx,
        organisationId,
        rows.map((r) => r.record_id),
      );
      const writes: RegistrationWrite[] = [];
      for (const r of rows) {
        const hash = contentHash(r.record);
        const before = current.get(r.record_id);
        if (before && before.contentHash === hash && before.endedAt === null) {
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
      await writeRegistrations(this.tx, organisationId, writes, at);
    }
    if (!delta) counts.ended += await endRegistrationsNotStaged(this.tx, organisationId, at);
    return counts;
  }
}

function zero(): ChangeCounts {
  return { created: 0, updated: 0, ended: 0, unchanged: 0 };
}

function addCounts(into: ChangeCounts, more: ChangeCounts): void {
  into.created += more.created;
  into.updated += more.updated;
  into.ended += more.ended;
  into.unchanged += more.unchanged;
}

function isMapped(m: MappedResource | undefined): m is MappedResource {
  return m !== undefined;
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Where a staged record came from, in the terms of an ImportProblem. */
function problemPosition(
  row: StagedPosition,
): Pick<ImportProblem, 'file' | 'line' | 'index' | 'entity' | 'recordId'> {
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

/** A care agreement staged with its client's id, as the mapping takes it: without. */
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
