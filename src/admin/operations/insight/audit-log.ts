/** A client's audit log for staff (the privacy officer's reading), from src/audit. */
import {
  AUDIT_EVENT_KINDS,
  countAuditRecords,
  findAuditRecords,
  toAuditEvent,
  type AuditEventKind,
} from '../../../audit';
import { defineOperation } from '../../operation';
import { READERS } from '../../roles';
import { SCHEMA } from '../../schemas';
import { clientOfCaller } from '../client-scope';

export interface ClientAuditRecord {
  id: string;
  recorded: string;
  kind: string;
  action: string;
  outcome: string;
  status?: number;
  interaction?: string;
  query?: string;
  actor: { account?: string; person?: string; name?: string; role?: string; onBehalfOf?: string };
  clientApp?: string;
  basis: { kind: string; ref: string; verdict?: string; section?: string; text?: string }[];
  reason?: string;
  /** The record as a FHIR AuditEvent (reviewer view), as /admin/audit/AuditEvent serves it. */
  auditEvent: Record<string, unknown>;
}

export interface ClientAuditLog {
  patientId: string;
  total: number;
  offset: number;
  records: ClientAuditRecord[];
}

/** A client's audit records, newest first, for the privacy officer (A-7, NEN 7513). */
export const clientAuditLog = defineOperation<
  { patientId: string; kind?: string; from?: string; to?: string; limit?: number; offset?: number },
  ClientAuditLog
>({
  id: 'clientAuditLog',
  method: 'get',
  path: '/clients/{patientId}/audit',
  tag: 'insight',
  summary: "A client's audit records, newest first: who read or changed what, on which basis",
  description:
    "The audit trail's records about one client of the caller's organisation (every FHIR read with its decision basis, logins, consent changes, suspensions, staff actions), newest first, each also as the FHIR AuditEvent of the reviewer view. Reading it is recorded too.",
  roles: READERS,
  systemScope: 'system/AuditEvent.rs',
  action: 'R',
  input: {
    type: 'object',
    required: ['patientId'],
    additionalProperties: false,
    properties: {
      patientId: SCHEMA.patientId,
      kind: { enum: [...AUDIT_EVENT_KINDS], description: 'Only records of this kind.' },
      from: { ...SCHEMA.moment, description: 'Recorded at or after.' },
      to: { ...SCHEMA.moment, description: 'Recorded before.' },
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
    },
  },
  output: {
    type: 'object',
    required: ['patientId', 'total', 'offset', 'records'],
    additionalProperties: false,
    properties: {
      patientId: { type: 'string' },
      total: { type: 'integer' },
      offset: { type: 'integer' },
      records: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'recorded', 'kind', 'action', 'outcome', 'actor', 'basis', 'auditEvent'],
          additionalProperties: false,
          properties: {
            id: { type: 'string' },
            recorded: SCHEMA.moment,
            kind: { type: 'string' },
            action: { type: 'string' },
            outcome: { type: 'string' },
            status: { type: 'integer' },
            interaction: { type: 'string' },
            query: { type: 'string' },
            actor: {
              type: 'object',
              additionalProperties: false,
              properties: {
                account: { type: 'string' },
                person: { type: 'string' },
                name: { type: 'string' },
                role: { type: 'string' },
                onBehalfOf: { type: 'string' },
              },
            },
            clientApp: { type: 'string' },
            basis: {
              type: 'array',
              items: {
                type: 'object',
                required: ['kind', 'ref'],
                additionalProperties: false,
                properties: {
                  kind: { type: 'string' },
                  ref: { type: 'string' },
                  verdict: { type: 'string' },
                  section: { type: 'string' },
                  text: { type: 'string' },
                },
              },
            },
            reason: { type: 'string' },
            auditEvent: { type: 'object', description: 'FHIR R4 AuditEvent.' },
          },
        },
      },
    },
  },
  command: {
    group: 'clients',
    name: 'audit',
    print: (out) =>
      [
        ...out.records.map(
          (r) =>
            `${r.recorded}\t${r.kind}\t${r.outcome}\t${r.actor.name ?? r.actor.person ?? r.actor.account ?? ''}\t${r.interaction ?? ''} ${r.query ?? ''}`,
        ),
        `${out.records.length} of ${out.total} records`,
      ].join('\n'),
  },
  async run(context, input) {
    await clientOfCaller(context, input.patientId);
    const query = {
      patientId: input.patientId,
      ...(input.kind ? { kinds: [input.kind as AuditEventKind] } : {}),
      ...(input.from ? { from: new Date(input.from) } : {}),
      ...(input.to ? { to: new Date(input.to) } : {}),
    };
    const offset = input.offset ?? 0;
    const { store } = context.services;
    const [total, records] = await Promise.all([
      countAuditRecords(store, query),
      findAuditRecords(store, { ...query, newestFirst: true, limit: input.limit ?? 100, offset }),
    ]);
    return {
      patientId: input.patientId,
      total,
      offset,
      records: records.map(({ id, recorded, entry, ...rest }): ClientAuditRecord => {
        const actor = entry.actor ?? {};
        const reason = entry.detail?.reason;
        return {
          id,
          recorded: recorded.toISOString(),
          kind: entry.kind,
          action: entry.action,
          outcome: entry.outcome,
          ...(entry.status !== undefined ? { status: entry.status } : {}),
          ...(entry.interaction ? { interaction: entry.interaction } : {}),
          ...(entry.query ? { query: entry.query } : {}),
          actor: {
            ...(actor.account ? { account: actor.account } : {}),
            ...(actor.person ? { person: actor.person } : {}),
            ...(actor.name ? { name: actor.name } : {}),
            ...(actor.role ? { role: actor.role } : {}),
            ...(actor.onBehalfOf ? { onBehalfOf: actor.onBehalfOf } : {}),
          },
          ...(entry.clientApp ? { clientApp: entry.clientApp } : {}),
          basis: (entry.basis ?? []).map((b) => ({
            kind: b.kind,
            ref: b.ref,
            ...(b.verdict ? { verdict: b.verdict } : {}),
            ...(b.section ? { section: b.section } : {}),
            ...(b.text ? { text: b.text } : {}),
          })),
          ...(typeof reason === 'string' ? { reason } : {}),
          auditEvent: toAuditEvent({ id, recorded, entry, ...rest }, 'reviewer') as unknown as Record<
            string,
            unknown
          >,
        };
      }),
    };
  },
});
