import { InvalidInput, NotFound, Unavailable } from '../../errors';
import type { DeskRequest, OperationContext, RequestDesk } from '../operation';
import { defineOperation } from '../operation';
import { ACCESS_MANAGERS, READERS } from '../roles';
import { SCHEMA } from '../schemas';
import { staffById } from '../staff';
import { clientOfCaller } from './client-scope';

/**
 * The data-subject requests of the request channel (M-9, M-10): a portal user asks for a correction,
 * completion, erasure or transfer as a FHIR Task; staff list, read, assign and decide with reasons,
 * and the requester reads the outcome and the reasons on the Task through the FHIR API. Deciding
 * changes what the client is told: the functional administrator's; the privacy officer and the
 * support desk read.
 */

const TASK_ID = {
  type: 'string',
  pattern: '^[A-Za-z0-9.-]{1,64}$',
  description: "The request's Task id (Task/<id>).",
} as const;

const REQUEST = {
  type: 'object',
  required: [
    'id',
    'patientId',
    'requester',
    'kind',
    'description',
    'details',
    'status',
    'authoredOn',
    'notes',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    patientId: { type: 'string' },
    requester: { type: 'string', description: "Who asked: 'Patient/…' or 'RelatedPerson/…'." },
    kind: { type: 'string', description: 'correction, completion, erasure or transfer.' },
    title: { type: 'string' },
    description: { type: 'string' },
    details: {
      type: 'array',
      items: {
        type: 'object',
        required: ['label', 'value'],
        additionalProperties: false,
        properties: { label: { type: 'string' }, value: { type: 'string' } },
      },
    },
    focus: { type: 'string', description: 'What it is about, when the requester named it.' },
    status: { type: 'string' },
    authoredOn: { type: 'string' },
    lastModified: { type: 'string' },
    assignedTo: {
      type: 'object',
      required: ['staffId', 'name', 'at'],
      additionalProperties: false,
      properties: { staffId: { type: 'string' }, name: { type: 'string' }, at: { type: 'string' } },
    },
    reason: { type: 'string', description: "The organisation's reasons, as the requester reads them." },
    notes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['text'],
        additionalProperties: false,
        properties: { time: { type: 'string' }, text: { type: 'string' } },
      },
    },
  },
} as const;

export interface RequestOut {
  id: string;
  patientId: string;
  requester: string;
  kind: string;
  title?: string;
  description: string;
  details: { label: string; value: string }[];
  focus?: string;
  status: string;
  authoredOn: string;
  lastModified?: string;
  assignedTo?: { staffId: string; name: string; at: string };
  reason?: string;
  notes: { time?: string; text: string }[];
}

function out(r: DeskRequest): RequestOut {
  return {
    id: r.id,
    patientId: r.patient.startsWith('Patient/') ? r.patient.slice('Patient/'.length) : r.patient,
    requester: r.requester,
    kind: r.kind,
    ...(r.title ? { title: r.title } : {}),
    description: r.description,
    details: r.details.map((d) => ({ label: d.label, value: d.value })),
    ...(r.focus ? { focus: r.focus } : {}),
    status: r.status,
    authoredOn: r.authoredOn,
    ...(r.lastModified ? { lastModified: r.lastModified } : {}),
    ...(r.assignedTo
      ? { assignedTo: { staffId: r.assignedTo.staffId, name: r.assignedTo.name, at: r.assignedTo.at } }
      : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    notes: r.notes.map((n) => ({ ...(n.time ? { time: n.time } : {}), text: n.text })),
  };
}

function deskOf(context: OperationContext): RequestDesk {
  const desk = context.services.requestDesk;
  if (desk === undefined)
    throw new Unavailable('the request channel is not available here', 5, { code: 'ERR_ADMIN_NO_DESK' });
  return desk;
}

function staffIdOf(context: OperationContext): string {
  return context.caller.kind === 'staff' ? context.caller.staffId : `client-${context.caller.clientId}`;
}

async function requestOfCaller(context: OperationContext, id: string): Promise<DeskRequest> {
  const found = await deskOf(context).get(context.caller.organisationId, id);
  if (found === undefined) throw new NotFound(`no request ${id}`, { code: 'ERR_ADMIN_NO_REQUEST' });
  return found;
}

const STATUSES = ['requested', 'accepted', 'in-progress', 'completed', 'rejected', 'cancelled'];

/** The organisation's requests, newest change first. */
export const listRequests = defineOperation<
  { status?: string; patientId?: string; assignedTo?: string; mine?: boolean; limit?: number },
  { requests: RequestOut[] }
>({
  id: 'listRequests',
  method: 'get',
  path: '/requests',
  tag: 'requests',
  summary: 'The data-subject requests of the request channel (M-9, M-10)',
  roles: READERS,
  action: 'R',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      status: { enum: STATUSES },
      patientId: SCHEMA.patientId,
      assignedTo: { ...SCHEMA.id, description: 'A staff id: only the requests assigned to them.' },
      mine: { type: 'boolean', description: 'Only the requests assigned to the caller.' },
      limit: { type: 'integer', minimum: 1, maximum: 500, default: 200 },
    },
  },
  output: {
    type: 'object',
    required: ['requests'],
    additionalProperties: false,
    properties: { requests: { type: 'array', items: REQUEST } },
  },
  command: {
    group: 'requests',
    name: 'list',
    print: (o) =>
      o.requests
        .map(
          (r) =>
            `${r.id}\t${r.patientId}\t${r.kind}\t${r.status}\t${r.assignedTo?.name ?? '(unassigned)'}\t${r.authoredOn}`,
        )
        .join('\n'),
  },
  async run(context, input) {
    if (input.patientId !== undefined) await clientOfCaller(context, input.patientId);
    const assignedTo = input.mine ? staffIdOf(context) : input.assignedTo;
    const found = await deskOf(context).list({
      organisationId: context.caller.organisationId,
      ...(input.status ? { status: input.status } : {}),
      ...(input.patientId ? { patientId: input.patientId } : {}),
      ...(assignedTo ? { assignedTo } : {}),
      limit: input.limit ?? 200,
    });
    return { requests: found.map(out) };
  },
});

/** One request, with its course. */
export const getRequest = defineOperation<{ id: string }, RequestOut>({
  id: 'getRequest',
  method: 'get',
  path: '/requests/{id}',
  tag: 'requests',
  summary: 'One data-subject request, with its course',
  roles: READERS,
  action: 'R',
  input: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: TASK_ID } },
  output: REQUEST,
  command: {
    group: 'requests',
    name: 'show',
    print: (r) =>
      [
        `${r.id}\t${r.kind}\t${r.status}`,
        `client: ${r.patientId}\trequester: ${r.requester}`,
        `assigned to: ${r.assignedTo?.name ?? '(nobody)'}`,
        r.description,
        ...r.details.map((d) => `${d.label}: ${d.value}`),
        ...(r.reason ? [`reasons: ${r.reason}`] : []),
      ].join('\n'),
  },
  patientOf: (_input, output) => (output ? `Patient/${output.patientId}` : undefined),
  async run(context, input) {
    return out(await requestOfCaller(context, input.id));
  },
});

/** Assign a request to a staff member of the organisation (the caller when none is named). */
export const assignRequest = defineOperation<{ id: string; staffId?: string; reason: string }, RequestOut>({
  id: 'assignRequest',
  method: 'post',
  path: '/requests/{id}/assignment',
  tag: 'requests',
  summary: 'Assign a request to a staff member',
  description:
    'Who handles it is kept beside the Task, never shown to the requester (A-2: employees stay out of ' +
    'portal responses).',
  roles: ACCESS_MANAGERS,
  action: 'U',
  input: {
    type: 'object',
    required: ['id'],
    additionalProperties: false,
    properties: {
      id: TASK_ID,
      staffId: { ...SCHEMA.id, description: 'The staff member (default: the caller).' },
    },
  },
  output: REQUEST,
  command: {
    group: 'requests',
    name: 'assign',
    print: (r) => `${r.id}\tassigned to ${r.assignedTo?.name ?? '?'}`,
  },
  patientOf: (_input, output) => (output ? `Patient/${output.patientId}` : undefined),
  async run(context, input) {
    const { caller } = context;
    let staff: { id: string; name: string };
    if (input.staffId === undefined || (caller.kind === 'staff' && input.staffId === caller.staffId)) {
      if (caller.kind !== 'staff')
        throw new InvalidInput('name the staff member (staffId)', { code: 'ERR_ADMIN_INPUT' });
      staff = { id: caller.staffId, name: caller.name };
    } else {
      const found = await staffById(context.services.store, input.staffId);
      if (found === undefined || found.organisationId !== caller.organisationId || found.blockedAt)
        throw new NotFound(`no staff member ${input.staffId}`, { code: 'ERR_ADMIN_NO_STAFF' });
      staff = { id: found.id, name: found.name };
    }
    await requestOfCaller(context, input.id);
    return out(
      await deskOf(context).assign(caller.organisationId, input.id, staff, staffIdOf(context), context.now),
    );
  },
});

/** Decide a request: carried out (completed) or rejected, with the reasons the requester reads. */
export const decideRequest = defineOperation<
  { id: string; outcome: 'completed' | 'rejected'; reason: string },
  RequestOut
>({
  id: 'decideRequest',
  method: 'post',
  path: '/requests/{id}/decision',
  tag: 'requests',
  summary: 'Decide a request with reasons (M-9): completed or rejected',
  description:
    'The reason is the answer to the requester: it becomes Task.statusReason and a note, read through ' +
    'the FHIR API, and it is recorded in the audit trail with the staff member. A settled request ' +
    'takes no further decision (409).',
  roles: ACCESS_MANAGERS,
  action: 'U',
  input: {
    type: 'object',
    required: ['id', 'outcome'],
    additionalProperties: false,
    properties: {
      id: TASK_ID,
      outcome: { enum: ['completed', 'rejected'] },
    },
  },
  output: REQUEST,
  command: {
    group: 'requests',
    name: 'decide',
    print: (r) => `${r.id}\t${r.status}\t${r.reason ?? ''}`,
  },
  patientOf: (_input, output) => (output ? `Patient/${output.patientId}` : undefined),
  async run(context, input) {
    await requestOfCaller(context, input.id);
    return out(
      await deskOf(context).decide(context.caller.organisationId, input.id, {
        outcome: input.outcome,
        reason: input.reason,
        by: staffIdOf(context),
        at: context.now,
      }),
    );
  },
});

export const REQUEST_OPERATIONS = [listRequests, getRequest, assignRequest, decideRequest];
