import type { Resource } from '@medplum/fhirtypes';
import { ResourceNotFound } from '../errors';
import { allowsResource } from '../scope-check';
import { GATEWAY_TYPES } from '../sources/gateway';
import { resourceResult, type FhirResult, type InteractionContext } from './context';

/**
 * read and vread: the resource from its source, judged as if it were any resource of an answer. A
 * resource that does not exist, that the decision does not show, or that the scopes do not cover
 * gets the one 404 (leak vectors 7 and 9): the same status, body and headers. A vread is judged on
 * the version it reads, never on the current one (leak vector 14: an older version can name another
 * patient or another category); the gateway's own types are read from the store's history.
 */
export async function read(context: InteractionContext): Promise<FhirResult> {
  const { request, decision } = context;
  const type = request.resourceType!;
  const id = request.id!;
  const versionId = request.interaction === 'vread' ? request.versionId : undefined;
  // Nothing of the type may be seen: the answer is the 404 of a missing resource, asked of no one.
  if (!decision.allowed) throw new ResourceNotFound({ detail: `decision: ${decision.extent}` });

  let shown: Resource | undefined;
  if (GATEWAY_TYPES.has(type)) {
    const resource =
      versionId === undefined
        ? await context.gateway.read(type, id)
        : (await context.gateway.history(type, id)).find((v) => v.meta?.versionId === versionId);
    const judgement = resource ? decision.judge(resource) : undefined;
    if (judgement?.show) shown = judgement.resource;
  } else {
    const view = await context.upstream.view(context.principal.patient);
    const enforcement = decision.inCompartmentOf(view.link.upstreamPatient);
    let resource = await view.read(type, id, versionId);
    // An answer of another version than the one asked for is not that version.
    if (versionId !== undefined && resource?.meta?.versionId !== versionId) resource = undefined;
    const judgement = resource ? enforcement.judge(resource) : undefined;
    if (judgement?.show) shown = view.present(judgement.resource);
  }
  if (!shown || !allowsResource(context.principal.scopes, shown, 'r'))
    throw new ResourceNotFound({
      detail: `${type}/${id}${versionId === undefined ? '' : `/_history/${versionId}`} is missing or not shown`,
    });
  return resourceResult(shown);
}
