import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, type GatewayConfig } from '../../src/config';
import { createPolicyEngine, grantAccess, withdrawAccess } from '../../src/consent';
import { administratorRegistrationsOf } from '../../src/ecd';
import { runExplain, type ExplainOptions } from '../../src/commands';
import { migrate, openStore } from '../../src/store';
import { MEERZICHT_CLIENT, recordEcdClient } from '../support/ecd-records';

/**
 * `inzage explain` in process: the moment it is asked about (B14), the facts it decides on (B13), and
 * the exit code a reviewer's script reads (B16).
 */
const RECORDED = new Date('2026-11-01T09:00:00+01:00');
const GRANTED = new Date('2026-11-10T10:00:00+01:00');
const WITHDRAWN = new Date('2026-11-25T09:00:00+01:00');

describe('inzage explain', () => {
  let config: GatewayConfig;
  let ask: (options: Partial<ExplainOptions>) => ReturnType<typeof runExplain>;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inzage-explain-'));
    const dataDir = join(dir, 'data');
    const path = join(dir, 'explain.yaml');
    writeFileSync(
      path,
      `server:\n  port: 8080\nupstream:\n  url: http://127.0.0.1:9/fhir\ndatabase:\n  pgliteDataDir: ${dataDir}\n` +
        `organisations:\n  - id: meerzicht\n    name: Zorgcentrum Meerzicht\n    preset: meerlanden\n`,
    );
    config = loadConfigFile(path, {});
    const store = await openStore({ driver: 'pglite', dataDir });
    try {
      await migrate(store);
      const { org, client, relations } = MEERZICHT_CLIENT;
      const recorded = await recordEcdClient(store, org, client, relations, RECORDED);
      const engine = createPolicyEngine(config.organisations, store, {
        administratorRegistrations: administratorRegistrationsOf,
      });
      const by = recorded.patient;
      const grant = await grantAccess(engine, store, {
        by,
        patient: by,
        grantee: recorded.relation('r1'),
        sections: ['reports'],
        at: GRANTED,
      });
      await withdrawAccess(engine, store, { by, patient: by, consentId: grant.id, at: WITHDRAWN });
      const user = recorded.relation('r1');
      ask = (options) =>
        runExplain(config, {
          user,
          client: by,
          request: 'GET /Observation?category=11591000146107',
          ...options,
        });
    } finally {
      await store.close();
    }
  });

  it('B13: explain --at before the recorded withdrawal: PERMIT (exit 0), on the Consent as it stood then', async () => {
    const then = await ask({ at: '2026-11-20T10:00:00+01:00' });
    expect(then.exitCode).toBe(0);
    expect(then.stdout).toContain('PERMIT  RelatedPerson/meerzicht-');
    expect(then.stdout).toContain('facts       as recorded at 2026-11-20T09:00:00.000Z');
    expect(then.stdout).toContain('permit reports');
  });

  it('B13: explain --at after the withdrawal: DENY (exit 1); without --at: the live decision, DENY', async () => {
    const after = await ask({ at: '2026-11-26T10:00:00+01:00' });
    expect(after.exitCode).toBe(1);
    expect(after.stdout).toMatch(/^DENY/m);
    expect(after.stdout).toContain('no Consent grants the sections asked for');
    const now = await ask({});
    expect(now.exitCode).toBe(1);
    expect(now.stdout).toContain('facts       as they are now');
  });

  it.each([
    ['1', "not a moment: '1'"],
    ['2026-11-20T10:00', "not a moment: '2026-11-20T10:00'"],
    ['2026-13-01', "not a calendar date: '2026-13-01'"],
    ['20 November', "not a moment: '20 November'"],
  ])('B14: --at %s is refused (exit 2), never guessed', async (at, message) => {
    const outcome = await ask({ at });
    expect(outcome).toEqual({ exitCode: 2, stdout: '', stderr: expect.stringContaining(`--at: ${message}`) });
  });

  it.each([
    ['2026-11-20', '2026-11-19T23:00:00.000Z'],
    ['2026-11-20T10:00:00+01:00', '2026-11-20T09:00:00.000Z'],
    ['2026-11-20T09:00:00Z', '2026-11-20T09:00:00.000Z'],
    ['2026-07-01', '2026-06-30T22:00:00.000Z'],
  ])('B14: --at %s is the moment %s (a date starts at midnight in Amsterdam)', async (at, moment) => {
    const outcome = await ask({ at });
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toContain(`at          ${moment}`);
  });

  it('B16: bad --user, --client or --request: exit 2 with the reason', async () => {
    expect(await ask({ user: 'Bob' })).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining("--user must be Patient/<id> or RelatedPerson/<id> (got 'Bob')"),
    });
    expect(await ask({ client: 'RelatedPerson/x' })).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining('--client must be Patient/<id>'),
    });
    expect(await ask({ request: 'DELETE everything' })).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining('--request: not a request line'),
    });
  });
});
