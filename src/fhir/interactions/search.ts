import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { FhirSearch, SearchParameter } from '../../consent';
import { MalformedRequest } from '../errors';
import { searchOfRequest } from '../request';
import { allowsResource, scopeNarrowing } from '../scope-check';
import { GATEWAY_TYPES } from '../sources/gateway';
import { queryString } from '../sources/upstream';
import type { FhirResult, InteractionContext } from './context';

/**
 * search (GET, HEAD, POST _search and the compartment form alike: normalise made them one): the
 * search narrowed by the scopes and the decision, sent to its source, and every resource of the
 * answer judged again, matches and includes alike. What is not shown is dropped without a trace:
 * no stub, no total of the upstream's, no link of the upstream's.
 */
export async function search(context: InteractionContext): Promise<FhirResult> {
  const { request, decision, settings, principal } = context;
  const type = request.resourceType!;
  const stated = withCompartment(searchOfRequest(request), context);
  const count = pageSizeOf(stated.parameters, settings.pageSize, settings.maxPageSize);
  const asked: FhirSearch = {
    resourceType: type,
    parameters: [...stated.parameters.filter((p) => p.name !== '_count'), ...scopeNarrowing(context.grant)],
  };

  const entries: BundleEntry[] = [];
  if (decision.allowed) {
    if (GATEWAY_TYPES.has(type)) {
      const narrowed = decision.narrow(asked);
      for (const resource of await context.gateway.search(principal.patient, narrowed)) {
        const judgement = decision.judge(resource);
        if (judgement.show && allowsResource(principal.scopes, judgement.resource, 's'))
          entries.push(entryOf(judgement.resource, 'match', settings.fhirBase));
      }
    } else {
      const view = await context.upstream.view(principal.patient);
      const enforcement = decision.inCompartmentOf(view.link.upstreamPatient);
      const narrowed = enforcement.narrow(view.toUpstream(asked));
      const bundle = await view.search({
        resourceType: type,
        parameters: [...narrowed.parameters, { name: '_count', value: String(count) }],
      });
      for (const entry of bundle.entry ?? []) {
        const resource = entry?.resource as Resource | undefined;
        if (!resource || GATEWAY_TYPES.has(resource.resourceType)) continue;
        const mode = entry.search?.mode === 'include' ? 'include' : 'match';
        // A match must be of the type searched; anything else in the answer is at most an include.
        if (mode === 'match' && resource.resourceType !== type) continue;
        const judgement = enforcement.judge(resource);
        if (!judgement.show) continue;
        if (!allowsResource(principal.scopes, judgement.resource, mode === 'match' ? 's' : 'r')) continue;
        entries.push(entryOf(view.present(judgement.resource), mode, settings.fhirBase));
      }
    }
  }
  const matches = entries.filter((e) => e.search?.mode === 'match').slice(0, count);
  const includes = entries.filter((e) => e.search?.mode === 'include');
  const body: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    link: [{ relation: 'self', url: `${settings.fhirBase}/${type}?${queryString(stated.parameters)}` }],
    entry: [...matches, ...includes],
  };
  return {
    status: 200,
    resource: body,
    shown: body.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`),
  };
}

/** `Patient/x/Observation` is `Observation?patient=Patient/x` (the compartment parameter narrow adds). */
function withCompartment(search: FhirSearch, context: InteractionContext): FhirSearch {
  const compartment = context.request.compartment;
  if (!compartment) return search;
  // Another client's compartment is refused like any search for another patient.
  if (`Patient/${compartment.id}` !== context.principal.patient)
    throw new MalformedRequest('only the compartment of the patient in context can be searched');
  return search;
}

function pageSizeOf(parameters: readonly SearchParameter[], pageSize: number, maxPageSize: number): number {
  const counts = parameters.filter((p) => p.name === '_count');
  if (counts.length > 1) throw new MalformedRequest('a search takes one _count');
  if (counts.length === 0) return pageSize;
  const value = counts[0]!.value;
  if (!/^\d{1,4}$/.test(value) || counts[0]!.modifier !== undefined)
    throw new MalformedRequest('_count takes a number');
  return Math.min(Math.max(Number(value), 1), maxPageSize);
}

function entryOf(resource: Resource, mode: 'match' | 'include', fhirBase: string): BundleEntry {
  return { fullUrl: `${fhirBase}/${resource.resourceType}/${resource.id}`, resource, search: { mode } };
}
