import { tryGetDataType } from '@medplum/core';

/**
 * What FHIR R4 says of the top-level elements of a resource type, for `_summary` and `_elements`:
 * which are in the summary (indexed by the definitions module when it loads the base definitions,
 * at start-up, not on a request) and which are mandatory (min > 0, from @medplum/core's schema).
 * Element names are as in the definitions: `value[x]`.
 */
export { summaryElementsOf } from '../../definitions';

export function mandatoryElementsOf(resourceType: string): ReadonlySet<string> {
  const schema = tryGetDataType(resourceType);
  if (!schema) return new Set();
  return new Set(
    Object.entries(schema.elements)
      .filter(([, element]) => element.min > 0)
      .map(([name]) => name),
  );
}

/** The choice elements of a type (`value[x]`, `effective[x]`). */
export function choiceElementsOf(resourceType: string): readonly string[] {
  return Object.keys(tryGetDataType(resourceType)?.elements ?? {}).filter((name) => name.endsWith('[x]'));
}
