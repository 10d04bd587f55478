/**
 * `npm run bench -- audit [-d <seconds>]`: the price of the audit trail (issue 11, item 9).
 *   (a) The gateway's saturated throughput with the trail on and off, in one run: the request mix of
 *       fhir-api.ts against the replay upstream (so that the gateway, not the upstream, is what is
 *       measured), two gateway processes of the same build, one with step 8 writing to a sink that
 *       resolves at once; rounds alternate on, off, on, off, … and medians are compared. On PGlite in
 *       memory, then on PostgreSQL (a scratch database per gateway) when there is a server.
 *   (b) The AuditTrail alone: records per second at 1, 32 and 256 concurrent writers, on PGlite and
 *       on PostgreSQL (BENCH_DATABASE_URL or DATABASE_URL, else the test suite's private cluster when
 *       the server binaries are installed). The server's fsync and synchronous_commit are printed
 *       beside the figures: the private cluster runs without them (on its command line, which ALTER
 *       SYSTEM cannot override), so its figures leave out the flush a durable server waits for.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { AuditTrail, type AuditEntry } from '../src/audit';
import { migrate, openStore, type StoreOptions, type Store } from '../src/store';
import { buildMix, type MixTarget } from './fhir/mix';
import { load, median, type Measured } from './fhir/load';
import { startChild, type Started } from './fhir/processes';

const CLIENT = 'mz-c001';
const UPSTREAM_PATIENT = `Patient/${CLIENT}`;
/** The fhir-api.ts load, and a busier one: the trail's wait for the commit overlaps more work. */
const CONNECTIONS = [16, 64] as const;
const CONCURRENCIES = [1, 32, 256];

const log = (text: string) => console.log(`  .. ${text}`);
const ms = (n: number) => n.toFixed(2);

export interface AuditBenchOptions {
  /** Seconds per measurement. */
  seconds: number;
  /** Rounds of each of on and off. */
  rounds: number;
  /** Clients in the sandbox and the gateways. */
  clients: number;
  /** A PostgreSQL server to create a scratch database on, or undefined for PGlite only. */
  postgres?: () => Promise<{ url: string; stop(): Promise<void> } | undefined>;
}

function gatewayTarget(gateway: Started): MixTarget {
  return {
    origin: gateway.url,
    prefix: '/fhir',
    patient: `Patient/${gateway.patient}`,
    headers: { accept: 'application/fhir+json', authorization: `Bearer ${gateway.accessToken}` },
  };
}

async function observationOf(sandboxUrl: string): Promise<string> {
  const res = await fetch(`${sandboxUrl}/Observation?patient=${UPSTREAM_PATIENT}&_count=1`, {
    headers: { accept: 'application/fhir+json' },
  });
  const body = (await res.json()) as { entry?: { resource: { id: string } }[] };
  const id = body.entry?.[0]?.resource.id;
  if (!id) throw new Error(`the sandbox has no Observation of ${UPSTREAM_PATIENT}`);
  return id;
}

/**
 * (a): the gateway with and without the trail, alternating; on PGlite in memory, or on PostgreSQL
 * when `databases` gives the two gateways a scratch database each.
 */
async function gatewayOnOff(
  options: AuditBenchOptions,
  label: string,
  databases: readonly [string, string] | [] = [],
): Promise<void> {
  console.log(
    `\n### (a) The gateway with the audit trail on and off (${label}, replay upstream, ${CONNECTIONS.join(' and ')} connections, ${options.seconds} s, ${options.rounds} rounds each)\n`,
  );
  const started: Started[] = [];
  const keep = (s: Started) => (started.push(s), s);
  try {
    const sandbox = keep(await startChild(['sandbox', String(options.clients)], log));
    const replay = keep(await startChild(['replay', sandbox.url], log));
    const observationId = await observationOf(sandbox.url);
    log('starting the two gateways');
    const [on, off] = await Promise.all(
      ['audit-on', 'audit-off'].map(async (audit, i) =>
        keep(
          await startChild(
            [
              'gateway',
              String(options.clients),
              replay.url,
              CLIENT,
              audit,
              ...(databases[i] ? [databases[i]] : []),
            ],
            log,
          ),
        ),
      ),
    );
    const legs = [
      { name: 'audit on', gateway: on! },
      { name: 'audit off', gateway: off! },
    ];
    const mixes = await Promise.all(legs.map((l) => buildMix(gatewayTarget(l.gateway), observationId)));
    legs.forEach((l, i) => console.log(`- ${l.name}: ${mixes[i]!.checks.join(', ')}`));
    for (const [i, l] of legs.entries())
      await load(l.gateway.url, mixes[i]!.requests, { connections: CONNECTIONS[0], seconds: 2 });
    const results: { connections: number; measured: Measured[][] }[] = [];
    for (const connections of CONNECTIONS) {
      const measured: Measured[][] = [[], []];
      for (let round = 1; round <= options.rounds; round++) {
        for (const [i, l] of legs.entries()) {
          const m = await load(l.gateway.url, mixes[i]!.requests, { connections, seconds: options.seconds });
          measured[i]!.push(m);
          log(
            `${connections} connections, round ${round}, ${l.name}: ${m.requestsPerSecond.toFixed(0)} req/s, p50 ${ms(m.p50)}, p99 ${ms(m.p99)}${m.failed ? `, ${m.failed} failed` : ''}`,
          );
        }
      }
      results.push({ connections, measured });
    }
    console.log(
      '\n| connections | gateway | requests/s (median) | p50 / p99 ms | each round | cost of the trail |',
    );
    console.log('|---|---|---|---|---|---|');
    for (const { connections, measured } of results) {
      const rps = measured.map((m) => median(m.map((x) => x.requestsPerSecond)));
      const cost = (1 - rps[0]! / rps[1]!) * 100;
      for (const [i, l] of legs.entries()) {
        const m = measured[i]!;
        console.log(
          `| ${connections} | ${l.name} | ${rps[i]!.toFixed(0)} | ${ms(median(m.map((x) => x.p50)))} / ${ms(median(m.map((x) => x.p99)))} | ${m.map((x) => x.requestsPerSecond.toFixed(0)).join(', ')} | ${i === 0 ? `${cost.toFixed(1)}%` : ''} |`,
        );
      }
    }
    console.log('\n(the cost: 1 − on/off of the medians; target under 15%)');
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
}

function entry(n: number): AuditEntry {
  return {
    kind: 'fhir-request',
    action: 'R',
    at: new Date(),
    outcome: 'success',
    status: 200,
    requestId: `bench-${n}`,
    actor: { account: 'acc-1', person: 'RelatedPerson/meerzicht-rp-1' },
    clientApp: 'portal-app',
    patient: 'Patient/meerzicht-mz-c001',
    interaction: 'search-type',
    query: 'Observation?patient=Patient/meerzicht-mz-c001&_count=10',
    entities: Array.from({ length: 10 }, (_, i) => `Observation/meerzicht-obs-${n}-${i}`),
    basis: [{ kind: 'consent', ref: 'Consent/meerzicht-c-1', verdict: 'permit', section: 'reports' }],
  };
}

/** `concurrency` writers, each awaiting its record before writing the next, for `seconds`. */
async function recordsPerSecond(
  store: Store,
  concurrency: number,
  seconds: number,
): Promise<{ perSecond: number; perBatch: number }> {
  const trail = new AuditTrail(store);
  let n = 0;
  const until = performance.now() + seconds * 1000;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) await trail.record(entry(n++));
    }),
  );
  const elapsed = (performance.now() - startedAt) / 1000;
  await trail.close();
  return { perSecond: trail.stats.records / elapsed, perBatch: trail.stats.records / trail.stats.batches };
}

async function trailAlone(label: string, driver: StoreOptions, seconds: number): Promise<void> {
  const store = await openStore(driver);
  try {
    await migrate(store);
    await recordsPerSecond(store, 32, 1);
    for (const concurrency of CONCURRENCIES) {
      const { perSecond, perBatch } = await recordsPerSecond(store, concurrency, seconds);
      console.log(`| ${label} | ${concurrency} | ${perSecond.toFixed(0)} | ${perBatch.toFixed(1)} |`);
    }
  } finally {
    await store.close();
  }
}

/** The server's version and durability settings, for the label of its figures. */
async function settingsOf(serverUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit') ORDER BY name",
    );
    const of = (name: string) => rows.find((r) => r.name === name)?.setting;
    return `${of('server_version')?.split(' ')[0]} (fsync ${of('fsync')}, synchronous_commit ${of('synchronous_commit')})`;
  } finally {
    await client.end();
  }
}

/** A scratch database on the server, dropped afterwards. */
async function withScratchDatabase(serverUrl: string, work: (url: string) => Promise<void>): Promise<void> {
  const name = `inzage_bench_audit_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    await work(url.toString());
  } finally {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

/** (b): the trail alone. */
async function trailThroughput(
  options: AuditBenchOptions,
  server: { url: string; label: string } | undefined,
): Promise<void> {
  console.log(`\n### (b) The AuditTrail alone: records per second (${options.seconds} s each)\n`);
  console.log('| database | concurrent writers | records/s | records per transaction |');
  console.log('|---|---|---|---|');
  await trailAlone('PGlite (in memory)', { driver: 'pglite' }, options.seconds);
  if (server === undefined) {
    console.log('\n(no PostgreSQL: set BENCH_DATABASE_URL, or install postgresql for a private cluster)');
    return;
  }
  await withScratchDatabase(server.url, (url) =>
    trailAlone(server.label, { driver: 'postgres', databaseUrl: url }, options.seconds),
  );
}

export async function benchAudit(options: AuditBenchOptions): Promise<void> {
  console.log(`\n## The audit trail (sandbox of ${options.clients} clients, logged in as ${CLIENT})`);
  await gatewayOnOff(options, 'PGlite in memory');
  const server = await options.postgres?.();
  try {
    const label = server && `PostgreSQL ${await settingsOf(server.url)}`;
    if (server)
      await withScratchDatabase(server.url, (on) =>
        withScratchDatabase(server.url, (off) => gatewayOnOff(options, label!, [on, off])),
      );
    await trailThroughput(options, server && { url: server.url, label: label! });
  } finally {
    await server?.stop();
  }
}
