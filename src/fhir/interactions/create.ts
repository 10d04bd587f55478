import type { Resource } from '@medplum/fhirtypes';
import { Forbidden } from '../../errors';
import { InteractionNotSupported, MalformedRequest } from '../errors';
import { isOwnAccessDecision } from '../requests/own-access';
import { checkRequestTask } from '../requests/task-schema';
import { allowsResource } from '../scope-check';
import { GATEWAY_TYPES } from '../sources/gateway';
import { resourceResult, type FhirResult, type InteractionContext } from './context';

/**
 * create: the request channel (M-9, M-10) and nothing else. A Task asking the organisation for a
 * correction, completion, erasure or transfer, from someone who has access to the client's dossier
 * now, about the patient in context, optionally pointing at one resource of the dossier that the
 * caller may see. The gateway keeps it (id, requester, owner, authoredOn, meta are its own) and
 * answers 201 with the stored Task. Refusals, in order: no access to the dossier 403; a body that is
 * not such a Task 400 naming the field; another patient 403; a focus that is missing or not shown
 * 400 (the same answer for both).
 */
export async function create(context: InteractionContext): Promise<FhirResult> {
  const { request, decision, principal } = context;
  if (request.resourceType !== 'Task' || !isOwnAccessDecision(decision))
    throw new InteractionNotSupported('the portal reads the dossier: it writes nothing into it');
  if (!decision.allowed)
    throw new Forbidden("you have no access to this client's dossier: a request cannot be filed", {
      code: 'ERR_REQUEST_NOT_ALLOWED',
      detail: decision.basis
        .map((b) => (b.kind === 'rule' ? `${b.rule}: ${b.text}` : b.consentId))
        .join('; '),
    });
  const body = checkRequestTask(request.body);
  if (body.for.reference !== principal.patient)
    throw new Forbidden('Task.for: a request is filed for the patient in context only', {
      code: 'ERR_REQUEST_OTHER_PATIENT',
      detail: `for ${body.for.reference.slice(0, 80)}, context ${principal.patient}`,
    });
  if (body.focus) await checkFocus(context, body.focus.reference);

  const task = await context.gateway.fileRequest({
    body,
    requester: principal.user,
    patient: principal.patient,
    at: context.at,
  });
  const result = resourceResult(task, 201);
  return {
    ...result,
    headers: { ...result.headers, Location: `${context.settings.fhirBase}/Task/${task.id}/_history/1` },
  };
}

/**
 * A focus must be a resource the caller could read right now, judged as a read of it would be; one
 * that does not exist and one that is not shown are refused alike, so the channel tells nothing of
 * what the caller may not see.
 */
async function checkFocus(context: InteractionContext, reference: string): Promise<void> {
  const decision = context.decision;
  if (!isOwnAccessDecision(decision)) throw new MalformedRequest('Task.focus cannot be checked');
  const [type, id] = reference.split('/') as [string, string];
  const read = await decision.own.checkRead(type, id);
  let shown: Resource | undefined;
  if (read.allowed) {
    if (GATEWAY_TYPES.has(type)) {
      const resource = await context.gateway.read(type, id);
      const judgement = resource ? read.judge(resource) : undefined;
      if (judgement?.show) shown = judgement.resource;
    } else {
      const view = await context.upstream.view(context.principal.patient);
      const resource = await view.read(type, id);
      const judgement = resource
        ? read.inCompartmentOf(view.link.upstreamPatient).judge(resource)
        : undefined;
      if (judgement?.show) shown = judgement.resource;
    }
  }
  if (!shown || !allowsResource(context.principal.scopes, shown, 'r'))
    throw new MalformedRequest('Task.focus: not a resource of the dossier that you can see', {
      detail: `focus ${reference}`,
    });
}
