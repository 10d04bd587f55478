import {
  getSearchParameter,
  type OperationOutcomeError,
  Operator,
  type Filter,
  type SearchRequest,
  type WithId,
} from '@medplum/core';
import type { MemoryRepository } from '@medplum/fhir-router';
import type { Reference, Resource } from '@medplum/fhirtypes';
import { DecidingRepository } from './deciding-repository';

/**
 * Why the sandbox keeps its resources by patient as well.
 *
 * MemoryRepository answers a search by testing every resource of the type: a patient's Observation
 * search went over all 34,000 Observations of 2,000 clients (about 320 ms), while that patient has a
 * few dozen. Nearly every search the gateway sends names one patient (`patient=Patient/x`,
 * `subject=Patient/x`, or `_id=x` for the Patient itself), so the sandbox also keeps, per patient, a
 * view: a small repository of its own with every resource that could match such a search, and
 * answers the search there, through the same filter, sort and paging code.
 *
 * A view holds MORE than the compartment, never less: every resource with the string
 * `Patient/<id>` anywhere in it (references, also in contained resources) and every resource that
 * is or contains Patient `<id>`; ids compared without case. A reference filter `Patient/x` matches
 * only resources whose reference values include exactly `Patient/x` (match.ts of @medplum/core), and
 * `_id` compares without case, so the view has every match; the filters then take away the rest. A
 * bare id (`patient=x`) is answered by the view only while no other reference ends in `/x`.
 * Includes and revincludes are resolved by the whole repository (CompartmentView below), and a
 * search with chained or `_has` filters, which look at other resources, is not answered by a view.
 */

/** The key of a patient's view: `patient/<id>` in lower case. */
type PatientKey = string;

const PATIENT_REFERENCE = /^Patient\/([^/]+)$/;

/**
 * What a resource says about patients: the keys of the views it belongs in, and the last path
 * segments (lower case) of its other strings with a slash ("Practitioner/x", an absolute URL). A
 * bare id `x` matches any reference ending in `/x`; while no resource has `x` among its other
 * segments, those are all `Patient/x` and in x's view.
 */
export interface PatientMentions {
  keys: Set<PatientKey>;
  otherEnds: string[];
}

/** The patients `resource` names, in its references, contained resources or as itself. */
export function mentionsOf(resource: Resource): PatientMentions {
  const keys = new Set<PatientKey>();
  const otherEnds: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      const id = PATIENT_REFERENCE.exec(value)?.[1];
      if (id) keys.add(keyOf(id));
      else if (value.includes('/')) otherEnds.push(value.slice(value.lastIndexOf('/') + 1).toLowerCase());
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record.resourceType === 'Patient' && typeof record.id === 'string') keys.add(keyOf(record.id));
      for (const item of Object.values(record)) walk(item);
    }
  };
  walk(resource);
  return { keys, otherEnds };
}

function keyOf(patientId: string): PatientKey {
  return `patient/${patientId.toLowerCase()}`;
}

/**
 * The patient a search names, as a view key: an equality filter with one value, `_id=<id>` on
 * Patient, `Patient/<id>` on a reference parameter, or a bare id on a parameter that can only point
 * to a Patient when `bareIdIsSafe(id)`. Undefined when the search names none, or when one of its
 * filters follows references to other resources (chains, `_has`), which a view cannot answer as
 * the whole repository would.
 */
export function patientNamedBy(
  request: SearchRequest,
  bareIdIsSafe: (lowerCaseId: string) => boolean,
): PatientKey | undefined {
  const filters = request.filters ?? [];
  if (filters.some((f) => f.code.includes('.') || f.code.startsWith('_has'))) return undefined;
  for (const filter of filters) {
    const key = keyNamedBy(request.resourceType, filter, bareIdIsSafe);
    if (key) return key;
  }
  return undefined;
}

function keyNamedBy(
  type: string,
  filter: Filter,
  bareIdIsSafe: (lowerCaseId: string) => boolean,
): PatientKey | undefined {
  const { value } = filter;
  if (filter.operator !== Operator.EQUALS || !value || value.includes(',')) return undefined;
  if (filter.code === '_id') return type === 'Patient' && !value.includes('|') ? keyOf(value) : undefined;
  const parameter = getSearchParameter(type, filter.code);
  if (parameter?.type !== 'reference') return undefined;
  const id = PATIENT_REFERENCE.exec(value)?.[1];
  if (id) return keyOf(id);
  const onlyPatients = parameter.target?.length === 1 && parameter.target[0] === 'Patient';
  return onlyPatients && !value.includes('/') && bareIdIsSafe(value.toLowerCase()) ? keyOf(value) : undefined;
}

/**
 * One patient's view: the resources that could be in its compartment, searched with the sandbox's
 * own filters. What lies outside the view (included Practitioners, revincluded resources) is read
 * from the whole repository, so a search with includes answers as the whole repository would.
 */
export class CompartmentView extends DecidingRepository {
  readonly #whole: MemoryRepository;

  constructor(whole: MemoryRepository) {
    super();
    this.#whole = whole;
  }

  /** Keeps (a copy of) `resource` as stored in the whole repository, with its meta. */
  async keep(resource: WithId<Resource>): Promise<void> {
    await this.withSeeding(() => this.createResource(resource, undefined, true));
  }

  override readReferences<T extends Resource>(
    references: readonly Reference<T>[],
  ): Promise<(T | OperationOutcomeError)[]> {
    return this.#whole.readReferences(references);
  }

  override searchResources<T extends Resource>(request: SearchRequest<T>): Promise<WithId<T>[]> {
    return this.#whole.searchResources(request);
  }
}
