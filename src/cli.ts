#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, DEFAULTS, loadConfigFile } from './config';
import { createLogger } from './http';
import { startGateway } from './app';
import { startDemo } from './demo';
import { stopOnSignals } from './process-lifecycle';
import { runSandboxCommand } from './sandbox';
import { EcdImportError } from './ecd';
import { formatImportResult, runEcdImport } from './ecd-import-command';
import { runExplain } from './explain-command';

const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
  version: string;
};

function integer(min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    return n;
  };
}

/** Prints what went wrong in words an operator can act on, and exits non-zero. */
function fail(err: unknown): never {
  if (err instanceof EcdImportError) {
    console.error(`inzage: ${err.message}`);
    process.exit(3);
  }
  if (err instanceof ConfigError) {
    console.error(`inzage: ${err.message}`);
    process.exit(2);
  }
  console.error(`inzage: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

export function buildCli(): Command {
  const program = new Command('inzage')
    .description('Inzage: the consent-enforcing FHIR gateway for Dutch care client portals.')
    .version(version, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: true });

  program
    .command('serve')
    .description('Run the gateway in production: a configuration file plus the environment.')
    .addOption(
      new Option('-c, --config <file>', 'configuration file (YAML or JSON); see config/inzage.example.yaml')
        .env('INZAGE_CONFIG')
        .makeOptionMandatory(),
    )
    .addHelpText(
      'after',
      `
Environment:
  DATABASE_URL   PostgreSQL URL (postgres://user:password@host/db); absent: the embedded PGlite database
  PORT           overrides server.port (default ${DEFAULTS.port})
  LOG_LEVEL      overrides log.level (default ${DEFAULTS.logLevel})

Stops gracefully on SIGTERM: requests in flight finish, then the database is closed.`,
    )
    .action(async (opts: { config: string }) => {
      try {
        const config = loadConfigFile(opts.config, process.env);
        const log = createLogger(config.log.level);
        const gateway = await startGateway(config, { log });
        stopOnSignals(() => gateway.close(), log);
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('demo')
    .description('Run the demo: sandbox upstream with synthetic data, embedded database, on 127.0.0.1.')
    .addOption(
      new Option('-p, --port <port>', 'gateway port')
        .env('PORT')
        .default(DEFAULTS.port)
        .argParser(integer(0, 65535)),
    )
    .option('--sandbox-port <port>', 'sandbox upstream port', integer(0, 65535), 8081)
    .option('--clients <n>', 'number of synthetic clients', integer(1, 2_000), 50)
    .option('--seed <n>', 'seed of the synthetic data generator', integer(0, 2 ** 31 - 1), 1)
    .option('--data-dir <dir>', 'PGlite data directory', '.inzage/demo')
    .option('--in-memory', 'keep the database in memory (nothing is written to disk)')
    .action(
      async (opts: {
        port: number;
        sandboxPort: number;
        clients: number;
        seed: number;
        dataDir: string;
        inMemory?: boolean;
      }) => {
        try {
          const demo = await startDemo({
            port: opts.port,
            sandboxPort: opts.sandboxPort,
            clients: opts.clients,
            seed: opts.seed,
            dataDir: opts.inMemory ? undefined : opts.dataDir,
            env: process.env,
          });
          process.stdout.write(demo.banner);
          stopOnSignals(() => demo.close(), createLogger('info'));
        } catch (err) {
          fail(err);
        }
      },
    );

  program
    .command('sandbox')
    .description('Run only the sandbox upstream: a FHIR R4 server with synthetic Dutch care data.')
    .option('-p, --port <port>', 'port', integer(0, 65535), 8081)
    .option('--host <host>', 'interface to bind to', '127.0.0.1')
    .option('--clients <n>', 'number of synthetic clients', integer(1, 2_000), 50)
    .option('--seed <n>', 'seed of the synthetic data generator', integer(0, 2 ** 31 - 1), 1)
    .action(async (opts: { port: number; host: string; clients: number; seed: number }) => {
      try {
        await runSandboxCommand(opts);
      } catch (err) {
        fail(err);
      }
    });

  const ecd = program
    .command('ecd')
    .description('The ECD link: client administration into Patient, RelatedPerson and Consent.');
  ecd
    .command('import')
    .description(
      'Import (sync) an ECD export: a JSON file, or a directory of CSV files. Applied whole or not at all.',
    )
    .argument('<path>', 'export.json, or a directory with organisation.csv, clients.csv, …')
    .addOption(
      new Option('-c, --config <file>', 'configuration file (the database it names is imported into)')
        .env('INZAGE_CONFIG')
        .makeOptionMandatory(),
    )
    .option('--dry-run', 'check everything and print what would change, but change nothing')
    .option(
      '--allow-ending-all',
      'accept an export without clients, which ends every client of the organisation',
    )
    .addHelpText(
      'after',
      `
Prints per resource type how many were created, updated, ended and left unchanged. On any problem
nothing is applied; every problem is printed with its file, line, record, field and reason.
The format is described in the README ("ECD export format"). DATABASE_URL selects PostgreSQL.

Exit codes: 0 applied (or dry run passed), 2 invalid configuration, 3 the export has problems, 1 other.`,
    )
    .action(async (path: string, opts: { config: string; dryRun?: boolean; allowEndingAll?: boolean }) => {
      try {
        const config = loadConfigFile(opts.config, process.env);
        const result = await runEcdImport(config, {
          path,
          dryRun: !!opts.dryRun,
          allowEndingAll: !!opts.allowEndingAll,
          progress: process.stderr,
        });
        process.stdout.write(formatImportResult(result, path));
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('explain')
    .description(
      "Explain the policy engine's decision for one user, client and request (for security reviewers).",
    )
    .addOption(
      new Option('-c, --config <file>', 'configuration file (the database it names is read)')
        .env('INZAGE_CONFIG')
        .makeOptionMandatory(),
    )
    .requiredOption('--user <reference>', 'who asks: Patient/<id> or RelatedPerson/<id>')
    .requiredOption('--client <reference>', 'whose dossier: Patient/<id>')
    .requiredOption('--request <line>', 'the request, e.g. "GET /Observation?category=vital-signs"')
    .option(
      '--at <moment>',
      'decide for this moment, on the facts as recorded then: ISO 8601 with an offset, or a date (Amsterdam)',
    )
    .addHelpText(
      'after',
      `
Prints PERMIT or DENY, the sections asked for and allowed, the organisation rules (by their ids in
portal-rules.md) and the Consent provisions that decided, and the obligations (masking, periods).
Exits 0 on PERMIT, 1 on DENY, 2 when the question cannot be asked (bad input or configuration).`,
    )
    .action(async (opts: { config: string; user: string; client: string; request: string; at?: string }) => {
      try {
        const config = loadConfigFile(opts.config, process.env);
        const outcome = await runExplain(config, opts);
        process.stdout.write(outcome.stdout);
        process.stderr.write(outcome.stderr);
        // 0 PERMIT, 1 DENY, 2 bad input: a reviewer can script it.
        process.exitCode = outcome.exitCode;
      } catch (err) {
        fail(err);
      }
    });

  const configCommand = program.command('config').description('Work with configuration files.');
  configCommand
    .command('check')
    .description('Validate a configuration file and print the settings it results in (secrets hidden).')
    .argument('<file>', 'configuration file (YAML or JSON)')
    .action((file: string) => {
      try {
        const config = loadConfigFile(file, process.env);
        const shown = {
          ...config,
          database:
            config.database.driver === 'postgres'
              ? { ...config.database, url: '[from DATABASE_URL]' }
              : config.database,
          ecd: {
            ...config.ecd,
            pushKeys: [...config.ecd.pushKeys.keys()].map((id) => `${id}: [from the environment]`),
          },
        };
        console.log(`${file}: valid`);
        console.log(JSON.stringify(shown, null, 2));
      } catch (err) {
        fail(err);
      }
    });

  return program;
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((err: unknown) => fail(err));
}
