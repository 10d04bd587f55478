import type { Consent, Extension, HumanName, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { dutchDate, isCalendarDate } from '../calendar';
import {
  CODE_SYSTEM,
  EXTENSION,
  PARENT_CODES,
  ROLE_OF_COD472,
  patientReference,
  tryParseReference,
  type Cod472Role,
  type PatientReference,
  type PersonReference,
  type PortalConsentType,
  type RelatedPersonReference,
  type RelationRole,
} from '../vocabulary';
import { fhirMoment } from './provisions';

/**
 * What the engine knows about one client on the day it decides: derived from the gateway's own
 * Patient, RelatedPerson and Consent resources (the ECD's facts and the grants), never from the
 * upstream dossier.
 */
export interface ClientFacts {
  patient: PatientReference;
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
  /**
   * Whom the organisation registered as the client's portal administrator (A-3: the organisation
   * appoints one): the one that decides between two who could be, such as two parents with authority.
   */
  administratorRegistrations: RelatedPersonReference[];
  /** The organisation's suspensions of this client's portal or of one person's access (M-5, A-10). */
  suspensions: Suspension[];
  /**
   * Display names of the client and of each relation, by reference (`Patient/…`, `RelatedPerson/…`),
   * as the ECD gave them: for the audit trail's access log, which names who read. No rule uses them.
   */
  names?: Readonly<Record<string, string>>;
}

export interface Suspension {
  id: string;
  /** The person whose access is suspended; absent = the client's whole portal. */
  principal?: PersonReference;
  /** Instants, ms since the epoch: from `startsAt`, until `endsAt` (exclusive) or without end. */
  startsAt: number;
  endsAt?: number;
  reason: string;
}

export interface RelationFacts {
  reference: RelatedPersonReference;
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
  relation: RelatedPersonReference;
  agreed: boolean;
  recordedOn: string;
}

export function factsFromResources(input: {
  organisationId: string;
  patient: Patient & { id: string };
  relatedPersons: RelatedPerson[];
  consents: Consent[];
  administratorRegistrations?: RelatedPersonReference[];
  suspensions?: Suspension[];
}): ClientFacts {
  const { patient } = input;
  const self = patientReference(patient.id);
  // Only this client's resources are facts about this client: a RelatedPerson or Consent of another
  // client handed in by mistake must never make its person a relation of this one.
  const ours = (subject: { reference?: string } | undefined) => subject?.reference === self;
  const relatedPersons = input.relatedPersons.filter((r) => ours(r.patient));
  const consents = input.consents.filter((c) => ours(c.patient));
  const capacity = extension(patient.extension, EXTENSION.portalAdministratorCapacity);
  const capable = subExtension(capacity, 'capable')?.valueBoolean;
  return {
    patient: self,
    organisationId: input.organisationId,
    active: patient.active !== false,
    birthDate: patient.birthDate,
    deceasedDate:
      patient.deceasedDateTime !== undefined
        ? (dutchDay(patient.deceasedDateTime) ?? DEATH_UNREADABLE)
        : patient.deceasedBoolean
          ? DEATH_UNREADABLE
          : undefined,
    careAgreements: (patient.extension ?? [])
      .filter((e) => e.url === EXTENSION.careAgreement)
      .map((e) => subExtension(e, 'period')?.valuePeriod ?? {})
      .map((p) => ({ start: dutchDay(p.start), end: dutchDay(p.end) })),
    capacity:
      capable === undefined
        ? undefined
        : { capable, assessedOn: subExtension(capacity, 'assessedOn')?.valueDate },
    relations: relatedPersons.flatMap(relationFacts),
    grants: consents.filter((c) => hasConsentType(c, 'portal-access')),
    agreements: consents.flatMap(agreementFacts),
    administratorRegistrations: input.administratorRegistrations ?? [],
    suspensions: input.suspensions ?? [],
    names: namesOf(self, patient, relatedPersons),
  };
}

/** The display name of the client and of each relation, when the ECD gave one. */
function namesOf(
  self: PatientReference,
  patient: Patient,
  relatedPersons: readonly RelatedPerson[],
): Record<string, string> {
  const names: Record<string, string> = {};
  const client = displayName(patient.name);
  if (client) names[self] = client;
  for (const person of relatedPersons) {
    const name = displayName(person.name);
    if (person.id !== undefined && name) names[`RelatedPerson/${person.id}`] = name;
  }
  return names;
}

/** A person's name as one line: the usual name's text, else its given names and family name. */
function displayName(names: readonly HumanName[] | undefined): string | undefined {
  const name = names?.find((n) => n.use === 'usual' || n.use === 'official') ?? names?.[0];
  if (!name) return undefined;
  const text =
    name.text ??
    [...(name.given ?? []), name.family].filter((part) => typeof part === 'string' && part !== '').join(' ');
  return text === '' ? undefined : text.slice(0, 200);
}

/**
 * The Dutch calendar day of a FHIR date or dateTime: a date as written, a moment as the day it falls
 * on in Amsterdam (23:30Z on 20 November is 21 November there). Undefined when absent or unreadable.
 */
function dutchDay(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (isCalendarDate(text)) return text;
  // A year or a month counts from its first day; a moment on the day it falls on in Amsterdam.
  const moment = fhirMoment(text);
  return moment ? dutchDate(moment.lo) : undefined;
}

/** A death recorded in a way we cannot read still closes the portal: as if long ago (fail closed). */
const DEATH_UNREADABLE = '0000-01-01';

function relationFacts(person: RelatedPerson): RelationFacts[] {
  // A RelatedPerson without a usable id can be no one's relation: it is left out, never guessed at.
  const reference = person.id === undefined ? undefined : tryParseReference(`RelatedPerson/${person.id}`);
  if (!reference) return [];
  const codings = (person.relationship ?? []).flatMap((r) => r.coding ?? []);
  const cod472 = codings.find((c) => c.system === CODE_SYSTEM.cod472)?.code;
  const parentalAuthority = extension(person.extension, EXTENSION.parentalAuthority)?.valueBoolean === true;
  const family = codings.filter((c) => c.system === CODE_SYSTEM.v3RoleCode).map((c) => c.code ?? '');
  let role: RelationRole = (cod472 && ROLE_OF_COD472[cod472 as Cod472Role]) || 'other';
  if (role === 'other' && (parentalAuthority || family.some((code) => PARENT_CODES.has(code))))
    role = 'parent';
  return [
    {
      reference: reference.reference as RelatedPersonReference,
      role,
      parentalAuthority,
      active: person.active !== false,
      start: dutchDay(person.period?.start),
      end: dutchDay(person.period?.end),
    },
  ];
}

function agreementFacts(consent: Consent): AgreementFacts[] {
  if (consent.status !== 'active' || !consent.id) return [];
  const kind = hasConsentType(consent, 'administrator-appointment')
    ? 'administrator-appointment'
    : hasConsentType(consent, 'parental-access')
      ? 'parental-access'
      : undefined;
  if (!kind) return [];
  const relation = tryParseReference(consent.provision?.actor?.[0]?.reference?.reference);
  const type = consent.provision?.type;
  const recordedOn = dutchDay(consent.dateTime);
  if (relation?.resourceType !== 'RelatedPerson' || !type || !recordedOn) return [];
  return [
    {
      consentId: consent.id,
      kind,
      relation: relation.reference as RelatedPersonReference,
      agreed: type === 'permit',
      recordedOn,
    },
  ];
}

export function hasConsentType(consent: Consent, code: PortalConsentType): boolean {
  return (consent.category ?? []).some((c) =>
    (c.coding ?? []).some(
      (coding) => coding.system === CODE_SYSTEM.portalConsentType && coding.code === code,
    ),
  );
}

function extension(list: Extension[] | undefined, url: string): Extension | undefined {
  return list?.find((e) => e.url === url);
}

function subExtension(parent: Extension | undefined, url: string): Extension | undefined {
  return parent?.extension?.find((e) => e.url === url);
}
