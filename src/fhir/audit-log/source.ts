import type { Resource } from '@medplum/fhirtypes';
import { toAuditEvent, type AuditQuery, type AuditRecord } from '../../audit';
import type { SearchParameter } from '../../consent';
import { ResourceNotFound } from '../errors';
import { resourceResult, type FhirResult, type InteractionContext } from '../interactions/context';
import { CursorRefused } from '../paging';
import { allowsResource } from '../scope-check';
import type { Found, SearchSource, Start } from '../search/source';
import { AUDIT_LOG_TYPE } from './access';
import { logSearchOf } from './search';

/**
 * The client's access log as a search source and a read: records of the audit trail whose client
 * is the patient in context (by the gateway's id of the client), rendered for the client
 * (`toAuditEvent(record, 'client')`: no account ids, addresses or token ids of the readers), and
 * each judged by the decision (access.ts) and held against the scopes before it is shown.
 *
 * Paging: the log grows while it is read (reading it is itself recorded), so a search is fixed at
 * its first page to what was recorded before that request arrived. The bound travels in the sealed
 * cursor with the offset, and every page and the total are counted under it: a page never repeats
 * an event of the one before because newer ones came in.
 */
export function auditLogSource(
  context: InteractionContext,
  filters: readonly SearchParameter[],
  /** The cursor's position (absent on a first page). */
  page: string | undefined,
): SearchSource {
  const { decision, principal } = context;
  const narrowed = decision.narrow({ resourceType: AUDIT_LOG_TYPE, parameters: filters });
  const search = logSearchOf(narrowed.parameters, principal.patient);
  const bound = page === undefined ? context.at : boundOf(page);
  const to = search.to && search.to < bound ? search.to : bound;
  const query: AuditQuery = {
    patientId: principal.patient.slice('Patient/'.length),
    ...(search.from ? { from: search.from } : {}),
    to,
  };
  const reader = context.auditLog;
  return {
    async page(start: Start, want: number): Promise<Found> {
      if (!reader) return { matches: [], includes: [] };
      const records = await reader.find({
        ...query,
        newestFirst: search.newestFirst,
        limit: want + 1,
        offset: start.skip,
      });
      const matches = records.slice(0, want).flatMap((record) => shown(context, record, 's'));
      return {
        matches,
        includes: [],
        ...(records.length > want ? { next: { page: pageOf(bound), skip: start.skip + want } } : {}),
      };
    },
    async count(): Promise<number> {
      return reader ? reader.count(query) : 0;
    },
  };
}

/** `AuditEvent/<id>`: the one 404 unless it is an event of the client's that the caller may read. */
export async function auditLogRead(context: InteractionContext): Promise<FhirResult> {
  const { request, decision, principal } = context;
  const id = request.id!;
  if (!decision.allowed) throw new ResourceNotFound({ detail: `decision: ${decision.extent}` });
  const record = await context.auditLog?.byId(id);
  const [event] = record && record.entry.patient === principal.patient ? shown(context, record, 'r') : [];
  if (!event) throw new ResourceNotFound({ detail: `AuditEvent/${id} is missing or not shown` });
  return resourceResult(event);
}

function shown(context: InteractionContext, record: AuditRecord, permission: 'r' | 's'): Resource[] {
  if (record.entry.patient !== context.principal.patient) return [];
  const judgement = context.decision.judge(toAuditEvent(record, 'client'));
  return judgement.show && allowsResource(context.principal.scopes, judgement.resource, permission)
    ? [judgement.resource]
    : [];
}

const BOUND = /^\/audit-log\/before\/(\d{1,15})$/;

function pageOf(bound: Date): string {
  return `/audit-log/before/${bound.getTime()}`;
}

function boundOf(page: string): Date {
  const match = BOUND.exec(page);
  if (!match) throw new CursorRefused('not a cursor of the access log');
  return new Date(Number(match[1]));
}
