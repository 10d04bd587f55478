import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import {
  DEFAULTS,
  resolveConfig,
  type ConfigFile,
  type Environment,
  type OrganisationConfig,
  type PolicyPresetName,
} from '../config';
import {
  importEcdExport,
  patientId,
  readEcdJsonStream,
  relatedPersonId,
  type EcdExport,
  type ImportResult,
} from '../ecd';
import { createLogger } from '../http';
import { readResource } from '../resources';
import {
  generateSandboxData,
  sandboxSummary,
  startSandboxServer,
  type SandboxScenarios,
  type SandboxServer,
} from '../sandbox';
import type { Store } from '../store';
import { demoBanner, type DemoShowcase } from './demo-banner';
import { demoEcdClients } from './demo-ecd';
import { startDemoLogin, type DemoLogin } from './demo-login';
import type { DemoLoginFacts } from './demo-login-banner';
import { registerDemoStaff, type DemoStaffAccount } from './demo-staff';
import { registerDemoTotp } from './demo-totp';
import { exitOnFailure } from './fail';
import { integer } from './program';
import { startGateway, type RunningGateway } from './start-gateway';
import { stopOnSignals } from './stop-on-signals';

export interface DemoOptions {
  port: number;
  sandboxPort: number;
  /** Port of the demo portal apps' own server (default 0: any free port). */
  appPort?: number;
  clients: number;
  seed: number;
  /** PGlite data directory; undefined = in memory. */
  dataDir: string | undefined;
  env: Environment;
}

export interface RunningDemo {
  gateway: RunningGateway;
  sandbox: SandboxServer;
  /** The text printed for the person who started the demo. */
  banner: string;
  /** Where the demo wrote its configuration and the sandbox exports. */
  filesDir: string;
  close(): Promise<void>;
}

/** Which preset each sandbox organisation runs under: elderly care and disability care. */
const SANDBOX_PRESETS: Record<string, PolicyPresetName> = { meerzicht: 'meerlanden', amerhof: 'amerpoort' };

/** The client of each organisation whose dossier the printed commands look at: one who granted access. */
const SHOWCASE_CLIENT: Record<string, keyof SandboxScenarios> = {
  meerzicht: 'firstContactAuthorised',
  amerhof: 'administratorGrantedSections',
};

/** `inzage demo`: the embedded default. */
export function registerDemo(program: Command): void {
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
    .option('--app-port <port>', 'port of the demo portal apps (their own origin)', integer(0, 65535), 8082)
    .option('--clients <n>', 'number of synthetic clients', integer(1, 2_000), 50)
    .option('--seed <n>', 'seed of the synthetic data generator', integer(0, 2 ** 31 - 1), 1)
    .option('--data-dir <dir>', 'PGlite data directory', '.inzage/demo')
    .option('--in-memory', 'keep the database in memory (nothing is written to disk)')
    .action(
      exitOnFailure(
        async (opts: {
          port: number;
          sandboxPort: number;
          appPort: number;
          clients: number;
          seed: number;
          dataDir: string;
          inMemory?: boolean;
        }) => {
          const demo = await startDemo({
            port: opts.port,
            sandboxPort: opts.sandboxPort,
            appPort: opts.appPort,
            clients: opts.clients,
            seed: opts.seed,
            dataDir: opts.inMemory ? undefined : opts.dataDir,
            env: process.env,
          });
          process.stdout.write(demo.banner);
          stopOnSignals(() => demo.close(), createLogger('info'));
        },
      ),
    );
  registerDemoTotp(program);
}

/**
 * The embedded default: a sandbox upstream seeded with synthetic data, and the gateway in front of
 * it on 127.0.0.1 with the embedded database. Nothing here is reachable from another machine.
 */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const data = generateSandboxData({ clients: options.clients, seed: options.seed });
  const sandbox = await startSandboxServer({ data, port: options.sandboxPort, host: '127.0.0.1' });
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  // Beside the data directory, never in it (PGlite owns that); a temporary one for a database in memory.
  const filesDir = dataDir ? `${dataDir}-files` : mkdtempSync(join(tmpdir(), 'inzage-demo-'));
  const removeFiles = () => {
    if (!dataDir) rmSync(filesDir, { recursive: true, force: true });
  };
  let login: DemoLogin | undefined;
  try {
    mkdirSync(filesDir, { recursive: true });
    login = await startDemoLogin({ appPort: options.appPort ?? 0, env: options.env, filesDir });
    const ecd = await demoEcdClients(
      filesDir,
      data.exports.map((e) => e.organisation.id),
    );
    const file: ConfigFile = {
      server: { host: '127.0.0.1', port: options.port },
      upstream: { url: sandbox.url },
      database: dataDir ? { pgliteDataDir: dataDir } : {},
      organisations: data.exports.map((e) => ({
        id: e.organisation.id,
        name: e.organisation.name,
        preset: SANDBOX_PRESETS[e.organisation.id] ?? 'meerlanden',
      })),
      smart: { clients: [...login.clients, ...ecd.registrations] },
    };
    // The demo is always embedded: a DATABASE_URL in the shell must not point it at a real database.
    const config = resolveConfig(file, 'demo defaults', { ...options.env, DATABASE_URL: undefined });
    const configFile = dataDir ? writeConfigFile(filesDir, file) : undefined;
    const exportFiles = new Map(
      data.exports.map((e) => {
        const path = join(filesDir, `sandbox-${e.organisation.id}.json`);
        writeFileSync(path, JSON.stringify(e, null, 1));
        return [e.organisation.id, path] as const;
      }),
    );

    const log = createLogger(config.log.level);
    // The login pages' e-mail and SMS codes go to the demo's outbox file, printed in the banner.
    const gateway = await startGateway(config, {
      log,
      messageSender: login.outbox,
      accountSecret: login.secret,
    });
    let imports: ImportResult[];
    let showcases: DemoShowcase[];
    let loginFacts: DemoLoginFacts;
    let staff: DemoStaffAccount[];
    // An empty DATABASE_URL counts as unset: the printed commands then use the demo's database.
    const commandPrefix = options.env.DATABASE_URL ? 'DATABASE_URL= ' : '';
    try {
      imports = await importSandboxExports(gateway, data.exports, config.organisations);
      showcases = await showcasesOf(gateway.store, data.exports, data.scenarios);
      loginFacts = await login.ready(
        { store: gateway.store, url: gateway.url, fhirBasePath: config.fhirBasePath },
        data,
        commandPrefix,
        log,
      );
      staff = await registerDemoStaff(gateway.store, config.organisations[0]!.id, login.secret);
    } catch (err) {
      await gateway.close();
      throw err;
    }
    const summary = sandboxSummary(data);
    const banner = demoBanner({
      gatewayUrl: gateway.url,
      fhirBasePath: config.fhirBasePath,
      sandboxUrl: sandbox.url,
      dataDir,
      filesDir,
      organisations: config.organisations,
      summary: `${summary.clients} clients, ${summary.resources} FHIR resources (seed ${options.seed})`,
      imports,
      ecdClients: ecd.clients.map((c) => ({ ...c, exportFile: exportFiles.get(c.organisationId)! })),
      showcases,
      configFile,
      commandPrefix,
      login: loginFacts,
      staff,
    });
    return {
      gateway,
      sandbox,
      banner,
      filesDir,
      async close() {
        await gateway.close();
        await login?.close();
        await sandbox.close();
        removeFiles();
      },
    };
  } catch (err) {
    await login?.close();
    await sandbox.close();
    removeFiles();
    throw err;
  }
}

/** The sandbox's ECD facts go in through the same reader and sync as a customer's export. */
async function importSandboxExports(
  gateway: RunningGateway,
  exports: readonly EcdExport[],
  organisations: readonly OrganisationConfig[],
): Promise<ImportResult[]> {
  const results: ImportResult[] = [];
  for (const ecdExport of exports) {
    const name = `sandbox-${ecdExport.organisation.id}.json`;
    results.push(
      await importEcdExport(gateway.store, readEcdJsonStream([JSON.stringify(ecdExport)], name), {
        organisations,
        source: `demo:${name}`,
        // The demo's seeding is an ECD sync like any other: the client's log starts with it.
        audit: { trail: gateway.audit, origin: { via: 'file', account: 'demo' } },
      }),
    );
  }
  return results;
}

/**
 * Per organisation, a client and a relation the client granted access to, as the gateway stored
 * them: ids a newcomer can pass to `inzage explain`.
 */
async function showcasesOf(
  store: Store,
  exports: readonly EcdExport[],
  scenarios: SandboxScenarios,
): Promise<DemoShowcase[]> {
  const showcases: DemoShowcase[] = [];
  for (const e of exports) {
    const organisationId = e.organisation.id;
    const scenario = SHOWCASE_CLIENT[organisationId];
    const wanted = scenario === undefined ? undefined : scenarios[scenario];
    const grants = e.portalAuthorisations.filter((a) => !a.withdrawal);
    const grant =
      grants.find((a) => a.clientId === wanted && a.sections.includes('appointments')) ??
      grants.find((a) => a.sections.includes('appointments'));
    const relation = grant && e.relations.find((r) => r.id === grant.granteeRelationId);
    if (!grant || !relation) continue;
    const patient = patientId(organisationId, grant.clientId);
    const relatedPerson = relatedPersonId(organisationId, relation.id);
    const stored = await Promise.all([
      readResource(store, 'Patient', patient),
      readResource(store, 'RelatedPerson', relatedPerson),
    ]);
    if (stored.some((r) => !r)) continue;
    showcases.push({
      organisationId,
      patient: `Patient/${patient}`,
      relatedPerson: `RelatedPerson/${relatedPerson}`,
      role: relation.role,
      sections: grant.sections,
    });
  }
  return showcases;
}

/** The demo's configuration, for the commands that inspect its database after it stopped. */
function writeConfigFile(dir: string, file: ConfigFile): string {
  const path = join(dir, 'inzage-demo.yaml');
  writeFileSync(
    path,
    [
      '# Written by `inzage demo`: its database, for `inzage explain` and `inzage ecd import` once the',
      '# demo has stopped (the embedded database opens in one process at a time). Rewritten at each start.',
      stringify(file),
    ].join('\n'),
  );
  return path;
}
