import { resolve } from 'node:path';
import { resolveConfig, type ConfigFile, type Environment, type PolicyPresetName } from './config';
import { createLogger } from './http';
import { startGateway, type RunningGateway } from './app';
import { importEcdExport, readEcdJsonStream, type ImportResult } from './ecd';
import { generateSandboxData, sandboxSummary, startSandboxServer, type SandboxServer } from './sandbox';

export interface DemoOptions {
  port: number;
  sandboxPort: number;
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
  close(): Promise<void>;
}

/** Which preset each sandbox organisation runs under: elderly care and disability care. */
const SANDBOX_PRESETS: Record<string, PolicyPresetName> = { meerzicht: 'meerlanden', amerhof: 'amerpoort' };

/**
 * The embedded default: a sandbox upstream seeded with synthetic data, and the gateway in front of
 * it on 127.0.0.1 with the embedded database. Nothing here is reachable from another machine.
 */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const data = generateSandboxData({ clients: options.clients, seed: options.seed });
  const sandbox = await startSandboxServer({ data, port: options.sandboxPort, host: '127.0.0.1' });
  try {
    const file: ConfigFile = {
      server: { host: '127.0.0.1', port: options.port },
      upstream: { url: sandbox.url },
      database: options.dataDir ? { pgliteDataDir: options.dataDir } : {},
      organisations: data.exports.map((e) => ({
        id: e.organisation.id,
        name: e.organisation.name,
        preset: SANDBOX_PRESETS[e.organisation.id] ?? 'meerlanden',
      })),
    };
    // The demo is always embedded: a DATABASE_URL in the shell must not point it at a real database.
    const config = resolveConfig(file, 'demo defaults', { ...options.env, DATABASE_URL: undefined });
    const log = createLogger(config.log.level);
    const gateway = await startGateway(config, { log });
    // The sandbox's ECD facts go in through the same reader and sync as a customer's export.
    const imports: ImportResult[] = [];
    try {
      for (const ecdExport of data.exports) {
        const name = `sandbox-${ecdExport.organisation.id}.json`;
        imports.push(
          await importEcdExport(gateway.store, readEcdJsonStream([JSON.stringify(ecdExport)], name), {
            organisations: config.organisations,
            source: `demo:${name}`,
          }),
        );
      }
    } catch (err) {
      await gateway.close();
      throw err;
    }
    const summary = sandboxSummary(data);
    const banner = [
      '',
      'Inzage demo is running (synthetic data only; nothing leaves this machine).',
      '',
      `  Gateway            ${gateway.url}`,
      `  FHIR base          ${gateway.url}${config.fhirBasePath}`,
      `  SMART discovery    ${gateway.url}${config.fhirBasePath}/.well-known/smart-configuration (coming with the authorization server)`,
      `  Health             ${gateway.url}/healthz   readiness ${gateway.url}/readyz`,
      `  Sandbox upstream   ${sandbox.url}`,
      `  Database           ${options.dataDir ? `PGlite in ${resolve(options.dataDir)}` : 'PGlite in memory'}`,
      '',
      `  Organisations      ${config.organisations.map((o) => `${o.name} [${o.preset}]`).join(', ')}`,
      `  Sandbox data       ${summary.clients} clients, ${summary.resources} FHIR resources (seed ${options.seed})`,
      ...imports.map(
        (r) =>
          `  ECD sync           ${r.organisationId}: ${r.counts.Patient.created + r.counts.Patient.updated} Patient, ` +
          `${r.counts.RelatedPerson.created + r.counts.RelatedPerson.updated} RelatedPerson, ` +
          `${r.counts.Consent.created + r.counts.Consent.updated} Consent written ` +
          `(${r.counts.Patient.unchanged + r.counts.RelatedPerson.unchanged + r.counts.Consent.unchanged} unchanged)`,
      ),
      '',
      '  Demo accounts      none yet: they come with the SMART authorization server',
      '',
      'Stop with Ctrl-C.',
      '',
    ].join('\n');
    return {
      gateway,
      sandbox,
      banner,
      async close() {
        await gateway.close();
        await sandbox.close();
      },
    };
  } catch (err) {
    await sandbox.close();
    throw err;
  }
}
