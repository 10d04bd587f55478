import type { Resource } from '@medplum/fhirtypes';
import type { ChangeOrigin } from '../../ecd';
import { Forbidden } from '../../errors';
import { InteractionNotSupported, MalformedRequest } from '../errors';
import { checkGrant } from '../requests/grant-schema';
import { isOwnAccessDecision, type OwnAccessDecision } from '../requests/own-access';
import { checkRequestTask } from '../requests/task-schema';
import { allowsResource } from '../scope-check';
import { GATEWAY_TYPES } from '../sources/gateway';
import { resourceResult, type FhirResult, type InteractionContext } from './context';

/**
 * create, of the two types the portal may write: a Task of the request channel (M-9, M-10), and a
 * Consent that grants a relation sections of the dossier (A-3; M-2). Nothing is written into the
 * dossier.
 */
export async function create(context: InteractionContext): Promise<FhirResult> {
  const { request, decision } = context;
  if (
    !isOwnAccessDecision(decision) ||
    (request.resourceType !== 'Task' && request.resourceType !== 'Consent')
  )
    throw new InteractionNotSupported('the portal reads the dossier: it writes nothing into it');
  if (!decision.allowed)
    throw new Forbidden("you have no access to this client's dossier: nothing can be filed", {
      code: 'ERR_WRITE_NOT_ALLOWED',
      detail: decision.basis
        .map((b) => (b.kind === 'rule' ? `${b.rule}: ${b.text}` : b.consentId))
        .join('; '),
    });
  return request.resourceType === 'Task' ? fileTask(context) : grant(context, decision);
}

/**
 * The request channel: a Task asking the organisation for a correction, completion, erasure or
 * transfer, from someone who has access to the client's dossier now, about the patient in
 * context, optionally pointing at one resource of the dossier that the caller may see. The gateway
 * keeps it (id, requester, owner, authoredOn, meta are its own) and answers 201 with the stored
 * Task. Refusals, in order: no access to the dossier 403; a body that is not such a Task 400 naming
 * the field; another patient 403; a focus that is missing or not shown 400 (the same for both).
 */
async function fileTask(context: InteractionContext): Promise<FhirResult> {
  const { request, principal } = context;
  const body = checkRequestTask(request.body);
  if (body.for.reference !== principal.patient) throw otherPatient('Task.for', body.for.reference, principal);
  if (body.focus) await checkFocus(context, body.focus.reference);
  const task = await context.gateway.fileRequest(
    { body, requester: principal.user, patient: principal.patient, at: context.at },
    changeOrigin(context),
  );
  return created(context, task);
}

/**
 * A grant: the consent engine writes the Consent when the caller may grant now (the portal
 * administrator, A-3; the client or the legal representative, M-2) and the grantee may be granted;
 * otherwise 403 with the engine's reason. Takes effect on the next request, on every instance.
 */
async function grant(context: InteractionContext, decision: OwnAccessDecision): Promise<FhirResult> {
  const { request, principal } = context;
  const body = checkGrant(request.body);
  if (body.patient !== principal.patient) throw otherPatient('Consent.patient', body.patient, principal);
  const consent = await context.gateway.grantAccess(
    decision.own.engine,
    {
      by: principal.user,
      patient: principal.patient,
      grantee: body.grantee,
      sections: body.sections,
      at: context.at,
    },
    changeOrigin(context),
  );
  return created(context, consent);
}

/**
 * The request a write comes from, for the record of its change: written with the change, in its
 * transaction, before step 8 records the request itself.
 */
export function changeOrigin(context: InteractionContext): ChangeOrigin {
  return {
    requestId: context.requestId,
    clientApp: context.principal.clientApp,
    account: context.principal.subject,
    tokenId: context.principal.tokenId,
  };
}

function created(context: InteractionContext, resource: Resource & { id: string }): FhirResult {
  const result = resourceResult(resource, 201);
  const location = `${context.settings.fhirBase}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId ?? '1'}`;
  return { ...result, headers: { ...result.headers, Location: location } };
}

function otherPatient(
  field: string,
  reference: string,
  principal: InteractionContext['principal'],
): Forbidden {
  return new Forbidden(`${field}: only the patient in context`, {
    code: 'ERR_WRITE_OTHER_PATIENT',
    detail: `${field} ${reference.slice(0, 80)}, context ${principal.patient}`,
  });
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
