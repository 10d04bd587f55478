import type { PortalSection } from './vocabulary';

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
  const entry = mapping[resourceType];
  if (entry === undefined) return [];
  if (typeof entry === 'string') return [entry];
  if (categories.length === 0) return unique([...Object.values(entry.byCategory), entry.otherwise]);
  return unique(categories.map((c) => entry.byCategory[c] ?? entry.otherwise));
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** Parses a reviewer's request line ("GET /Observation?category=vital-signs") for `inzage explain`. */
export function parseRequestLine(line: string): {
  method: string;
  resourceType: string;
  categories: string[];
} {
  const m = /^\s*(GET|HEAD|POST)\s+\/?(?:fhir\/)?([A-Z][A-Za-z]+)(?:\/[^?\s]*)?(?:\?(\S*))?\s*$/.exec(line);
  if (!m)
    throw new Error(`not a request line: '${line}' (expected e.g. "GET /Observation?category=vital-signs")`);
  const query = new URLSearchParams(m[3] ?? '');
  const categories = query
    .getAll('category')
    .flatMap((v) => v.split(','))
    .map((v) => v.split('|').at(-1) ?? v)
    .filter(Boolean);
  return { method: m[1]!, resourceType: m[2]!, categories };
}
