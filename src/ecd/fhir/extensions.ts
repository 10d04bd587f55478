import { evalFhirPathTyped, parseFhirPath, type FhirPathAtom } from '@medplum/core';
import type {
  ElementDefinition,
  Extension,
  OperationOutcomeIssue,
  StructureDefinition,
} from '@medplum/fhirtypes';
import { checkBinding, type Terminology } from './terminology';

/**
 * Checks the gateway's own extensions against their StructureDefinitions. @medplum/core matches an
 * extension to its slice by url but then validates it as a plain Extension: it does not follow
 * `type.profile`, nor look inside slices. Without this, a care agreement with a made-up care type or
 * a capacity judgement without its date would pass.
 */

interface ValueRule {
  /** FHIR type codes, e.g. `code`, `dateTime`, `Period`. */
  types: string[];
  min: number;
  requiredValueSet?: string;
}

interface PartRule {
  url: string;
  min: number;
  max: number;
  value: ValueRule;
}

interface Invariant {
  key: string;
  human: string;
  expression: FhirPathAtom;
}

export interface ExtensionRule {
  url: string;
  /** Resource types the extension may appear on. */
  contexts: string[];
  /** A simple extension's value, or a complex extension's parts. */
  value?: ValueRule;
  parts?: PartRule[];
  invariants: Invariant[];
}

export function extensionRule(sd: StructureDefinition): ExtensionRule {
  const elements = sd.snapshot?.element ?? [];
  const byId = new Map(elements.map((e) => [e.id, e]));
  const root = byId.get('Extension');
  const valueElement = byId.get('Extension.value[x]');
  const rule: ExtensionRule = {
    url: sd.url,
    contexts: (sd.context ?? []).map((c) => c.expression),
    // Base invariants (ele-1, ext-1) are already checked by @medplum/core on the carrying element.
    invariants: (root?.constraint ?? [])
      .filter((c) => c.source === sd.url && c.severity === 'error' && c.expression)
      // Parsed once here: parsing costs more than evaluating.
      .map((c) => ({
        key: c.key ?? '',
        human: c.human ?? '',
        expression: parseFhirPath(c.expression as string),
      })),
  };
  if (valueElement && valueElement.max !== '0') {
    rule.value = valueRule(valueElement);
    return rule;
  }
  rule.parts = elements
    .filter((e) => e.path === 'Extension.extension' && e.sliceName)
    .map((slice) => {
      const url = byId.get(`${slice.id}.url`)?.fixedUri;
      const value = byId.get(`${slice.id}.value[x]`);
      if (!url || !value) throw new Error(`${sd.url}: part ${slice.sliceName} lacks a fixed url or a value`);
      return { url, min: slice.min ?? 0, max: cardinality(slice.max), value: valueRule(value) };
    });
  return rule;
}

function valueRule(element: ElementDefinition): ValueRule {
  return {
    types: (element.type ?? []).map((t) => t.code),
    min: element.min ?? 0,
    ...(element.binding?.strength === 'required' && element.binding.valueSet
      ? { requiredValueSet: element.binding.valueSet }
      : {}),
  };
}

function cardinality(max: string | undefined): number {
  return max === undefined || max === '*' ? Number.POSITIVE_INFINITY : Number(max);
}

/** Checks one extension instance found at `path` on a resource of type `resourceType`. */
export function checkExtension(
  rule: ExtensionRule,
  extension: Extension,
  resourceType: string,
  path: string,
  terminology: Terminology,
  issues: OperationOutcomeIssue[],
): void {
  if (!rule.contexts.includes(resourceType)) {
    issues.push(structureIssue(path, `Extension ${rule.url} is not allowed on ${resourceType}`));
  }
  if (rule.value) {
    if (extension.extension?.length)
      issues.push(structureIssue(path, 'A simple extension has no nested extensions'));
    checkValue(rule.value, extension, path, terminology, issues);
  } else if (rule.parts) {
    checkParts(rule.parts, extension, path, terminology, issues);
  }
  for (const invariant of rule.invariants) {
    if (!holds(invariant.expression, extension)) {
      issues.push({
        severity: 'error',
        code: 'invariant',
        details: { text: `Constraint ${invariant.key} not met: ${invariant.human}` },
        expression: [path],
      });
    }
  }
}

function checkParts(
  parts: PartRule[],
  extension: Extension,
  path: string,
  terminology: Terminology,
  issues: OperationOutcomeIssue[],
): void {
  if (valueKeys(extension).length > 0) issues.push(structureIssue(path, 'A complex extension has no value'));
  const counts = new Map(parts.map((p) => [p.url, 0]));
  (extension.extension ?? []).forEach((child, i) => {
    const childPath = `${path}.extension[${i}]`;
    const part = parts.find((p) => p.url === child.url);
    if (!part) {
      issues.push(structureIssue(childPath, `Unknown part ${JSON.stringify(child.url)}`));
      return;
    }
    counts.set(part.url, (counts.get(part.url) ?? 0) + 1);
    if (child.extension?.length) issues.push(structureIssue(childPath, 'A part has no nested extensions'));
    checkValue(part.value, child, childPath, terminology, issues);
  });
  for (const part of parts) {
    const n = counts.get(part.url) ?? 0;
    if (n < part.min || n > part.max) {
      const max = Number.isFinite(part.max) ? String(part.max) : '*';
      issues.push(structureIssue(path, `Part ${part.url}: expected ${part.min}..${max}, found ${n}`));
    }
  }
}

function checkValue(
  rule: ValueRule,
  extension: Extension,
  path: string,
  terminology: Terminology,
  issues: OperationOutcomeIssue[],
): void {
  const keys = valueKeys(extension);
  if (keys.length === 0) {
    if (rule.min > 0) issues.push(structureIssue(path, `Missing value (${rule.types.join(' | ')})`));
    return;
  }
  const key = keys[0] as string;
  const type = rule.types.find((t) => key === `value${t.charAt(0).toUpperCase()}${t.slice(1)}`);
  if (keys.length > 1 || !type) {
    issues.push(structureIssue(`${path}.${key}`, `Expected a value of type ${rule.types.join(' | ')}`));
    return;
  }
  if (rule.requiredValueSet) {
    const value = (extension as unknown as Record<string, unknown>)[key];
    checkBinding(terminology, rule.requiredValueSet, { type, value, path: `${path}.${key}` }, issues);
  }
}

function valueKeys(extension: Extension): string[] {
  return Object.keys(extension).filter((k) => k.startsWith('value'));
}

function holds(expression: FhirPathAtom, extension: Extension): boolean {
  const result = evalFhirPathTyped(expression, [{ type: 'Extension', value: extension }]);
  return result.length === 1 && result[0]?.value === true;
}

function structureIssue(path: string, text: string): OperationOutcomeIssue {
  return { severity: 'error', code: 'structure', details: { text }, expression: [path] };
}
