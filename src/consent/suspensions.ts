import { randomUUID } from 'node:crypto';
import { InvalidInput } from '../errors';
import type { Store } from '../store';
import {
  actorText,
  parsePatientReference,
  parsePersonReference,
  patientReference,
  type Actor,
} from '../vocabulary';
import type { ConsentChangeJournal } from './change-journal';
import { changeClientFacts } from './client-change';
import type { PolicyEngine } from './engine';
import { SuspensionNotFound, UnknownClient } from './errors';
import { recordLift, recordSuspension } from './suspension-store';

export interface SuspensionRequest {
  /** 'Patient/<id>': whose portal. */
  patient: string;
  /** One person's access ('Patient/…' or 'RelatedPerson/…'); absent = the client's whole portal. */
  principal?: string;
  /** From when; from `at` when absent. */
  startsAt?: Date;
  /** Until when (exclusive); until lifted when absent (ending access for good is a suspension without end). */
  endsAt?: Date;
  /** Why: shown to reviewers; required, because a suspension must be explainable. */
  reason: string;
  /** Who suspended: usually a staff member (`{ kind: 'staff', account }`); recorded for the audit trail. */
  by: Actor;
  /** When the suspension is recorded; now when absent. */
  at?: Date;
}

export interface LiftRequest {
  /** The id `suspendAccess` returned. */
  id: string;
  /** Who lifted it; recorded for the audit trail. */
  by: Actor;
  /** When access comes back; now when absent. */
  at?: Date;
}

/**
 * M-5 and A-10: the organisation suspends or ends a person's access to a client's portal, or closes
 * the whole portal. Effective on the next request on every instance. Returns the suspension's id.
 * The journal records it in the same transaction: no suspension without its record.
 */
export async function suspendAccess(
  engine: PolicyEngine,
  store: Store,
  request: SuspensionRequest,
  journal?: ConsentChangeJournal,
): Promise<string> {
  const [id] = await suspendAccessAll(engine, store, [request], journal);
  return id!;
}

/**
 * Several suspensions in one transaction (M-5: one account's access to every client it is linked
 * to): all are recorded and announced, each with its journal record, or none is. Returns their ids,
 * in the order of the requests.
 */
export async function suspendAccessAll(
  engine: PolicyEngine,
  store: Store,
  requests: readonly SuspensionRequest[],
  journal?: ConsentChangeJournal,
): Promise<string[]> {
  const prepared: {
    request: SuspensionRequest;
    patient: ReturnType<typeof parsePatientReference>;
    principal?: ReturnType<typeof parsePersonReference>['reference'];
    reason: string;
    at: Date;
    startsAt: Date;
    createdBy: string;
    facts: NonNullable<Awaited<ReturnType<PolicyEngine['facts']>>>;
    id: string;
  }[] = [];
  for (const request of requests) {
    const patient = parsePatientReference(request.patient);
    const principal =
      request.principal === undefined ? undefined : parsePersonReference(request.principal).reference;
    const reason = request.reason.trim();
    if (!reason) throw new InvalidInput('a suspension needs a reason', { code: 'ERR_INVALID_SUSPENSION' });
    const at = request.at ?? new Date();
    const startsAt = request.startsAt ?? at;
    if (request.endsAt && request.endsAt <= startsAt)
      throw new InvalidInput('a suspension must end after it starts', { code: 'ERR_INVALID_SUSPENSION' });
    const createdBy = actorText(request.by);
    const facts = await engine.facts(patient.reference);
    if (!facts) throw new UnknownClient(patient.reference);
    const id = `suspension-${randomUUID()}`;
    prepared.push({
      request,
      patient,
      ...(principal ? { principal } : {}),
      reason,
      at,
      startsAt,
      createdBy,
      facts,
      id,
    });
  }
  await changeClientFacts(engine, store, async (tx, announce) => {
    for (const { request, patient, principal, reason, at, startsAt, createdBy, facts, id } of prepared) {
      await recordSuspension(tx, {
        id,
        organisationId: facts.organisationId,
        patientId: patient.id,
        ...(principal ? { principal } : {}),
        startsAt,
        ...(request.endsAt ? { endsAt: request.endsAt } : {}),
        reason,
        createdBy,
        createdAt: at,
      });
      await announce(patient.reference);
      await journal?.(tx, {
        kind: 'suspension-start',
        patient: patient.reference,
        organisationId: facts.organisationId,
        at,
        by: request.by,
        suspensionId: id,
        ...(principal ? { subject: principal } : {}),
        reason,
        period: { start: startsAt, ...(request.endsAt ? { end: request.endsAt } : {}) },
      });
    }
  });
  return prepared.map((p) => p.id);
}

/**
 * Lifts a suspension (M-7's "manual lift" too): access comes back on the next request. The journal
 * records the lift in the same transaction.
 */
export async function liftSuspension(
  engine: PolicyEngine,
  store: Store,
  request: LiftRequest,
  journal?: ConsentChangeJournal,
): Promise<void> {
  const at = request.at ?? new Date();
  const liftedBy = actorText(request.by);
  const outcome = await changeClientFacts(engine, store, async (tx, announce) => {
    const lifted = await recordLift(tx, request.id, at, liftedBy);
    if (lifted && 'patientId' in lifted) {
      const patient = patientReference(lifted.patientId);
      await announce(patient);
      await journal?.(tx, {
        kind: 'suspension-lift',
        patient,
        organisationId: lifted.organisationId,
        at,
        by: request.by,
        suspensionId: request.id,
        ...(lifted.principal ? { subject: lifted.principal } : {}),
        reason: lifted.reason,
        period: { start: lifted.startsAt, end: at },
      });
    }
    return lifted;
  });
  if (!outcome) throw new SuspensionNotFound(request.id);
  if ('lifted' in outcome)
    throw new SuspensionNotFound(request.id, `: it was lifted already, at ${outcome.lifted.toISOString()}`);
}
