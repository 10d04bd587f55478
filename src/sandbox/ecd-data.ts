import type {
  EcdAdministratorCapacity,
  EcdAssessorRole,
  EcdClient,
  EcdClientAgreement,
  EcdExport,
  EcdPersonReference,
  EcdPortalAuthorisation,
  EcdPortalRegistration,
  EcdRelation,
  EcdRelationRole,
  EcdTelecom,
} from './ecd-types';
import { addDays, addYears, ageOn, daysBetween, earlierDate, laterDate, localDateTime } from '../calendar';
import { PORTAL_SECTIONS, type PortalSection } from '../vocabulary';
import { AMERHOF, MEERZICHT, type SandboxOrganisation } from './organisations';
import {
  ContactRegistry,
  makeName,
  pickFamilyName,
  type FamilyName,
  type Generation,
  type Sex,
} from './people';
import { Random } from './random';
import type { SandboxScenarios } from './types';

const SECTIONS: readonly PortalSection[] = PORTAL_SECTIONS;

type Band = 'elderly' | 'under12' | 'age12to15' | 'age16to17' | 'adult';

/** Below this the generator cannot build every special case; it then makes this many clients. */
export const MINIMUM_CLIENTS = 25;
/** Above this the synthetic BSN and phone number blocks, and the in-memory server, run out of room. */
export const MAXIMUM_CLIENTS = 2000;

interface ClientSpec {
  band: Band;
  /** Overrides the age drawn for the band (for the birthday scenarios). */
  birthDate?: string;
  sex?: Sex;
  familyName?: FamilyName;
  careStart?: string;
  careEnd?: string;
  deceasedDate?: string;
  capacity?: EcdAdministratorCapacity;
  /** Whether the client has an e-mail address and mobile number of their own (needed to log in). */
  ownTelecom?: boolean;
}

interface RelationSpec {
  role: EcdRelationRole;
  sex: Sex;
  generation: Generation;
  relationship?: string;
  familyName?: FamilyName;
  parentalAuthority?: boolean;
  /** Professionals (curator, mentor, bewindvoerder) get a work address at example.com. */
  professional?: boolean;
  start?: string;
}

const CHILD_CODE: Record<Sex, string> = { female: 'DAUC', male: 'SONC' };
const PARENT_CODE: Record<Sex, string> = { female: 'MTH', male: 'FTH' };
const SIBLING_CODE: Record<Sex, string> = { female: 'SIS', male: 'BRO' };
const SPOUSE_CODE: Record<Sex, string> = { female: 'WIFE', male: 'HUSB' };

/** Collects one organisation's ECD records and hands out its ids. */
class OrganisationBuilder {
  readonly clients: EcdClient[] = [];
  readonly relations: EcdRelation[] = [];
  readonly registrations: EcdPortalRegistration[] = [];
  readonly authorisations: EcdPortalAuthorisation[] = [];
  readonly agreements: EcdClientAgreement[] = [];
  private readonly counters = new Map<string, number>();

  constructor(
    readonly org: SandboxOrganisation,
    readonly rng: Random,
    private readonly contacts: ContactRegistry,
    readonly today: string,
  ) {}

  private nextId(kind: string): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return `${this.org.idPrefix}-${kind}${String(n).padStart(3, '0')}`;
  }

  /** A date in [from, to]; `to` wins when the range is empty. */
  dateBetween(from: string, to: string): string {
    const span = daysBetween(from, to);
    return span <= 0 ? to : addDays(from, this.rng.int(0, span));
  }

  /** The last day anything can have happened in this client's dossier. */
  lastActiveDay(client: EcdClient): string {
    const end = client.careAgreements[0]?.end;
    return end ? earlierDate(end, addDays(this.today, -1)) : addDays(this.today, -1);
  }

  careStart(client: EcdClient): string {
    return client.careAgreements[0]?.start ?? this.today;
  }

  private birthDateFor(band: Band): string {
    let age: number;
    switch (band) {
      case 'elderly':
        // Two dice make the ages cluster in the eighties, as in a real nursing home.
        age = 65 + this.rng.int(0, 17) + this.rng.int(0, 18);
        break;
      case 'under12':
        age = this.rng.int(4, 11);
        break;
      case 'age12to15':
        age = this.rng.int(12, 15);
        break;
      case 'age16to17':
        age = this.rng.int(16, 17);
        break;
      case 'adult':
        age = this.rng.int(18, 72);
        break;
    }
    // At least a day and at most 358 days past the birthday: no filler client has a birthday today
    // or tomorrow, which the birthday scenarios keep to themselves.
    return addDays(addYears(this.today, -age), -this.rng.int(1, 358));
  }

  client(spec: ClientSpec): EcdClient {
    const id = this.nextId('c');
    const sex = spec.sex ?? (this.rng.chance(0.5) ? 'female' : 'male');
    const generation: Generation =
      spec.band === 'elderly' ? 'elderly' : spec.band === 'adult' ? 'middle' : 'young';
    const birthDate = spec.birthDate ?? this.birthDateFor(spec.band);
    const latestStart = addDays(spec.careEnd ?? this.today, -150);
    const earliestStart = spec.band === 'elderly' ? addDays(this.today, -2200) : addYears(birthDate, 1);
    const start =
      spec.careStart ?? this.dateBetween(laterDate(earliestStart, addDays(this.today, -4000)), latestStart);
    const client: EcdClient = {
      id,
      bsn: this.contacts.bsn(),
      name: makeName(this.rng, generation, sex, spec.familyName),
      birthDate,
      gender: sex,
      careAgreements: [
        {
          id: this.nextId('ca'),
          careType: this.org.careType,
          start,
          ...(spec.careEnd ? { end: spec.careEnd } : {}),
        },
      ],
    };
    if (spec.ownTelecom) {
      client.telecom = {
        email: this.contacts.email(client.name, 'example.nl'),
        mobile: this.contacts.mobile(),
      };
    }
    if (spec.deceasedDate) {
      client.deceasedDate = spec.deceasedDate;
    }
    if (spec.capacity) {
      client.administratorCapacity = spec.capacity;
    }
    this.clients.push(client);
    return client;
  }

  capacity(
    client: { careAgreements: EcdClient['careAgreements'] },
    capable: boolean,
    assessorRole?: EcdAssessorRole,
  ): EcdAdministratorCapacity {
    const start = client.careAgreements[0]?.start ?? this.today;
    return {
      capable,
      assessedOn: this.dateBetween(laterDate(start, addDays(this.today, -700)), addDays(this.today, -20)),
      assessorRole:
        assessorRole ?? this.rng.pick(['behavioural-expert', 'physician-intellectual-disability'] as const),
    };
  }

  relation(client: EcdClient, spec: RelationSpec): EcdRelation {
    const name = makeName(this.rng, spec.generation, spec.sex, spec.familyName);
    const telecom: EcdTelecom = {
      email: this.contacts.email(name, spec.professional ? 'example.com' : 'example.nl'),
      mobile: this.contacts.mobile(),
    };
    const relation: EcdRelation = {
      id: this.nextId('r'),
      clientId: client.id,
      role: spec.role,
      name,
      ...(spec.relationship ? { relationship: spec.relationship } : {}),
      ...(spec.parentalAuthority !== undefined ? { parentalAuthority: spec.parentalAuthority } : {}),
      telecom,
      start: spec.start ?? this.careStart(client),
    };
    this.relations.push(relation);
    return relation;
  }

  /** The same person related to a second client (a parent of two children): same name and contact details. */
  sameRelation(client: EcdClient, person: EcdRelation): EcdRelation {
    const relation: EcdRelation = {
      ...structuredClone(person),
      id: this.nextId('r'),
      clientId: client.id,
      start: this.careStart(client),
    };
    this.relations.push(relation);
    return relation;
  }

  parents(
    client: EcdClient,
    authority: { mother: boolean; father: boolean },
  ): { mother: EcdRelation; father: EcdRelation } {
    const childFamily = {
      family: client.name.family,
      ...(client.name.prefix ? { prefix: client.name.prefix } : {}),
    };
    const father = this.relation(client, {
      role: 'parent',
      sex: 'male',
      generation: 'middle',
      relationship: 'FTH',
      familyName: childFamily,
      parentalAuthority: authority.father,
    });
    const mother = this.relation(client, {
      role: 'parent',
      sex: 'female',
      generation: 'middle',
      relationship: 'MTH',
      ...(this.rng.chance(0.5) ? { familyName: childFamily } : {}),
      parentalAuthority: authority.mother,
    });
    return { mother, father };
  }

  register(
    client: EcdClient,
    person: EcdRelation | 'client',
    requestedRole: EcdPortalRegistration['requestedRole'],
    registeredOn?: string,
  ): EcdPortalRegistration {
    const earliest = laterDate(
      laterDate(this.careStart(client), addDays(this.today, -500)),
      person === 'client' ? this.careStart(client) : (person.start ?? this.careStart(client)),
    );
    const registration: EcdPortalRegistration = {
      id: this.nextId('reg'),
      clientId: client.id,
      person: person === 'client' ? { kind: 'client' } : { kind: 'relation', relationId: person.id },
      registeredOn: registeredOn ?? this.dateBetween(earliest, addDays(this.lastActiveDay(client), -30)),
      requestedRole,
    };
    this.registrations.push(registration);
    return registration;
  }

  authorise(
    client: EcdClient,
    grantedBy: EcdRelation | 'client',
    grantee: EcdRelation,
    sections: PortalSection[],
    options: { after?: string; grantedOn?: string; withdrawnAt?: string } = {},
  ): EcdPortalAuthorisation {
    const grantor: EcdPersonReference =
      grantedBy === 'client' ? { kind: 'client' } : { kind: 'relation', relationId: grantedBy.id };
    const authorisation: EcdPortalAuthorisation = {
      id: this.nextId('auth'),
      clientId: client.id,
      grantedBy: grantor,
      granteeRelationId: grantee.id,
      sections,
      grantedOn:
        options.grantedOn ??
        this.dateBetween(options.after ?? this.careStart(client), addDays(this.lastActiveDay(client), -7)),
    };
    if (options.withdrawnAt) {
      authorisation.withdrawal = { requestReceivedAt: options.withdrawnAt };
    }
    this.authorisations.push(authorisation);
    return authorisation;
  }

  agree(
    client: EcdClient,
    subject: EcdClientAgreement['subject'],
    relation: EcdRelation,
    agreed: boolean,
    recordedOn?: string,
  ): EcdClientAgreement {
    const assessed = client.administratorCapacity?.assessedOn ?? this.careStart(client);
    const agreement: EcdClientAgreement = {
      id: this.nextId('agr'),
      clientId: client.id,
      subject,
      relationId: relation.id,
      agreed,
      recordedOn:
        recordedOn ?? this.dateBetween(assessed, earlierDate(addDays(assessed, 20), addDays(this.today, -1))),
    };
    this.agreements.push(agreement);
    return agreement;
  }

  sections(min: number): PortalSection[] {
    return this.rng.sample(SECTIONS, this.rng.int(min, SECTIONS.length));
  }

  toExport(): EcdExport {
    return {
      format: 'inzage-ecd-export',
      version: 1,
      exportedAt: localDateTime(this.today, 6, 0),
      organisation: { id: this.org.id, name: this.org.name, ura: this.org.ura },
      clients: this.clients,
      relations: this.relations,
      portalRegistrations: this.registrations,
      portalAuthorisations: this.authorisations,
      clientAgreements: this.agreements,
    };
  }
}

function otherSex(sex: Sex): Sex {
  return sex === 'female' ? 'male' : 'female';
}

// ---------------------------------------------------------------------------------------------
// Meerzicht: elderly care, first-contact-person model. A mentor or curator counts as the client,
// so a representative registers with requestedRole 'client'; relatives register as 'user'.
// ---------------------------------------------------------------------------------------------

function elderlyFirstContact(b: OrganisationBuilder, client: EcdClient): EcdRelation {
  if (b.rng.chance(0.3)) {
    const sex = b.rng.chance(0.9) ? otherSex(client.gender as Sex) : (client.gender as Sex);
    return b.relation(client, {
      role: 'first-contact-person',
      sex,
      generation: 'elderly',
      relationship: SPOUSE_CODE[sex],
    });
  }
  const sex: Sex = b.rng.chance(0.6) ? 'female' : 'male';
  return b.relation(client, {
    role: 'first-contact-person',
    sex,
    generation: 'middle',
    relationship: CHILD_CODE[sex],
    ...(sex === 'male' ? { familyName: client.name } : {}),
  });
}

function elderlySecondContact(b: OrganisationBuilder, client: EcdClient): EcdRelation {
  const sex: Sex = b.rng.chance(0.5) ? 'female' : 'male';
  return b.relation(client, {
    role: 'second-contact-person',
    sex,
    generation: 'middle',
    relationship: CHILD_CODE[sex],
  });
}

function professional(b: OrganisationBuilder, client: EcdClient, role: EcdRelationRole): EcdRelation {
  return b.relation(client, {
    role,
    sex: b.rng.chance(0.5) ? 'female' : 'male',
    generation: 'middle',
    professional: true,
    start: b.dateBetween(addDays(b.careStart(client), -800), addDays(b.today, -120)),
  });
}

function elderlyFiller(b: OrganisationBuilder): EcdClient {
  const selfRegisters = b.rng.chance(0.35);
  const client = b.client({ band: 'elderly', ownTelecom: selfRegisters });
  const first = elderlyFirstContact(b, client);
  const second = b.rng.chance(0.55) ? elderlySecondContact(b, client) : undefined;
  if (b.rng.chance(0.1)) {
    const mentor = professional(b, client, 'mentor');
    b.register(client, mentor, 'client');
    return client;
  }
  if (selfRegisters) {
    b.register(client, 'client', 'client');
  }
  if (b.rng.chance(0.6)) {
    const registration = b.register(client, first, 'user');
    if (b.rng.chance(0.8)) {
      b.authorise(client, 'client', first, b.sections(2), { after: registration.registeredOn });
    }
  }
  if (second && b.rng.chance(0.3)) {
    const registration = b.register(client, second, 'user');
    if (b.rng.chance(0.6)) {
      b.authorise(client, 'client', second, b.sections(1), { after: registration.registeredOn });
    }
  }
  return client;
}

/** A client who authorised the first contact person, with care ending on `careEnd`. */
function elderlyWithAuthorisedFirstContact(
  b: OrganisationBuilder,
  spec: Partial<ClientSpec>,
  sections: PortalSection[],
): EcdClient {
  const client = b.client({ band: 'elderly', ...spec });
  const first = elderlyFirstContact(b, client);
  elderlySecondContact(b, client);
  const registration = b.register(client, first, 'user');
  b.authorise(client, 'client', first, sections, { after: registration.registeredOn });
  return client;
}

function buildMeerzicht(b: OrganisationBuilder, total: number): Partial<SandboxScenarios> {
  const today = b.today;
  const yesterday = addDays(today, -1);

  const firstContactAuthorised = b.client({ band: 'elderly', ownTelecom: true });
  {
    const first = elderlyFirstContact(b, firstContactAuthorised);
    elderlySecondContact(b, firstContactAuthorised);
    b.register(firstContactAuthorised, 'client', 'client');
    const registration = b.register(firstContactAuthorised, first, 'user');
    b.authorise(
      firstContactAuthorised,
      'client',
      first,
      ['reports', 'care-plan', 'appointments', 'basic-details'],
      {
        after: registration.registeredOn,
      },
    );
  }

  const withWithdrawn = b.client({ band: 'elderly', ownTelecom: true });
  {
    const first = elderlyFirstContact(b, withWithdrawn);
    const second = elderlySecondContact(b, withWithdrawn);
    b.register(withWithdrawn, 'client', 'client');
    const firstRegistration = b.register(withWithdrawn, first, 'user');
    b.register(withWithdrawn, second, 'user', addDays(today, -75));
    b.authorise(withWithdrawn, 'client', first, ['reports', 'appointments', 'measurements', 'medication'], {
      after: firstRegistration.registeredOn,
    });
    // The written request reached the organisation two days ago, mid-afternoon.
    b.authorise(withWithdrawn, 'client', second, ['reports', 'appointments'], {
      grantedOn: addDays(today, -60),
      withdrawnAt: localDateTime(addDays(today, -2), 14, 32),
    });
  }

  const withMentorElderlyCare = b.client({ band: 'elderly' });
  {
    const mentor = professional(b, withMentorElderlyCare, 'mentor');
    const first = elderlyFirstContact(b, withMentorElderlyCare);
    const mentorRegistration = b.register(withMentorElderlyCare, mentor, 'client');
    b.register(withMentorElderlyCare, first, 'user');
    b.authorise(withMentorElderlyCare, mentor, first, ['appointments', 'basic-details'], {
      after: mentorRegistration.registeredOn,
    });
  }

  const deceased = elderlyWithAuthorisedFirstContact(b, { careEnd: yesterday, deceasedDate: yesterday }, [
    ...PORTAL_SECTIONS,
  ]);

  const careEndedYesterdayElderlyCare = elderlyWithAuthorisedFirstContact(b, { careEnd: yesterday }, [
    'reports',
    'appointments',
    'basic-details',
  ]);

  while (b.clients.length < total) {
    elderlyFiller(b);
  }

  return {
    firstContactAuthorised: firstContactAuthorised.id,
    withWithdrawnAuthorisation: withWithdrawn.id,
    withMentorElderlyCare: withMentorElderlyCare.id,
    deceased: deceased.id,
    careEndedYesterdayElderlyCare: careEndedYesterdayElderlyCare.id,
  };
}

// ---------------------------------------------------------------------------------------------
// Amerhof: disability care, portal-administrator model. Whoever should administer the portal
// registers with requestedRole 'administrator'; the administrator admits others as 'user'.
// ---------------------------------------------------------------------------------------------

function adultFirstContact(b: OrganisationBuilder, client: EcdClient, role: EcdRelationRole): EcdRelation {
  const sex: Sex = b.rng.chance(0.6) ? 'female' : 'male';
  const age = ageOn(client.birthDate, b.today);
  // Parents of clients past their mid-forties are often no longer able to be the contact person.
  const parent = age < 45 && b.rng.chance(0.7);
  return b.relation(client, {
    role,
    sex,
    generation: parent ? (age < 30 ? 'middle' : 'elderly') : 'middle',
    relationship: parent ? PARENT_CODE[sex] : SIBLING_CODE[sex],
    ...(sex === 'male' || !parent ? { familyName: client.name } : {}),
  });
}

function adultFiller(b: OrganisationBuilder): EcdClient {
  const capable = b.rng.chance(0.65);
  const client = b.client({ band: 'adult', ownTelecom: capable });
  client.administratorCapacity = b.capacity(client, capable);
  const first = adultFirstContact(b, client, 'first-contact-person');
  const second = b.rng.chance(0.4) ? adultFirstContact(b, client, 'second-contact-person') : undefined;
  if (b.rng.chance(0.1)) {
    const mentor = professional(b, client, 'mentor');
    b.register(client, mentor, 'administrator');
    return client;
  }
  if (capable) {
    if (b.rng.chance(0.6)) {
      const own = b.register(client, 'client', 'administrator');
      if (b.rng.chance(0.6)) {
        b.register(client, first, 'user');
        b.authorise(client, 'client', first, b.sections(1), { after: own.registeredOn });
      }
    }
    return client;
  }
  const agreed = b.rng.chance(0.75);
  b.agree(client, 'first-contact-person-as-administrator', first, agreed);
  if (agreed) {
    const admin = b.register(client, first, 'administrator');
    if (second && b.rng.chance(0.5)) {
      b.register(client, second, 'user');
      b.authorise(client, first, second, b.sections(1), { after: admin.registeredOn });
    }
  }
  return client;
}

function under12Filler(b: OrganisationBuilder): EcdClient {
  const client = b.client({ band: 'under12' });
  const bothAuthority = b.rng.chance(0.9);
  const { mother, father } = b.parents(client, { mother: true, father: bothAuthority });
  const [admin, other] = b.rng.chance(0.6) ? [mother, father] : [father, mother];
  if (b.rng.chance(0.8) && admin.parentalAuthority) {
    const registration = b.register(client, admin, 'administrator');
    if (b.rng.chance(0.4)) {
      b.register(client, other, 'user');
      b.authorise(client, admin, other, b.sections(2), { after: registration.registeredOn });
    }
  }
  return client;
}

function age12to15Filler(b: OrganisationBuilder): EcdClient {
  const client = b.client({ band: 'age12to15' });
  const capable = b.rng.chance(0.6);
  client.administratorCapacity = b.capacity(client, capable);
  const { mother, father } = b.parents(client, { mother: true, father: true });
  const admin = b.rng.chance(0.6) ? mother : father;
  if (capable) {
    b.agree(client, 'parental-access', admin, b.rng.chance(0.75));
  }
  if (b.rng.chance(0.8)) {
    b.register(client, admin, 'administrator');
  }
  return client;
}

function age16to17Filler(b: OrganisationBuilder): EcdClient {
  const capable = b.rng.chance(0.8);
  const client = b.client({ band: 'age16to17', ownTelecom: capable });
  client.administratorCapacity = b.capacity(client, capable);
  const { mother, father } = b.parents(client, { mother: true, father: true });
  if (capable && b.rng.chance(0.7)) {
    const own = b.register(client, 'client', 'administrator');
    if (b.rng.chance(0.5)) {
      const parent = b.rng.chance(0.5) ? mother : father;
      b.register(client, parent, 'user');
      b.authorise(client, 'client', parent, b.sections(1), { after: own.registeredOn });
    }
  } else if (!capable) {
    b.agree(client, 'first-contact-person-as-administrator', mother, true);
    b.register(client, mother, 'administrator');
  }
  return client;
}

/** A capable adult who administers their own portal and admitted the first contact person. */
function adultOwnAdministrator(b: OrganisationBuilder, spec: Partial<ClientSpec>): EcdClient {
  const client = b.client({ band: 'adult', ownTelecom: true, ...spec });
  client.administratorCapacity = b.capacity(client, true);
  const first = adultFirstContact(b, client, 'first-contact-person');
  const own = b.register(client, 'client', 'administrator');
  b.register(client, first, 'user');
  b.authorise(client, 'client', first, ['reports', 'appointments', 'care-plan'], { after: own.registeredOn });
  return client;
}

interface AmerhofTargets {
  under12: number;
  age12to15: number;
  age16to17: number;
  adult: number;
}

function buildAmerhof(b: OrganisationBuilder, targets: AmerhofTargets): Partial<SandboxScenarios> {
  const today = b.today;
  const tomorrow = addDays(today, 1);

  // Adults.
  const careEndedYesterday = adultOwnAdministrator(b, { careEnd: addDays(today, -1) });
  const careEndedThreeDaysAgo = adultOwnAdministrator(b, { careEnd: addDays(today, -3) });

  const incapableAgreed = b.client({ band: 'adult' });
  {
    incapableAgreed.administratorCapacity = {
      capable: false,
      assessedOn: addDays(today, -45),
      assessorRole: 'behavioural-expert',
    };
    const first = adultFirstContact(b, incapableAgreed, 'first-contact-person');
    const second = adultFirstContact(b, incapableAgreed, 'second-contact-person');
    b.agree(incapableAgreed, 'first-contact-person-as-administrator', first, true, addDays(today, -40));
    b.register(incapableAgreed, first, 'administrator', addDays(today, -35));
    b.register(incapableAgreed, second, 'user', addDays(today, -30));
    b.authorise(incapableAgreed, first, second, ['appointments', 'reports'], {
      grantedOn: addDays(today, -28),
    });
  }

  const incapableRefused = b.client({ band: 'adult' });
  {
    incapableRefused.administratorCapacity = {
      capable: false,
      assessedOn: addDays(today, -90),
      assessorRole: 'physician-intellectual-disability',
    };
    const first = adultFirstContact(b, incapableRefused, 'first-contact-person');
    // The registration form came in first; the client was asked afterwards and said no.
    b.register(incapableRefused, first, 'administrator', addDays(today, -85));
    b.agree(incapableRefused, 'first-contact-person-as-administrator', first, false, addDays(today, -80));
  }

  const withCurator = b.client({ band: 'adult' });
  {
    withCurator.administratorCapacity = b.capacity(withCurator, false, 'physician-intellectual-disability');
    const curator = professional(b, withCurator, 'curator');
    const first = adultFirstContact(b, withCurator, 'first-contact-person');
    const admin = b.register(withCurator, curator, 'administrator');
    b.register(withCurator, first, 'user');
    b.authorise(withCurator, curator, first, ['appointments', 'reports', 'care-plan'], {
      after: admin.registeredOn,
    });
  }

  const withMentor = b.client({ band: 'adult' });
  {
    withMentor.administratorCapacity = b.capacity(withMentor, false, 'behavioural-expert');
    const sex: Sex = b.rng.chance(0.5) ? 'female' : 'male';
    // A relative can be appointed mentor too; the role, not the family tie, makes them administrator.
    const mentor = b.relation(withMentor, {
      role: 'mentor',
      sex,
      generation: 'middle',
      relationship: SIBLING_CODE[sex],
      familyName: withMentor.name,
    });
    adultFirstContact(b, withMentor, 'first-contact-person');
    b.register(withMentor, mentor, 'administrator');
  }

  const withFinancialAdministrator = b.client({ band: 'adult', ownTelecom: true });
  {
    withFinancialAdministrator.administratorCapacity = b.capacity(withFinancialAdministrator, true);
    const bewindvoerder = professional(b, withFinancialAdministrator, 'financial-administrator');
    adultFirstContact(b, withFinancialAdministrator, 'first-contact-person');
    b.register(withFinancialAdministrator, 'client', 'administrator');
    // A bewindvoerder handles money only; this request must not make them administrator.
    b.register(withFinancialAdministrator, bewindvoerder, 'administrator');
  }

  const administratorGrantedSections = b.client({ band: 'adult', ownTelecom: true });
  {
    administratorGrantedSections.administratorCapacity = b.capacity(administratorGrantedSections, true);
    const first = adultFirstContact(b, administratorGrantedSections, 'first-contact-person');
    const second = adultFirstContact(b, administratorGrantedSections, 'second-contact-person');
    const own = b.register(administratorGrantedSections, 'client', 'administrator');
    b.register(administratorGrantedSections, first, 'user');
    b.register(administratorGrantedSections, second, 'user');
    b.authorise(administratorGrantedSections, 'client', first, ['reports', 'appointments', 'care-plan'], {
      after: own.registeredOn,
    });
    b.authorise(administratorGrantedSections, 'client', second, ['appointments'], {
      after: own.registeredOn,
    });
  }

  // Under 12.
  const family = pickFamilyName(b.rng);
  const sibling1 = b.client({ band: 'under12', familyName: family });
  const sibling2 = b.client({ band: 'under12', familyName: family });
  {
    const { mother, father } = b.parents(sibling1, { mother: true, father: true });
    const mother2 = b.sameRelation(sibling2, mother);
    b.sameRelation(sibling2, father);
    const admin = b.register(sibling1, mother, 'administrator');
    b.register(sibling2, mother2, 'administrator');
    b.register(sibling1, father, 'user');
    b.authorise(sibling1, mother, father, ['appointments', 'reports', 'measurements'], {
      after: admin.registeredOn,
    });
  }

  const withGuardian = b.client({ band: 'under12' });
  {
    const guardian = b.relation(withGuardian, {
      role: 'guardian',
      sex: 'female',
      generation: 'middle',
      relationship: 'AUNT',
    });
    b.register(withGuardian, guardian, 'administrator');
  }

  const parentWithoutAuthority = b.client({ band: 'under12' });
  {
    const { mother, father } = b.parents(parentWithoutAuthority, { mother: true, father: false });
    b.register(parentWithoutAuthority, mother, 'administrator');
    // The father asked for access on his own; without parental authority he needs the administrator.
    b.register(parentWithoutAuthority, father, 'user');
  }

  const turns12Tomorrow = b.client({ band: 'under12', birthDate: addYears(tomorrow, -12) });
  {
    // Assessed ahead of the birthday: from tomorrow the parents need the child's consent to look.
    turns12Tomorrow.administratorCapacity = {
      capable: true,
      assessedOn: addDays(today, -10),
      assessorRole: 'behavioural-expert',
    };
    const { mother } = b.parents(turns12Tomorrow, { mother: true, father: true });
    b.register(turns12Tomorrow, mother, 'administrator');
  }

  // 12 to 15.
  const turns16Tomorrow = b.client({ band: 'age12to15', birthDate: addYears(tomorrow, -16) });
  {
    turns16Tomorrow.administratorCapacity = b.capacity(turns16Tomorrow, true, 'behavioural-expert');
    const { mother } = b.parents(turns16Tomorrow, { mother: true, father: true });
    b.agree(turns16Tomorrow, 'parental-access', mother, true);
    b.register(turns16Tomorrow, mother, 'administrator');
  }

  const minorAgreed = b.client({ band: 'age12to15' });
  {
    minorAgreed.administratorCapacity = b.capacity(minorAgreed, true, 'behavioural-expert');
    const { father } = b.parents(minorAgreed, { mother: true, father: true });
    b.agree(minorAgreed, 'parental-access', father, true);
    b.register(minorAgreed, father, 'administrator');
  }

  const minorRefused = b.client({ band: 'age12to15' });
  {
    minorRefused.administratorCapacity = b.capacity(minorRefused, true, 'behavioural-expert');
    const { mother } = b.parents(minorRefused, { mother: true, father: true });
    b.agree(minorRefused, 'parental-access', mother, false);
    b.register(minorRefused, mother, 'administrator');
  }

  const minorIncapable = b.client({ band: 'age12to15' });
  {
    minorIncapable.administratorCapacity = b.capacity(
      minorIncapable,
      false,
      'physician-intellectual-disability',
    );
    const { mother } = b.parents(minorIncapable, { mother: true, father: true });
    b.register(minorIncapable, mother, 'administrator');
  }

  // 16 and 17.
  const sixteenPlus = b.client({ band: 'age16to17', ownTelecom: true });
  {
    sixteenPlus.administratorCapacity = b.capacity(sixteenPlus, true, 'behavioural-expert');
    const { mother } = b.parents(sixteenPlus, { mother: true, father: true });
    const own = b.register(sixteenPlus, 'client', 'administrator');
    b.register(sixteenPlus, mother, 'user');
    b.authorise(sixteenPlus, 'client', mother, ['appointments', 'reports'], { after: own.registeredOn });
  }

  const counts = (): AmerhofTargets => {
    const result: AmerhofTargets = { under12: 0, age12to15: 0, age16to17: 0, adult: 0 };
    for (const client of b.clients) {
      result[amerhofBand(client.birthDate, today)]++;
    }
    return result;
  };
  const have = counts();
  for (let i = have.under12; i < targets.under12; i++) under12Filler(b);
  for (let i = have.age12to15; i < targets.age12to15; i++) age12to15Filler(b);
  for (let i = have.age16to17; i < targets.age16to17; i++) age16to17Filler(b);
  for (let i = have.adult; i < targets.adult; i++) adultFiller(b);

  return {
    careEndedYesterday: careEndedYesterday.id,
    careEndedThreeDaysAgo: careEndedThreeDaysAgo.id,
    incapableAgreed: incapableAgreed.id,
    incapableRefused: incapableRefused.id,
    withCurator: withCurator.id,
    withMentor: withMentor.id,
    withFinancialAdministrator: withFinancialAdministrator.id,
    administratorGrantedSections: administratorGrantedSections.id,
    siblingsSharedParent: [sibling1.id, sibling2.id],
    withGuardian: withGuardian.id,
    parentWithoutAuthority: parentWithoutAuthority.id,
    turns12Tomorrow: turns12Tomorrow.id,
    turns16Tomorrow: turns16Tomorrow.id,
    minorCapableParentalAccessAgreed: minorAgreed.id,
    minorCapableParentalAccessRefused: minorRefused.id,
    minorIncapable: minorIncapable.id,
    sixteenPlusAuthorisedParent: sixteenPlus.id,
  };
}

function amerhofBand(birthDate: string, today: string): Exclude<Band, 'elderly'> {
  const age = ageOn(birthDate, today);
  return age < 12 ? 'under12' : age < 16 ? 'age12to15' : age < 18 ? 'age16to17' : 'adult';
}

/** Shares of the disability-care clients per age band; each band keeps at least the special cases and 3. */
const AMERHOF_SHARES: AmerhofTargets = { under12: 0.2, age12to15: 0.24, age16to17: 0.16, adult: 0.4 };
const AMERHOF_MINIMUMS: AmerhofTargets = { under12: 5, age12to15: 4, age16to17: 3, adult: 8 };
const MEERZICHT_MINIMUM = 5;

export interface EcdData {
  exports: EcdExport[];
  scenarios: SandboxScenarios;
}

export function generateEcdData(seed: number, today: string, requestedClients: number): EcdData {
  const total = Math.max(requestedClients, MINIMUM_CLIENTS);
  const contacts = new ContactRegistry(Random.derive(seed, 'contacts'));
  const amerhof = new OrganisationBuilder(AMERHOF, Random.derive(seed, 'ecd:amerhof'), contacts, today);
  const meerzicht = new OrganisationBuilder(MEERZICHT, Random.derive(seed, 'ecd:meerzicht'), contacts, today);

  const amerhofShare = Math.ceil(total / 2);
  const targets = {} as AmerhofTargets;
  for (const band of Object.keys(AMERHOF_SHARES) as (keyof AmerhofTargets)[]) {
    targets[band] = Math.max(AMERHOF_MINIMUMS[band], Math.round(AMERHOF_SHARES[band] * amerhofShare));
  }
  const amerhofScenarios = buildAmerhof(amerhof, targets);
  const meerzichtScenarios = buildMeerzicht(
    meerzicht,
    Math.max(MEERZICHT_MINIMUM, total - amerhof.clients.length),
  );

  const bandIds = (band: Exclude<Band, 'elderly'>): string[] =>
    amerhof.clients.filter((c) => amerhofBand(c.birthDate, today) === band).map((c) => c.id);
  const scenarios = {
    ...meerzichtScenarios,
    ...amerhofScenarios,
    under12: bandIds('under12'),
    age12to15: bandIds('age12to15'),
    age16to17: bandIds('age16to17'),
    adultsDisabilityCare: bandIds('adult'),
    elderlyCare: meerzicht.clients.map((c) => c.id),
  } as SandboxScenarios;

  return { exports: [meerzicht.toExport(), amerhof.toExport()], scenarios };
}
