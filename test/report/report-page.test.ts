import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { AuditTrail, type AuditEntry } from '../../src/audit';
import { runReport, type ReportOutcome } from '../../src/commands';
import { migrate, openStore } from '../../src/store';
import { describeBrowser, launchChromium } from '../support/browser';
import { accessibilityViolations } from '../support/demo-browser';

/**
 * `inzage report` end to end: a real jest run of a few small tests (one passes, one fails, one is
 * skipped) gives the results JSON; a configuration with an embedded database holding a short audit
 * chain gives the presets and the chain; the page it writes is opened in Chromium from the file.
 */

// The fixture's tests name real ids on purpose; they run in a jest of their own, never in the suite.
const FIXTURE_TESTS = `
describe('a small run for the report', () => {
  test('LV-1: a passing test', () => {});
  test('LV-17: a passing test of another vector', () => {});
  test('M-2: a failing test <b>bold</b>', () => {
    throw new Error('expected <em>this</em> to fail');
  });
  test.skip('A-3: a skipped test', () => {});
  test('SMART-D1, D2: discovery', () => {});
  test('SMART-E3a: a variant of a check', () => {});
  test('SMART-X1: an id of our own', () => {});
});
`;

const entry = (n: number): AuditEntry => ({
  kind: 'fhir-request',
  action: 'R',
  at: new Date('2026-11-20T10:00:00Z'),
  outcome: 'success',
  status: 200,
  requestId: `req-${n}`,
  patient: 'Patient/meerzicht-mz-c001',
  interaction: 'read',
  query: `read Observation/o-${n}`,
});

/** Runs jest on the fixture in `dir`, as `npm test` runs it (--json --outputFile); the results file. */
function realTestRun(dir: string): string {
  writeFileSync(join(dir, 'small.check.js'), FIXTURE_TESTS);
  const results = join(dir, 'results.json');
  const env = { ...process.env };
  delete env.JEST_WORKER_ID;
  const config = { rootDir: dir, testMatch: ['**/*.check.js'], transform: {}, testEnvironment: 'node' };
  const run = spawnSync(
    process.execPath,
    [
      require.resolve('jest/bin/jest'),
      `--config=${JSON.stringify(config)}`,
      '--json',
      `--outputFile=${results}`,
      '--ci',
      '--runInBand',
    ],
    { cwd: dir, env, encoding: 'utf8', timeout: 60_000 },
  );
  // One test fails on purpose: jest exits 1, and wrote its results.
  if (run.status !== 1) throw new Error(`jest exited ${run.status}: ${run.stderr}`);
  return results;
}

describeBrowser('the reviewer’s report opened in a browser (Chromium)', () => {
  let dir: string;
  let outcome: ReportOutcome;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inzage-report-'));
    const results = realTestRun(dir);
    const dataDir = join(dir, 'data');
    const configFile = join(dir, 'inzage.yaml');
    writeFileSync(
      configFile,
      `upstream:\n  url: http://127.0.0.1:9/fhir\ndatabase:\n  pgliteDataDir: ${dataDir}\norganisations:\n` +
        `  - id: meerzicht\n    name: Zorgcentrum Meerzicht\n    preset: meerlanden\n    termsVersion: 2026-11\n` +
        `  - id: amerpoort\n    name: Amerpoort\n    preset: amerpoort\n`,
    );
    const store = await openStore({ driver: 'pglite', dataDir });
    try {
      await migrate(store);
      const trail = new AuditTrail(store);
      await Promise.all([1, 2, 3].map((n) => trail.record(entry(n))));
      await trail.close();
    } finally {
      await store.close();
    }
    outcome = await runReport({ results, out: join(dir, 'report.html'), config: configFile }, {});
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(outcome.file!).href);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const row = (id: string) => page.locator(`tr[id="item-${id}"]`);

  it('REPORT-PAGE-1: the command writes the page and says where', () => {
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout).toContain(`report written to ${outcome.file}`);
    expect(outcome.stdout).toContain('tests: 5 passed, 1 failed, 1 skipped');
    expect(readFileSync(outcome.file!, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('REPORT-PAGE-2: every section is there: summary, provenance, configuration, rules, vectors, SMART, chain', async () => {
    expect(await page.title()).toBe('Inzage: the reviewer’s report');
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual([
      'Summary',
      'Generated from',
      'Active configuration',
      'Portal rules',
      'Leak vectors',
      'SMART checks',
      'Audit chain',
    ]);
    const configuration = page.locator('#configuration');
    await expect(
      configuration.getByRole('row', { name: /Zorgcentrum Meerzicht/ }).innerText(),
    ).resolves.toMatch(/meerlanden: First contact person.*2026-11/);
    await expect(configuration.getByRole('row', { name: /Amerpoort/ }).innerText()).resolves.toMatch(
      /amerpoort: Portal administrator[\s\S]*2026-01[\s\S]*minors’ rules \(A-8\): yes/,
    );
    await expect(page.locator('#provenance').innerText()).resolves.toMatch(/results\.json, written \d{4}-/);
  });

  it('REPORT-PAGE-3: a failed test shows as failed, with its message as text; passed and skipped as such', async () => {
    const failed = row('M-2');
    await expect(failed.getAttribute('data-status')).resolves.toBe('failed');
    await expect(failed.locator('td').nth(1).innerText()).resolves.toBe('failed');
    await expect(failed.locator('details').getAttribute('open')).resolves.toBe('');
    const test = failed.locator('li[data-status="failed"]');
    await expect(test.innerText()).resolves.toContain('M-2: a failing test <b>bold</b>');
    await expect(test.innerText()).resolves.toContain('Error: expected <em>this</em> to fail');
    expect(await failed.locator('b, em').count()).toBe(0);
    await expect(row('LV-1').getAttribute('data-status')).resolves.toBe('passed');
    await expect(row('LV-1').locator('li').count()).resolves.toBe(1);
    await expect(row('LV-17').getAttribute('data-status')).resolves.toBe('passed');
    await expect(row('A-3').getAttribute('data-status')).resolves.toBe('skipped');
    await expect(row('SMART-D1').getAttribute('data-status')).resolves.toBe('passed');
    await expect(row('SMART-D2').getAttribute('data-status')).resolves.toBe('passed');
    await expect(row('SMART-E3').getAttribute('data-status')).resolves.toBe('passed');
    await expect(page.locator('#smart-other + table').innerText()).resolves.toContain('SMART-X1');
  });

  it('REPORT-PAGE-4: a rule, a vector and a check no test names are marked', async () => {
    for (const id of ['M-1', 'A-15', 'LV-2', 'SMART-D1b']) {
      await expect(row(id).getAttribute('data-status')).resolves.toBe('uncovered');
      await expect(row(id).locator('td').nth(1).innerText()).resolves.toBe('no test');
      await expect(row(id).locator('td').nth(2).innerText()).resolves.toBe('None in this run');
    }
    const portalRules = page.getByRole('row', { name: /^Portal rules/ });
    await expect(portalRules.locator('td').allTextContents()).resolves.toEqual(['29', '0', '1', '1', '27']);
  });

  it('REPORT-PAGE-5: the audit chain of the configured database is verified', async () => {
    const chain = page.locator('#audit-chain');
    await expect(chain.locator('[data-chain]').getAttribute('data-chain')).resolves.toBe('ok');
    await expect(chain.innerText()).resolves.toMatch(
      /Intact: 3 records checked[\s\S]*sequence number 3, hash [0-9a-f]{64}/,
    );
  });

  it('REPORT-PAGE-6: the page is self-contained: no script, nothing requested but the file itself', async () => {
    expect(requests).toEqual([pathToFileURL(outcome.file!).href]);
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { document: { scripts: unknown[] } }).document.scripts.length,
      ),
    ).toBe(0);
  });

  it('REPORT-PAGE-7: axe-core finds no WCAG 2.1 A or AA violation', async () => {
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
