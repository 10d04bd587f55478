import type { Resource } from '@medplum/fhirtypes';
import type { PatientReference } from '../vocabulary';
import { inPatientCompartment } from './compartment';
import { withinWindow } from './data-period';
import { maskEmployees } from './mask';
import type { SecurityLabel } from './provisions';
import type { SectionPolicy } from './section-policy';
import { sectionsOfResource, type SectionMapping } from './sections';

/** Whether one resource may be shown, and as what. */
export type Judgement =
  | { readonly show: false; readonly reason: string }
  | {
      readonly show: true;
      /** What to show: the resource itself, or a masked copy when an obligation says so. */
      readonly resource: Resource;
    };

export interface JudgeContext {
  readonly patient: PatientReference;
  readonly mapping: SectionMapping;
  /** The policy for a resource type (decisions can depend on the type: a provision's class). */
  policyFor(resourceType: string): SectionPolicy;
}

/**
 * `judge`: may this one resource, found in an upstream answer, be shown? In this order, the first
 * failing check refuses: it is a FHIR resource; its type is in a portal section (by category for
 * Observation); it is in the patient's compartment (exact references, see compartment.ts; a type
 * with no patient compartment parameter, such as Medication, Organization, Practitioner or
 * PractitionerRole, cannot be placed and is refused); every section it belongs to is allowed; it
 * carries none of the security labels or tags excluded there; its data lies inside each of those
 * sections' allowed period. Then the masking obligations are applied to a copy. The input is never
 * changed.
 */
export function judgeResource(context: JudgeContext, resource: unknown): Judgement {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource))
    return refuse('not a resource');
  const record = resource as Readonly<Record<string, unknown>>;
  const type = record.resourceType;
  if (typeof type !== 'string') return refuse('not a resource');
  const entry = Object.hasOwn(context.mapping, type) ? context.mapping[type] : undefined;
  const categories = typeof entry === 'object' ? categoriesOf(record.category) : [];
  if (!categories) return refuse('its category cannot be read');
  const sections = sectionsOfResource(type, categories, context.mapping);
  if (sections.length === 0) return refuse(`${type} belongs to no portal section`);
  if (!inPatientCompartment(record, context.patient)) return refuse("not in the patient's compartment");
  const policy = context.policyFor(type);
  for (const section of sections) {
    const rules = policy.allowed.get(section);
    if (!rules) return refuse(`section ${section} is not allowed`);
    if (rules.excludeLabels.length > 0 && carriesLabel(record.meta, rules.excludeLabels))
      return refuse(`carries a label excluded from ${section}`);
    if (rules.period && !withinWindow(record, rules.period))
      return refuse(`outside the period of data allowed in ${section}`);
  }
  const shown = policy.maskEmployees ? maskEmployees(resource as Resource) : (resource as Resource);
  return { show: true, resource: shown };
}

function refuse(reason: string): Judgement {
  return { show: false, reason };
}

/**
 * The codes of a resource's category (a list of CodeableConcepts, or one), any system; undefined
 * when a category is there but no code can be read in it (it could be one that places the resource
 * in a section not allowed).
 */
function categoriesOf(category: unknown): string[] | undefined {
  if (category === undefined) return [];
  const concepts = Array.isArray(category) ? category : [category];
  const codes: string[] = [];
  for (const concept of concepts) {
    const codings = (concept as { coding?: unknown } | null)?.coding;
    if (!Array.isArray(codings)) continue;
    for (const coding of codings) {
      const code = (coding as { code?: unknown } | null)?.code;
      if (typeof code === 'string') codes.push(code);
    }
  }
  return codes.length === 0 && concepts.length > 0 ? undefined : codes;
}

/** Whether meta.security or meta.tag holds an excluded label (its system too, when the label names one). */
function carriesLabel(meta: unknown, excluded: readonly SecurityLabel[]): boolean {
  if (typeof meta !== 'object' || meta === null) return false;
  const { security, tag } = meta as { security?: unknown; tag?: unknown };
  const codings = [...(Array.isArray(security) ? security : []), ...(Array.isArray(tag) ? tag : [])];
  return codings.some((coding) => {
    const { system, code } = (coding ?? {}) as { system?: unknown; code?: unknown };
    return excluded.some(
      (label) => label.code === code && (label.system === undefined || label.system === system),
    );
  });
}
