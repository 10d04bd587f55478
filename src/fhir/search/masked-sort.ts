import { getSearchParameter } from '@medplum/core';
import type { AccessDecision, SearchParameter } from '../../consent';
import { UnsafeQuery } from '../../consent';

const EMPLOYEE_TYPES = ['Practitioner', 'PractitionerRole'];

/**
 * Under the mask-employees obligation the shown copies carry no employee references, so a
 * sort by a parameter that can point to one would order the answer by what is masked: which
 * entries share an employee (leak vectors 5 and 6). Such a sort is refused, as narrow refuses a
 * search by an employee reference; every other sort passes and keeps the upstream's order.
 */
export function refuseSortOnMasked(
  decision: AccessDecision,
  resourceType: string,
  filters: readonly SearchParameter[],
): void {
  if (!decision.obligations.some((o) => o.kind === 'mask-employees')) return;
  for (const sort of filters.filter((p) => p.name === '_sort')) {
    for (const key of sort.value.split(',')) {
      const code = key.trim().replace(/^-/, '');
      const definition = getSearchParameter(resourceType, code);
      const targets = definition?.target ?? [];
      const reachesEmployee =
        definition?.type === 'reference' &&
        (targets.length === 0 || targets.some((t) => EMPLOYEE_TYPES.includes(t)));
      if (reachesEmployee)
        throw new UnsafeQuery(
          `_sort=${key.slice(0, 64)}`,
          "employees' identities are not shown, so they cannot be sorted by",
        );
    }
  }
}
