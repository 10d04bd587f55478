import type { PortalSection } from '../vocabulary';

/**
 * Which portal section a FHIR resource belongs to. The terms of use name no sections; the gateway's
 * CodeSystem does, and this table places resource types (and, for Observation, categories) in them.
 * A type that is not in the table belongs to no section, so nobody is granted it.
 */
export interface SectionMapping {
  /** Resource type → its section, or a per-category table with a default. */
  [resourceType: string]:
    PortalSection | { byCategory: Record<string, PortalSection>; otherwise: PortalSection };
}

export const DEFAULT_SECTION_MAPPING: SectionMapping = {
  Observation: {
    byCategory: { 'vital-signs': 'measurements', laboratory: 'measurements', '11591000146107': 'reports' },
    otherwise: 'reports',
  },
  DocumentReference: 'documents',
  CarePlan: 'care-plan',
  Goal: 'care-plan',
  CareTeam: 'care-plan',
  Condition: 'care-plan',
  Appointment: 'appointments',
  MedicationRequest: 'medication',
  MedicationStatement: 'medication',
  MedicationAdministration: 'medication',
  Medication: 'medication',
  Patient: 'basic-details',
  RelatedPerson: 'basic-details',
  Organization: 'basic-details',
  Practitioner: 'basic-details',
  PractitionerRole: 'basic-details',
};

/**
 * The sections a request for `resourceType` (optionally limited to categories) can touch. Several when
 * the request does not say which category: the decision must then allow each, or the query is narrowed.
 */
export function sectionsFor(
  resourceType: string,
  categories: readonly string[] = [],
  mapping: SectionMapping = DEFAULT_SECTION_MAPPING,
): PortalSection[] {
  const entry = entryOf(mapping, resourceType);
  if (entry === undefined) return [];
  if (typeof entry === 'string') return [entry];
  if (categories.length === 0) return unique([...Object.values(entry.byCategory), entry.otherwise]);
  return unique(
    categories.map((c) => (Object.hasOwn(entry.byCategory, c) ? entry.byCategory[c]! : entry.otherwise)),
  );
}

/**
 * The sections one resource belongs to: its type's section, or for a type placed by category the
 * sections of its category codes (any system), `otherwise` for a code the table does not name or
 * for a resource without category. A resource with categories in two sections belongs to both, and
 * may be shown only where both are allowed. None for a type in no section.
 */
export function sectionsOfResource(
  resourceType: string,
  categories: readonly string[],
  mapping: SectionMapping = DEFAULT_SECTION_MAPPING,
): PortalSection[] {
  const entry = entryOf(mapping, resourceType);
  if (entry === undefined) return [];
  if (typeof entry === 'string') return [entry];
  if (categories.length === 0) return [entry.otherwise];
  const sectionOf = (code: string) =>
    Object.hasOwn(entry.byCategory, code) ? entry.byCategory[code]! : entry.otherwise;
  if (categories.length === 1) return [sectionOf(categories[0]!)];
  return unique(categories.map(sectionOf));
}

/** Own entries only: a request for the type 'constructor' finds nothing on Object.prototype. */
function entryOf(mapping: SectionMapping, resourceType: string): SectionMapping[string] | undefined {
  return Object.hasOwn(mapping, resourceType) ? mapping[resourceType] : undefined;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
