import { join } from 'node:path';
import {
  defaultDocsDirectory,
  parseLeakVectors,
  parsePortalRules,
  parseSmartChecks,
  plainText,
  readCatalogues,
} from '../../src/report/catalogue';
import { NotTestResults, parseTestRun } from '../../src/report/results';

describe('the catalogues', () => {
  it('REPORT-CAT-1: the vendored documents give every rule, leak vector and SMART check, as plain text', () => {
    const docs = defaultDocsDirectory();
    expect(docs).toBe(join(__dirname, '../../docs'));
    const { rules, leakVectors, smartChecks } = readCatalogues(docs);
    const ids = (items: { id: string }[]) => items.map((i) => i.id);
    expect(ids(rules)).toEqual([
      ...Array.from({ length: 14 }, (_, i) => `M-${i + 1}`),
      ...Array.from({ length: 15 }, (_, i) => `A-${i + 1}`),
    ]);
    expect(new Set(rules.map((r) => r.group))).toEqual(
      new Set(['Zorgcentra Meerlanden (first contact person)', 'Amerpoort (portal administrator)']),
    );
    expect(ids(leakVectors)).toEqual(Array.from({ length: 24 }, (_, i) => `LV-${i + 1}`));
    expect(leakVectors[0]).toMatchObject({ title: 'Totals and counts' });
    expect(leakVectors[0]!.detail).toMatch(/^narrow the query/);
    expect(ids(smartChecks)).toEqual(
      expect.arrayContaining(['SMART-D1', 'SMART-D1b', 'SMART-T1s', 'SMART-B6', 'SMART-N15']),
    );
    expect(ids(smartChecks)).toHaveLength(68);
    expect(new Set(ids(smartChecks)).size).toBe(68);
    for (const i of [...rules, ...leakVectors, ...smartChecks]) {
      expect(i.title).not.toMatch(/\*\*|`/);
      expect(i.title.length).toBeGreaterThan(0);
    }
  });

  it('REPORT-CAT-2: table cells keep escaped pipes, emphasis and code marks are dropped', () => {
    const rules = parsePortalRules(
      '## Org\n\n| id | says | must |\n|---|---|---|\n| M-9 | a **b** \\| c | use `x` |\n| X-1 | not a rule | - |\n',
    );
    expect(rules).toEqual([{ kind: 'rule', id: 'M-9', group: 'Org', title: 'a b | c', detail: 'use x' }]);
    const smart = parseSmartChecks(
      '## Kit\n\n| id | test | request | expected |\n|---|---|---|---|\n| N1a | t | r | e |\n',
    );
    expect(smart).toEqual([{ kind: 'smart', id: 'SMART-N1a', group: 'Kit', title: 'r', detail: 'e' }]);
    expect(parseLeakVectors('3. **Paging cursors.**\n   - *Issue:* i\n   - *Need:* sign them.\n')).toEqual([
      {
        kind: 'leak-vector',
        id: 'LV-3',
        group: 'Leak vectors',
        title: 'Paging cursors',
        detail: 'sign them.',
      },
    ]);
    expect(plainText('[link](http://x) *Need:* `a|b`')).toBe('link Need: a|b');
  });
});

describe("jest's JSON output", () => {
  it('REPORT-RESULTS-1: statuses, file names relative to the repository, suites that could not run', () => {
    const run = parseTestRun(
      JSON.stringify({
        success: false,
        startTime: Date.UTC(2026, 11, 1, 12),
        testResults: [
          {
            name: '/repo/test/a.test.ts',
            status: 'failed',
            assertionResults: [
              {
                ancestorTitles: ['outer'],
                title: 'one',
                fullName: 'outer one',
                status: 'passed',
                duration: 3,
              },
              {
                ancestorTitles: [],
                title: 'two',
                status: 'failed',
                failureMessages: ['\u001b[31mError: boom\u001b[39m\n  at x'],
              },
              { ancestorTitles: [], title: 'three', status: 'pending' },
              { ancestorTitles: [], title: 'four', status: 'todo' },
            ],
          },
          {
            name: '/repo/test/b.test.ts',
            status: 'failed',
            message: '\n  ● Test suite failed to run\n',
            assertionResults: [],
          },
          { name: '/elsewhere/c.test.ts', status: 'passed', assertionResults: [] },
        ],
      }),
      '/repo',
    );
    expect(run.startedAt?.toISOString()).toBe('2026-12-01T12:00:00.000Z');
    expect(run.success).toBe(false);
    expect(run.files).toBe(3);
    expect(run.counts).toEqual({ passed: 1, failed: 1, skipped: 2 });
    expect(run.tests.map((t) => [t.file, t.fullName, t.status])).toEqual([
      ['test/a.test.ts', 'outer one', 'passed'],
      ['test/a.test.ts', 'two', 'failed'],
      ['test/a.test.ts', 'three', 'skipped'],
      ['test/a.test.ts', 'four', 'skipped'],
    ]);
    expect(run.tests[1]!.failure).toBe('Error: boom');
    expect(run.brokenSuites).toEqual([{ file: 'test/b.test.ts', message: '● Test suite failed to run' }]);
  });

  it('REPORT-RESULTS-2: anything else is refused as not test results', () => {
    expect(() => parseTestRun('not json')).toThrow(NotTestResults);
    expect(() => parseTestRun('{"numPassedTests": 3}')).toThrow(NotTestResults);
    expect(() => parseTestRun('[]')).toThrow(NotTestResults);
  });
});
