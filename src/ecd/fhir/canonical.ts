/**
 * Canonical URLs and code systems of the gateway's FHIR artefacts (fhir-profiles/). The JSON there
 * and these constants must agree; the tests compare them.
 */

export const INZAGE_CANONICAL = 'https://inzage.example/fhir';

const sd = (id: string) => `${INZAGE_CANONICAL}/StructureDefinition/${id}`;
const cs = (id: string) => `${INZAGE_CANONICAL}/CodeSystem/${id}`;
const vs = (id: string) => `${INZAGE_CANONICAL}/ValueSet/${id}`;

export const PROFILE = {
  patient: sd('inzage-patient'),
  contactPerson: sd('inzage-contact-person'),
  portalAccessConsent: sd('inzage-portal-access-consent'),
} as const;

export const EXTENSION = {
  careAgreement: sd('care-agreement'),
  portalAdministratorCapacity: sd('portal-administrator-capacity'),
  parentalAuthority: sd('parental-authority'),
  withdrawalRequestReceived: sd('withdrawal-request-received'),
  ecdRecord: sd('ecd-record'),
} as const;

export const CODE_SYSTEM = {
  portalSection: cs('portal-section'),
  portalConsentType: cs('portal-consent-type'),
  assessorRole: cs('assessor-role'),
  careType: cs('care-type'),
  /** Vektis COD472 "Soort relatie cliënt"; the gateway ships a fragment of it. */
  cod472: 'urn:oid:2.16.840.1.113883.2.4.3.11.22.472',
  v3RoleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  v3ActReason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  v3ActCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  v3ParticipationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  loinc: 'http://loinc.org',
} as const;

export const VALUE_SET = {
  portalSection: vs('portal-section'),
  portalConsentType: vs('portal-consent-type'),
  assessorRole: vs('assessor-role'),
  careType: vs('care-type'),
  contactPersonRole: vs('contact-person-role'),
  portalConsentPurpose: vs('portal-consent-purpose'),
} as const;

export const NAMING_SYSTEM = {
  bsn: 'http://fhir.nl/fhir/NamingSystem/bsn',
} as const;

/** The ECD's own client numbers: one system per organisation, because each ECD numbers its own. */
export function ecdClientSystem(organisationId: string): string {
  return `https://inzage.example/ecd/${organisationId}/client`;
}

/** The ECD's own ids of relations (contact persons and representatives). */
export function ecdRelationSystem(organisationId: string): string {
  return `https://inzage.example/ecd/${organisationId}/relation`;
}

/** The `meta.source` of everything mapped from one organisation's ECD. */
export function ecdSource(organisationId: string): string {
  return `ecd:${organisationId}`;
}
