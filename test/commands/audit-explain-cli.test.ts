import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTrail } from '../../src/audit';
import { loadConfigFile } from '../../src/config';
import { createPolicyEngine, parseRequestLine } from '../../src/consent';
import { administratorRegistrationsOf } from '../../src/ecd';
import { migrate, openStore } from '../../src/store';
import { MEERZICHT_CLIENT, recordEcdClient } from '../support/ecd-records';
import { runCli } from '../support/processes';

/** `inzage audit explain` as a reviewer runs it: the compiled command on a configured database. */
const RECORDED = new Date('2026-11-01T09:00:00+01:00');
const READ_AT = new Date('2026-11-20T10:00:00+01:00');

describe('inzage audit explain (command line)', () => {
  let config: string;
  let readId: string;
  let loginId: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inzage-audit-explain-'));
    const dataDir = join(dir, 'data');
    config = join(dir, 'inzage.yaml');
    writeFileSync(
      config,
      `server:\n  port: 8080\nupstream:\n  url: http://127.0.0.1:9/fhir\ndatabase:\n  pgliteDataDir: ${dataDir}\n` +
        `organisations:\n  - id: meerzicht\n    name: Zorgcentrum Meerzicht\n    preset: meerlanden\n`,
    );
    const store = await openStore({ driver: 'pglite', dataDir });
    try {
      await migrate(store);
      const { org, client, relations } = MEERZICHT_CLIENT;
      const { patient } = await recordEcdClient(store, org, client, relations, RECORDED);
      // The record step 8 would have written for the client reading their own Patient then.
      const engine = createPolicyEngine(loadConfigFile(config, {}).organisations, store, {
        administratorRegistrations: administratorRegistrationsOf,
      });
      const decision = engine.checkWith(
        await engine.factsAsOf(patient, READ_AT),
        { user: patient, patient },
        parseRequestLine(`GET /${patient}`, READ_AT),
      );
      expect(decision.allowed).toBe(true);
      const trail = new AuditTrail(store);
      const read = await trail.record({
        kind: 'fhir-request',
        action: 'R',
        at: READ_AT,
        outcome: 'success',
        status: 200,
        requestId: 'cli-read',
        actor: { account: 'link-1', person: patient },
        clientApp: 'portal-app',
        patient,
        interaction: 'read',
        query: `read ${patient}`,
        entities: [patient],
        basis: decision.basis.map((b) =>
          b.kind === 'rule'
            ? { kind: 'rule', ref: b.rule, text: b.text }
            : { kind: 'consent', ref: `Consent/${b.consentId}`, verdict: b.verdict, section: b.section },
        ),
      });
      const login = await trail.record({
        kind: 'login',
        action: 'E',
        at: READ_AT,
        outcome: 'success',
        actor: { account: 'account-1' },
        interaction: 'password',
      });
      readId = read.id;
      loginId = login.id;
      await trail.close();
    } finally {
      await store.close();
    }
  });

  it('AUDIT-EXPLAIN-7: the command replays a recorded read (exit 0), shows a login without replay (exit 5), refuses an unknown id (exit 2)', async () => {
    const agrees = await runCli(['audit', 'explain', readId, '--config', config]);
    expect(agrees.stderr).toBe('');
    expect(agrees.code).toBe(0);
    expect(agrees.stdout).toContain(`AuditEvent  ${readId}`);
    expect(agrees.stdout).toContain('PERMIT  Patient/meerzicht-');
    expect(agrees.stdout).toMatch(/^AGREES/m);

    const login = await runCli(['audit', 'explain', loginId, '--config', config]);
    expect(login.code).toBe(5);
    expect(login.stdout).toContain('NOT REPLAYED');

    const unknown = await runCli([
      'audit',
      'explain',
      '00000000-0000-4000-8000-000000000000',
      '--config',
      config,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no audit record with id');

    const help = await runCli(['audit', 'explain', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: inzage audit explain');
    expect(help.stdout).toContain('4 DIFFERS');
  });
});
