import type { Resource } from '@medplum/fhirtypes';
import type { DecisionEnforcement } from '../../consent';
import { allowsResource } from '../scope-check';
import { GATEWAY_TYPES } from '../sources/gateway';
import type { InteractionContext } from './context';

/** A version id as the gateway passes it on (in ETags and URLs). */
const VERSION_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * The versions of one resource the caller may see (vread and history; leak vector 14), newest first
 * as the source gives them, judged and presented: every version is judged on its own (an older
 * version can name another patient, sit in another category or carry an excluded label), and none
 * is shown unless the current version is shown too. The second rule makes a correction take effect
 * at once on the whole history: a record filed under the wrong client and moved, or moved into a
 * section the caller may not see, or deleted, shows none of its past versions to the caller who may
 * no longer see it, and a caller never learns of a version of a resource they cannot read.
 *
 * `versionId` limits the answer to that version (vread). Empty: the one 404.
 */
export async function shownVersions(
  context: InteractionContext,
  type: string,
  id: string,
  versionId?: string,
): Promise<Resource[]> {
  const { decision, principal } = context;
  const show = (enforcement: DecisionEnforcement, resource: Resource): Resource | undefined => {
    const judgement = enforcement.judge(resource);
    return judgement.show && allowsResource(principal.scopes, judgement.resource, 'r')
      ? judgement.resource
      : undefined;
  };
  const asked = (resource: Resource | undefined): resource is Resource =>
    resource !== undefined &&
    resource.resourceType === type &&
    resource.id === id &&
    typeof resource.meta?.versionId === 'string' &&
    VERSION_ID.test(resource.meta.versionId) &&
    (versionId === undefined || resource.meta.versionId === versionId);

  if (GATEWAY_TYPES.has(type)) {
    const versions = await context.gateway.history(type, id);
    const current = versions[0];
    if (!current || !show(decision, current)) return [];
    return versions.filter(asked).flatMap((v) => show(decision, v) ?? []);
  }

  const view = await context.upstream.view(principal.patient);
  const enforcement = decision.inCompartmentOf(view.link.upstreamPatient);
  const current = await view.read(type, id);
  if (!current || !show(enforcement, current)) return [];
  let candidates: Resource[];
  if (versionId !== undefined) {
    const version = await view.read(type, id, versionId);
    candidates = asked(version) ? [version] : [];
  } else {
    const bundle = await view.history(type, id);
    const seen = new Set<string>();
    candidates = [];
    for (const entry of bundle?.entry ?? []) {
      // A deleted version (an entry without a resource) has nothing to show; each version once.
      const resource = entry?.resource as Resource | undefined;
      if (!asked(resource) || seen.has(resource.meta!.versionId!)) continue;
      seen.add(resource.meta!.versionId!);
      candidates.push(resource);
    }
  }
  return candidates.flatMap((v) => {
    const shown = show(enforcement, v);
    return shown ? [view.present(shown)] : [];
  });
}
