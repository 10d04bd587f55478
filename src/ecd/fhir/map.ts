import type {
  CodeableConcept,
  Coding,
  Consent,
  ConsentProvision,
  ContactPoint,
  Element,
  Extension,
  HumanName,
  Meta,
  Organization,
  Patient,
  Reference,
  RelatedPerson,
  Resource,
} from '@medplum/fhirtypes';
import {
  CODE_SYSTEM,
  COD472_DISPLAY,
  COD472_OF_ROLE,
  EXTENSION,
  NAMING_SYSTEM,
  PORTAL_CONSENT,
  PORTAL_CONSENT_TYPE_DISPLAY,
  PORTAL_SECTIONS,
  PROFILE,
  PURPOSE,
  ecdClientSystem,
  ecdRelationSystem,
  ecdSource,
  patientReference as patientRef,
  relatedPersonReference as relatedPersonRef,
  type Cod472Role,
  type PortalConsentType,
  type PortalSection,
} from '../../vocabulary';
import type {
  EcdCareAgreement,
  EcdClient,
  EcdClientAgreement,
  EcdOrganisation,
  EcdPersonName,
  EcdPersonReference,
  EcdPortalAuthorisation,
  EcdRelation,
  EcdTelecom,
} from '../export-format';
import { fhirResourceId, patientId, relatedPersonId } from './ids';

/**
 * ECD records → FHIR resources in the gateway's profiles (fhir-profiles/). Pure: no clock, no I/O, so
 * the same records always give the same resources and the sync can compare them byte for byte.
 * Inputs are assumed to have passed the ECD record checks; validateMapped() checks the output.
 */

/** A mapped resource always has its id: the sync keys on it. */
export type Mapped<T extends Resource> = T & { id: string; meta: Meta };

/** Displays of the v3 RoleCode family codes an ECD is likely to send; other codes go without one. */
const FAMILY_DISPLAY: Readonly<Record<string, string>> = {
  MTH: 'mother',
  FTH: 'father',
  PRN: 'parent',
  NMTH: 'natural mother',
  NFTH: 'natural father',
  STPMTH: 'stepmother',
  STPFTH: 'stepfather',
  SONC: 'son',
  DAUC: 'daughter',
  CHILD: 'child',
  STPSON: 'stepson',
  STPDAU: 'stepdaughter',
  WIFE: 'wife',
  HUSB: 'husband',
  SPS: 'spouse',
  DOMPART: 'domestic partner',
  FMRSPS: 'former spouse',
  BRO: 'brother',
  SIS: 'sister',
  SIB: 'sibling',
  GRMTH: 'grandmother',
  GRFTH: 'grandfather',
  GRNDSON: 'grandson',
  GRNDDAU: 'granddaughter',
  GRNDCHILD: 'grandchild',
  AUNT: 'aunt',
  UNCLE: 'uncle',
  NIECE: 'niece',
  NEPHEW: 'nephew',
  COUSN: 'cousin',
  SONINLAW: 'son in-law',
  DAUINLAW: 'daughter in-law',
  FTHINLAW: 'father-in-law',
  MTHINLAW: 'mother-in-law',
};

const SECTION_DISPLAY: Readonly<Record<PortalSection, string>> = {
  reports: 'Reports',
  'care-plan': 'Care plan',
  appointments: 'Appointments',
  measurements: 'Measurements',
  medication: 'Medication',
  documents: 'Documents',
  'basic-details': 'Basic details',
};

const OWN_PREFIX = 'http://hl7.org/fhir/StructureDefinition/humanname-own-prefix';
const OWN_NAME = 'http://hl7.org/fhir/StructureDefinition/humanname-own-name';

// Codings are built afresh for every resource: a caller that edits one mapped resource must not
// change the next one through a shared object.
const concept = (system: string, code: string, display: string): CodeableConcept => ({
  coding: [{ system, code, display }],
});
// The codes are the vocabulary's; the displays are the ones this mapping has always written, so that
// a re-import of unchanged records still hashes the same.
const patientPrivacy = () =>
  concept(PORTAL_CONSENT.scope.system, PORTAL_CONSENT.scope.code, 'Privacy Consent');
const patientConsent = (): CodeableConcept => ({ coding: [{ ...PORTAL_CONSENT.loincCategory }] });
const optIn = () => concept(PORTAL_CONSENT.optIn.system, PORTAL_CONSENT.optIn.code, 'opt-in');
// 'op-out' is how v3-ActCode itself spells the display.
const optOut = () => concept(CODE_SYSTEM.v3ActCode, 'OPTOUT', 'op-out');
const informationRecipient = (): CodeableConcept => ({ coding: [{ ...PORTAL_CONSENT.recipientRole }] });
// The mapper sees only the grantee's id, not their role, so it cannot tell a curator or mentor
// (PWATRNY) from a relative: every grant from the ECD says FAMRQT, and the policy engine reads the
// grantee's actual role from the RelatedPerson.
const familyRequested = (): Coding => ({
  system: CODE_SYSTEM.v3ActReason,
  code: PURPOSE.relative,
  display: 'family requested',
});

export function mapClient(
  client: EcdClient,
  agreements: readonly EcdCareAgreement[],
  org: EcdOrganisation,
): Mapped<Patient> {
  // The readers deliver care agreements as records of their own; `agreements` is what the caller
  // collected for this client, and client.careAgreements is not read.
  const extension = [...agreements].sort(byStartThenId).map(careAgreementExtension);
  if (client.administratorCapacity) {
    const { capable, assessedOn, assessorRole } = client.administratorCapacity;
    extension.push({
      url: EXTENSION.portalAdministratorCapacity,
      extension: [
        { url: 'capable', valueBoolean: capable },
        { url: 'assessedOn', valueDate: assessedOn },
        { url: 'assessorRole', valueCode: assessorRole },
      ],
    });
  }
  const telecom = contactPoints(client.telecom);
  return {
    resourceType: 'Patient',
    id: patientId(org.id, client.id),
    meta: meta(PROFILE.patient, org),
    ...(extension.length > 0 ? { extension } : {}),
    identifier: [
      ...(client.bsn ? [{ system: NAMING_SYSTEM.bsn, value: client.bsn }] : []),
      { system: ecdClientSystem(org.id), value: client.id },
    ],
    name: [humanName(client.name)],
    ...(telecom ? { telecom } : {}),
    gender: client.gender,
    birthDate: client.birthDate,
    ...(client.deceasedDate ? { deceasedDateTime: client.deceasedDate } : {}),
    managingOrganization: organisationReference(org),
  };
}

export function mapRelation(relation: EcdRelation, org: EcdOrganisation): Mapped<RelatedPerson> {
  const familyCode = relation.relationship ?? (relation.role === 'parent' ? 'PRN' : undefined);
  const telecom = contactPoints(relation.telecom);
  const period = {
    ...(relation.start ? { start: relation.start } : {}),
    ...(relation.end ? { end: relation.end } : {}),
  };
  return {
    resourceType: 'RelatedPerson',
    id: relatedPersonId(org.id, relation.id),
    meta: meta(PROFILE.contactPerson, org),
    ...(relation.parentalAuthority === undefined
      ? {}
      : { extension: [{ url: EXTENSION.parentalAuthority, valueBoolean: relation.parentalAuthority }] }),
    identifier: [{ system: ecdRelationSystem(org.id), value: relation.id }],
    // A recorded end date goes in the period, and the policy engine judges on the day of each request
    // whether it has passed (a curatorship ending next month still counts today). Only a relation the
    // ECD stops listing is made inactive, by the sync.
    active: true,
    patient: patientReference(org, relation.clientId),
    relationship: [
      roleConcept(COD472_OF_ROLE[relation.role]),
      ...(familyCode ? [familyConcept(familyCode)] : []),
    ],
    name: [humanName(relation.name)],
    ...(telecom ? { telecom } : {}),
    ...(Object.keys(period).length > 0 ? { period } : {}),
  };
}

/** A grant of portal sections to a relation (M-2, A-3); withdrawn grants stay, inactive (M-3). */
export function mapAuthorisation(
  authorisation: EcdPortalAuthorisation,
  org: EcdOrganisation,
): Mapped<Consent> {
  const withdrawal = authorisation.withdrawal;
  const extension: Extension[] = [{ url: EXTENSION.ecdRecord, valueString: authorisation.id }];
  if (withdrawal) {
    extension.push({ url: EXTENSION.withdrawalRequestReceived, valueDateTime: withdrawal.requestReceivedAt });
  }
  return portalConsent({
    id: fhirResourceId('portal-authorisation', org.id, authorisation.id),
    org,
    extension,
    status: withdrawal ? 'inactive' : 'active',
    type: 'portal-access',
    clientId: authorisation.clientId,
    dateTime: authorisation.grantedOn,
    performer: personReference(org, authorisation.clientId, authorisation.grantedBy),
    provision: {
      type: 'permit',
      period: {
        start: authorisation.grantedOn,
        ...(withdrawal ? { end: withdrawal.requestReceivedAt } : {}),
      },
      actor: [
        {
          role: informationRecipient(),
          reference: relatedPersonReference(org, authorisation.granteeRelationId),
        },
      ],
      purpose: [familyRequested()],
      code: inSectionOrder(authorisation.sections).map(sectionConcept),
    },
  });
}

/**
 * The client's answer on a first contact person as administrator or on parental access
 * . A refusal is recorded too, as a deny: it is what keeps the portal closed.
 */
export function mapClientAgreement(agreement: EcdClientAgreement, org: EcdOrganisation): Mapped<Consent> {
  return portalConsent({
    id: fhirResourceId('client-agreement', org.id, agreement.id),
    org,
    extension: [{ url: EXTENSION.ecdRecord, valueString: agreement.id }],
    status: 'active',
    type: agreement.subject === 'parental-access' ? 'parental-access' : 'administrator-appointment',
    clientId: agreement.clientId,
    dateTime: agreement.recordedOn,
    performer: patientReference(org, agreement.clientId),
    provision: {
      type: agreement.agreed ? 'permit' : 'deny',
      period: { start: agreement.recordedOn },
      actor: [{ role: informationRecipient(), reference: relatedPersonReference(org, agreement.relationId) }],
      purpose: [familyRequested()],
    },
  });
}

interface PortalConsentParts {
  id: string;
  org: EcdOrganisation;
  extension: Extension[];
  status: 'active' | 'inactive';
  type: PortalConsentType;
  clientId: string;
  dateTime: string;
  performer: Reference<Patient | RelatedPerson>;
  provision: ConsentProvision & { type: 'permit' | 'deny' };
}

function portalConsent(parts: PortalConsentParts): Mapped<Consent> {
  return {
    resourceType: 'Consent',
    id: parts.id,
    meta: meta(PROFILE.portalAccessConsent, parts.org),
    extension: parts.extension,
    status: parts.status,
    scope: patientPrivacy(),
    category: [
      patientConsent(),
      {
        coding: [
          {
            system: CODE_SYSTEM.portalConsentType,
            code: parts.type,
            display: PORTAL_CONSENT_TYPE_DISPLAY[parts.type],
          },
        ],
      },
    ],
    patient: patientReference(parts.org, parts.clientId),
    dateTime: parts.dateTime,
    performer: [parts.performer],
    organization: [organisationReference(parts.org)],
    policyRule: parts.provision.type === 'permit' ? optIn() : optOut(),
    provision: parts.provision,
  };
}

function meta(profile: string, org: EcdOrganisation): Meta {
  return { profile: [profile], source: ecdSource(org.id) };
}

function organisationReference(org: EcdOrganisation): Reference<Organization> {
  return { reference: `Organization/${org.id}`, display: org.name };
}

function patientReference(org: EcdOrganisation, clientId: string): Reference<Patient> {
  return { reference: patientRef(patientId(org.id, clientId)) };
}

function relatedPersonReference(org: EcdOrganisation, relationId: string): Reference<RelatedPerson> {
  return { reference: relatedPersonRef(relatedPersonId(org.id, relationId)) };
}

function personReference(
  org: EcdOrganisation,
  clientId: string,
  person: EcdPersonReference,
): Reference<Patient | RelatedPerson> {
  return person.kind === 'client'
    ? patientReference(org, clientId)
    : relatedPersonReference(org, person.relationId);
}

/** nl-core keeps the whole family name in `family` and its parts in extensions on `_family`. */
function humanName(name: EcdPersonName): HumanName {
  const family = name.family.trim();
  const prefix = name.prefix?.trim();
  const given = name.given.map((g) => g.trim()).filter((g) => g.length > 0);
  const base: HumanName = { use: 'official' };
  if (!prefix) return { ...base, family, ...(given.length > 0 ? { given } : {}) };
  const withParts: HumanName & { _family: Element } = {
    ...base,
    family: `${prefix} ${family}`,
    _family: {
      extension: [
        { url: OWN_PREFIX, valueString: prefix },
        { url: OWN_NAME, valueString: family },
      ],
    },
    ...(given.length > 0 ? { given } : {}),
  };
  return withParts;
}

function contactPoints(telecom: EcdTelecom | undefined): ContactPoint[] | undefined {
  const points: ContactPoint[] = [];
  if (telecom?.email) points.push({ system: 'email', value: telecom.email });
  if (telecom?.mobile) points.push({ system: 'phone', value: telecom.mobile, use: 'mobile' });
  if (telecom?.phone) points.push({ system: 'phone', value: telecom.phone });
  return points.length > 0 ? points : undefined;
}

function careAgreementExtension(agreement: EcdCareAgreement): Extension {
  return {
    url: EXTENSION.careAgreement,
    extension: [
      { url: 'identifier', valueString: agreement.id },
      { url: 'careType', valueCode: agreement.careType },
      {
        url: 'period',
        valuePeriod: { start: agreement.start, ...(agreement.end ? { end: agreement.end } : {}) },
      },
    ],
  };
}

// A fixed order keeps the Patient identical when an export lists the same agreements differently.
function byStartThenId(a: EcdCareAgreement, b: EcdCareAgreement): number {
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

function roleConcept(code: Cod472Role): CodeableConcept {
  return { coding: [{ system: CODE_SYSTEM.cod472, code, display: COD472_DISPLAY[code] }] };
}

function familyConcept(code: string): CodeableConcept {
  const display = FAMILY_DISPLAY[code];
  return { coding: [{ system: CODE_SYSTEM.v3RoleCode, code, ...(display ? { display } : {}) }] };
}

/**
 * Sections in the CodeSystem's order and without repeats, so a reordered export changes nothing. A
 * section the gateway does not know is kept (at the end), so that validation rejects it rather than
 * the mapping dropping it unseen.
 */
function inSectionOrder(sections: readonly string[]): string[] {
  const rank = (s: string) => {
    const i = PORTAL_SECTIONS.indexOf(s as PortalSection);
    return i < 0 ? PORTAL_SECTIONS.length : i;
  };
  return [...new Set(sections)].sort((a, b) => rank(a) - rank(b));
}

function sectionConcept(section: string): CodeableConcept {
  const display = SECTION_DISPLAY[section as PortalSection] as string | undefined;
  return { coding: [{ system: CODE_SYSTEM.portalSection, code: section, ...(display ? { display } : {}) }] };
}
