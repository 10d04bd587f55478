import {
  convertToSearchableReferences,
  convertToSearchableTokens,
  evalFhirPathTyped,
  getSearchParameter,
  isResourceType,
  Operator,
  parseFhirPath,
  splitSearchOnComma,
  toTypedValue,
  type FhirPathAtom,
  type Filter,
  type SearchableToken,
} from '@medplum/core';
import type { Resource, SearchParameter } from '@medplum/fhirtypes';

/**
 * Why the sandbox decides some filters itself.
 *
 * Many R4 search parameters (patient, code, identifier, date, …) are one SearchParameter shared by
 * dozens of resource types, with an expression that is a union over all of them: `patient` has 32
 * branches, from `AllergyIntolerance.patient` to `VisionPrescription.patient`. MemoryRepository
 * evaluates the whole union for every resource it scans, and each branch that names another type
 * costs a failed property lookup in @medplum/core's FHIRPath (about 15 µs). On the default sandbox data
 * `Observation?patient=X` took about 0.9 s, `Observation?code=X` about 0.3 s.
 *
 * The sandbox used to rewrite those expressions in @medplum/core's global schema, which the gateway's
 * own search parsing reads in the same process. Now it leaves the schema as loaded: for an equality
 * filter on a shared reference or token parameter it evaluates only the searched type's own branches
 * (the others are always empty there) and compares the values as MemoryRepository does (match.ts of
 * @medplum/core, `matchesReferenceFilter` and `matchesTokenValue`). Other filters, modifiers and
 * parameter types stay with MemoryRepository, and so does sorting: `_sort` on a shared parameter
 * still evaluates the whole union, but only on the matches, which a patient's search keeps few.
 */

/** Whether one resource passes one filter, as MemoryRepository would decide it. */
export type FilterTest = (resource: Resource) => boolean;

/** The sandbox's own view of the shared search parameters: per `Type?code`, that type's branches. */
export class SharedParameters {
  readonly #branches = new Map<string, FhirPathAtom | null>();

  /**
   * The sandbox's test for `filter` on `type`, or undefined when MemoryRepository should decide it:
   * the parameter belongs to this type alone (already cheap), or the filter is not a plain equality
   * on a reference or token.
   */
  testFor(type: string, filter: Filter): FilterTest | undefined {
    if (filter.operator !== Operator.EQUALS) return undefined;
    const parameter = getSearchParameter(type, filter.code);
    if (parameter?.type !== 'reference' && parameter?.type !== 'token') return undefined;
    const branches = this.#ownBranches(type, parameter);
    if (!branches) return undefined;
    const values = (resource: Resource) => evalFhirPathTyped(branches, [toTypedValue(resource)]);
    const wanted = splitSearchOnComma(filter.value);
    if (parameter.type === 'token') {
      return (resource) => matchesToken(convertToSearchableTokens(values(resource)), wanted);
    }
    // An empty value also matches resources without the reference: MemoryRepository's own case.
    if (filter.value === '') return undefined;
    const bareIds = parameter.target?.length === 1;
    return (resource) => matchesReference(convertToSearchableReferences(values(resource)), wanted, bareIds);
  }

  #ownBranches(type: string, parameter: SearchParameter): FhirPathAtom | undefined {
    const key = `${type}?${parameter.code}`;
    let atom = this.#branches.get(key);
    if (atom === undefined) {
      const own = parameter.expression ? ownExpression(type, parameter.expression) : undefined;
      atom = own ? parseFhirPath(own) : null;
      this.#branches.set(key, atom);
    }
    return atom ?? undefined;
  }
}

/**
 * The branches of a shared expression that belong to `type`, or undefined when there is nothing to
 * gain or it cannot be told safely: the expression is not a union over several types, or a branch
 * does not start with a concrete resource type (it might then apply to `type` as well).
 */
export function ownExpression(type: string, expression: string): string | undefined {
  const branches = splitUnion(expression);
  const leads = branches.map((branch) => /^\(*\s*([A-Za-z]+)/.exec(branch)?.[1]);
  // isResourceType is false for the abstract Resource and DomainResource, which every type shares.
  if (leads.some((lead) => !lead || !isResourceType(lead))) return undefined;
  const own = branches.filter((_, i) => leads[i] === type);
  return own.length > 0 && own.length < branches.length ? own.join(' | ') : undefined;
}

/** Splits a FHIRPath union at its top level only: "(A | B).x | C" gives ["(A | B).x", "C"]. */
function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (ch === "'" && expression[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    else if (!quoted && depth === 0 && ch === '|') {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts;
}

/**
 * A value with a type ("Patient/1") matches that reference exactly; a bare id ("1") matches any
 * reference ending in "/1", but only for a parameter that can point to one type alone.
 */
function matchesReference(references: string[], wanted: string[], bareIds: boolean): boolean {
  return wanted.some((value) =>
    value.includes('/')
      ? references.includes(value)
      : bareIds && references.some((reference) => reference.endsWith(`/${value}`)),
  );
}

/**
 * "code" matches the code whatever the system; "system|code" both; "system|" the system alone;
 * "|code" a code without a system. Case does not count.
 */
function matchesToken(tokens: SearchableToken[], wanted: string[]): boolean {
  return wanted.some((value) => {
    if (!value.includes('|')) {
      const code = value.toLowerCase();
      return tokens.some((token) => token.value?.toLowerCase() === code);
    }
    const [system, code] = value.toLowerCase().split('|');
    if (!system && !code) return false;
    return tokens.some((token) =>
      system
        ? token.system?.toLowerCase() === system && (!code || token.value?.toLowerCase() === code)
        : !token.system && token.value?.toLowerCase() === code,
    );
  });
}
