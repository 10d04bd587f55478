/**
 * Canonical URLs and code systems of the gateway's FHIR artefacts (fhir-profiles/), and the external
 * code systems it writes or reads. Defined once: the ECD mapping writes these codes, the policy engine
 * reads them, the FHIR filter and the audit trail will use them. The JSON in fhir-profiles/ and these
 * constants must agree; the profile tests compare them.
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
  /** Task.code of the request channel (M-9, M-10): correction, completion, erasure, transfer. */
  dataSubjectRequest: cs('data-subject-request'),
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

/** Codes that a portal-access Consent carries, whichever module writes it (the ECD mapping, a grant). */
export const PORTAL_CONSENT = {
  /** Consent.scope: patient-privacy. */
  scope: { system: CODE_SYSTEM.consentScope, code: 'patient-privacy' },
  /** Consent.category (LOINC "Patient Consent"), beside the gateway's own consent type. */
  loincCategory: { system: CODE_SYSTEM.loinc, code: '59284-0', display: 'Patient Consent' },
  /** provision.action / actor role: information recipient. */
  recipientRole: { system: CODE_SYSTEM.v3ParticipationType, code: 'IRCP', display: 'information recipient' },
  /** Consent.policyRule: opt-in. */
  optIn: { system: CODE_SYSTEM.v3ActCode, code: 'OPTIN' },
} as const;

/** The gateway's consent types (CodeSystem portal-consent-type). */
export const PORTAL_CONSENT_TYPES = [
  'portal-access',
  'administrator-appointment',
  'parental-access',
] as const;
export type PortalConsentType = (typeof PORTAL_CONSENT_TYPES)[number];

export const PORTAL_CONSENT_TYPE_DISPLAY: Readonly<Record<PortalConsentType, string>> = {
  'portal-access': 'Portal access',
  'administrator-appointment': 'Administrator appointment',
  'parental-access': 'Parental access',
};

/** What a client may ask of the organisation through the request channel (CodeSystem data-subject-request). */
export const DATA_SUBJECT_REQUESTS = ['correction', 'completion', 'erasure', 'transfer'] as const;
export type DataSubjectRequest = (typeof DATA_SUBJECT_REQUESTS)[number];

/**
 * Purposes of use (v3 ActReason) a portal read states: the client's own request, or a relative's.
 * A provision limited to another purpose does not match a portal read.
 */
export const PURPOSE = { client: 'PATRQT', relative: 'FAMRQT' } as const;

/** The ECD's own client numbers: one system per organisation, because each ECD numbers its own. */
export function ecdClientSystem(organisationId: string): string {
  return `https://inzage.example/ecd/${organisationId}/client`;
}

/** The ECD's own ids of relations (contact persons and representatives). */
export function ecdRelationSystem(organisationId: string): string {
  return `https://inzage.example/ecd/${organisationId}/relation`;
}

/** The ECD's own ids of employees (the sandbox's dossier names them). */
export function ecdEmployeeSystem(organisationId: string): string {
  return `https://inzage.example/ecd/${organisationId}/employee`;
}

/** The ECD's own ids of care agreements. */
export function ecdCareAgreementSystem(organisationId: string): string {
  return `https://inzage.example/ecd/${organisationId}/care-agreement`;
}

/** The `meta.source` of everything mapped from one organisation's ECD. */
export function ecdSource(organisationId: string): string {
  return `ecd:${organisationId}`;
}
