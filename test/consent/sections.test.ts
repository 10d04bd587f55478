import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRequestLine, sectionMappingOf, sectionsFor } from '../../src/consent';
import { loadPreset } from '../../src/consent/preset';
import { requestedCategories } from '../../src/consent/request';

describe('portal sections', () => {
  it.each([
    ['Observation', ['vital-signs'], ['measurements']],
    ['Observation', ['11591000146107'], ['reports']],
    ['Observation', ['survey'], ['reports']],
    ['Observation', [], ['measurements', 'reports']],
    ['CarePlan', [], ['care-plan']],
    ['Goal', [], ['care-plan']],
    ['Appointment', [], ['appointments']],
    ['MedicationRequest', [], ['medication']],
    ['DocumentReference', [], ['documents']],
    ['Patient', [], ['basic-details']],
    ['AuditEvent', [], []],
    ['Binary', [], []],
  ])('%s %j belongs to %j', (type, categories, sections) => {
    expect(sectionsFor(type, categories).sort()).toEqual([...sections].sort());
  });

  it('the shipped presets keep the default mapping', () => {
    expect(sectionsFor('Condition', [], sectionMappingOf(loadPreset('amerpoort')))).toEqual(['care-plan']);
    expect(sectionsFor('Condition', [], sectionMappingOf(loadPreset('meerlanden')))).toEqual(['care-plan']);
  });

  it('a preset can move a type to another section or take it out of every section', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inzage-preset-'));
    const base = readFileSync(join(__dirname, '../../config/presets/amerpoort.yaml'), 'utf8').replace(
      'id: amerpoort',
      'id: custom',
    );
    writeFileSync(
      join(dir, 'custom.yaml'),
      `${base}\nsectionMapping:\n  Condition: null\n  Goal: reports\n  Observation: { byCategory: { vital-signs: reports }, otherwise: measurements }\n`,
    );
    const mapping = sectionMappingOf(loadPreset('custom', dir));
    expect(sectionsFor('Condition', [], mapping)).toEqual([]);
    expect(sectionsFor('Goal', [], mapping)).toEqual(['reports']);
    expect(sectionsFor('Observation', ['vital-signs'], mapping)).toEqual(['reports']);
    expect(sectionsFor('CarePlan', [], mapping)).toEqual(['care-plan']);
  });

  it('a preset with an unknown section or field is refused at start-up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inzage-preset-'));
    const base = readFileSync(join(__dirname, '../../config/presets/meerlanden.yaml'), 'utf8').replace(
      'id: meerlanden',
      'id: broken',
    );
    writeFileSync(join(dir, 'broken.yaml'), `${base}\nsectionMapping:\n  Goal: everything\n`);
    expect(() => loadPreset('broken', dir)).toThrow(/invalid policy preset/);
    writeFileSync(
      join(dir, 'broken.yaml'),
      base.replace('graceDaysAfterCareEnd: 0', 'graceDaysAfterCareEnd: -1'),
    );
    expect(() => loadPreset('broken', dir)).toThrow(/graceDaysAfterCareEnd/);
  });

  it('A.2: parses a reviewer request line into the request the access decision takes', () => {
    const at = new Date('2026-11-23T12:00:00+01:00');
    expect(parseRequestLine('GET /Observation?category=vital-signs&date=ge2026', at)).toEqual({
      method: 'GET',
      interaction: 'search',
      resourceType: 'Observation',
      parameters: [
        { name: 'category', value: 'vital-signs' },
        { name: 'date', value: 'ge2026' },
      ],
      at,
    });
    const coded = parseRequestLine(
      'GET /fhir/Observation?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory',
      at,
    );
    expect(requestedCategories(coded.parameters)).toEqual(['laboratory']);
    expect(parseRequestLine('GET /Patient/p1', at)).toMatchObject({ interaction: 'read', id: 'p1' });
    expect(parseRequestLine('GET /Observation/o1/_history/2', at)).toMatchObject({
      interaction: 'vread',
      id: 'o1',
      versionId: '2',
    });
    expect(parseRequestLine('GET /Observation?category:not=laboratory', at).parameters).toEqual([
      { name: 'category', modifier: 'not', value: 'laboratory' },
    ]);
    expect(() => parseRequestLine('DELETE /Patient/1', at)).toThrow(/not a request line/);
    expect(() => parseRequestLine('POST /Patient/1', at)).toThrow(/not a request line/);
  });
});
