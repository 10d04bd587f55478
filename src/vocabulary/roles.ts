/**
 * Portal sections and relation roles as the rules speak of them, and the COD472 codes the ECD mapping
 * writes for them, in both directions, defined once.
 */

/** Portal sections of the gateway's CodeSystem portal-section, in display order. */
export const PORTAL_SECTIONS = [
  'reports',
  'care-plan',
  'appointments',
  'measurements',
  'medication',
  'documents',
  'basic-details',
] as const;
export type PortalSection = (typeof PORTAL_SECTIONS)[number];

export function isPortalSection(value: unknown): value is PortalSection {
  return typeof value === 'string' && (PORTAL_SECTIONS as readonly string[]).includes(value);
}

/** A relation's role as the rules speak of it (and as the ECD export records it). */
export const RELATION_ROLES = [
  'first-contact-person',
  'second-contact-person',
  'curator',
  'mentor',
  'parent',
  'guardian',
  'financial-administrator',
  'other',
] as const;
export type RelationRole = (typeof RELATION_ROLES)[number];

export type Cod472Role = '01' | '02' | '03' | '11' | '14' | '15' | '23' | '24';

/**
 * The COD472 code the mapping writes for each relation role. Being a parent is a family relationship,
 * not a COD472 role: a parent with parental authority is a legal representative (24) only while the
 * child is a minor, which depends on the day of the request, so the engine decides that from the
 * family coding (PARENT_CODES) and the parental-authority extension instead.
 */
export const COD472_OF_ROLE: Readonly<Record<RelationRole, Cod472Role>> = {
  'first-contact-person': '01',
  'second-contact-person': '02',
  curator: '03',
  guardian: '11',
  'financial-administrator': '14',
  mentor: '15',
  parent: '23',
  other: '23',
};

/** The role the engine reads from a COD472 code (23 is "parent" or "other", told apart by PARENT_CODES). */
export const ROLE_OF_COD472: Readonly<Record<Cod472Role, RelationRole>> = {
  '01': 'first-contact-person',
  '02': 'second-contact-person',
  '03': 'curator',
  '11': 'guardian',
  '14': 'financial-administrator',
  '15': 'mentor',
  '23': 'other',
  '24': 'other',
};

export const COD472_DISPLAY: Readonly<Record<Cod472Role, string>> = {
  '01': 'Eerste relatie/contactpersoon',
  '02': 'Tweede relatie/contactpersoon',
  '03': 'Curator (juridisch)',
  '11': 'Voogd',
  '14': 'Bewindvoerder',
  '15': 'Mentor',
  '23': 'Contactpersoon',
  '24': 'Wettelijke vertegenwoordiger',
};

/** v3 RoleCodes that make a relation with COD472 23 a parent. */
export const PARENT_CODES: ReadonlySet<string> = new Set([
  'PRN',
  'MTH',
  'FTH',
  'NPRN',
  'NMTH',
  'NFTH',
  'ADOPTP',
  'ADOPTM',
  'ADOPTF',
]);
