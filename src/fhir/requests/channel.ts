import { randomUUID } from 'node:crypto';
import type { Patient, Task } from '@medplum/fhirtypes';
import type { AuditEntry } from '../../audit';
import { changeActor, type ChangeOrigin, type ChangeRecorder } from '../../ecd';
import { Conflict, InvalidInput } from '../../errors';
import { readResource, writeResources } from '../../resources';
import type { Queryable, Store } from '../../store';
import {
  patientReference,
  personActor,
  type Actor,
  type DataSubjectRequest,
  type PatientReference,
  type PersonReference,
} from '../../vocabulary';
import { ResourceNotFound } from '../errors';
import type { RequestTaskBody } from './task-schema';

/**
 * The request channel (M-9, M-10): the one place where a portal user's words are written, as a Task
 * in the gateway's own store (source 'request-channel'), never into the dossier. The organisation
 * answers with `decideRequest`; the requester reads the outcome through the FHIR API (Task.status,
 * statusReason, businessStatus, note). Nothing here is sent to the upstream. Filing and deciding
 * are each recorded in the audit trail ('request-channel') inside their own transaction.
 */

/** `meta.source` of the request channel's Tasks. */
const CHANNEL_SOURCE = 'inzage:request-channel';

const DISPLAY: Readonly<Record<DataSubjectRequest, string>> = {
  correction: 'Correction',
  completion: 'Completion',
  erasure: 'Erasure',
  transfer: 'Transfer',
};

export interface FiledRequest {
  readonly body: RequestTaskBody;
  /** The token's fhirUser: who asks. */
  readonly requester: PersonReference;
  /** The token's patient: about whom (the body's `for` was checked against it). */
  readonly patient: PatientReference;
  readonly at: Date;
}

/** Keeps a new request, with its audit record; the stored Task, version 1. */
export async function fileRequest(
  store: Store,
  request: FiledRequest,
  audit: { readonly trail: ChangeRecorder; readonly origin: ChangeOrigin },
): Promise<Task & { id: string }> {
  const patientId = request.patient.slice('Patient/'.length);
  return store.transaction(async (tx) => {
    const client = await readResource<Patient>(tx, 'Patient', patientId);
    if (!client || client.endedAt !== null) throw new ResourceNotFound({ detail: `no Patient ${patientId}` });
    const moment = request.at.toISOString();
    const { body } = request;
    const coding = body.code.coding[0];
    const task: Task & { id: string } = {
      resourceType: 'Task',
      id: `request-${randomUUID()}`,
      meta: { source: CHANNEL_SOURCE },
      status: 'requested',
      intent: 'order',
      code: {
        coding: [{ system: coding.system, code: coding.code, display: DISPLAY[coding.code] }],
        ...(body.code.text === undefined ? {} : { text: body.code.text }),
      },
      description: body.description,
      for: { reference: request.patient },
      ...(body.focus ? { focus: { reference: body.focus.reference } } : {}),
      authoredOn: moment,
      lastModified: moment,
      requester: { reference: request.requester },
      owner: client.content.managingOrganization
        ? { ...client.content.managingOrganization }
        : { reference: `Organization/${client.organisationId}` },
      ...(body.input
        ? { input: body.input.map((i) => ({ type: { text: i.type.text }, valueString: i.valueString })) }
        : {}),
    };
    // No change announcement: a request changes no decision and no patient link.
    const [stored] = await writeResources(
      tx,
      [
        {
          resource: task,
          organisationId: client.organisationId,
          patientId,
          source: 'request-channel',
          basedOn: 0,
        },
      ],
      personActor(request.requester),
      request.at,
    );
    const { origin } = audit;
    await audit.trail.recordIn(tx, {
      ...requestEntry(stored!.content as Task & { id: string }, 'filed', request.at),
      action: 'C',
      ...(origin.requestId ? { requestId: origin.requestId } : {}),
      actor: changeActor(
        {
          by: personActor(request.requester),
          patient: request.patient,
          organisationId: client.organisationId,
        },
        origin,
      ),
      ...(origin.clientApp ? { clientApp: origin.clientApp } : {}),
      ...(origin.tokenId ? { tokenId: origin.tokenId } : {}),
    });
    return stored!.content as Task & { id: string };
  });
}

/** What the trail keeps of a request: which Task version, of what kind, its status; never its words. */
function requestEntry(
  task: Task & { id: string },
  interaction: 'filed' | 'decided',
  at: Date,
): Omit<AuditEntry, 'action'> {
  const code = task.code?.coding?.[0]?.code;
  return {
    kind: 'request-channel',
    at,
    outcome: 'success',
    ...(task.for?.reference ? { patient: task.for.reference } : {}),
    interaction,
    entities: [`Task/${task.id}/_history/${task.meta?.versionId ?? '1'}`],
    detail: {
      ...(code ? { request: code } : {}),
      status: task.status,
      ...(task.focus?.reference ? { focus: task.focus.reference } : {}),
    },
  };
}

/** What the organisation decides about a request. */
export interface RequestDecision {
  readonly taskId: string;
  readonly status: 'accepted' | 'rejected' | 'completed' | 'in-progress';
  /** The organisation's reasons, shown to the requester (M-9: "decides with reasons"). */
  readonly reason: string;
  /** Who decided (a staff member, usually): kept with the version, never shown to the portal. */
  readonly actor: Actor;
  readonly at?: Date;
}

/** Statuses after which a request is settled and takes no further decision. */
const SETTLED = new Set(['rejected', 'completed', 'cancelled', 'failed']);

const BUSINESS_STATUS: Readonly<Record<RequestDecision['status'], string>> = {
  accepted: 'Accepted by the organisation',
  rejected: 'Rejected by the organisation',
  'in-progress': 'Being carried out by the organisation',
  completed: 'Carried out by the organisation',
};

/**
 * Records the organisation's decision on a request: the new status, the reasons as statusReason and
 * as a note (the notes keep every step, so the requester sees the whole course), lastModified. The
 * reason carries no staff name: who decided is the version's actor, for the audit trail only. The
 * decision's audit record is written in the same transaction (`trail`: the audit trail).
 */
export async function decideRequest(
  store: Store,
  decision: RequestDecision,
  trail: ChangeRecorder,
): Promise<Task & { id: string }> {
  const reason = decision.reason.trim();
  if (reason.length === 0 || reason.length > 2000)
    throw new InvalidInput('a decision on a request gives its reasons (1–2000 characters)');
  if (!Object.hasOwn(BUSINESS_STATUS, decision.status))
    throw new InvalidInput(`not a decision on a request: ${String(decision.status).slice(0, 32)}`);
  const at = decision.at ?? new Date();
  return store.transaction(async (tx) => {
    const stored = await requestOf(tx, decision.taskId);
    const current = stored.content;
    if (SETTLED.has(current.status))
      throw new Conflict(`the request was settled already (${current.status})`, {
        code: 'ERR_REQUEST_SETTLED',
      });
    const moment = at.toISOString();
    const next: Task & { id: string } = {
      ...current,
      status: decision.status,
      statusReason: { text: reason },
      businessStatus: { text: BUSINESS_STATUS[decision.status] },
      lastModified: moment,
      note: [...(current.note ?? []), { time: moment, text: reason }],
    };
    const [written] = await writeResources(
      tx,
      [
        {
          resource: next,
          organisationId: stored.organisationId,
          patientId: stored.patientId,
          source: 'request-channel',
          basedOn: stored.versionId,
        },
      ],
      decision.actor,
      at,
    );
    const task = written!.content as Task & { id: string };
    await trail.recordIn(tx, {
      ...requestEntry(task, 'decided', at),
      action: 'U',
      actor: changeActor({
        by: decision.actor,
        patient: patientReference(stored.patientId!),
        organisationId: stored.organisationId,
      }),
    });
    return task;
  });
}

async function requestOf(tx: Queryable, taskId: string) {
  const stored = await readResource<Task>(tx, 'Task', taskId);
  if (!stored || stored.source !== 'request-channel' || stored.endedAt !== null)
    throw new ResourceNotFound({ detail: `no request Task/${taskId}` });
  return stored;
}
