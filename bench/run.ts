// `npm run bench`: prints figures, asserts nothing (timings belong here, never in tests).
import { benchAudit } from './audit';
import { benchConsentEngine } from './consent-engine';
import { benchEcdImport } from './ecd-import';
import { benchFhirApi } from './fhir-api';
import { benchValidation } from './validation';

interface ClusterModule {
  startTestCluster(): Promise<{ url: string; stop(): Promise<void> } | undefined>;
}

async function main(): Promise<void> {
  const which = process.argv[2] ?? 'all';
  const clients = Number(process.env.BENCH_CLIENTS ?? 10_000);
  console.log(`# Inzage benchmarks (${new Date().toISOString()}, Node ${process.version}, ${which})`);
  if (which === 'all' || which === 'consent') {
    await benchConsentEngine({ driver: 'pglite' }, 'PGlite (embedded)');
    const cluster = await startPostgres();
    if (cluster) {
      try {
        await benchConsentEngine({ driver: 'postgres', databaseUrl: cluster.url }, 'PostgreSQL');
      } finally {
        await cluster.stop();
      }
    }
  }
  if (which === 'all' || which === 'validation') benchValidation();
  if (which === 'all' || which === 'fhir') {
    await benchFhirApi({ clients: Number(process.env.BENCH_SANDBOX_CLIENTS ?? 2000) });
  }
  if (which === 'all' || which === 'audit') {
    // `npm run bench -- audit -d 5`: five seconds per measurement.
    const d = process.argv.indexOf('-d');
    await benchAudit({
      seconds: Number(d > 0 ? process.argv[d + 1] : (process.env.BENCH_SECONDS ?? 5)),
      rounds: Number(process.env.BENCH_ROUNDS ?? 3),
      clients: Number(process.env.BENCH_AUDIT_CLIENTS ?? 200),
      postgres: async () => {
        const given = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
        return given ? { url: given, stop: async () => undefined } : startPostgres();
      },
    });
  }
  if (which === 'all' || which === 'ecd') {
    await benchEcdImport({ driver: { driver: 'pglite' }, label: 'PGlite (embedded)', clients });
    const cluster = await startPostgres();
    if (cluster) {
      try {
        await benchEcdImport({
          driver: { driver: 'postgres', databaseUrl: cluster.url },
          label: 'PostgreSQL',
          clients,
        });
      } finally {
        await cluster.stop();
      }
    } else {
      console.log(
        '\n(PostgreSQL not found: its figures are skipped; set BENCH_DATABASE_URL or install postgresql)',
      );
    }
  }
}

async function startPostgres(): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  if (process.env.BENCH_DATABASE_URL)
    return { url: process.env.BENCH_DATABASE_URL, stop: async () => undefined };
  // Plain ESM helper shared with the test runner; a runtime import keeps it out of the TypeScript build.
  const load = new Function('path', 'return import(path)') as (path: string) => Promise<ClusterModule>;
  const module = await load(require.resolve('../../scripts/postgres-cluster.mjs'));
  return module.startTestCluster();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
