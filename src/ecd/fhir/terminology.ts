import type {
  CodeableConcept,
  CodeSystem,
  CodeSystemConcept,
  Coding,
  OperationOutcomeIssue,
  ValueSet,
  ValueSetComposeInclude,
} from '@medplum/fhirtypes';

/**
 * Just enough terminology to check required bindings locally: @medplum/core's validator collects the
 * values of required-bound elements but never checks them, so an unknown portal section or role code
 * would otherwise pass. A ValueSet is expanded when it is made of whole CodeSystems known here and
 * lists of codes; one that uses filters or unknown CodeSystems cannot be expanded, and its bindings
 * are not checked (rather than failing every value).
 */

export interface Expansion {
  /** Codes by system. */
  bySystem: ReadonlyMap<string, ReadonlySet<string>>;
  /** Every code, whatever its system: what a `code` element is checked against. */
  codes: ReadonlySet<string>;
}

export class Terminology {
  private readonly codeSystems = new Map<string, CodeSystem>();
  private readonly valueSets = new Map<string, ValueSet>();
  private readonly expansions = new Map<string, Expansion | null>();

  add(resource: CodeSystem | ValueSet): void {
    if (!resource.url) return;
    if (resource.resourceType === 'CodeSystem') this.codeSystems.set(resource.url, resource);
    else this.valueSets.set(resource.url, resource);
    this.expansions.clear();
  }

  /** Undefined when the ValueSet is unknown or cannot be expanded from what is known here. */
  expand(url: string): Expansion | undefined {
    const key = withoutVersion(url);
    if (!this.expansions.has(key)) {
      const bySystem = this.compute(key, new Set());
      const codes = new Set([...(bySystem?.values() ?? [])].flatMap((set) => [...set]));
      this.expansions.set(key, bySystem ? { bySystem, codes } : null);
    }
    return this.expansions.get(key) ?? undefined;
  }

  private compute(url: string, visiting: Set<string>): Map<string, Set<string>> | undefined {
    const valueSet = this.valueSets.get(url);
    if (!valueSet?.compose?.include || visiting.has(url)) return undefined;
    visiting.add(url);
    const codes = new Map<string, Set<string>>();
    for (const include of valueSet.compose.include) {
      const part = this.included(include, visiting);
      if (!part) return undefined;
      for (const [system, set] of part) {
        const into = codes.get(system) ?? new Set<string>();
        for (const code of set) into.add(code);
        codes.set(system, into);
      }
    }
    for (const exclude of valueSet.compose.exclude ?? []) {
      if (!exclude.system || !exclude.concept || exclude.filter || exclude.valueSet) return undefined;
      for (const concept of exclude.concept) codes.get(exclude.system)?.delete(concept.code);
    }
    visiting.delete(url);
    return codes;
  }

  private included(
    include: ValueSetComposeInclude,
    visiting: Set<string>,
  ): Map<string, Set<string>> | undefined {
    if (include.filter?.length) return undefined;
    if (include.valueSet?.length) {
      // Intersections of value sets with a system are rare enough to leave unchecked.
      if (include.system || include.valueSet.length > 1) return undefined;
      return this.compute(withoutVersion(include.valueSet[0] as string), visiting);
    }
    if (!include.system) return undefined;
    if (include.concept) return new Map([[include.system, new Set(include.concept.map((c) => c.code))]]);
    const codeSystem = this.codeSystems.get(include.system);
    if (!codeSystem || codeSystem.content !== 'complete') return undefined;
    return new Map([[include.system, allCodes(codeSystem.concept)]]);
  }
}

function allCodes(concepts: CodeSystemConcept[] | undefined, into = new Set<string>()): Set<string> {
  for (const concept of concepts ?? []) {
    into.add(concept.code);
    allCodes(concept.concept, into);
  }
  return into;
}

function withoutVersion(url: string): string {
  const bar = url.indexOf('|');
  return bar < 0 ? url : url.slice(0, bar);
}

/** A value of a required-bound element: `code`, `Coding` or `CodeableConcept` (others are skipped). */
export interface BoundValue {
  type: string;
  value: unknown;
  path: string;
}

/**
 * Appends an issue when the value is not in the ValueSet. A CodeableConcept needs a coding from the
 * ValueSet, and every coding it has in one of the ValueSet's systems must be in it too: a made-up
 * section next to a real one still fails.
 */
export function checkBinding(
  terminology: Terminology,
  valueSetUrl: string,
  bound: BoundValue,
  issues: OperationOutcomeIssue[],
): void {
  const expansion = terminology.expand(valueSetUrl);
  if (!expansion) return;
  const name = withoutVersion(valueSetUrl);
  switch (bound.type) {
    case 'code': {
      const code = bound.value;
      if (typeof code !== 'string' || !expansion.codes.has(code)) {
        issues.push(codeIssue(bound.path, `Value ${JSON.stringify(code)} is not in ValueSet ${name}`));
      }
      return;
    }
    case 'Coding': {
      const coding = bound.value as Coding;
      if (!inExpansion(expansion, coding)) issues.push(codeIssue(bound.path, codingText(coding, name)));
      return;
    }
    case 'CodeableConcept': {
      const codings = (bound.value as CodeableConcept).coding ?? [];
      let found = false;
      codings.forEach((coding, i) => {
        if (inExpansion(expansion, coding)) found = true;
        else if (coding.system && expansion.bySystem.has(coding.system)) {
          issues.push(codeIssue(`${bound.path}.coding[${i}]`, codingText(coding, name)));
        }
      });
      if (!found && codings.every((c) => !c.system || !expansion.bySystem.has(c.system))) {
        issues.push(codeIssue(bound.path, `No coding from ValueSet ${name}`));
      }
      return;
    }
    default:
      return;
  }
}

function inExpansion(expansion: Expansion, coding: Coding): boolean {
  return Boolean(coding.system && coding.code && expansion.bySystem.get(coding.system)?.has(coding.code));
}

function codingText(coding: Coding, valueSet: string): string {
  return `Code ${JSON.stringify(coding.code ?? null)} of system ${coding.system ?? '(none)'} is not in ValueSet ${valueSet}`;
}

function codeIssue(path: string, text: string): OperationOutcomeIssue {
  return { severity: 'error', code: 'code-invalid', details: { text }, expression: [path] };
}
