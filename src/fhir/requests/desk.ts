import type { Task } from '@medplum/fhirtypes';
import type { ChangeRecorder } from '../../ecd';
import { Conflict, NotFound } from '../../errors';
import { currentResources, readResource, type StoredResource } from '../../resources';
import type { Queryable, Store } from '../../store';
import { decideRequest } from './channel';

/**
 * The request desk (issue 12, item 5): the request channel's Tasks (M-9, M-10) as the organisation's
 * staff handle them — list, read, assign to a staff member, decide with reasons. The admin module
 * declares the shape (RequestDesk in src/admin/operation.ts, which may not import src/fhir) and the
 * composition hands this in. A decision goes through `decideRequest`, so its Task version, its
 * audit record and what the requester reads are those of the channel. Who handles a request is kept
 * beside the Task (request_assignment), never in it: the requester reads the Task, and employees'
 * identities stay out of portal responses (A-2). Every method is scoped to one organisation; a Task
 * of another is the same NotFound as none.
 */

export interface DeskRequestView {
  readonly id: string;
  readonly patient: string;
  readonly requester: string;
  readonly kind: string;
  readonly title?: string;
  readonly description: string;
  readonly details: readonly { readonly label: string; readonly value: string }[];
  readonly focus?: string;
  readonly status: string;
  readonly authoredOn: string;
  readonly lastModified?: string;
  readonly assignedTo?: { readonly staffId: string; readonly name: string; readonly at: string };
  readonly reason?: string;
  readonly notes: readonly { readonly time?: string; readonly text: string }[];
}

export interface FhirRequestDesk {
  list(query: {
    organisationId: string;
    status?: string;
    patientId?: string;
    assignedTo?: string;
    limit?: number;
  }): Promise<DeskRequestView[]>;
  get(organisationId: string, id: string): Promise<DeskRequestView | undefined>;
  assign(
    organisationId: string,
    id: string,
    staff: { id: string; name: string },
    by: string,
    at: Date,
  ): Promise<DeskRequestView>;
  decide(
    organisationId: string,
    id: string,
    decision: { outcome: 'completed' | 'rejected'; reason: string; by: string; at: Date },
  ): Promise<DeskRequestView>;
}

interface Assignment {
  staffId: string;
  name: string;
  at: Date;
}

type AssignmentRow = { task_id: string; staff_id: string; staff_name: string; assigned_at: Date };

async function assignmentsOf(q: Queryable, ids: readonly string[]): Promise<Map<string, Assignment>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<AssignmentRow>(
    `SELECT task_id, staff_id, staff_name, assigned_at FROM request_assignment WHERE task_id = ANY($1::text[])`,
    [ids],
  );
  return new Map(
    rows.map((r) => [r.task_id, { staffId: r.staff_id, name: r.staff_name, at: new Date(r.assigned_at) }]),
  );
}

function viewOf(stored: StoredResource<Task>, assignment: Assignment | undefined): DeskRequestView {
  const task = stored.content;
  return {
    id: task.id,
    patient: task.for?.reference ?? (stored.patientId ? `Patient/${stored.patientId}` : ''),
    requester: task.requester?.reference ?? '',
    kind: task.code?.coding?.[0]?.code ?? '',
    ...(task.code?.text ? { title: task.code.text } : {}),
    description: task.description ?? '',
    details: (task.input ?? []).map((i) => ({ label: i.type?.text ?? '', value: i.valueString ?? '' })),
    ...(task.focus?.reference ? { focus: task.focus.reference } : {}),
    status: task.status,
    authoredOn: task.authoredOn ?? stored.lastUpdated.toISOString(),
    ...(task.lastModified ? { lastModified: task.lastModified } : {}),
    ...(assignment
      ? {
          assignedTo: { staffId: assignment.staffId, name: assignment.name, at: assignment.at.toISOString() },
        }
      : {}),
    ...(task.statusReason?.text ? { reason: task.statusReason.text } : {}),
    notes: (task.note ?? []).map((n) => ({ ...(n.time ? { time: n.time } : {}), text: n.text ?? '' })),
  };
}

/** The request, if it is one of the organisation's request-channel Tasks. */
async function requestOf(
  q: Queryable,
  organisationId: string,
  id: string,
): Promise<StoredResource<Task> | undefined> {
  const stored = await readResource<Task>(q, 'Task', id);
  if (
    stored === undefined ||
    stored.source !== 'request-channel' ||
    stored.endedAt !== null ||
    stored.organisationId !== organisationId
  )
    return undefined;
  return stored;
}

/** A settled request is not handed to anyone any more. */
const SETTLED = new Set(['completed', 'rejected', 'cancelled', 'failed']);

function noRequest(id: string): NotFound {
  return new NotFound(`no request ${id}`, { code: 'ERR_ADMIN_NO_REQUEST' });
}

/** The desk over the gateway's store; `trail` records the decisions (inside their transactions). */
export function requestDesk(store: Store, trail: ChangeRecorder): FhirRequestDesk {
  async function get(organisationId: string, id: string): Promise<DeskRequestView | undefined> {
    const stored = await requestOf(store, organisationId, id);
    if (stored === undefined) return undefined;
    return viewOf(stored, (await assignmentsOf(store, [id])).get(id));
  }
  return {
    async list(query) {
      const stored = (await currentResources(
        store,
        { organisationId: query.organisationId, source: 'request-channel' },
        'Task',
        { ...(query.patientId ? { patientId: query.patientId } : {}), limit: query.limit ?? 200 },
      )) as StoredResource<Task>[];
      const assignments = await assignmentsOf(
        store,
        stored.map((s) => s.id),
      );
      return stored
        .map((s) => viewOf(s, assignments.get(s.id)))
        .filter((r) => query.status === undefined || r.status === query.status)
        .filter((r) => query.assignedTo === undefined || r.assignedTo?.staffId === query.assignedTo);
    },
    get,
    async assign(organisationId, id, staff, by, at) {
      await store.transaction(async (tx) => {
        const stored = await requestOf(tx, organisationId, id);
        if (stored === undefined) throw noRequest(id);
        if (SETTLED.has(stored.content.status))
          throw new Conflict(`the request was settled already (${stored.content.status})`, {
            code: 'ERR_REQUEST_SETTLED',
          });
        await tx.query(
          `INSERT INTO request_assignment (task_id, organisation_id, staff_id, staff_name, assigned_at, assigned_by)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (task_id) DO UPDATE SET staff_id = excluded.staff_id, staff_name = excluded.staff_name,
             assigned_at = excluded.assigned_at, assigned_by = excluded.assigned_by`,
          [id, organisationId, staff.id, staff.name, at, by],
        );
      });
      const view = await get(organisationId, id);
      if (view === undefined) throw noRequest(id);
      return view;
    },
    async decide(organisationId, id, decision) {
      if ((await requestOf(store, organisationId, id)) === undefined) throw noRequest(id);
      await decideRequest(
        store,
        {
          taskId: id,
          status: decision.outcome,
          reason: decision.reason,
          actor: { kind: 'staff', account: decision.by },
          at: decision.at,
        },
        trail,
      );
      const view = await get(organisationId, id);
      if (view === undefined) throw noRequest(id);
      return view;
    },
  };
}
