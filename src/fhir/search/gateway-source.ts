import { evalFhirPath, getSearchParameter } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { SearchParameter } from '../../consent';
import type { InteractionContext } from '../interactions/context';
import { allowsResource, scopeNarrowing } from '../scope-check';
import { GATEWAY_TYPES } from '../sources/gateway';
import { SEARCH_LIMITS } from './limits';
import { keyOf } from './references';
import type { Found, SearchSource, Start } from './source';
import { SearchTooCostly } from './too-costly';

/**
 * The gateway's own types (Patient, RelatedPerson, Consent, Task) searched in its store: the
 * client's resources that match the narrowed search, judged and scope-checked, in one list that the
 * pages are cut from (a position is an offset in the judged list, so hidden ones never show as a
 * short page). `_include` brings the gateway's own resources a match refers to by the parameter
 * (a RelatedPerson's Patient), each judged as if read directly and scope-checked for its type;
 * `_revinclude` is not resolved for these types (FHIR lets a server leave an include out).
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
      const matches = all.slice(start.skip, end);
      return {
        matches,
        includes: await includesOf(context, matches, filters),
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

const RELATIVE = /^([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})$/;

/** The gateway's resources the matches refer to by the `_include` parameters (narrow checked their form). */
async function includesOf(
  context: InteractionContext,
  matches: readonly Resource[],
  filters: readonly SearchParameter[],
): Promise<Resource[]> {
  const { decision, principal, gateway } = context;
  const shown = new Map<string, Resource>();
  const matchKeys = new Set(matches.map(keyOf));
  const seen = new Set<string>();
  for (const include of filters.filter((p) => p.name === '_include')) {
    for (const value of include.value.split(',')) {
      const [source, code, target] = value.split(':');
      const expression = source && code ? getSearchParameter(source, code)?.expression : undefined;
      if (!expression) continue;
      for (const match of matches) {
        for (const found of evalFhirPath(expression, match)) {
          const reference = (found as { reference?: unknown } | null)?.reference;
          const parsed = typeof reference === 'string' ? RELATIVE.exec(reference) : null;
          if (!parsed || (target !== undefined && parsed[1] !== target)) continue;
          const [, type, id] = parsed as unknown as [string, string, string];
          const key = `${type}/${id}`;
          // Only what the gateway holds itself; a dossier resource is not resolved from here.
          if (!GATEWAY_TYPES.has(type) || seen.has(key) || matchKeys.has(key)) continue;
          seen.add(key);
          const resource = await gateway.read(type, id);
          const judgement = resource ? decision.judge(resource) : undefined;
          if (judgement?.show && allowsResource(principal.scopes, judgement.resource, 'r'))
            shown.set(key, judgement.resource);
        }
      }
    }
  }
  return [...shown.values()];
}
