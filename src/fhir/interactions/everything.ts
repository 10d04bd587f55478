import type { BundleEntry, Resource } from '@medplum/fhirtypes';
import {
  AccessDenied,
  sectionMappingOf,
  type DecisionEnforcement,
  type FhirSearch,
  type SearchParameter,
} from '../../consent';
import { InteractionNotSupported, MalformedRequest, ResourceNotFound } from '../errors';
import { upstreamPages } from '../everything/pages';
import { withRelationPrivacy } from '../requests/own-access';
import { allowsResource, grantFor, scopeNarrowing } from '../scope-check';
import { GATEWAY_TYPES } from '../sources/gateway';
import { queryString, type UpstreamView } from '../sources/upstream';
import type { FhirResult, InteractionContext } from './context';

/**
 * `Patient/<id>/$everything`: the client's own export (M-9, the right to data portability), as
 * everything the caller may see, composed by the gateway (leak vector 13: an operation that returns
 * many types gets no more than a search of each would). Only for the patient in context; any other
 * id gets the one 404.
 *
 * Composed of: what the gateway holds (the Patient first), then every resource type of the client's
 * organisation's section mapping, each as a search of its own: the scopes must allow searching the
 * type, the engine is asked for that type as for any search, the search is narrowed as any search
 * is, every page of the upstream's answer is followed, and every entry is judged, held against the
 * scopes and presented. A type that is refused is left out, without a trace. Streamed: see
 * StreamedBundle. Parameters: `_type` (a comma list: only those types) and `_since` (an instant:
 * only resources changed after it); anything else is refused (400), `start`/`end`/`_count` included.
 */
export async function everything(context: InteractionContext): Promise<FhirResult> {
  const { request, principal, settings, engine } = context;
  if (`Patient/${request.id}` !== principal.patient)
    throw new ResourceNotFound({ detail: `$everything of Patient/${request.id} for ${principal.patient}` });
  if (request.method !== 'GET' && request.method !== 'HEAD')
    throw new InteractionNotSupported('$everything is read with GET (its parameters in the URL)');
  if (request.cursor !== undefined) throw new MalformedRequest('$everything is not paged');
  const options = optionsOf(request.parameters);

  const facts = await engine.facts(principal.patient);
  const mapping = facts ? sectionMappingOf(engine.presetOf(facts.organisationId)) : {};
  const candidates = [...GATEWAY_TYPES, ...Object.keys(mapping).filter((t) => !GATEWAY_TYPES.has(t))].filter(
    (type) => !options.types || options.types.has(type),
  );

  // Decided and narrowed before anything is sent, so that a refusal or an unlinked dossier is an
  // ordinary error answer; only the fetching is left to the stream.
  const parts: Part[] = [];
  let view: UpstreamView | undefined;
  for (const type of candidates) {
    const grant = grantFor(principal.scopes, type, 's');
    if (!grant) continue;
    const decision = withRelationPrivacy(
      await engine.check(
        { user: principal.user, patient: principal.patient, clientApp: principal.clientApp },
        { interaction: 'search', resourceType: type, parameters: [], at: context.at },
      ),
      principal,
    );
    if (!decision.allowed) continue;
    const search: FhirSearch = {
      resourceType: type,
      parameters: [...options.since, ...scopeNarrowing(grant)],
    };
    const gatewayHeld = GATEWAY_TYPES.has(type);
    if (!gatewayHeld) view ??= await context.upstream.view(principal.patient);
    const enforcement = gatewayHeld ? decision : decision.inCompartmentOf(view!.link.upstreamPatient);
    const narrowed = narrowOrSkip(enforcement, gatewayHeld ? search : view!.toUpstream(search));
    if (narrowed) parts.push({ type, gatewayHeld, enforcement, narrowed });
  }

  const query = queryString(request.parameters);
  return {
    status: 200,
    shown: [],
    stream: {
      bundle: {
        resourceType: 'Bundle',
        type: 'searchset',
        link: [
          {
            relation: 'self',
            url: `${settings.fhirBase}/Patient/${request.id}/$everything${query ? `?${query}` : ''}`,
          },
        ],
      },
      entries: compose(context, parts, view),
    },
  };
}

/** One resource type of the export: how it is enforced and the search that fetches it. */
interface Part {
  readonly type: string;
  readonly gatewayHeld: boolean;
  readonly enforcement: DecisionEnforcement;
  readonly narrowed: FhirSearch;
}

async function* compose(
  context: InteractionContext,
  parts: readonly Part[],
  view: UpstreamView | undefined,
): AsyncGenerator<BundleEntry> {
  const { principal, settings } = context;
  const seen = new Set<string>();
  const show = (resource: Resource, part: Part): Resource | undefined => {
    if (resource.resourceType !== part.type || typeof resource.id !== 'string') return undefined;
    const key = `${resource.resourceType}/${resource.id}`;
    if (seen.has(key)) return undefined;
    const judgement = part.enforcement.judge(resource);
    if (!judgement.show || !allowsResource(principal.scopes, judgement.resource, 's')) return undefined;
    seen.add(key);
    return part.gatewayHeld ? judgement.resource : view!.present(judgement.resource);
  };
  const entryOf = (resource: Resource): BundleEntry => ({
    fullUrl: `${settings.fhirBase}/${resource.resourceType}/${resource.id}`,
    resource,
    search: { mode: 'match' },
  });

  for (const part of parts) {
    if (part.gatewayHeld) {
      for (const resource of await context.gateway.search(principal.patient, part.narrowed)) {
        const shown = show(resource, part);
        if (shown) yield entryOf(shown);
      }
      continue;
    }
    const search: FhirSearch = {
      resourceType: part.type,
      parameters: [...part.narrowed.parameters, { name: '_count', value: String(settings.maxPageSize) }],
    };
    for await (const entry of upstreamPages(view!, search)) {
      // Only the matches of the type searched; an include or an entry of another type is dropped.
      if (entry.search?.mode === 'include' || !entry.resource) continue;
      const shown = show(entry.resource, part);
      if (shown) yield entryOf(shown);
    }
  }
}

/** A type the decision cannot place in the compartment or in an allowed section is left out. */
function narrowOrSkip(enforcement: DecisionEnforcement, search: FhirSearch): FhirSearch | undefined {
  try {
    return enforcement.narrow(search);
  } catch (err) {
    if (err instanceof AccessDenied) return undefined;
    throw err;
  }
}

const TYPE = /^[A-Z][A-Za-z]{1,63}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

interface EverythingOptions {
  /** `_type`: only these types (absent: all). */
  readonly types?: ReadonlySet<string>;
  /** `_since` as the search parameter every part gets. */
  readonly since: readonly SearchParameter[];
}

function optionsOf(parameters: readonly SearchParameter[]): EverythingOptions {
  let types: Set<string> | undefined;
  const since: SearchParameter[] = [];
  for (const p of parameters) {
    if (p.modifier !== undefined) throw new MalformedRequest('$everything takes no modifiers');
    if (p.name === '_type' && types === undefined) {
      types = new Set(p.value.split(','));
      if ([...types].some((t) => !TYPE.test(t))) throw new MalformedRequest('_type takes resource types');
    } else if (p.name === '_since' && since.length === 0) {
      if (!INSTANT.test(p.value) || Number.isNaN(Date.parse(p.value)))
        throw new MalformedRequest('_since takes an instant with a time zone (2024-01-31T12:00:00Z)');
      since.push({ name: '_lastUpdated', value: `gt${p.value}` });
    } else {
      throw new MalformedRequest('$everything takes only _type and _since, each once');
    }
  }
  return { ...(types ? { types } : {}), since };
}
