import { isAbsolute, relative } from 'node:path';

/** A test's result, as the report counts it: jest's pending, todo and disabled count as skipped. */
export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestResult {
  /** The test file, relative to the repository root when it lies under it. */
  file: string;
  /** The describe blocks around the test, outermost first. */
  ancestors: string[];
  title: string;
  /** The ancestors and the title, joined as jest joins them. */
  fullName: string;
  status: TestStatus;
  durationMs?: number;
  /** The first line of the first failure message (failed tests only). */
  failure?: string;
}

/** A test file that failed without running any test (a syntax error, a failing beforeAll import…). */
export interface BrokenSuite {
  file: string;
  message: string;
}

/** A jest run (`jest --json`), as the report uses it. */
export interface TestRun {
  /** When the run started (jest's startTime). */
  startedAt?: Date;
  /** jest's verdict for the whole run. */
  success: boolean;
  files: number;
  tests: TestResult[];
  brokenSuites: BrokenSuite[];
  counts: Record<TestStatus, number>;
}

/** Thrown for a file that is not jest's JSON output. */
export class NotTestResults extends Error {}

interface JestAssertion {
  ancestorTitles?: unknown;
  title?: unknown;
  fullName?: unknown;
  status?: unknown;
  duration?: unknown;
  failureMessages?: unknown;
}

interface JestSuite {
  name?: unknown;
  status?: unknown;
  message?: unknown;
  assertionResults?: unknown;
}

/**
 * Reads jest's `--json` output. `root` is the repository the tests ran in: file names are made
 * relative to it, so that the report does not depend on where the run happened.
 */
export function parseTestRun(json: string, root?: string): TestRun {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new NotTestResults(`not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (
    typeof data !== 'object' ||
    data === null ||
    !Array.isArray((data as { testResults?: unknown }).testResults)
  )
    throw new NotTestResults('not the JSON output of jest (no testResults)');
  const run = data as { testResults: JestSuite[]; startTime?: unknown; success?: unknown };
  const tests: TestResult[] = [];
  const brokenSuites: BrokenSuite[] = [];
  for (const suite of run.testResults) {
    const file = fileName(String(suite.name ?? ''), root);
    const assertions = Array.isArray(suite.assertionResults)
      ? (suite.assertionResults as JestAssertion[])
      : [];
    for (const a of assertions) tests.push(testResult(file, a));
    if (suite.status === 'failed' && assertions.length === 0)
      brokenSuites.push({ file, message: firstLine(String(suite.message ?? '')) || 'no details' });
  }
  const counts: Record<TestStatus, number> = { passed: 0, failed: 0, skipped: 0 };
  for (const t of tests) counts[t.status]++;
  return {
    ...(typeof run.startTime === 'number' ? { startedAt: new Date(run.startTime) } : {}),
    success: run.success === true,
    files: run.testResults.length,
    tests,
    brokenSuites,
    counts,
  };
}

function testResult(file: string, a: JestAssertion): TestResult {
  const ancestors = Array.isArray(a.ancestorTitles) ? a.ancestorTitles.map(String) : [];
  const title = String(a.title ?? '');
  const status = statusOf(a.status);
  const failures = Array.isArray(a.failureMessages) ? a.failureMessages.map(String) : [];
  return {
    file,
    ancestors,
    title,
    fullName: typeof a.fullName === 'string' ? a.fullName : [...ancestors, title].join(' '),
    status,
    ...(typeof a.duration === 'number' ? { durationMs: a.duration } : {}),
    ...(status === 'failed' && failures.length > 0 ? { failure: firstLine(stripAnsi(failures[0]!)) } : {}),
  };
}

/** jest's statuses: passed, failed, pending, todo, skipped, disabled, focused. */
function statusOf(status: unknown): TestStatus {
  if (status === 'passed' || status === 'focused') return 'passed';
  if (status === 'failed') return 'failed';
  return 'skipped';
}

function fileName(name: string, root: string | undefined): string {
  if (!root || !isAbsolute(name)) return name;
  const rel = relative(root, name);
  return rel.startsWith('..') ? name : rel.split('\\').join('/');
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? ''
  );
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
