import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { DecisionEnforcement, FhirSearch, SearchParameter } from '../../consent';
import type { InteractionContext } from '../interactions/context';
import { allowsResource, scopeNarrowing } from '../scope-check';
import { GATEWAY_TYPES } from '../sources/gateway';
import type { UpstreamView } from '../sources/upstream';
import { SEARCH_LIMITS } from './limits';
import { keyOf, referencesOf } from './references';
import type { Found, SearchSource, Start } from './source';
import { SearchTooCostly } from './too-costly';

/**
 * The dossier's side of a search: the narrowed search sent to the upstream, its pages read one by
 * one, and every entry judged in the upstream's ids before it is presented in the portal's:
 *
 * - a match must be of the type searched, visible to judge and covered by the scopes (`s`);
 * - a page is filled from further upstream pages when judge drops matches (leak vector 2), and one
 *   more visible match is looked for before a next page is promised, so that no next page is empty;
 * - an include is kept only beside a match of this page that it belongs to (it refers to the match
 *   or the match to it), judged as if read directly and scope-checked for its own type (`r`); the
 *   client's upstream Patient becomes the gateway's Patient, judged too; other upstream Patients,
 *   RelatedPersons, Consents and Tasks are never shown (leak vector 4);
 * - the upstream's total and links are never passed on; its next link is followed here, and kept
 *   in the cursor as a path on the upstream base.
 */
export async function upstreamSource(
  context: InteractionContext,
  filters: readonly SearchParameter[],
): Promise<SearchSource> {
  const type = context.request.resourceType!;
  const view = await context.upstream.view(context.principal.patient);
  const enforcement = context.decision.inCompartmentOf(view.link.upstreamPatient);
  const narrowed = enforcement.narrow(
    view.toUpstream({ resourceType: type, parameters: [...filters, ...scopeNarrowing(context.grant)] }),
  );
  return new UpstreamSearch(context, view, enforcement, narrowed);
}

class UpstreamSearch implements SearchSource {
  readonly #context: InteractionContext;
  readonly #view: UpstreamView;
  readonly #enforcement: DecisionEnforcement;
  readonly #narrowed: FhirSearch;
  /**
   * The ids an `_id` search asks for (one set per parameter, AND-ed): held against every match, so
   * that an upstream ignoring `_id` cannot answer an id search with other resources.
   */
  readonly #idsAsked: readonly ReadonlySet<string>[];
  #gatewayPatient: Promise<Resource | undefined> | undefined;
  /** Per include of a page: what it refers to, and what of it may be shown (judged once). */
  readonly #includeReferences = new WeakMap<Resource, Set<string>>();
  readonly #shownIncludes = new WeakMap<Resource, Promise<Resource | undefined>>();

  constructor(
    context: InteractionContext,
    view: UpstreamView,
    enforcement: DecisionEnforcement,
    narrowed: FhirSearch,
  ) {
    this.#context = context;
    this.#view = view;
    this.#enforcement = enforcement;
    this.#narrowed = narrowed;
    this.#idsAsked = narrowed.parameters
      .filter((p) => p.name === '_id' && p.modifier === undefined)
      .map((p) => new Set(p.value.split(',')));
  }

  async page(start: Start, want: number): Promise<Found> {
    // A first page asks for one entry more than it shows (the look-ahead that tells whether there
    // is a next page): an upstream that narrows needs no more. Only when judge drops a match of
    // that small page is it asked again, in pages large enough to refill from.
    const found = await this.#walk(start, want, start.page === undefined ? want + 1 : undefined);
    if (found !== 'dropped') return found;
    // The probe counts against the work cap of this answer.
    const retried = await this.#walk(start, want, Math.max(want + 1, SEARCH_LIMITS.upstreamPageSize), 1);
    if (retried === 'dropped') throw new TypeError('a large first page cannot ask to be retried');
    return retried;
  }

  /**
   * One walk over the upstream's pages. With `firstPageSize` equal to want + 1 it gives up as soon
   * as judge drops a match ('dropped'), so that the caller asks again with larger pages.
   */
  async #walk(
    start: Start,
    want: number,
    firstPageSize: number | undefined,
    spent = 0,
  ): Promise<Found | 'dropped'> {
    const matches: Resource[] = [];
    const includes = new Map<string, Resource>();
    const matchKeys = new Set<string>();
    const small = firstPageSize !== undefined && firstPageSize < SEARCH_LIMITS.upstreamPageSize;
    let path = start.page;
    let skip = start.skip;
    for (let pages = 1 + spent; ; pages += 1) {
      const bundle =
        path === undefined
          ? await this.#first(this.#narrowed.parameters, firstPageSize ?? SEARCH_LIMITS.upstreamPageSize)
          : await this.#view.page(path);
      const entries = bundle.entry ?? [];
      const pageIncludes = entries.filter(isInclude).map((e) => e.resource as Resource);
      for (let i = skip; i < entries.length; i += 1) {
        const match = this.#visibleMatch(entries[i]!);
        if (!match && small && isCandidate(entries[i]!)) return 'dropped';
        if (!match || matchKeys.has(keyOf(match))) continue;
        // One more visible match than the page holds: the next page is known not to be empty.
        if (matches.length === want) return done(matches, includes, { ...pathOf(path), skip: i });
        matchKeys.add(keyOf(match));
        matches.push(this.#view.present(match));
        for (const include of await this.#includesOf(match, pageIncludes))
          if (!includes.has(keyOf(include))) includes.set(keyOf(include), include);
      }
      const next = this.#nextOf(bundle);
      if (next === undefined || next === path) return done(matches, includes);
      // The small page held fewer visible matches than it asked for, yet the upstream has more.
      if (small) return 'dropped';
      // The work is capped: what was found, and a cursor where the reading stopped (not "no more").
      if (pages >= SEARCH_LIMITS.pagesPerAnswer) return done(matches, includes, { page: next, skip: 0 });
      path = next;
      skip = 0;
    }
  }

  async count(): Promise<number> {
    const parameters = this.#narrowed.parameters.filter(
      (p) => p.name !== '_include' && p.name !== '_revinclude' && p.name !== '_sort',
    );
    const counted = new Set<string>();
    let path: string | undefined;
    for (let pages = 1; ; pages += 1) {
      const bundle =
        path === undefined
          ? await this.#first(parameters, SEARCH_LIMITS.totalPageSize)
          : await this.#view.page(path);
      for (const entry of bundle.entry ?? []) {
        const match = this.#visibleMatch(entry);
        if (match) counted.add(keyOf(match));
      }
      if (counted.size > SEARCH_LIMITS.totalMatches)
        throw new SearchTooCostly(
          `a total is counted up to ${SEARCH_LIMITS.totalMatches} matches: narrow the search`,
          `more than ${SEARCH_LIMITS.totalMatches} visible matches`,
        );
      const next = this.#nextOf(bundle);
      if (next === undefined || next === path) return counted.size;
      if (pages >= SEARCH_LIMITS.totalPages)
        throw new SearchTooCostly(
          'a total of this search would take too much reading: narrow the search',
          `more than ${SEARCH_LIMITS.totalPages} upstream pages`,
        );
      path = next;
    }
  }

  #first(parameters: readonly SearchParameter[], pageSize: number): Promise<Bundle> {
    return this.#view.search({
      resourceType: this.#narrowed.resourceType,
      parameters: [...parameters, { name: '_count', value: String(pageSize) }],
    });
  }

  /** The judged match of an entry (upstream ids), or undefined for anything that is not one. */
  #visibleMatch(entry: BundleEntry): Resource | undefined {
    const resource = entry?.resource as Resource | undefined;
    if (!isResource(resource) || isInclude(entry)) return undefined;
    if (entry.search?.mode === 'outcome') return undefined;
    if (resource.resourceType !== this.#narrowed.resourceType || GATEWAY_TYPES.has(resource.resourceType))
      return undefined;
    if (!this.#idsAsked.every((ids) => ids.has(resource.id!))) return undefined;
    const judgement = this.#enforcement.judge(resource);
    if (!judgement.show || !allowsResource(this.#context.principal.scopes, judgement.resource, 's'))
      return undefined;
    return judgement.resource;
  }

  /** The includes of a page that belong to one judged match, each judged and presented. */
  async #includesOf(match: Resource, pageIncludes: readonly Resource[]): Promise<Resource[]> {
    if (pageIncludes.length === 0) return [];
    const onUpstream = (url: string) => this.#view.pathOnUpstream(url);
    const matchRefers = referencesOf(match, onUpstream);
    const shown: Resource[] = [];
    for (const include of pageIncludes) {
      let refers = this.#includeReferences.get(include);
      if (!refers) this.#includeReferences.set(include, (refers = referencesOf(include, onUpstream)));
      if (!matchRefers.has(keyOf(include)) && !refers.has(keyOf(match))) continue;
      let visible = this.#shownIncludes.get(include);
      if (!visible) this.#shownIncludes.set(include, (visible = this.#visibleInclude(include)));
      const resource = await visible;
      if (resource) shown.push(resource);
    }
    return shown;
  }

  async #visibleInclude(include: Resource): Promise<Resource | undefined> {
    const scopes = this.#context.principal.scopes;
    if (!isResource(include)) return undefined;
    if (GATEWAY_TYPES.has(include.resourceType)) {
      // The client's own Patient is the gateway's; the upstream's is never shown.
      if (include.resourceType !== 'Patient' || include.id !== this.#view.link.upstreamId) return undefined;
      return (this.#gatewayPatient ??= this.#readGatewayPatient());
    }
    const judgement = this.#enforcement.judge(include);
    if (!judgement.show || !allowsResource(scopes, judgement.resource, 'r')) return undefined;
    return this.#view.present(judgement.resource);
  }

  async #readGatewayPatient(): Promise<Resource | undefined> {
    const { principal, decision, gateway } = this.#context;
    const patient = await gateway.read('Patient', principal.patient.slice('Patient/'.length));
    if (!patient) return undefined;
    const judgement = decision.judge(patient);
    if (!judgement.show || !allowsResource(principal.scopes, judgement.resource, 'r')) return undefined;
    return judgement.resource;
  }

  /** The upstream's next page, as a path on its base; a link anywhere else is not followed. */
  #nextOf(bundle: Bundle): string | undefined {
    const links = Array.isArray(bundle.link) ? bundle.link : [];
    const url = links.find((l) => l?.relation === 'next')?.url;
    return typeof url === 'string' ? this.#view.pathOnUpstream(url) : undefined;
  }
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** A resource the gateway can name: a type and a FHIR id (anything else is not shown at all). */
function isResource(value: unknown): value is Resource {
  const { resourceType, id } = (value ?? {}) as { resourceType?: unknown; id?: unknown };
  return (
    typeof value === 'object' && typeof resourceType === 'string' && typeof id === 'string' && ID.test(id)
  );
}

function isInclude(entry: BundleEntry): boolean {
  return entry?.search?.mode === 'include' && typeof entry.resource === 'object' && entry.resource !== null;
}

function pathOf(path: string | undefined): { page?: string } {
  return path === undefined ? {} : { page: path };
}

/** The page as found; an include that is also a match of the page is shown once, as the match. */
function done(matches: Resource[], includes: Map<string, Resource>, next?: Start): Found {
  const presentedMatches = new Set(matches.map(keyOf));
  return {
    matches,
    includes: [...includes.values()].filter((r) => !presentedMatches.has(keyOf(r))),
    ...(next === undefined ? {} : { next }),
  };
}

/** An entry that would be a match if judge showed it (not an include, not an outcome). */
function isCandidate(entry: BundleEntry): boolean {
  return !isInclude(entry) && entry?.search?.mode !== 'outcome' && entry?.resource !== undefined;
}
