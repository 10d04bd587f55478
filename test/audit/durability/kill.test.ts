import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditRecordsOfRequest, verifyChain } from '../../../src/audit';
import { openStore, type Store } from '../../../src/store';
import {
  createTestDatabase,
  describePostgres,
  dropTestDatabase,
  type TestDatabase,
} from '../../support/postgres';
import { CliProcess, freePort } from '../../support/processes';
import { SECRET_TEXT, logIn, seedGatewayDatabase, startLoad, writeConfig, type Answered } from './support';

/**
 * Issue 11, item 2: `inzage serve` under concurrent FHIR requests, killed with SIGKILL in the middle
 * of them, loses the record of no answer it sent. The test keeps the X-Request-Id of every answer it
 * received whole; after each kill every one of them has its record in audit_event, and the chain
 * verifies. Killed and started again a few times on one database, so that a kill meets the trail in
 * different phases of its group commit.
 */
const ROUNDS = 3;
const CONCURRENCY = 24;

const dir = mkdtempSync(join(tmpdir(), 'inzage-kill-'));

async function healthy(gateway: CliProcess, base: string, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (gateway.child.exitCode !== null)
      throw new Error(
        `the gateway exited (${gateway.child.exitCode}):\n${gateway.stdout}\n${gateway.stderr}`,
      );
    // The port listens before the routes are in place: a request then waits for no answer.
    const ok = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) return;
    if (Date.now() > until)
      throw new Error(`the gateway did not start:\n${gateway.stdout}\n${gateway.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Request ids of `answered` without a record in the trail. */
async function unrecorded(store: Store, answered: readonly Answered[]): Promise<string[]> {
  const missing: string[] = [];
  for (const { requestId } of answered)
    if ((await auditRecordsOfRequest(store, requestId)).length === 0) missing.push(requestId);
  return missing;
}

interface KillSetup {
  /** The environment of `inzage serve` beside INZAGE_LINK_CODE_SECRET. */
  env: NodeJS.ProcessEnv;
  /** Opens the gateway's database in the test (PGlite: only while no gateway runs). */
  open(): Promise<Store>;
  /** Whether the test's store must be closed while a gateway runs (PGlite's one process). */
  exclusive: boolean;
  pgliteDataDir?: string;
}

async function killUnderLoad(setup: KillSetup): Promise<void> {
  const port = await freePort();
  const config = join(dir, `kill-${port}.json`);
  writeConfig(config, port, setup.pgliteDataDir);
  const base = `http://127.0.0.1:${port}`;

  let store: Store | undefined = await setup.open();
  const person = await seedGatewayDatabase(store);
  if (setup.exclusive) {
    await store.close();
    store = undefined;
  }
  let token: string | undefined;
  const checked: Answered[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const gateway = new CliProcess(['serve', '--config', config], {
        ...setup.env,
        INZAGE_LINK_CODE_SECRET: SECRET_TEXT,
      });
      try {
        await healthy(gateway, base);
        // The token is kept in the database: it outlives the process that issued it.
        token ??= await logIn(base, person);
        const load = startLoad([base], token, person.patient, CONCURRENCY);
        // A different moment each round: after 60 to 200 whole answers.
        await load.answeredMore(60 + Math.floor(Math.random() * 140));
        gateway.kill('SIGKILL');
        await gateway.exited;
        await load.stop();
        const answered = load.answered;
        expect(gateway.child.signalCode).toBe('SIGKILL');
        expect(answered.some((a) => a.status === 200)).toBe(true);
        expect(answered.some((a) => a.status === 401)).toBe(true);
        store ??= await setup.open();
        expect(await unrecorded(store, answered)).toEqual([]);
        const report = await verifyChain(store);
        expect(report).toMatchObject({ ok: true });
        expect(report.checked).toBeGreaterThanOrEqual(checked.length + answered.length);
        checked.push(...answered);
        if (setup.exclusive) {
          await store.close();
          store = undefined;
        }
      } finally {
        if (gateway.child.exitCode === null && gateway.child.signalCode === null) {
          gateway.kill('SIGKILL');
          await gateway.exited;
        }
      }
    }
    // The answers of the earlier rounds are still all there after the later kills.
    store ??= await setup.open();
    expect(await unrecorded(store, checked)).toEqual([]);
  } finally {
    await store?.close();
  }
}

describePostgres('kill -9 under load, on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => dropTestDatabase(database));

  it('AUDIT-DURABILITY-1: every answer received before `kill -9` has its record, and the chain verifies (three kills)', async () => {
    await killUnderLoad({
      env: { DATABASE_URL: database.url },
      open: async () => openStore({ driver: 'postgres', databaseUrl: database.url }),
      exclusive: false,
    });
  }, 300_000);
});

describe('kill -9 under load, on PGlite with a data directory', () => {
  it('AUDIT-DURABILITY-2: the data directory opens again after `kill -9`, with the record of every answer received', async () => {
    const dataDir = join(dir, 'pglite-data');
    await killUnderLoad({
      env: {},
      open: async () => openStore({ driver: 'pglite', dataDir }),
      exclusive: true,
      pgliteDataDir: dataDir,
    });
  }, 300_000);
});
