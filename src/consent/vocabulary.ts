/**
 * The codes the engine reads in the gateway's own resources. The ECD mapping writes them; the two
 * sides meet here, in the lower module, so that the engine never depends on the mapping.
 */
const CANONICAL = 'https://inzage.example/fhir';

export const SYSTEM = {
  portalSection: `${CANONICAL}/CodeSystem/portal-section`,
  portalConsentType: `${CANONICAL}/CodeSystem/portal-consent-type`,
  cod472: 'urn:oid:2.16.840.1.113883.2.4.3.11.22.472',
  v3RoleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
} as const;

export const EXTENSION_URL = {
  careAgreement: `${CANONICAL}/StructureDefinition/care-agreement`,
  portalAdministratorCapacity: `${CANONICAL}/StructureDefinition/portal-administrator-capacity`,
  parentalAuthority: `${CANONICAL}/StructureDefinition/parental-authority`,
} as const;

/** Portal sections of the gateway's CodeSystem, in display order. */
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

/** COD472 role codes as the ECD mapping writes them (23 is both "parent" and "other"). */
export const ROLE_BY_COD472: Record<string, RelationRole> = {
  '01': 'first-contact-person',
  '02': 'second-contact-person',
  '03': 'curator',
  '11': 'guardian',
  '14': 'financial-administrator',
  '15': 'mentor',
  '23': 'other',
  '24': 'other',
};

/** v3 RoleCodes that make a relation with COD472 23 a parent. */
export const PARENT_CODES = new Set([
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
