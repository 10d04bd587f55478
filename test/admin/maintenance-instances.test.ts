import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inzageProgram, registerAdmin, startGateway, type RunningGateway } from '../../src/commands';
import { resolveConfig } from '../../src/config';
import { createLogger } from '../../src/http';
import { openStore, type Store } from '../../src/store';
import { CONFIG_SECTIONS, SECRET, logIn, seedGatewayDatabase } from '../audit/durability/support';
import {
  createTestDatabase,
  describePostgres,
  dropTestDatabase,
  type TestDatabase,
} from '../support/postgres';
import { freePort } from '../support/processes';
import { staffLogin } from './support/staff';

/**
 * Maintenance mode on several instances (issue 12 item 6; M-8, A-12): two gateways on one
 * PostgreSQL database; a window started through one holds on the other from its very next request,
 * and so does one started by `inzage admin maintenance start` on the database they use.
 */
describePostgres('maintenance mode on two instances', () => {
  let database: TestDatabase;
  let store: Store;
  const gateways: RunningGateway[] = [];
  let a: RunningGateway;
  let b: RunningGateway;
  let token: string;
  let patient: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore({ driver: 'postgres', databaseUrl: database.url });
    const person = await seedGatewayDatabase(store);
    patient = person.patient;
    // One public address for both (a load balancer's): a token of one is good at the other.
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    for (const listen of [port, 0])
      gateways.push(
        await startGateway(
          resolveConfig(
            {
              server: { host: '127.0.0.1', port: listen, publicUrl },
              database: { poolSize: 3 },
              ...CONFIG_SECTIONS,
              log: { level: 'silent' },
            },
            'test',
            { DATABASE_URL: database.url },
          ),
          { log: createLogger('silent'), readinessChecks: [], accountSecret: SECRET },
        ),
      );
    [a, b] = gateways as [RunningGateway, RunningGateway];
    token = await logIn(a.url, person);
  }, 120_000);

  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await store?.close();
    await dropTestDatabase(database);
  });

  const read = (gateway: RunningGateway) =>
    fetch(`${gateway.url}/fhir/${patient}`, { headers: { authorization: `Bearer ${token}` } });

  it('ADMIN-MAINT-9 (M-8, A-12): started through instance A, instance B answers 503 on its very next request; ended through B, A serves again at once', async () => {
    const admin = await staffLogin(store, 'functional-administrator');
    expect((await read(b)).status).toBe(200);
    expect((await read(a)).status).toBe(200);
    for (let round = 0; round < 5; round += 1) {
      const started = await fetch(`${a.url}/admin/maintenance`, {
        method: 'POST',
        headers: {
          cookie: admin.cookie,
          'x-csrf-token': await admin.csrf(a.url),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ reason: `upgrade ${round}` }),
      });
      expect(started.status).toBe(200);
      const onB = await read(b);
      expect([round, onB.status]).toEqual([round, 503]);
      expect(await onB.json()).toMatchObject({ resourceType: 'OperationOutcome' });
      expect(onB.headers.get('retry-after')).toBe('600');
      const ended = await fetch(`${b.url}/admin/maintenance/end`, {
        method: 'POST',
        headers: {
          cookie: admin.cookie,
          'x-csrf-token': await admin.csrf(b.url),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ reason: `upgrade ${round} done` }),
      });
      expect(ended.status).toBe(200);
      expect([round, (await read(a)).status]).toEqual([round, 200]);
    }
  });

  it('ADMIN-MAINT-10: `inzage admin maintenance start` on the database the gateways use closes both; `end` opens them', async () => {
    const admin = await staffLogin(store, 'functional-administrator');
    const dir = mkdtempSync(join(tmpdir(), 'inzage-maintenance-'));
    const config = join(dir, 'inzage.json');
    writeFileSync(config, JSON.stringify({ server: { port: 8080 }, ...CONFIG_SECTIONS }));
    const saved = { url: process.env.DATABASE_URL, exitCode: process.exitCode };
    const output: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const run = async (...args: string[]) => {
      const program = inzageProgram().exitOverride();
      registerAdmin(program);
      await program.parseAsync(['admin', 'maintenance', ...args, '-c', config, '--as', admin.staff.email], {
        from: 'user',
      });
    };
    try {
      process.env.DATABASE_URL = database.url;
      process.stdout.write = ((chunk: string) => (output.push(String(chunk)), true)) as never;
      await run(
        'start',
        '--until',
        new Date(Date.now() + 3600_000).toISOString(),
        '--reason',
        'from the command line',
      );
      process.stdout.write = write;
      expect(process.exitCode ?? 0).toBe(0);
      expect(output.join('')).toContain('maintenance: active');
      for (const gateway of [a, b]) {
        const answer = await read(gateway);
        expect(answer.status).toBe(503);
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(3500);
      }
      process.stdout.write = ((chunk: string) => (output.push(String(chunk)), true)) as never;
      await run('end', '--reason', 'done from the command line');
      process.stdout.write = write;
      expect(output.join('')).toContain('maintenance: off (ended)');
      for (const gateway of [a, b]) expect((await read(gateway)).status).toBe(200);
    } finally {
      process.stdout.write = write;
      if (saved.url === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved.url;
      process.exitCode = saved.exitCode;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
