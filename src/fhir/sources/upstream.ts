import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { FhirSearch, SearchParameter } from '../../consent';
import type { PatientReference } from '../../vocabulary';
import { upstreamFailed } from '../errors';
import type { PatientLink, PatientLinks } from '../patient-link';
import type { UpstreamClient } from '../upstream-client';

/**
 * The dossier as the upstream holds it, seen through one client's patient link. Requests go out in
 * the upstream's ids (the client's Patient is `Patient/<upstream id>` there); answers come back
 * unjudged, in the upstream's ids, and are judged in those ids (AccessDecision.inCompartmentOf)
 * before `present` turns them into the ids the portal app sees:
 *
 * - the client's upstream Patient becomes the gateway's Patient (`Patient/<gateway id>`), in every
 *   reference, absolute or relative, versioned or not;
 * - every other absolute URL on the upstream's base becomes the same path on the gateway's FHIR base
 *   (what it points to is judged again when it is read there);
 * - every other id stays the upstream's: the upstream is the only source of dossier resources.
 */
export interface UpstreamView {
  readonly link: PatientLink;
  /** The search with the client's gateway Patient replaced by the upstream's, in every parameter. */
  toUpstream(search: FhirSearch): FhirSearch;
  /** A resource by type and id; undefined when the upstream has none (404 or 410). */
  read(resourceType: string, id: string, versionId?: string): Promise<Resource | undefined>;
  /** A search, as the upstream answers it (a Bundle, unjudged). */
  search(search: FhirSearch): Promise<Bundle>;
  /** A further page: a path and query on the upstream's base, as a cursor carries it. */
  page(pathAndQuery: string): Promise<Bundle>;
  /** The versions of one resource (a history Bundle, unjudged); undefined when it does not exist. */
  history(resourceType: string, id: string): Promise<Bundle | undefined>;
  /** A judged resource in the portal's ids. */
  present<T extends Resource>(resource: T): T;
  /** The path and query of an upstream link on the upstream's base, or undefined for any other URL. */
  pathOnUpstream(url: string): string | undefined;
}

export class UpstreamDossier {
  readonly #client: UpstreamClient;
  readonly #links: PatientLinks;
  readonly #fhirBase: string;

  constructor(client: UpstreamClient, links: PatientLinks, fhirBase: string) {
    this.#client = client;
    this.#links = links;
    this.#fhirBase = fhirBase;
  }

  get client(): UpstreamClient {
    return this.#client;
  }

  async view(patient: PatientReference): Promise<UpstreamView> {
    const link = await this.#links.linkOf(patient);
    return new BoundView(this.#client, link, this.#fhirBase);
  }
}

class BoundView implements UpstreamView {
  readonly link: PatientLink;
  readonly #client: UpstreamClient;
  readonly #base: string;
  readonly #fhirBase: string;

  constructor(client: UpstreamClient, link: PatientLink, fhirBase: string) {
    this.#client = client;
    this.link = link;
    this.#base = client.baseUrl;
    this.#fhirBase = fhirBase;
  }

  toUpstream(search: FhirSearch): FhirSearch {
    const gatewayRef = this.link.patient;
    const gatewayId = gatewayRef.slice('Patient/'.length);
    const swap = (value: string): string =>
      value
        .split(/(?<!\\),/)
        .map((v) => (v === gatewayRef ? this.link.upstreamPatient : v))
        .join(',');
    const parameters = search.parameters.map((p): SearchParameter => {
      if (search.resourceType === 'Patient' && p.name === '_id' && p.value === gatewayId)
        return { ...p, value: this.link.upstreamId };
      return p.value.includes(gatewayRef) ? { ...p, value: swap(p.value) } : p;
    });
    return { resourceType: search.resourceType, parameters };
  }

  async read(resourceType: string, id: string, versionId?: string): Promise<Resource | undefined> {
    const path = `/${resourceType}/${encodeURIComponent(id)}${versionId === undefined ? '' : `/_history/${encodeURIComponent(versionId)}`}`;
    const answer = await this.#client.get(path);
    if (answer.status === 404 || answer.status === 410) return undefined;
    if (answer.status !== 200) throw upstreamFailed(`GET ${path}: the upstream answered ${answer.status}`);
    const resource = answer.body as Resource | undefined;
    if (typeof resource !== 'object' || resource === null || typeof resource.resourceType !== 'string')
      throw upstreamFailed(`GET ${path}: the answer is not a FHIR resource`);
    // An answer that is another resource than the one asked for is not this resource.
    if (resource.resourceType !== resourceType || resource.id !== id) return undefined;
    return resource;
  }

  async search(search: FhirSearch): Promise<Bundle> {
    return this.#bundle(`/${search.resourceType}?${queryString(search.parameters)}`, 'searchset');
  }

  async page(pathAndQuery: string): Promise<Bundle> {
    return this.#bundle(pathAndQuery, 'searchset');
  }

  async history(resourceType: string, id: string): Promise<Bundle | undefined> {
    const path = `/${resourceType}/${encodeURIComponent(id)}/_history`;
    const answer = await this.#client.get(path);
    if (answer.status === 404 || answer.status === 410) return undefined;
    return this.#bundleOf(path, answer.status, answer.body, 'history');
  }

  present<T extends Resource>(resource: T): T {
    return rewrite(withoutPersonsContained(resource), (text) => this.#rewriteText(text)) as T;
  }

  pathOnUpstream(url: string): string | undefined {
    if (!url.startsWith(`${this.#base}/`) && !url.startsWith(`${this.#base}?`)) return undefined;
    const rest = url.slice(this.#base.length);
    return rest.startsWith('?') ? `/${rest}` : rest;
  }

  async #bundle(path: string, type: 'searchset' | 'history'): Promise<Bundle> {
    const answer = await this.#client.get(path);
    return this.#bundleOf(path, answer.status, answer.body, type);
  }

  #bundleOf(path: string, status: number, body: unknown, type: 'searchset' | 'history'): Bundle {
    if (status !== 200) throw upstreamFailed(`GET ${path.slice(0, 200)}: the upstream answered ${status}`);
    const bundle = body as Bundle | undefined;
    if (
      typeof bundle !== 'object' ||
      bundle === null ||
      bundle.resourceType !== 'Bundle' ||
      bundle.type !== type
    )
      throw upstreamFailed(`GET ${path.slice(0, 200)}: the answer is not a ${type} Bundle`);
    if (bundle.entry !== undefined && !Array.isArray(bundle.entry))
      throw upstreamFailed(`GET ${path.slice(0, 200)}: the Bundle's entries are not a list`);
    return bundle;
  }

  /** One string of a judged resource, in the portal's ids. */
  #rewriteText(text: string): string {
    let relative = text;
    const onUpstream = text.startsWith(`${this.#base}/`);
    if (onUpstream) relative = text.slice(this.#base.length + 1);
    const upstreamPatient = this.link.upstreamPatient;
    if (relative === upstreamPatient || relative.startsWith(`${upstreamPatient}/_history/`)) {
      const mapped = this.link.patient;
      return onUpstream ? `${this.#fhirBase}/${mapped}` : mapped;
    }
    return onUpstream ? `${this.#fhirBase}/${relative}` : text;
  }
}

/**
 * Contained resources that can carry a person's data are taken out (leak vector 19): the judge
 * placed the resource that contains them, not them, and a contained Patient, Observation or
 * RelatedPerson may be anyone's. What stays names no client: medication, substances, organisations,
 * places, devices, and employees (already reduced by the judge where the preset masks them).
 */
const CONTAINED_WITHOUT_PERSONS: ReadonlySet<string> = new Set([
  'Medication',
  'Substance',
  'Organization',
  'Location',
  'Device',
  'Practitioner',
  'PractitionerRole',
]);

function withoutPersonsContained<T extends Resource>(resource: T): T {
  const contained = (resource as { contained?: unknown }).contained;
  if (contained === undefined) return resource;
  const kept = Array.isArray(contained)
    ? contained.filter((c) =>
        CONTAINED_WITHOUT_PERSONS.has((c as { resourceType?: unknown } | null)?.resourceType as string),
      )
    : [];
  const { contained: _all, ...rest } = resource as T & { contained?: unknown };
  return (kept.length > 0 ? { ...rest, contained: kept } : rest) as T;
}

/** A deep copy with every string passed through `map` (references, URLs, fullUrls). */
function rewrite(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((v) => rewrite(v, map));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = key === 'div' ? v : rewrite(v, map);
    return out;
  }
  return value;
}

/** Parameters as a query string: `name[:modifier]=value`, percent-encoded. */
export function queryString(parameters: readonly SearchParameter[]): string {
  return parameters
    .map(
      (p) =>
        `${encodeURIComponent(p.modifier === undefined ? p.name : `${p.name}:${p.modifier}`)}=${encodeURIComponent(p.value)}`,
    )
    .join('&');
}
