import type { Observation } from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../../../src/definitions';
import { MalformedRequest } from '../../../src/fhir/errors';
import { resultParameters } from '../../../src/fhir/search/result-parameters';
import { SUBSETTED, subsetOf } from '../../../src/fhir/search/subset';

/** `_elements` and `_summary` on one judged resource, and how the result parameters are read. */
describe('search subsets', () => {
  beforeAll(() => loadFhirDefinitions());

  const observation: Observation = {
    resourceType: 'Observation',
    id: 'o1',
    meta: { versionId: '2', tag: [{ system: 'urn:x', code: 'kept' }] },
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
    status: 'final',
    _status: { extension: [{ url: 'urn:e', valueString: 'e' }] },
    category: [{ text: 'c' }],
    code: { text: 'weight' },
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: '2026-01-01T10:00:00Z',
    valueQuantity: { value: 70, unit: 'kg' },
    note: [{ text: 'a note' }],
  } as Observation;
  const read = (query: string) =>
    resultParameters(
      'Observation',
      [...new URLSearchParams(query)].map(([name, value]) => ({ name, value })),
      20,
      100,
    );

  it('FHIR-SEARCH-33: _elements takes choice and primitive-extension keys with their element; the input stays', () => {
    const before = structuredClone(observation);
    const subset = subsetOf(observation, read('_elements=value,effective')) as Observation;
    expect(Object.keys(subset).sort()).toEqual(
      [
        '_status',
        'code',
        'effectiveDateTime',
        'id',
        'meta',
        'resourceType',
        'status',
        'valueQuantity',
      ].sort(),
    );
    expect(subset.meta?.tag).toEqual([{ system: 'urn:x', code: 'kept' }, SUBSETTED]);
    expect(subset.meta?.versionId).toBe('2');
    expect(observation).toEqual(before);
  });

  it('FHIR-SEARCH-34: _summary=true keeps the summary elements; data drops the text; false and count change nothing', () => {
    const summary = subsetOf(observation, read('_summary=true')) as Observation;
    expect(summary.valueQuantity).toBeDefined();
    expect(summary.subject).toBeDefined();
    expect(summary.note).toBeUndefined();
    expect(summary.text).toBeUndefined();
    const data = subsetOf(observation, read('_summary=data')) as Observation;
    expect(data.text).toBeUndefined();
    expect(data.note).toEqual(observation.note);
    const text = subsetOf(observation, read('_summary=text')) as Observation;
    expect(Object.keys(text).sort()).toEqual(
      ['_status', 'code', 'id', 'meta', 'resourceType', 'status', 'text'].sort(),
    );
    expect(subsetOf(observation, read('_summary=false'))).toBe(observation);
    expect(subsetOf(observation, read('_count=3'))).toBe(observation);
  });

  it('FHIR-SEARCH-35: the result parameters are taken out of what narrow sees, and read strictly', () => {
    const parameters = read('code=x&_count=0&_total=accurate&_sort=date&_include=Observation:subject');
    expect(parameters.filters.map((p) => p.name)).toEqual(['code', '_sort', '_include']);
    expect(parameters.count).toBe(0);
    expect(parameters.total).toBe(true);
    expect(read('_summary=count')).toMatchObject({ count: 0, total: true });
    expect(read('_total=estimate').total).toBe(false);
    expect(read('_count=1000').count).toBe(100);
    expect(read('').count).toBe(20);
    for (const bad of [
      '_count=-1',
      '_count=1e3',
      '_total=all',
      '_summary=yes',
      '_elements=Patient.name',
      '_elements=a.b',
      '_total=none&_total=accurate',
    ])
      expect(() => read(bad)).toThrow(MalformedRequest);
    expect(() =>
      resultParameters('Observation', [{ name: '_count', modifier: 'x', value: '1' }], 20, 100),
    ).toThrow(MalformedRequest);
  });
});
