import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTestRun } from '../../src/report/results';

const ROOT = join(__dirname, '../..');

describe('the results of npm test, kept for the report', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'inzage-kept-results-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("REPORT-RUN-1: scripts/run-tests.mjs copies jest's JSON output to INZAGE_TEST_RESULTS and prints where", () => {
    const target = join(dir, 'nested', 'results.json');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      INZAGE_TEST_RESULTS: target,
      // The one test file run needs no database: no cluster is started for it.
      TEST_DATABASE_URL: 'postgres://unused@127.0.0.1:9/unused',
    };
    delete env.JEST_WORKER_ID;
    const run = spawnSync(process.execPath, ['scripts/run-tests.mjs', 'test/report/matching.test.ts'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`test results (jest --json): ${target}`);
    const kept = parseTestRun(readFileSync(target, 'utf8'), ROOT);
    expect(kept.success).toBe(true);
    expect(kept.files).toBe(1);
    expect(new Set(kept.tests.map((t) => t.file))).toEqual(new Set(['test/report/matching.test.ts']));
    expect(kept.counts.passed).toBeGreaterThan(5);
    expect(kept.counts.failed).toBe(0);
  });
});
