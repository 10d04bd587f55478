import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { DecisionEnforcement } from '../../consent';
import { upstreamFailed } from '../errors';
import { allowsResource } from '../scope-check';
import { GATEWAY_TYPES } from '../sources/gateway';
import type { UpstreamView } from '../sources/upstream';
import type { InteractionContext } from './context';

/** A version id as the gateway passes it on (in ETags and URLs). */
const VERSION_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * The versions of one resource the caller may see (vread and history; leak vector 14), in the order
 * the source gives them, judged and presented: every version is judged on its own (an older
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
    const seen = new Set<string>();
    candidates = [];
    for await (const entry of historyEntries(context, view, type, id)) {
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

/** More pages of one resource's versions than any resource has: the upstream is not followed further. */
export const MAX_HISTORY_PAGES = 20;

/**
 * The entries of every page of the upstream's history of one resource, unjudged: the first page,
 * then each `next` link on the upstream's own base, without a loop, up to MAX_HISTORY_PAGES (502
 * beyond: a history cut short would be a wrong answer, not a smaller one).
 */
async function* historyEntries(
  context: InteractionContext,
  view: UpstreamView,
  type: string,
  id: string,
): AsyncGenerator<BundleEntry> {
  let page = await view.history(type, id);
  const visited = new Set<string>();
  for (let pages = 1; page; pages += 1) {
    for (const entry of page.entry ?? []) if (entry) yield entry;
    const next = page.link?.find((l) => l?.relation === 'next')?.url;
    if (typeof next !== 'string') return;
    const path = view.pathOnUpstream(next);
    if (path === undefined || visited.has(path) || pages >= MAX_HISTORY_PAGES)
      throw upstreamFailed(
        `${type}/${id}/_history: a next link off the upstream's base, in a loop, or too many`,
      );
    visited.add(path);
    const answer = await context.upstream.client.get(path);
    const bundle = answer.body as Bundle | undefined;
    if (
      answer.status !== 200 ||
      bundle?.resourceType !== 'Bundle' ||
      bundle.type !== 'history' ||
      (bundle.entry !== undefined && !Array.isArray(bundle.entry))
    )
      throw upstreamFailed(
        `${type}/${id}/_history: page ${pages + 1} is not a history Bundle (${answer.status})`,
      );
    page = bundle;
  }
}
