import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { findAuditRecords } from '../../src/audit';
import { runAdminStaffAdd } from '../../src/commands';
import { migrate, openStore } from '../../src/store';

/** `inzage admin staff add`: the first staff account, without --as (issue 12, item 1). */
describe('inzage admin staff add', () => {
  let dir: string;
  let config: string;
  let dataDir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inzage-staff-add-'));
    dataDir = join(dir, 'data');
    config = join(dir, 'inzage.yaml');
    writeFileSync(
      config,
      `server:\n  port: 8080\n  publicUrl: https://inzage.example.org\nupstream:\n  url: http://127.0.0.1:9/fhir\n` +
        `database:\n  pgliteDataDir: ${dataDir}\n` +
        `organisations:\n  - id: meerzicht\n    name: Zorgcentrum Meerzicht\n    preset: meerlanden\n`,
    );
    const store = await openStore({ driver: 'pglite', dataDir });
    await migrate(store);
    await store.close();
  }, 60_000);

  it('ADMIN-STAFF-10: makes the first functional administrator with a password file, recorded as made by the command line and the OS user; a second run with an enrolment code; refusals exit 1 and 2', async () => {
    const passwordFile = join(dir, 'password.txt');
    writeFileSync(passwordFile, 'een-lang-eerste-wachtwoord\n');
    const first = await runAdminStaffAdd(
      {
        config,
        organisation: 'meerzicht',
        email: 'Eerste.Beheerder@Example.org',
        name: 'Eerste Beheerder',
        role: 'functional-administrator',
        passwordFile,
      },
      {},
    );
    expect(first.output).toContain('password set; log in at https://inzage.example.org/admin/console/login');
    expect(first.exitCode).toBe(0);
    expect(first.staff).toMatchObject({
      email: 'eerste.beheerder@example.org',
      role: 'functional-administrator',
      hasPassword: true,
      createdBy: `command:${userInfo().username}`,
    });

    const second = await runAdminStaffAdd(
      {
        config,
        organisation: 'meerzicht',
        email: 'tweede@example.org',
        name: 'Tweede',
        role: 'support-desk',
      },
      {},
    );
    expect(second.exitCode).toBe(0);
    expect(second.output).toMatch(
      /enrolment \(once, until .+\): https:\/\/inzage\.example\.org\/admin\/console\/enrol\?code=/,
    );
    expect(second.staff).toMatchObject({ hasPassword: false });

    const again = await runAdminStaffAdd(
      {
        config,
        organisation: 'meerzicht',
        email: 'tweede@example.org',
        name: 'Tweede',
        role: 'support-desk',
      },
      {},
    );
    expect(again.exitCode).toBe(1);
    const unknownOrg = await runAdminStaffAdd(
      { config, organisation: 'nergens', email: 'x@example.org', name: 'X', role: 'support-desk' },
      {},
    );
    expect(unknownOrg.exitCode).toBe(2);
    const weak = await runAdminStaffAdd(
      {
        config,
        organisation: 'meerzicht',
        email: 'zwak@example.org',
        name: 'Z',
        role: 'support-desk',
        passwordFile: join(dir, 'none'),
      },
      {},
    );
    expect(weak.exitCode).toBe(2);

    const store = await openStore({ driver: 'pglite', dataDir });
    try {
      const records = (await findAuditRecords(store, { kinds: ['admin'] })).map((r) => r.entry);
      expect(records).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            interaction: 'createStaff',
            outcome: 'success',
            actor: expect.objectContaining({
              account: `command:${userInfo().username}`,
              role: 'command-line',
              onBehalfOf: 'Organization/meerzicht',
            }),
            detail: expect.objectContaining({
              staff: `staff:${first.staff!.id}`,
              role: 'functional-administrator',
            }),
          }),
        ]),
      );
    } finally {
      await store.close();
    }
  });
});
