import type { Resource } from '@medplum/fhirtypes';
import { AUDIT_LOG_TYPE } from '../audit-log/access';
import { auditLogRead } from '../audit-log/source';
import { ResourceNotFound } from '../errors';
import { allowsResource } from '../scope-check';
import { GATEWAY_TYPES } from '../sources/gateway';
import { resourceResult, type FhirResult, type InteractionContext } from './context';
import { shownVersions } from './versions';

/**
 * read and vread: the resource from its source, judged as if it were any resource of an answer. A
 * resource that does not exist, that the decision does not show, or that the scopes do not cover
 * gets the one 404 (leak vectors 7 and 9): the same status, body and headers. A vread is judged on
 * the version it reads and on the current one (leak vector 14, see versions.ts); the gateway's own
 * types are read from the store's history.
 */
export async function read(context: InteractionContext): Promise<FhirResult> {
  const { request, decision } = context;
  const type = request.resourceType!;
  const id = request.id!;
  // Nothing of the type may be seen: the answer is the 404 of a missing resource, asked of no one.
  if (!decision.allowed) throw new ResourceNotFound({ detail: `decision: ${decision.extent}` });
  // The client's access log, from the audit trail (audit-log/access.ts decides who reads it).
  if (type === AUDIT_LOG_TYPE && request.interaction === 'read') return auditLogRead(context);

  let shown: Resource | undefined;
  if (request.interaction === 'vread') {
    [shown] = await shownVersions(context, type, id, request.versionId!);
  } else if (GATEWAY_TYPES.has(type)) {
    const resource = await context.gateway.read(type, id);
    const judgement = resource ? decision.judge(resource) : undefined;
    if (judgement?.show) shown = judgement.resource;
  } else {
    const view = await context.upstream.view(context.principal.patient);
    const enforcement = decision.inCompartmentOf(view.link.upstreamPatient);
    const resource = await view.read(type, id);
    const judgement = resource ? enforcement.judge(resource) : undefined;
    if (judgement?.show) shown = view.present(judgement.resource);
  }
  if (!shown || !allowsResource(context.principal.scopes, shown, 'r'))
    throw new ResourceNotFound({
      detail: `${type}/${id}${request.versionId === undefined ? '' : `/_history/${request.versionId}`} is missing or not shown`,
    });
  return resourceResult(shown);
}
