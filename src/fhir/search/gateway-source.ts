import type { Resource } from '@medplum/fhirtypes';
import type { SearchParameter } from '../../consent';
import type { InteractionContext } from '../interactions/context';
import { allowsResource, scopeNarrowing } from '../scope-check';
import { SEARCH_LIMITS } from './limits';
import type { Found, SearchSource, Start } from './source';
import { SearchTooCostly } from './too-costly';

/**
 * The gateway's own types (Patient, RelatedPerson, Consent, Task) searched in its store: the
 * client's resources that match the narrowed search, judged and scope-checked, in one list that the
 * pages are cut from (a position is an offset in the judged list, so hidden ones never show as a
 * short page). Includes are not resolved for these types: FHIR lets a server leave them out, and the
 * self link says so by the parameters it keeps.
 */
export function gatewaySource(
  context: InteractionContext,
  filters: readonly SearchParameter[],
): SearchSource {
  const { decision, principal } = context;
  const type = context.request.resourceType!;
  const narrowed = decision.narrow({
    resourceType: type,
    parameters: [...filters, ...scopeNarrowing(context.grant)],
  });
  let visible: Promise<Resource[]> | undefined;
  const list = () =>
    (visible ??= context.gateway.search(principal.patient, narrowed).then((found) =>
      found.flatMap((resource) => {
        const judgement = decision.judge(resource);
        return judgement.show && allowsResource(principal.scopes, judgement.resource, 's')
          ? [judgement.resource]
          : [];
      }),
    ));
  return {
    async page(start: Start, want: number): Promise<Found> {
      const all = await list();
      const end = start.skip + want;
      return {
        matches: all.slice(start.skip, end),
        includes: [],
        ...(end < all.length ? { next: { skip: end } } : {}),
      };
    },
    async count(): Promise<number> {
      const all = await list();
      if (all.length > SEARCH_LIMITS.totalMatches)
        throw new SearchTooCostly(
          `a total is counted up to ${SEARCH_LIMITS.totalMatches} matches: narrow the search`,
          `more than ${SEARCH_LIMITS.totalMatches} visible matches`,
        );
      return all.length;
    },
  };
}
