import type { CatalogueItem } from '../../src/report/catalogue';
import {
  catalogueIdOf,
  coverageOf,
  coverageStatus,
  idsInTitle,
  idsOfTest,
  otherSmartIds,
} from '../../src/report/matching';
import type { TestResult, TestStatus } from '../../src/report/results';

// The titles of these tests name no real rule, vector or check: the report of a full run would
// otherwise count them as covering what they only quote.

const item = (id: string): CatalogueItem => ({
  kind: id.startsWith('SMART-') ? 'smart' : id.startsWith('LV-') ? 'leak-vector' : 'rule',
  id,
  group: 'g',
  title: `the item ${id}`,
});

const test = (title: string, status: TestStatus = 'passed', ancestors: string[] = []): TestResult => ({
  file: 'test/x.test.ts',
  ancestors,
  title,
  fullName: [...ancestors, title].join(' '),
  status,
});

describe('which ids a test names', () => {
  it('REPORT-MATCH-1: an id at the head of a title, or anywhere in it, is named', () => {
    expect(idsInTitle('LV-7: x')).toEqual(['LV-7']);
    expect(idsInTitle('A-8: a parent loses access on the 12th birthday')).toEqual(['A-8']);
    expect(idsInTitle('B16: meerlanden: refused by M-2, which lets …')).toEqual(['M-2']);
    expect(idsInTitle('M-2: granted; M-3: a withdrawal grants nothing')).toEqual(['M-2', 'M-3']);
    expect(idsInTitle('a title with no id at all')).toEqual([]);
  });

  it('REPORT-MATCH-2: a longer number is another id, and an id glued to other characters is none', () => {
    expect(idsInTitle('LV-17: x')).toEqual(['LV-17']);
    expect(idsInTitle('LV-17: x')).not.toContain('LV-1');
    expect(idsInTitle('A-13: breach')).toEqual(['A-13']);
    expect(idsInTitle('M-10, and not M-1')).toEqual(['M-10', 'M-1']);
    for (const none of ['XLV-1', 'LV-1x', 'LV-1_2', 'SMART-A-1', 'DATA-1', 'KEY-ROT-1', 'UTF-8', 'LV-'])
      expect(idsInTitle(`${none}: x`)).toEqual([]);
    expect(idsInTitle('(LV-3) and [A-4]')).toEqual(['LV-3', 'A-4']);
  });

  it('REPORT-MATCH-3: an id in a describe block around the test counts for the test', () => {
    expect(
      idsOfTest(test('alg none and HS256', 'passed', ['SMART Backend Services', 'SMART-B7: every defect'])),
    ).toEqual(['SMART-B7']);
    expect(idsOfTest(test('LV-4: include', 'passed', ['LV-4: outer', 'A-2 inner']))).toEqual(['LV-4', 'A-2']);
  });

  it('REPORT-MATCH-4: a SMART list names each check; a rule id after it is a rule', () => {
    expect(idsInTitle('SMART-O4, O5: RS256 with a kid')).toEqual(['SMART-O4', 'SMART-O5']);
    expect(idsInTitle('SMART-I1/I3: introspects')).toEqual(['SMART-I1', 'SMART-I3']);
    expect(idsInTitle('SMART-E0, E1, E2: the portal launches')).toEqual(['SMART-E0', 'SMART-E1', 'SMART-E2']);
    expect(idsInTitle('SMART-B3, A-3: a relative')).toEqual(['A-3', 'SMART-B3']);
    expect(idsInTitle('SMART-X20 (M-4): care ended')).toEqual(['M-4', 'SMART-X20']);
    expect(idsInTitle('SMART-FED-12: M-14: a new person')).toEqual(['M-14', 'SMART-FED-12']);
    expect(idsInTitle('SMART-D8: metadata has the SMART-on-FHIR service')).toEqual(['SMART-D8']);
    expect(idsInTitle('SMART-D1b: any Accept')).toEqual(['SMART-D1b']);
    expect(idsInTitle('SMART-D12: x')).not.toContain('SMART-D1');
  });

  it('REPORT-MATCH-5: a letter after the number is a variant of its check, unless the catalogue lists it', () => {
    const known = new Set(['SMART-E3', 'SMART-D1', 'SMART-D1b', 'SMART-N1', 'SMART-T1s']);
    expect(catalogueIdOf('SMART-E3a', known)).toBe('SMART-E3');
    expect(catalogueIdOf('SMART-N1c', known)).toBe('SMART-N1');
    expect(catalogueIdOf('SMART-D1b', known)).toBe('SMART-D1b');
    expect(catalogueIdOf('SMART-T1s', known)).toBe('SMART-T1s');
    expect(catalogueIdOf('SMART-D1', known)).toBe('SMART-D1');
    expect(catalogueIdOf('SMART-X9b', known)).toBe('SMART-X9b');
    const [e3, d1, d1b] = coverageOf(
      [item('SMART-E3'), item('SMART-D1'), item('SMART-D1b')],
      [test('SMART-E3a: unknown launch'), test('SMART-E3b: used launch', 'failed'), test('SMART-D1b: html')],
    );
    expect(e3).toMatchObject({ status: 'failed', tests: [{ title: 'SMART-E3a: unknown launch' }, {}] });
    expect(d1).toMatchObject({ status: 'uncovered', tests: [] });
    expect(d1b).toMatchObject({ status: 'passed' });
  });
});

describe('coverage', () => {
  it('REPORT-MATCH-6: a failed test fails the item, one passed test passes it, only skipped tests skip it', () => {
    const s = (...statuses: TestStatus[]) => coverageStatus(statuses.map((status) => ({ status })));
    expect(s()).toBe('uncovered');
    expect(s('passed', 'failed', 'skipped')).toBe('failed');
    expect(s('passed', 'skipped')).toBe('passed');
    expect(s('skipped', 'skipped')).toBe('skipped');
    const tests = [test('LV-17: passes'), test('LV-2: fails', 'failed'), test('LV-2: passes too')];
    const covered = coverageOf([item('LV-1'), item('LV-2'), item('LV-17')], tests);
    expect(covered.map((c) => [c.id, c.status, c.tests.length])).toEqual([
      ['LV-1', 'uncovered', 0],
      ['LV-2', 'failed', 2],
      ['LV-17', 'passed', 1],
    ]);
  });

  it('REPORT-MATCH-7: SMART ids the checklist does not list are gathered apart, in id order', () => {
    const tests = [
      test('SMART-X12: no aud'),
      test('SMART-X2: unknown client', 'failed'),
      test('SMART-E3a: unknown launch'),
      test('SMART-FED-1: first login'),
      test('LV-3: not a SMART id'),
    ];
    expect(otherSmartIds([item('SMART-E3')], tests).map((c) => [c.id, c.status])).toEqual([
      ['SMART-FED-1', 'passed'],
      ['SMART-X2', 'failed'],
      ['SMART-X12', 'passed'],
    ]);
  });
});
