import type {
  Appointment,
  CarePlan,
  CareTeam,
  CodeableConcept,
  Condition,
  DocumentReference,
  EpisodeOfCare,
  Goal,
  HumanName,
  MedicationRequest,
  Observation,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import type { EcdClient, EcdExport, EcdPersonName } from './ecd-types';
import { addDays, ageOn, daysBetween, earlierDate, laterDate, localDateTime } from '../calendar';
import {
  CODE_SYSTEM,
  ecdCareAgreementSystem,
  ecdClientSystem,
  ecdEmployeeSystem,
  INZAGE_CANONICAL,
  NAMING_SYSTEM,
} from '../vocabulary';
import type { SandboxOrganisation } from './organisations';
import { displayName, fullFamilyName, makeName, type Sex } from './people';
import { Random } from './random';
import {
  DISABILITY_APPOINTMENTS,
  DISABILITY_MEDICATION,
  DISABILITY_PROBLEMS,
  DISABILITY_REPORTS,
  DISABILITY_STAFF,
  ELDERLY_APPOINTMENTS,
  ELDERLY_MEDICATION,
  ELDERLY_PROBLEMS,
  ELDERLY_REPORTS,
  ELDERLY_STAFF,
  GENERAL_GOAL,
  type StaffKind,
} from './texts';

const NL_CORE = 'http://nictiz.nl/fhir/StructureDefinition/';
const URA_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/ura';
const SNOMED = 'http://snomed.info/sct';
const UCUM = 'http://unitsofmeasure.org';
const ATC = 'http://www.whocc.no/atc';
const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
/** The sandbox's own document categories: no national code list covers these ECD document kinds. */
export const DOCUMENT_CATEGORY_SYSTEM = `${INZAGE_CANONICAL}/CodeSystem/sandbox-document-category`;

/** MedMij's code for a nursing report ("dagrapportage"), with the display Nictiz uses. */
const DAILY_REPORT: CodeableConcept = {
  coding: [{ system: SNOMED, code: '11591000146107', display: 'patiëntcontactverslag' }],
  text: 'Dagrapportage',
};

const VITAL_SIGNS_CATEGORY: CodeableConcept[] = [
  { coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }] },
];

interface StaffMember {
  kind: StaffKind;
  role: string;
  practitioner: Practitioner;
  reference: Reference<Practitioner>;
}

interface OrganisationContext {
  org: SandboxOrganisation;
  reference: Reference<Organization>;
  staff: StaffMember[];
  exportedAt: string;
}

function meta(lastUpdated: string, profile?: string): Resource['meta'] {
  return profile ? { versionId: '1', lastUpdated, profile: [profile] } : { versionId: '1', lastUpdated };
}

/** HumanName with the Dutch prefix kept apart in the standard own-prefix / own-name extensions. */
function humanName(name: EcdPersonName): HumanName {
  const family = fullFamilyName(name);
  const result: HumanName & { _family?: object } = {
    use: 'official',
    text: displayName(name),
    family,
    given: name.given,
  };
  if (name.prefix) {
    result._family = {
      extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/humanname-own-prefix', valueString: name.prefix },
        { url: 'http://hl7.org/fhir/StructureDefinition/humanname-own-name', valueString: name.family },
      ],
    };
  }
  return result;
}

function organisationResources(
  org: SandboxOrganisation,
  ecdExport: EcdExport,
  seed: number,
): { context: OrganisationContext; resources: Resource[] } {
  const rng = Random.derive(seed, `fhir:staff:${org.id}`);
  const since = localDateTime(addDays(ecdExport.exportedAt.slice(0, 10), -400), 9, 0);
  const organization: Organization = {
    resourceType: 'Organization',
    id: org.id,
    meta: meta(since, `${NL_CORE}nl-core-HealthcareProvider-Organization`),
    identifier: [{ system: URA_SYSTEM, value: org.ura }],
    active: true,
    name: org.name,
  };
  const orgRef: Reference<Organization> = { reference: `Organization/${org.id}`, display: org.name };
  const resources: Resource[] = [organization];
  const staffTexts = org.careType === 'elderly-care' ? ELDERLY_STAFF : DISABILITY_STAFF;
  const staff: StaffMember[] = [];
  staffTexts.forEach((text, index) => {
    const number = String(index + 1).padStart(2, '0');
    const sex: Sex = rng.chance(0.7) ? 'female' : 'male';
    const name = makeName(rng, 'middle', sex);
    const practitioner: Practitioner = {
      resourceType: 'Practitioner',
      id: `${org.idPrefix}-p${number}`,
      meta: meta(since, `${NL_CORE}nl-core-HealthProfessional-Practitioner`),
      identifier: [{ system: ecdEmployeeSystem(org.id), value: `M${number}` }],
      active: true,
      name: [humanName(name)],
      gender: sex,
    };
    const reference: Reference<Practitioner> = {
      reference: `Practitioner/${practitioner.id}`,
      display: displayName(name),
    };
    const role: PractitionerRole = {
      resourceType: 'PractitionerRole',
      id: `${org.idPrefix}-pr${number}`,
      meta: meta(since, `${NL_CORE}nl-core-HealthProfessional-PractitionerRole`),
      active: true,
      practitioner: reference,
      organization: orgRef,
      code: [{ text: text.role }],
    };
    resources.push(practitioner, role);
    staff.push({ kind: text.kind, role: text.role, practitioner, reference });
  });
  return { context: { org, reference: orgRef, staff, exportedAt: ecdExport.exportedAt }, resources };
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Builds one client's dossier: everything references Patient/<client id>. */
class DossierBuilder {
  readonly resources: Resource[] = [];
  private readonly counters = new Map<string, number>();
  readonly patientRef: Reference<Patient>;
  readonly primary: StaffMember;
  readonly physician: StaffMember;
  readonly behavioural: StaffMember;
  readonly therapist: StaffMember;
  readonly careStart: string;
  readonly careEnd: string | undefined;
  /** The last day anything was recorded: yesterday, or the last day of care. */
  readonly lastDay: string;
  /** The first day of the recent period the reports and measurements cover. */
  readonly firstDay: string;
  readonly elderly: boolean;

  constructor(
    readonly ctx: OrganisationContext,
    readonly client: EcdClient,
    readonly today: string,
    readonly rng: Random,
  ) {
    this.patientRef = { reference: `Patient/${client.id}`, display: displayName(client.name) };
    const ofKind = (kind: StaffKind): StaffMember[] => ctx.staff.filter((s) => s.kind === kind);
    this.primary = rng.pick(ofKind('primary'));
    this.physician = rng.pick(ofKind('physician'));
    this.behavioural = rng.pick(ofKind('behavioural'));
    this.therapist = rng.pick(ofKind('therapist'));
    const agreement = client.careAgreements[0];
    this.careStart = agreement?.start ?? addDays(today, -365);
    this.careEnd = agreement?.end;
    this.lastDay = earlierDate(this.careEnd ?? today, addDays(today, -1));
    this.firstDay = laterDate(this.careStart, addDays(this.lastDay, -110));
    this.elderly = ctx.org.careType === 'elderly-care';
  }

  id(kind: string): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return `${this.client.id}-${kind}${String(n).padStart(2, '0')}`;
  }

  /** A moment in the recent period, during the day shift. */
  recentMoment(fromHour = 7, toHour = 22): string {
    const day = addDays(this.firstDay, this.rng.int(0, daysBetween(this.firstDay, this.lastDay)));
    return localDateTime(day, this.rng.int(fromHour, toHour - 1), this.rng.int(0, 11) * 5);
  }

  /** The dossier entries in date order, as an ECD would list them. */
  recentMoments(count: number, fromHour?: number, toHour?: number): string[] {
    return Array.from({ length: count }, () => this.recentMoment(fromHour, toHour)).sort();
  }

  add<T extends Resource>(resource: T): T {
    this.resources.push(resource);
    return resource;
  }

  salutation(capitalised: boolean): string {
    const word =
      this.client.gender === 'male' ? 'meneer' : this.client.gender === 'female' ? 'mevrouw' : 'cliënt';
    return capitalised ? word.charAt(0).toUpperCase() + word.slice(1) : word;
  }

  fill(template: string): string {
    return template
      .replace(/\{Aanhef\}/g, this.salutation(true))
      .replace(/\{aanhef\}/g, this.salutation(false))
      .replace(/\{naam\}/g, this.client.name.given[0] ?? 'Cliënt');
  }
}

function patient(d: DossierBuilder): void {
  const { client, ctx } = d;
  const telecom: Patient['telecom'] = [];
  if (client.telecom?.email) telecom.push({ system: 'email', value: client.telecom.email, use: 'home' });
  if (client.telecom?.mobile) telecom.push({ system: 'phone', value: client.telecom.mobile, use: 'mobile' });
  const resource: Patient = {
    resourceType: 'Patient',
    id: client.id,
    meta: meta(localDateTime(d.careStart, 9, 0), `${NL_CORE}nl-core-Patient`),
    identifier: [
      ...(client.bsn ? [{ system: NAMING_SYSTEM.bsn, value: client.bsn }] : []),
      { system: ecdClientSystem(ctx.org.id), value: client.id },
    ],
    name: [humanName(client.name)],
    ...(telecom.length ? { telecom } : {}),
    gender: client.gender,
    birthDate: client.birthDate,
    ...(client.deceasedDate ? { deceasedDateTime: client.deceasedDate } : {}),
    managingOrganization: ctx.reference,
  };
  if (client.deceasedDate) {
    resource.meta = meta(localDateTime(client.deceasedDate, 16, 0), `${NL_CORE}nl-core-Patient`);
  }
  d.add(resource);
}

function episodeOfCare(d: DossierBuilder): void {
  for (const agreement of d.client.careAgreements) {
    const resource: EpisodeOfCare = {
      resourceType: 'EpisodeOfCare',
      id: d.id('zorg'),
      meta: meta(localDateTime(agreement.end ?? agreement.start, 9, 0)),
      identifier: [{ system: ecdCareAgreementSystem(d.ctx.org.id), value: agreement.id }],
      status: agreement.end && agreement.end < d.today ? 'finished' : 'active',
      type: [
        { text: d.elderly ? 'Langdurige zorg: verpleeghuiszorg' : 'Langdurige zorg: gehandicaptenzorg' },
      ],
      patient: d.patientRef,
      managingOrganization: d.ctx.reference,
      period: { start: agreement.start, ...(agreement.end ? { end: agreement.end } : {}) },
      careManager: d.primary.reference,
    };
    d.add(resource);
  }
}

function dailyReports(d: DossierBuilder): void {
  const templates = d.elderly ? ELDERLY_REPORTS : DISABILITY_REPORTS;
  const used = new Set<string>();
  for (const moment of d.recentMoments(d.rng.int(8, 12))) {
    let text = '';
    // A dossier where two days read word for word the same looks copied; draw again.
    for (let attempt = 0; attempt < 10 && (text === '' || used.has(text)); attempt++) {
      const [first, second] = d.rng.sample(templates, 2);
      text = d.fill(`${first} ${second}`);
    }
    used.add(text);
    const observation: Observation = {
      resourceType: 'Observation',
      id: d.id('rap'),
      meta: meta(moment),
      status: 'final',
      category: [DAILY_REPORT],
      code: DAILY_REPORT,
      subject: d.patientRef,
      effectiveDateTime: moment,
      performer: [d.rng.chance(0.7) ? d.primary.reference : d.rng.pick(d.ctx.staff.slice(0, 5)).reference],
      valueString: text,
    };
    d.add(observation);
  }
}

function vitalSign(
  d: DossierBuilder,
  moment: string,
  code: string,
  display: string,
  value: Pick<Observation, 'valueQuantity' | 'component'>,
): void {
  d.add<Observation>({
    resourceType: 'Observation',
    id: d.id('meting'),
    meta: meta(moment),
    status: 'final',
    category: VITAL_SIGNS_CATEGORY,
    code: { coding: [{ system: CODE_SYSTEM.loinc, code, display }], text: display },
    subject: d.patientRef,
    effectiveDateTime: moment,
    performer: [d.primary.reference],
    ...value,
  });
}

function quantity(value: number, unit: string, code: string): Observation['valueQuantity'] {
  return { value, unit, system: UCUM, code };
}

function measurements(d: DossierBuilder): void {
  const age = ageOn(d.client.birthDate, d.lastDay);
  const child = age < 18;
  const weightBase = child ? Math.max(14, age * 3 + 8) : d.elderly ? d.rng.int(52, 88) : d.rng.int(55, 95);
  for (const moment of d.recentMoments(2, 8, 11)) {
    const systolic = child ? d.rng.int(95, 118) : d.rng.int(112, 158);
    const diastolic = child ? d.rng.int(55, 75) : d.rng.int(62, 92);
    vitalSign(d, moment, '85354-9', 'Blood pressure panel with all children optional', {
      component: [
        {
          code: {
            coding: [{ system: CODE_SYSTEM.loinc, code: '8480-6', display: 'Systolic blood pressure' }],
          },
          valueQuantity: quantity(systolic, 'mmHg', 'mm[Hg]'),
        },
        {
          code: {
            coding: [{ system: CODE_SYSTEM.loinc, code: '8462-4', display: 'Diastolic blood pressure' }],
          },
          valueQuantity: quantity(diastolic, 'mmHg', 'mm[Hg]'),
        },
      ],
    });
  }
  for (const moment of d.recentMoments(2, 8, 11)) {
    const weight = round1(weightBase + (d.rng.next() - 0.5) * 2);
    vitalSign(d, moment, '29463-7', 'Body weight', { valueQuantity: quantity(weight, 'kg', 'kg') });
  }
  for (const moment of d.recentMoments(d.rng.int(1, 2), 8, 20)) {
    const temperature = round1(36.3 + d.rng.next() * 1.2);
    vitalSign(d, moment, '8310-5', 'Body temperature', { valueQuantity: quantity(temperature, '°C', 'Cel') });
  }
  for (const moment of d.recentMoments(d.rng.int(1, 2), 8, 11)) {
    const pulse = child ? d.rng.int(70, 110) : d.rng.int(58, 96);
    vitalSign(d, moment, '8867-4', 'Heart rate', { valueQuantity: quantity(pulse, 'beats/minute', '/min') });
  }
}

function carePlan(d: DossierBuilder): void {
  const problems = d.rng.sample(d.elderly ? ELDERLY_PROBLEMS : DISABILITY_PROBLEMS, d.rng.int(1, 2));
  const ended = d.careEnd !== undefined && d.careEnd < d.today;
  const planDate = localDateTime(addDays(d.careStart, 14), 11, 0);
  const conditions: Reference<Condition>[] = [];
  for (const problem of problems) {
    const condition: Condition = {
      resourceType: 'Condition',
      id: d.id('probleem'),
      meta: meta(planDate),
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      verificationStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }],
      },
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' },
          ],
        },
      ],
      code: { text: problem.condition },
      subject: d.patientRef,
      recordedDate: planDate,
      recorder: d.physician.reference,
    };
    d.add(condition);
    conditions.push({ reference: `Condition/${condition.id}`, display: problem.condition });
  }

  const goalTexts = [...problems, GENERAL_GOAL[d.ctx.org.careType]];
  const goals: Reference<Goal>[] = [];
  goalTexts.forEach((text, index) => {
    const condition = conditions[index];
    const goal: Goal = {
      resourceType: 'Goal',
      id: d.id('doel'),
      meta: meta(planDate),
      lifecycleStatus: ended ? 'completed' : 'active',
      description: { text: text.goal },
      subject: d.patientRef,
      startDate: addDays(d.careStart, 14),
      ...(condition ? { addresses: [condition] } : {}),
    };
    d.add(goal);
    goals.push({ reference: `Goal/${goal.id}` });
  });

  const team: CareTeam = {
    resourceType: 'CareTeam',
    id: d.id('team'),
    meta: meta(planDate),
    status: ended ? 'inactive' : 'active',
    name: `Zorgteam ${displayName(d.client.name)}`,
    subject: d.patientRef,
    period: { start: d.careStart, ...(d.careEnd ? { end: d.careEnd } : {}) },
    participant: [d.primary, d.physician, d.behavioural].map((member) => ({
      role: [{ text: member.role }],
      member: member.reference,
    })),
    managingOrganization: [d.ctx.reference],
  };
  d.add(team);

  const plan: CarePlan = {
    resourceType: 'CarePlan',
    id: d.id('zorgplan'),
    meta: meta(planDate),
    status: ended ? 'completed' : 'active',
    intent: 'plan',
    title: `${d.ctx.org.carePlanTitle} ${displayName(d.client.name)}`,
    category: [{ text: d.ctx.org.carePlanTitle }],
    subject: d.patientRef,
    period: { start: d.careStart, ...(d.careEnd ? { end: d.careEnd } : {}) },
    created: planDate,
    author: d.primary.reference,
    careTeam: [{ reference: `CareTeam/${team.id}` }],
    addresses: conditions,
    goal: goals,
    activity: goalTexts.map((text, index) => ({
      detail: {
        status: ended ? 'completed' : 'in-progress',
        description: text.activity,
        goal: [goals[index] as Reference<Goal>],
        performer: [d.primary.reference],
      },
    })),
  };
  d.add(plan);
}

function appointments(d: DossierBuilder): void {
  const templates = d.elderly ? ELDERLY_APPOINTMENTS : DISABILITY_APPOINTMENTS;
  const ended = d.careEnd !== undefined && d.careEnd < d.today;
  const staffOf = (kind: StaffKind): StaffMember =>
    kind === 'primary'
      ? d.primary
      : kind === 'physician'
        ? d.physician
        : kind === 'behavioural'
          ? d.behavioural
          : d.therapist;
  const schedule = (day: string, past: boolean): void => {
    const text = d.rng.pick(templates);
    const hour = d.rng.int(9, 15);
    const minute = d.rng.pick([0, 15, 30, 45]);
    const start = localDateTime(day, hour, minute);
    const endMinutes = hour * 60 + minute + text.minutes;
    const end = localDateTime(day, Math.floor(endMinutes / 60), endMinutes % 60);
    const booked = earlierDate(addDays(day, -d.rng.int(7, 30)), addDays(d.today, -1));
    const status: Appointment['status'] = past ? 'fulfilled' : ended ? 'cancelled' : 'booked';
    const appointment: Appointment = {
      resourceType: 'Appointment',
      id: d.id('afspraak'),
      meta: meta(
        status === 'cancelled' ? localDateTime(d.careEnd ?? d.today, 12, 0) : localDateTime(booked, 10, 0),
      ),
      status,
      ...(status === 'cancelled' ? { cancelationReason: { text: 'Zorg beëindigd' } } : {}),
      description: text.description,
      start,
      end,
      minutesDuration: text.minutes,
      created: laterDate(booked, d.careStart),
      participant: [
        { actor: d.patientRef, status: 'accepted' },
        { actor: staffOf(text.with).reference, status: 'accepted' },
      ],
    };
    d.add(appointment);
  };
  const pastCount = d.rng.int(2, 3);
  for (let i = 0; i < pastCount; i++) {
    schedule(addDays(d.firstDay, d.rng.int(0, daysBetween(d.firstDay, d.lastDay))), true);
  }
  const futureCount = d.rng.int(1, 2);
  for (let i = 0; i < futureCount; i++) {
    schedule(addDays(d.today, d.rng.int(2, 60)), false);
  }
}

function medication(d: DossierBuilder): void {
  const ended = d.careEnd !== undefined && d.careEnd < d.today;
  for (const text of d.rng.sample(d.elderly ? ELDERLY_MEDICATION : DISABILITY_MEDICATION, d.rng.int(2, 3))) {
    const authored = localDateTime(
      addDays(d.careStart, d.rng.int(1, Math.max(1, daysBetween(d.careStart, d.lastDay) - 1))),
      d.rng.int(9, 16),
      0,
    );
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      id: d.id('med'),
      meta: meta(ended ? localDateTime(d.careEnd ?? d.today, 12, 0) : authored),
      status: ended ? 'stopped' : 'active',
      intent: 'order',
      medicationCodeableConcept: {
        coding: [{ system: ATC, code: text.atc, display: text.atcDisplay }],
        text: text.text,
      },
      subject: d.patientRef,
      authoredOn: authored,
      requester: d.physician.reference,
      dosageInstruction: [{ text: text.dosage }],
    };
    d.add(request);
  }
}

function document(
  d: DossierBuilder,
  moment: string,
  category: { code: string; display: string },
  title: string,
  author: StaffMember,
  text: string,
): void {
  const resource: DocumentReference = {
    resourceType: 'DocumentReference',
    id: d.id('doc'),
    meta: meta(moment),
    status: 'current',
    docStatus: 'final',
    type: { text: category.display },
    category: [{ coding: [{ system: DOCUMENT_CATEGORY_SYSTEM, ...category }], text: category.display }],
    subject: d.patientRef,
    date: moment,
    author: [author.reference],
    description: title,
    content: [
      {
        attachment: {
          contentType: 'text/plain; charset=utf-8',
          language: 'nl',
          data: base64(text),
          title,
          creation: moment,
        },
      },
    ],
  };
  d.add(resource);
}

function documents(d: DossierBuilder): void {
  const name = displayName(d.client.name);
  const orgName = d.ctx.org.name;
  const signed = localDateTime(d.careStart, 10, 30);
  document(
    d,
    signed,
    { code: 'care-agreement', display: 'Zorgleveringsovereenkomst' },
    `Zorgleveringsovereenkomst ${name}`,
    d.primary,
    [
      `Zorgleveringsovereenkomst tussen ${orgName} en ${name}.`,
      `Ingangsdatum: ${d.careStart}.`,
      'De overeenkomst is door beide partijen gelezen en ondertekend.',
      '(Synthetische demonstratiegegevens.)',
    ].join('\n'),
  );

  const evaluation = d.recentMoment(10, 16);
  document(
    d,
    evaluation,
    { code: 'care-plan-evaluation', display: 'Evaluatie zorgplan' },
    `Evaluatie ${d.ctx.org.carePlanTitle.toLowerCase()}`,
    d.primary,
    [
      `Evaluatie ${d.ctx.org.carePlanTitle.toLowerCase()} van ${name} op ${evaluation.slice(0, 10)}.`,
      'De doelen zijn besproken. De meeste afspraken lopen goed; de dagstructuur blijft belangrijk.',
      'Afgesproken: de huidige aanpak voortzetten en over drie maanden opnieuw evalueren.',
    ].join('\n'),
  );

  if (d.rng.chance(0.6)) {
    const mdo = d.recentMoment(13, 16);
    document(
      d,
      mdo,
      { code: 'mdo-report', display: 'Verslag multidisciplinair overleg' },
      'Verslag MDO',
      d.physician,
      [
        `Multidisciplinair overleg over ${name} op ${mdo.slice(0, 10)}.`,
        `Aanwezig: ${d.primary.role}, ${d.physician.role}, ${d.behavioural.role}.`,
        'Besproken: welbevinden, medicatie en de doelen uit het plan. Geen wijzigingen in het beleid.',
      ].join('\n'),
    );
  }

  if (d.rng.chance(0.4)) {
    const letter = d.recentMoment(9, 12);
    document(
      d,
      letter,
      { code: 'letter', display: 'Brief' },
      d.elderly ? 'Brief over de griepvaccinatie' : 'Uitnodiging jaarlijks evaluatiegesprek',
      d.elderly ? d.physician : d.primary,
      d.elderly
        ? `Beste ${name},\nOok dit jaar bieden wij de griepvaccinatie aan op de afdeling. Laat ons weten als u daar vragen over heeft.\nMet vriendelijke groet,\n${orgName}`
        : `Beste ${name},\nGraag nodigen wij u uit voor het jaarlijkse gesprek over het ondersteuningsplan.\nMet vriendelijke groet,\n${orgName}`,
    );
  }
}

/** The FHIR side of the sandbox: organisations, staff, and one dossier per ECD client. */
export function generateFhirResources(
  ecdExports: EcdExport[],
  organisations: readonly SandboxOrganisation[],
  seed: number,
  today: string,
): Resource[] {
  const resources: Resource[] = [];
  for (const ecdExport of ecdExports) {
    const org = organisations.find((o) => o.id === ecdExport.organisation.id);
    if (!org) {
      throw new Error(`No sandbox organisation ${ecdExport.organisation.id}`);
    }
    const { context, resources: orgResources } = organisationResources(org, ecdExport, seed);
    resources.push(...orgResources);
    for (const client of ecdExport.clients) {
      const dossier = new DossierBuilder(context, client, today, Random.derive(seed, `fhir:${client.id}`));
      patient(dossier);
      episodeOfCare(dossier);
      carePlan(dossier);
      dailyReports(dossier);
      measurements(dossier);
      medication(dossier);
      appointments(dossier);
      documents(dossier);
      resources.push(...dossier.resources);
    }
  }
  return resources;
}
