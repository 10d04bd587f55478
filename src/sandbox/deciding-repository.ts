import { Operator, type Filter, type SearchRequest, type WithId } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Resource, ResourceType } from '@medplum/fhirtypes';
import { SharedParameters, type FilterTest } from './shared-parameters';

/**
 * MemoryRepository, with the filters on shared search parameters decided by the sandbox (see
 * shared-parameters.ts for why). Storage, history, the other filters, sorting, paging and _include
 * stay MemoryRepository's, over @medplum/core's definitions as loaded. The sandbox's repository and
 * each patient's compartment view (compartments.ts) search this way.
 */
export class DecidingRepository extends MemoryRepository {
  readonly #shared = new SharedParameters();

  override async search<T extends Resource>(request: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    const tests: FilterTest[] = [];
    const rest: Filter[] = [];
    for (const filter of request.filters ?? []) {
      const test = this.#shared.testFor(request.resourceType, filter);
      if (test) tests.push(test);
      else rest.push(filter);
    }
    if (tests.length === 0) return super.search(request);

    const ids = await this.#passing(request.resourceType, tests);
    if (ids.length === 0) return { resourceType: 'Bundle', type: 'searchset', total: 0 };
    // The decided filters become one _id filter, put first so that MemoryRepository passes over every
    // other resource on that cheap check. (It compares ids regardless of case; FHIR ids differing in
    // case alone do not occur in the sandbox.)
    const decided: Filter = { code: '_id', operator: Operator.EQUALS, value: ids.join(',') };
    return super.search({ ...request, filters: [decided, ...rest] });
  }

  /** Ids of the resources of `type` that pass every test. */
  async #passing(type: ResourceType, tests: FilterTest[]): Promise<string[]> {
    const all = await super.search({ resourceType: type });
    return (all.entry ?? [])
      .map((entry) => entry.resource)
      .filter((resource): resource is WithId<Resource> => !!resource && tests.every((test) => test(resource)))
      .map((resource) => resource.id);
  }
}
