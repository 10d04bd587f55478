import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { auditKeyFromEnvironment } from '../audit';
import { ConfigError, loadConfigFile, type GatewayConfig } from '../config';
import {
  buildReviewerReport,
  checkChain,
  defaultDocsDirectory,
  NotTestResults,
  parseTestRun,
  readCatalogues,
  renderReport,
  summariseConfiguration,
  type ChainStatus,
  type ReviewerReport,
} from '../report';
import { openConfiguredStore } from './open-store';

export interface ReportOptions {
  /** jest's JSON output of a test run (`INZAGE_TEST_RESULTS=<file> npm test` keeps it). */
  results: string;
  /** Where the page is written; inzage-report.html when absent. */
  out?: string;
  /** A configuration file: its presets, and the audit chain of its database. */
  config?: string;
}

export interface ReportOutcome {
  /** 0 = written (whatever it says), 2 = bad input (no results file, not jest's JSON, a bad configuration). */
  exitCode: 0 | 2;
  stdout: string;
  stderr: string;
  /** The file written, absolute. */
  file?: string;
  report?: ReviewerReport;
}

export const DEFAULT_REPORT_FILE = 'inzage-report.html';

/**
 * `inzage report`: reads the test results, the catalogues (docs/) and, with a configuration, its
 * presets and the audit chain of its database; writes the page.
 */
export async function runReport(
  options: ReportOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ReportOutcome> {
  const bad = (message: string): ReportOutcome => ({
    exitCode: 2,
    stdout: '',
    stderr: `inzage: ${message}\n`,
  });
  const docs = defaultDocsDirectory();
  const root = dirname(docs);
  const resultsFile = resolve(options.results);
  let resultsText: string;
  try {
    resultsText = readFileSync(resultsFile, 'utf8');
  } catch (err) {
    return bad(`--results: cannot read ${resultsFile} (${err instanceof Error ? err.message : String(err)})`);
  }
  let run: ReturnType<typeof parseTestRun>;
  try {
    run = parseTestRun(resultsText, root);
  } catch (err) {
    if (err instanceof NotTestResults) return bad(`--results: ${resultsFile} is ${err.message}`);
    throw err;
  }
  let config: GatewayConfig | undefined;
  if (options.config !== undefined) {
    try {
      config = loadConfigFile(options.config, env);
    } catch (err) {
      if (err instanceof ConfigError) return bad(err.message);
      throw err;
    }
  }
  const configuration = config ? summariseConfiguration(config) : undefined;
  const chain: ChainStatus = config
    ? await chainOf(config, env)
    : { state: 'not-checked', reason: 'no configuration was given (--config), so no database' };
  const git = gitState(root);
  const report = buildReviewerReport({
    provenance: {
      generatedAt: new Date(),
      ...git,
      resultsFile,
      resultsWritten: statSync(resultsFile).mtime,
      ...(options.config !== undefined ? { configFile: resolve(options.config) } : {}),
    },
    catalogues: readCatalogues(docs),
    run,
    ...(configuration ? { configuration } : {}),
    chain,
  });
  const file = resolve(options.out ?? DEFAULT_REPORT_FILE);
  writeFileSync(file, renderReport(report));
  const uncovered = [...report.rules, ...report.leakVectors, ...report.smartChecks].filter(
    (c) => c.status === 'uncovered',
  ).length;
  return {
    exitCode: 0,
    stdout:
      `report written to ${file}\n` +
      `  tests: ${run.counts.passed} passed, ${run.counts.failed} failed, ${run.counts.skipped} skipped; ` +
      `${uncovered} rules, leak vectors and SMART checks with no test; audit chain: ${chainWords(chain)}\n`,
    stderr: '',
    file,
    report,
  };
}

/** The chain of the configured database; a database that cannot be opened is a finding, not a crash. */
async function chainOf(config: GatewayConfig, env: NodeJS.ProcessEnv): Promise<ChainStatus> {
  let key: Buffer | undefined;
  try {
    key = auditKeyFromEnvironment(env);
  } catch (err) {
    return { state: 'failed', error: err instanceof Error ? err.message : String(err) };
  }
  let opened: Awaited<ReturnType<typeof openConfiguredStore>>;
  try {
    opened = await openConfiguredStore(config);
  } catch (err) {
    return {
      state: 'failed',
      error: `the database could not be opened: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  try {
    return await checkChain(opened.store, key);
  } finally {
    await opened.store.close();
  }
}

function chainWords(chain: ChainStatus): string {
  if (chain.state === 'not-checked') return 'not checked';
  if (chain.state === 'failed') return `could not be checked (${chain.error})`;
  return chain.report.ok
    ? `intact, ${chain.report.checked} records`
    : `BROKEN (${chain.report.firstBroken?.problem} at ${chain.report.firstBroken?.seq})`;
}

/** The commit of the work tree the report is made in, when git and a repository are there. */
function gitState(root: string): { commit?: string; uncommittedChanges?: boolean } {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', 'HEAD');
    return { commit, uncommittedChanges: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return {};
  }
}

/** `inzage report`: registers the command. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      "Write the reviewer's report: one self-contained HTML page of rules, leak vectors and SMART checks with their tests' results.",
    )
    .addOption(
      new Option(
        '--results <file>',
        "jest's JSON output of a test run (npm test keeps it where INZAGE_TEST_RESULTS says)",
      )
        .env('INZAGE_TEST_RESULTS')
        .makeOptionMandatory(),
    )
    .option('--out <file>', 'the page to write', DEFAULT_REPORT_FILE)
    .addOption(
      new Option(
        '-c, --config <file>',
        'configuration file: its organisations and presets, and the audit chain of its database',
      ).env('INZAGE_CONFIG'),
    )
    .addHelpText(
      'after',
      `
The page lists each portal rule (M-…, A-…), each leak vector (LV-…) and each SMART check with the
tests whose names carry its id and their result in that run, and marks those no test names. With
--config it also shows the organisations' presets and terms versions, and verifies the audit chain
of the configured database (INZAGE_AUDIT_KEY as for inzage audit verify); without, the chain is
"not checked". It loads nothing from the network and opens offline.
Exits 0 when the page is written (whatever it reports), 2 on bad input (no results file, not jest's
JSON output, a bad configuration), 3 when it could not be made.`,
    )
    .action(async (opts: ReportOptions) => {
      try {
        const outcome = await runReport(opts);
        process.stdout.write(outcome.stdout);
        process.stderr.write(outcome.stderr);
        process.exitCode = outcome.exitCode;
      } catch (err) {
        console.error(`inzage: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(3);
      }
    });
}
