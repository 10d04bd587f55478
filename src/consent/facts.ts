import type { Consent, Extension, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { EXTENSION_URL, PARENT_CODES, ROLE_BY_COD472, SYSTEM, type RelationRole } from './vocabulary';

/**
 * What the engine knows about one client on the day it decides: derived from the gateway's own
 * Patient, RelatedPerson and Consent resources (the ECD's facts and the grants), never from the
 * upstream dossier.
 */
export interface ClientFacts {
  patient: string; // 'Patient/<id>'
  organisationId: string;
  /** false once the ECD no longer lists the client. */
  active: boolean;
  birthDate?: string;
  deceasedDate?: string;
  careAgreements: Array<{ start?: string; end?: string }>;
  capacity?: { capable: boolean; assessedOn?: string };
  relations: RelationFacts[];
  /** Consents that grant portal sections (category portal-access), every status. */
  grants: Consent[];
  /** The client's recorded answers, active ones only. */
  agreements: AgreementFacts[];
  /** Who registered for the portal as administrator (to choose between two eligible parents). */
  administratorRegistrations: string[];
  /** The organisation's suspensions of this client's portal or of one person's access (M-5, A-10). */
  suspensions: Suspension[];
}

export interface Suspension {
  id: string;
  /** The person whose access is suspended; absent = the client's whole portal. */
  principal?: string;
  /** Instants, ms since the epoch: from `startsAt`, until `endsAt` (exclusive) or without end. */
  startsAt: number;
  endsAt?: number;
  reason: string;
}

export interface RelationFacts {
  reference: string; // 'RelatedPerson/<id>'
  role: RelationRole;
  parentalAuthority: boolean;
  /** false once the ECD no longer lists the relation, or it was ended. */
  active: boolean;
  start?: string;
  end?: string;
}

export interface AgreementFacts {
  consentId: string;
  kind: 'administrator-appointment' | 'parental-access';
  relation: string;
  agreed: boolean;
  recordedOn: string;
}

export function factsFromResources(input: {
  organisationId: string;
  patient: Patient & { id: string };
  relatedPersons: RelatedPerson[];
  consents: Consent[];
  administratorRegistrations?: string[];
  suspensions?: Suspension[];
}): ClientFacts {
  const { patient } = input;
  const self = `Patient/${patient.id}`;
  // Only this client's resources are facts about this client: a RelatedPerson or Consent of another
  // client handed in by mistake must never make its person a relation of this one.
  const ours = (subject: { reference?: string } | undefined) => subject?.reference === self;
  const relatedPersons = input.relatedPersons.filter((r) => ours(r.patient));
  const consents = input.consents.filter((c) => ours(c.patient));
  const capacity = extension(patient.extension, EXTENSION_URL.portalAdministratorCapacity);
  const capable = subExtension(capacity, 'capable')?.valueBoolean;
  return {
    patient: self,
    organisationId: input.organisationId,
    active: patient.active !== false,
    birthDate: patient.birthDate,
    deceasedDate:
      patient.deceasedDateTime?.slice(0, 10) ?? (patient.deceasedBoolean ? '0000-01-01' : undefined),
    careAgreements: (patient.extension ?? [])
      .filter((e) => e.url === EXTENSION_URL.careAgreement)
      .map((e) => subExtension(e, 'period')?.valuePeriod ?? {})
      .map((p) => ({ start: p.start?.slice(0, 10), end: p.end?.slice(0, 10) })),
    capacity:
      capable === undefined
        ? undefined
        : { capable, assessedOn: subExtension(capacity, 'assessedOn')?.valueDate },
    relations: relatedPersons.filter((r) => r.id).map(relationFacts),
    grants: consents.filter((c) => hasConsentType(c, 'portal-access')),
    agreements: consents.flatMap(agreementFacts),
    administratorRegistrations: input.administratorRegistrations ?? [],
    suspensions: input.suspensions ?? [],
  };
}

function relationFacts(person: RelatedPerson): RelationFacts {
  const codings = (person.relationship ?? []).flatMap((r) => r.coding ?? []);
  const cod472 = codings.find((c) => c.system === SYSTEM.cod472)?.code;
  const parentalAuthority =
    extension(person.extension, EXTENSION_URL.parentalAuthority)?.valueBoolean === true;
  const family = codings.filter((c) => c.system === SYSTEM.v3RoleCode).map((c) => c.code ?? '');
  let role: RelationRole = (cod472 && ROLE_BY_COD472[cod472]) || 'other';
  if (role === 'other' && (parentalAuthority || family.some((code) => PARENT_CODES.has(code))))
    role = 'parent';
  return {
    reference: `RelatedPerson/${person.id}`,
    role,
    parentalAuthority,
    active: person.active !== false,
    start: person.period?.start?.slice(0, 10),
    end: person.period?.end?.slice(0, 10),
  };
}

function agreementFacts(consent: Consent): AgreementFacts[] {
  if (consent.status !== 'active' || !consent.id) return [];
  const kind = hasConsentType(consent, 'administrator-appointment')
    ? 'administrator-appointment'
    : hasConsentType(consent, 'parental-access')
      ? 'parental-access'
      : undefined;
  if (!kind) return [];
  const relation = consent.provision?.actor?.[0]?.reference?.reference;
  const type = consent.provision?.type;
  if (!relation || !type || !consent.dateTime) return [];
  return [
    {
      consentId: consent.id,
      kind,
      relation,
      agreed: type === 'permit',
      recordedOn: consent.dateTime.slice(0, 10),
    },
  ];
}

export function hasConsentType(consent: Consent, code: string): boolean {
  return (consent.category ?? []).some((c) =>
    (c.coding ?? []).some((coding) => coding.system === SYSTEM.portalConsentType && coding.code === code),
  );
}

function extension(list: Extension[] | undefined, url: string): Extension | undefined {
  return list?.find((e) => e.url === url);
}

function subExtension(parent: Extension | undefined, url: string): Extension | undefined {
  return parent?.extension?.find((e) => e.url === url);
}
