// `npm test`: prepares what the tests need (a PostgreSQL server, a browser), runs jest, and ends
// with one summary line, so that a run that quietly skipped a whole area cannot pass for complete.
// Extra arguments go to jest: `npm test -- test/store`. INZAGE_TEST_RESULTS=<file> keeps jest's JSON
// output of the run there (for `inzage report`); otherwise it goes with the temporary directory.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestCluster } from './postgres-cluster.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const inCi = process.env.CI === 'true';
const env = { ...process.env };
// For this script only: the tests have no business with where their results are kept.
delete env.INZAGE_TEST_RESULTS;
/** Whole areas left out of this run, for the summary. */
const skippedAreas = [];

let cluster;
/** Set while the cluster starts, so that an interrupt then still stops it once it is up. */
let clusterStarting;
let jest;
let stopping;
const workDir = mkdtempSync(join(tmpdir(), 'inzage-jest-'));
const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
const stopCluster = () => {
  stopping ??= (async () => {
    const started = cluster ?? (await clusterStarting?.catch(() => undefined));
    await started?.stop().catch((error) => console.error(`could not stop PostgreSQL: ${error}`));
  })();
  return stopping;
};

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 };
for (const signal of Object.keys(SIGNAL_EXIT)) {
  process.on(signal, () => {
    // Jest may already have the signal (a terminal signals the whole group); a second one is harmless.
    if (jest && jest.exitCode === null) jest.kill(signal);
    void stopCluster().finally(() => {
      removeWorkDir();
      process.exit(SIGNAL_EXIT[signal]);
    });
  });
}

async function preparePostgres() {
  if (env.TEST_DATABASE_URL) return;
  let problem = 'no PostgreSQL server binaries under /usr/lib/postgresql';
  try {
    clusterStarting = startTestCluster();
    cluster = await clusterStarting;
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  if (cluster) {
    env.TEST_DATABASE_URL = cluster.url;
    console.log(`PostgreSQL ${cluster.version}: a private test cluster at ${cluster.url}`);
    return;
  }
  if (inCi) {
    console.error(`PostgreSQL is required in CI and is not available (${problem}).`);
    console.error('Install the Debian package postgresql, or set TEST_DATABASE_URL.');
    removeWorkDir();
    process.exit(1);
  }
  console.warn(
    'PostgreSQL not found: the PostgreSQL store tests are SKIPPED (install the Debian package postgresql, or set TEST_DATABASE_URL)',
  );
  if (problem.startsWith('could not start')) console.warn(problem);
  skippedAreas.push('PostgreSQL tests (no server)');
}

function prepareChromium() {
  const chromium = env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (existsSync(chromium)) {
    env.CHROMIUM_PATH = chromium;
    env.INZAGE_HAVE_CHROMIUM = '1';
    return;
  }
  delete env.INZAGE_HAVE_CHROMIUM;
  if (inCi) {
    console.error(`Chromium not found at ${chromium}: CI never skips the browser tests.`);
    console.error('Install the Debian package chromium (.ci/run does), or set CHROMIUM_PATH.');
    removeWorkDir();
    process.exit(1);
  }
  console.warn(
    `Chromium not found at ${chromium}: the browser tests are SKIPPED (install the Debian package chromium)`,
  );
  skippedAreas.push('browser tests (no Chromium)');
}

function runJest(outputFile) {
  const jestBin = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
  const args = [
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
    jestBin,
    '--json',
    `--outputFile=${outputFile}`,
    ...process.argv.slice(2),
  ];
  return new Promise((resolveExit) => {
    jest = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    jest.on('error', (error) => {
      console.error(`could not start jest: ${error.message}`);
      resolveExit(1);
    });
    jest.on('exit', (code, signal) => resolveExit(code ?? SIGNAL_EXIT[signal] ?? 1));
  });
}

function readResults(outputFile) {
  try {
    return JSON.parse(readFileSync(outputFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Copies jest's JSON output to INZAGE_TEST_RESULTS, when set; the path kept, or undefined. */
function keepResults(outputFile, results) {
  const target = process.env.INZAGE_TEST_RESULTS;
  if (!target) return undefined;
  if (results === undefined) {
    console.error(`INZAGE_TEST_RESULTS: jest wrote no results, so none are kept at ${target}`);
    return undefined;
  }
  const file = resolve(target);
  try {
    mkdirSync(dirname(file), { recursive: true });
    copyFileSync(outputFile, file);
    return file;
  } catch (error) {
    console.error(`INZAGE_TEST_RESULTS: could not keep the results at ${file}: ${error.message}`);
    return undefined;
  }
}

/** Lines naming what was skipped and which suites could not run at all. */
function describeResults(results) {
  const lines = [];
  for (const area of skippedAreas) lines.push(`skipped: ${area}`);
  for (const suite of results?.testResults ?? []) {
    const file = relative(root, suite.name);
    const skipped = new Map();
    for (const test of suite.assertionResults ?? []) {
      if (test.status !== 'pending' && test.status !== 'skipped' && test.status !== 'todo') continue;
      const area = test.ancestorTitles?.[0] ?? test.title;
      skipped.set(area, (skipped.get(area) ?? 0) + 1);
    }
    for (const [area, n] of skipped)
      lines.push(`skipped: ${file} › ${area} (${n} test${n === 1 ? '' : 's'})`);
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) {
      const reason = (suite.message ?? '').split('\n').find((line) => line.trim() !== '') ?? 'no details';
      lines.push(`could not run: ${file}: ${reason.trim()}`);
    }
  }
  return lines;
}

await preparePostgres();
prepareChromium();
const outputFile = join(workDir, 'results.json');
let exitCode;
try {
  exitCode = await runJest(outputFile);
} finally {
  await stopCluster();
}
const results = readResults(outputFile);
const keptResults = keepResults(outputFile, results);
removeWorkDir();

const passed = results?.numPassedTests ?? 0;
const failed = results?.numFailedTests ?? 0;
const skipped = (results?.numPendingTests ?? 0) + (results?.numTodoTests ?? 0);
console.log('');
for (const line of describeResults(results)) console.log(line);
if (results === undefined) console.log('jest wrote no results');
else if (passed + failed === 0) console.log('no test ran');
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (keptResults) console.log(`test results (jest --json): ${keptResults}`);
process.exit(exitCode !== 0 ? exitCode : passed + failed === 0 ? 1 : 0);
