import type {
  Appointment,
  CarePlan,
  DocumentReference,
  Medication,
  MedicationRequest,
  Observation,
  Patient,
  Practitioner,
  Resource,
} from '@medplum/fhirtypes';
import type {
  AccessDecision,
  AccessPrincipal,
  AccessRequest,
  DataPeriod,
  FhirSearch,
  SearchParameter,
  SecurityLabel,
} from '../../src/consent';
import { isGatewayError } from '../../src/errors';
import { PORTAL_SECTIONS, type PortalSection } from '../../src/vocabulary';

/**
 * The contract every access decision path keeps (after google/fhir-gateway's AccessCheckerTestBase):
 * one suite, run against each way a decision can come out, each checked the way the FHIR pipeline
 * will use it: check → narrow → judge. A subject supplies the engine and one principal per path;
 * the suite supplies the requests and resources, and knows from `allows` what must come out.
 */

/** The decision paths every subject must provide. */
export const DECISION_PATHS = [
  'permit full (the client)',
  'permit via grants (some sections, one with a period)',
  'deny: no Consent',
  'deny: suspension',
  'deny: care ended',
  'deny: unknown client',
] as const;
export type DecisionPath = (typeof DECISION_PATHS)[number];

export interface PathCase {
  readonly principal: AccessPrincipal;
  /** The sections the path allows (none for a deny); must include 'reports' for a permit. */
  readonly allows: readonly PortalSection[];
  /** Periods of data per allowed section (from grants' dataPeriod). */
  readonly periods?: Partial<Record<PortalSection, DataPeriod>>;
  /** Security labels excluded per allowed section (from label-limited denies). */
  readonly excludes?: Partial<Record<PortalSection, SecurityLabel>>;
  /** Whether the preset keeps employees' identities out (A-2). */
  readonly masks: boolean;
  /** For a deny: the rule id the basis must name. */
  readonly rule?: string;
}

export interface ContractSubject {
  check(principal: AccessPrincipal, request: AccessRequest): Promise<AccessDecision>;
  readonly at: Date;
  /** Another client of the same organisation. */
  readonly otherPatient: `Patient/${string}`;
  readonly paths: Readonly<Record<DecisionPath, PathCase>>;
}

const EMPLOYEE_NAME = 'Jansen-Verpleegkundige';

/** Everything in it, frozen: a judge or narrow that writes to its input throws in strict mode. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

interface ObservationOptions {
  id?: string;
  subject?: string;
  category?: string;
  effective?: string;
  performer?: Observation['performer'];
  security?: Array<{ system?: string; code: string }>;
}

function observation(patient: string, options: ObservationOptions = {}): Observation {
  const category = options.category ?? 'survey';
  return {
    resourceType: 'Observation',
    id: options.id ?? `obs-${category}`,
    meta: {
      versionId: '3',
      lastUpdated: '2026-10-01T08:00:00+02:00',
      ...(options.security ? { security: options.security } : {}),
    },
    text: {
      status: 'generated',
      div: `<div xmlns="http://www.w3.org/1999/xhtml">Gemeten door ${EMPLOYEE_NAME}</div>`,
    },
    status: 'final',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: category }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel' }] },
    subject: { reference: options.subject ?? patient, display: 'Cliënt Test' },
    effectiveDateTime: options.effective ?? '2026-10-01T09:30:00+02:00',
    performer: options.performer ?? [{ reference: 'Practitioner/emp-1', display: EMPLOYEE_NAME }],
    note: [{ authorString: EMPLOYEE_NAME, text: 'Rustig gemeten.' }],
    valueQuantity: { value: 128, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
  };
}

/** A resource of a section, in the patient's compartment, dated `date`. */
function resourceOf(section: PortalSection, patient: string, date = '2026-10-01'): Resource {
  switch (section) {
    case 'reports':
      return observation(patient, { category: 'survey', effective: `${date}T09:30:00+02:00` });
    case 'measurements':
      return observation(patient, { category: 'vital-signs', effective: `${date}T09:30:00+02:00` });
    case 'appointments':
      return {
        resourceType: 'Appointment',
        id: 'appt-1',
        status: 'booked',
        start: `${date}T10:00:00+02:00`,
        end: `${date}T10:30:00+02:00`,
        participant: [
          { actor: { reference: patient }, status: 'accepted' },
          { actor: { reference: 'Practitioner/emp-1', display: EMPLOYEE_NAME }, status: 'accepted' },
        ],
      } satisfies Appointment;
    case 'documents':
      return {
        resourceType: 'DocumentReference',
        id: 'doc-1',
        status: 'current',
        subject: { reference: patient },
        date: `${date}T12:00:00+02:00`,
        author: [{ reference: 'Practitioner/emp-1', display: EMPLOYEE_NAME }],
        content: [{ attachment: { contentType: 'application/pdf', url: 'Binary/pdf-1', title: 'Zorgplan' } }],
      } satisfies DocumentReference;
    case 'care-plan':
      return {
        resourceType: 'CarePlan',
        id: 'cp-1',
        status: 'active',
        intent: 'plan',
        subject: { reference: patient },
        period: { start: date, end: date },
      } satisfies CarePlan;
    case 'medication':
      return {
        resourceType: 'MedicationRequest',
        id: 'mr-1',
        status: 'active',
        intent: 'order',
        subject: { reference: patient },
        authoredOn: `${date}T08:00:00+02:00`,
        medicationCodeableConcept: { text: 'Paracetamol 500 mg' },
        requester: { reference: 'Practitioner/emp-1', display: EMPLOYEE_NAME },
      } satisfies MedicationRequest;
    case 'basic-details':
      return {
        resourceType: 'Patient',
        id: patient.slice('Patient/'.length),
        name: [{ family: 'Test', given: ['Cliënt'] }],
        birthDate: '1940-05-17',
      } satisfies Patient;
  }
}

/** The type of a section's resources when that type is in no other section. */
const SINGLE_SECTION_TYPE: Partial<Record<PortalSection, string>> = {
  appointments: 'Appointment',
  documents: 'DocumentReference',
  'care-plan': 'CarePlan',
  medication: 'MedicationRequest',
  'basic-details': 'Patient',
};

function search(resourceType: string, ...parameters: SearchParameter[]): FhirSearch {
  return deepFreeze({ resourceType, parameters });
}

function request(
  subject: ContractSubject,
  resourceType: string,
  ...parameters: SearchParameter[]
): AccessRequest {
  return deepFreeze({ interaction: 'search', resourceType, parameters, at: subject.at });
}

function expectRefusal(run: () => unknown, code: string, status: number): void {
  let thrown: unknown;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeDefined();
  expect(isGatewayError(thrown)).toBe(true);
  expect(thrown).toMatchObject({ code, status });
}

function shown(judgement: ReturnType<AccessDecision['judge']>): Resource | undefined {
  return judgement.show ? judgement.resource : undefined;
}

/** The contract, run against `setup`'s subject. */
export function describeAccessDecisionContract(
  label: string,
  setup: () => Promise<ContractSubject>,
  teardown: () => Promise<void>,
): void {
  describe(`A.2 access decision contract: ${label}`, () => {
    let subject: ContractSubject;
    beforeAll(async () => {
      subject = await setup();
    });
    afterAll(teardown);

    describe.each(DECISION_PATHS.filter((p) => p.startsWith('permit')))('%s', (path) => {
      const caseOf = () => subject.paths[path];
      const patientOf = () => caseOf().principal.patient;
      const decide = (resourceType: string, ...parameters: SearchParameter[]) =>
        subject.check(caseOf().principal, request(subject, resourceType, ...parameters));

      it('A.2: is allowed, says which sections, and its extent is exact', async () => {
        const path = caseOf();
        expect(path.allows).toContain('reports');
        const decision = await decide('Observation');
        expect(decision.allowed).toBe(true);
        expect(decision.requested).toEqual(['reports', 'measurements']);
        const allowed = decision.requested.filter((s) => path.allows.includes(s));
        expect(decision.sections.map((s) => s.section)).toEqual(allowed);
        expect(decision.extent).toBe(allowed.length === decision.requested.length ? 'all' : 'some');
        expect(decision.basis.length).toBeGreaterThan(0);
        const everything = await decide('Observation', { name: 'category', value: 'survey' });
        expect(everything.requested).toEqual(['reports']);
        expect(everything.extent).toBe('all');
      });

      it('A.2: narrow binds the search to the patient and to the allowed sections, and is pure', async () => {
        const path = caseOf();
        const decision = await decide('Observation');
        const input = search('Observation', { name: 'code', value: 'http://loinc.org|85354-9' });
        const narrowed = decision.narrow(input);
        expect(decision.narrow(input)).toEqual(narrowed);
        expect(input.parameters).toEqual([{ name: 'code', value: 'http://loinc.org|85354-9' }]);
        expect(narrowed.resourceType).toBe('Observation');
        expect(narrowed.parameters).toContainEqual({ name: 'code', value: 'http://loinc.org|85354-9' });
        expect(narrowed.parameters).toContainEqual({ name: 'subject', value: patientOf() });
        const categories = narrowed.parameters.filter((p) => p.name === 'category');
        if (path.allows.includes('measurements')) expect(categories).toEqual([]);
        else
          expect(categories).toEqual([
            { name: 'category', modifier: 'not', value: 'vital-signs' },
            { name: 'category', modifier: 'not', value: 'laboratory' },
          ]);
        if (path.allows.includes('basic-details')) {
          const patient = (await decide('Patient')).narrow(search('Patient'));
          expect(patient.parameters).toEqual([{ name: '_id', value: patientOf().slice('Patient/'.length) }]);
        }
      });

      it('A.2: judge shows a resource of an allowed section in the compartment, and refuses the others', async () => {
        const path = caseOf();
        const decision = await decide('Observation');
        for (const section of PORTAL_SECTIONS) {
          const resource = deepFreeze(resourceOf(section, patientOf()));
          const judgement = decision.judge(resource);
          expect([section, judgement.show]).toEqual([section, path.allows.includes(section)]);
          if (!judgement.show) expect(judgement.reason).toMatch(/not allowed/);
        }
      });

      it('A.2: a type whose sections are not allowed is refused by narrow', async () => {
        const path = caseOf();
        for (const [section, type] of Object.entries(SINGLE_SECTION_TYPE)) {
          const decision = await decide(type);
          if (path.allows.includes(section as PortalSection)) {
            expect(decision.allowed).toBe(true);
            expect(() => decision.narrow(search(type))).not.toThrow();
          } else {
            expect(decision.allowed).toBe(false);
            expectRefusal(() => decision.narrow(search(type)), 'ERR_ACCESS_DENIED', 403);
          }
        }
      });

      it.each<[string, (patient: string) => Partial<ObservationOptions>, boolean]>([
        ['the patient as subject', (p) => ({ subject: p }), true],
        ["an id the patient's id is a prefix of (12 vs 123)", (p) => ({ subject: `${p}2` }), false],
        ["a prefix of the patient's id", (p) => ({ subject: p.slice(0, -1) }), false],
        ['a bare id', (p) => ({ subject: p.slice('Patient/'.length) }), false],
        ['an absolute URL', (p) => ({ subject: `https://ecd.example/fhir/${p}` }), false],
        ['a versioned reference', (p) => ({ subject: `${p}/_history/1` }), false],
        [
          'the patient in the compartment only as performer',
          (p) => ({ subject: 'Group/g1', performer: [{ reference: p }] }),
          true,
        ],
      ])('A.2: the compartment is matched exactly: %s', async (_name, variant, inCompartment) => {
        const decision = await decide('Observation');
        const resource = deepFreeze(observation(patientOf(), variant(patientOf())));
        const judgement = decision.judge(resource);
        expect(judgement.show).toBe(inCompartment);
        if (!judgement.show) expect(judgement.reason).toMatch(/compartment/);
      });

      it("A.2: another client's resources are refused, and so is asking for them", async () => {
        const decision = await decide('Observation');
        expect(decision.judge(deepFreeze(observation(subject.otherPatient))).show).toBe(false);
        expect(decision.judge(deepFreeze(resourceOf('basic-details', subject.otherPatient))).show).toBe(
          false,
        );
        expectRefusal(
          () => decision.narrow(search('Observation', { name: 'subject', value: subject.otherPatient })),
          'ERR_UNSAFE_QUERY',
          400,
        );
        expectRefusal(
          () => decision.narrow(search('Observation', { name: 'patient', value: subject.otherPatient })),
          'ERR_UNSAFE_QUERY',
          400,
        );
        const patients = await decide('Patient');
        if (patients.allowed)
          expectRefusal(
            () =>
              patients.narrow(
                search('Patient', { name: '_id', value: subject.otherPatient.slice('Patient/'.length) }),
              ),
            'ERR_UNSAFE_QUERY',
            400,
          );
      });

      it.each<[string, SearchParameter]>([
        ['_has', { name: '_has', modifier: 'Observation:patient:code', value: '1234-5' }],
        ['a chain', { name: 'subject.name', value: 'Test' }],
        ['a chain behind a type modifier', { name: 'subject', modifier: 'Patient.name', value: 'Test' }],
        ['_filter', { name: '_filter', value: 'code eq 1234-5 or subject ne x' }],
        ['_type', { name: '_type', value: 'Observation,Condition' }],
        ['_query', { name: '_query', value: 'everything' }],
        ['_content', { name: '_content', value: 'Jansen' }],
        ['_elements', { name: '_elements', value: 'code' }],
        ['a bare patient id', { name: 'subject', value: 'x' }],
        ['an unknown parameter', { name: 'frobnicate', value: '1' }],
        ['an unknown modifier', { name: 'code', modifier: 'sounds-like', value: 'x' }],
        [
          'an identifier modifier on a reference',
          { name: 'subject', modifier: 'identifier', value: 'bsn|1' },
        ],
        ['an iterating include', { name: '_include', modifier: 'iterate', value: 'Observation:subject' }],
        ['a composite parameter', { name: 'code-value-quantity', value: '1234-5$gt5' }],
        ['the compartment parameter as missing', { name: 'subject', modifier: 'missing', value: 'true' }],
      ])('A.2: narrow refuses %s with UnsafeQuery', async (_name, parameter) => {
        const decision = await decide('Observation');
        expectRefusal(() => decision.narrow(search('Observation', parameter)), 'ERR_UNSAFE_QUERY', 400);
      });

      it('A.2: narrow keeps parameters that only narrow further', async () => {
        const decision = await decide('Observation');
        const kept: SearchParameter[] = [
          { name: 'date', value: 'ge2026-01-01' },
          { name: 'code', modifier: 'not', value: 'x' },
          { name: 'status', value: 'final,amended' },
          { name: '_count', value: '50' },
          { name: '_sort', value: '-date' },
          { name: '_include', value: 'Observation:subject' },
          { name: '_lastUpdated', value: 'gt2026-01-01' },
          { name: 'subject', value: patientOf() },
        ];
        expect(decision.narrow(search('Observation', ...kept)).parameters).toEqual(
          expect.arrayContaining(kept),
        );
      });

      it('A.2: a resource outside the period of data allowed is refused; narrow bounds the date', async () => {
        const path = caseOf();
        for (const section of path.allows) {
          const period = path.periods?.[section];
          const old = deepFreeze(resourceOf(section, patientOf(), '2019-06-01'));
          const recent = deepFreeze(resourceOf(section, patientOf(), '2026-10-01'));
          const decision = await decide(old.resourceType);
          expect(decision.judge(recent).show).toBe(true);
          expect([section, decision.judge(old).show]).toEqual([section, period === undefined]);
          if (period?.start) {
            const type = SINGLE_SECTION_TYPE[section]!;
            const bound = decision.narrow(search(type)).parameters.filter((p) => p.value.startsWith('ge'));
            expect(bound).toHaveLength(1);
            const allowed = decision.sections.find((s) => s.section === section);
            expect(allowed?.period).toEqual(period);
          }
        }
      });

      it("A.2: masking (A-2) leaves employees' names out of a copy, or leaves the resource as it is", async () => {
        const path = caseOf();
        const decision = await decide('Appointment');
        const resource = deepFreeze(resourceOf('appointments', patientOf()));
        const before = JSON.stringify(resource);
        const result = shown(decision.judge(resource));
        expect(result).toBeDefined();
        expect(JSON.stringify(resource)).toBe(before);
        if (path.masks) {
          expect(JSON.stringify(result)).not.toContain(EMPLOYEE_NAME);
          expect(JSON.stringify(result)).not.toContain('Practitioner/emp-1');
          expect((result as Appointment).participant[0]?.actor).toEqual({ reference: patientOf() });
          expect(decision.obligations).toContainEqual({ kind: 'mask-employees', rule: 'A-2' });
          const report = shown(decision.judge(deepFreeze(observation(patientOf()))));
          expect(JSON.stringify(report)).not.toContain(EMPLOYEE_NAME);
          expect((report as Observation).text).toBeUndefined();
        } else {
          expect(result).toBe(resource);
        }
      });

      it('A.2: a resource carrying a label or tag excluded from its section is refused, others pass', async () => {
        const path = caseOf();
        const decision = await decide('Observation');
        const other = deepFreeze(
          observation(patientOf(), { security: [{ system: 'urn:example:labels', code: 'X' }] }),
        );
        expect(decision.judge(other).show).toBe(true);
        for (const [section, label] of Object.entries(path.excludes ?? {})) {
          expect(section).toBe('reports');
          const labelled = deepFreeze(
            observation(patientOf(), { security: [{ system: label.system, code: label.code! }] }),
          );
          expect(decision.judge(labelled)).toEqual({ show: false, reason: expect.stringMatching(/label/) });
          const tagged = deepFreeze({
            ...observation(patientOf()),
            meta: { tag: [{ system: label.system, code: label.code }] },
          });
          expect(decision.judge(tagged).show).toBe(false);
          const elsewhere = deepFreeze(
            observation(patientOf(), { security: [{ system: 'urn:example:labels', code: label.code! }] }),
          );
          expect(decision.judge(elsewhere).show).toBe(true);
          expect(decision.obligations).toContainEqual({ kind: 'exclude-labels', section, labels: [label] });
        }
      });

      it('A.2: an unknown type, and types no patient compartment holds, are refused', async () => {
        const unknown = await decide('Encounter');
        expect(unknown.allowed).toBe(false);
        expect(unknown.basis).toContainEqual(expect.objectContaining({ kind: 'rule', rule: 'gateway' }));
        expectRefusal(() => unknown.narrow(search('Encounter')), 'ERR_ACCESS_DENIED', 403);
        const decision = await decide('Observation');
        const encounter = deepFreeze({
          resourceType: 'Encounter',
          id: 'e1',
          status: 'finished',
          subject: { reference: patientOf() },
        });
        expect(decision.judge(encounter as Resource).show).toBe(false);
        const medication: Medication = {
          resourceType: 'Medication',
          id: 'm1',
          code: { text: 'Paracetamol' },
        };
        const practitioner: Practitioner = {
          resourceType: 'Practitioner',
          id: 'emp-1',
          name: [{ family: EMPLOYEE_NAME }],
        };
        for (const resource of [
          medication,
          practitioner,
          { resourceType: 'Organization', id: 'o1' } as Resource,
        ]) {
          const judgement = (await decide(resource.resourceType)).judge(deepFreeze(resource));
          expect([resource.resourceType, judgement.show]).toEqual([resource.resourceType, false]);
        }
        expect(decision.judge(deepFreeze({ id: 'x' }) as unknown as Resource).show).toBe(false);
        expect(decision.judge(null as unknown as Resource).show).toBe(false);
      });

      it('A.2: writes are refused whatever the Consents say', async () => {
        const write = await subject.check(caseOf().principal, {
          interaction: 'update',
          resourceType: 'Observation',
          id: 'obs-survey',
          parameters: [],
          at: subject.at,
        });
        expect(write.allowed).toBe(false);
        expect(write.judge(deepFreeze(observation(patientOf()))).show).toBe(false);
      });
    });

    describe.each(DECISION_PATHS.filter((p) => p.startsWith('deny')))('%s', (path) => {
      const caseOf = () => subject.paths[path];

      it('A.2: is not allowed, allows no section, and says why', async () => {
        const decision = await subject.check(caseOf().principal, request(subject, 'Observation'));
        expect(caseOf().allows).toEqual([]);
        expect(decision.allowed).toBe(false);
        expect(decision.extent).toBe('none');
        expect(decision.sections).toEqual([]);
        expect(decision.obligations).toEqual([]);
        expect(decision.basis).toContainEqual(expect.objectContaining({ kind: 'rule', rule: caseOf().rule }));
      });

      it('A.2: narrow refuses every search, and judge shows nothing', async () => {
        const patient = caseOf().principal.patient;
        for (const section of PORTAL_SECTIONS) {
          const resource = deepFreeze(resourceOf(section, patient));
          const decision = await subject.check(caseOf().principal, request(subject, resource.resourceType));
          expectRefusal(() => decision.narrow(search(resource.resourceType)), 'ERR_ACCESS_DENIED', 403);
          expect(decision.judge(resource)).toEqual({ show: false, reason: expect.any(String) });
        }
      });
    });
  });
}
