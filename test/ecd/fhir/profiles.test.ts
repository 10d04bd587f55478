import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseStructureDefinition } from '@medplum/core';
import type { CodeSystem, ElementDefinition, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { loadInzageProfiles } from '../../../src/ecd/fhir';
import {
  CODE_SYSTEM,
  COD472_OF_ROLE,
  EXTENSION,
  INZAGE_CANONICAL,
  PORTAL_SECTIONS,
  PROFILE,
  VALUE_SET,
} from '../../../src/vocabulary';

const ROOT = join(__dirname, '../../..');
const DIR = join(ROOT, 'fhir-profiles');

function read<T>(name: string): T {
  return JSON.parse(readFileSync(join(DIR, name), 'utf8')) as T;
}

const files = readdirSync(DIR).filter((n) => n.endsWith('.json'));
const structureDefinitions = files
  .filter((n) => n.startsWith('StructureDefinition-'))
  .map((n) => read<StructureDefinition>(n));
const byUrl = new Map<string, { resourceType: string; url?: string }>(
  files.map((n) => read<{ resourceType: string; url?: string }>(n)).map((r) => [r.url ?? '', r]),
);

const slicePath = (id: string) => id.replace(/:[^.]+/g, '');

describe('fhir-profiles/', () => {
  beforeAll(() => loadInzageProfiles());

  it('holds what scripts/build-profiles.mjs generates from fhir-profiles/src now', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'scripts/build-profiles.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(out).toContain('up to date');
  });

  it('ships the three profiles, five extensions, six CodeSystems and six ValueSets', () => {
    const kinds = (type: string) => files.filter((n) => n.startsWith(`${type}-`)).length;
    expect(kinds('StructureDefinition')).toBe(8);
    expect(kinds('CodeSystem')).toBe(6);
    expect(kinds('ValueSet')).toBe(6);
    for (const url of [...Object.values(PROFILE), ...Object.values(EXTENSION), ...Object.values(VALUE_SET)]) {
      expect(byUrl.has(url)).toBe(true);
    }
    for (const url of Object.values(CODE_SYSTEM).filter((u) => u.startsWith(INZAGE_CANONICAL))) {
      expect(byUrl.has(url)).toBe(true);
    }
    expect(byUrl.get(CODE_SYSTEM.cod472)).toMatchObject({ resourceType: 'CodeSystem', content: 'fragment' });
  });

  it('lists every artefact in its README', () => {
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    for (const name of files) expect(readme).toContain(name);
  });

  describe.each(structureDefinitions.map((sd) => [sd.id, sd] as const))('%s', (_id, sd) => {
    const snapshot = sd.snapshot?.element ?? [];

    it('has a snapshot whose element ids are unique and match their paths', () => {
      expect(snapshot.length).toBeGreaterThan(1);
      const ids = snapshot.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const e of snapshot) {
        expect(e.path).toBe(slicePath(e.id ?? ''));
        expect(e.path?.split('.')[0]).toBe(sd.type);
      }
    });

    it('carries every constraint of its differential', () => {
      for (const diff of sd.differential?.element ?? []) {
        const element = snapshot.find((e) => e.id === diff.id);
        expect(element).toBeDefined();
        for (const [key, value] of Object.entries(diff)) {
          if (key === 'constraint') {
            for (const c of value as NonNullable<ElementDefinition['constraint']>) {
              expect(element?.constraint).toContainEqual(c);
            }
          } else {
            expect([diff.id, key, element?.[key as keyof ElementDefinition]]).toEqual([diff.id, key, value]);
          }
        }
      }
    });

    it('slices only sliced elements, and spells out the url of every extension slice', () => {
      for (const slice of snapshot.filter((e) => e.sliceName)) {
        const sliced = snapshot.find((e) => e.id === slice.id?.slice(0, slice.id.lastIndexOf(':')));
        expect(sliced?.slicing?.discriminator?.length).toBeGreaterThan(0);
        const profile = slice.type?.[0]?.profile?.[0];
        if (slice.type?.[0]?.code === 'Extension' && profile) {
          expect(snapshot.find((e) => e.id === `${slice.id}.url`)?.fixedUri).toBe(profile);
          expect(byUrl.get(profile)?.resourceType).toBe('StructureDefinition');
        }
      }
    });

    it('is parsed by @medplum/core with its slices', () => {
      const schema = parseStructureDefinition(sd);
      expect(schema.url).toBe(sd.url);
      for (const slice of snapshot.filter((e) => e.sliceName)) {
        const name = slicePath(slice.id ?? '')
          .split('.')
          .slice(1)
          .join('.');
        const names = schema.elements[name]?.slicing?.slices.map((s) => s.name);
        expect(names).toContain(slice.sliceName);
      }
    });

    it('is published under the gateway canonical as draft R4', () => {
      expect(sd.url).toBe(`${INZAGE_CANONICAL}/StructureDefinition/${sd.id}`);
      expect(sd).toMatchObject({ status: 'draft', fhirVersion: '4.0.1', derivation: 'constraint' });
    });
  });

  it('says which nl-core profile and version the Patient and contact person align with', () => {
    const description = (url: string) => structureDefinitions.find((sd) => sd.url === url)?.description ?? '';
    expect(description(PROFILE.patient)).toContain(
      'http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient',
    );
    expect(description(PROFILE.contactPerson)).toContain(
      'http://nictiz.nl/fhir/StructureDefinition/nl-core-ContactPerson',
    );
    for (const url of [PROFILE.patient, PROFILE.contactPerson])
      expect(description(url)).toContain('0.12.1-beta.1');
    expect(description(PROFILE.portalAccessConsent)).toContain('IHE PCF');
  });

  it('defines exactly the ECD export portal sections, with Dutch designations', () => {
    const cs = read<CodeSystem>('CodeSystem-portal-section.json');
    expect(cs.concept?.map((c) => c.code)).toEqual([...PORTAL_SECTIONS]);
    expect(cs.concept?.map((c) => c.designation?.find((d) => d.language === 'nl')?.value)).toEqual([
      'Rapportages',
      'Zorgplan',
      'Afspraken',
      'Metingen',
      'Medicatie',
      'Documenten',
      'Basisgegevens',
    ]);
  });

  it('has every COD472 code the mapping emits in the contact-person-role ValueSet', () => {
    const vs = read<ValueSet>('ValueSet-contact-person-role.json');
    const codes = vs.compose?.include.flatMap((i) => (i.concept ?? []).map((c) => c.code)) ?? [];
    expect(codes).toEqual(['01', '02', '03', '11', '14', '15', '23', '24']);
    for (const code of Object.values(COD472_OF_ROLE)) expect(codes).toContain(code);
  });

  it('defines the three portal consent types', () => {
    const cs = read<CodeSystem>('CodeSystem-portal-consent-type.json');
    expect(cs.concept?.map((c) => c.code)).toEqual([
      'portal-access',
      'administrator-appointment',
      'parental-access',
    ]);
  });
});
