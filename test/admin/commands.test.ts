import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_OPERATIONS, createStaffAccount } from '../../src/admin';
import { findAuditRecords } from '../../src/audit';
import { inzageProgram, registerAdmin } from '../../src/commands';
import { migrate, openStore } from '../../src/store';
import { CONFIG_SECTIONS } from '../audit/durability/support';

/**
 * `inzage admin …` is made from the operations (issue 12): one command per operation, its fields as
 * options, run as the staff member named by --as, with the role checks and the audit record of the
 * API. Run in-process on a PGlite data directory (the commands open it like any command).
 */
describe('inzage admin', () => {
  let dir: string;
  let config: string;
  const dataDir = () => join(dir, 'data');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inzage-admin-cli-'));
    config = join(dir, 'inzage.json');
    writeFileSync(
      config,
      JSON.stringify({ server: { port: 8080 }, database: { pgliteDataDir: dataDir() }, ...CONFIG_SECTIONS }),
    );
    const store = await openStore({ driver: 'pglite', dataDir: dataDir() });
    await migrate(store);
    for (const [email, role] of [
      ['desk@example.org', 'support-desk'],
      ['beheer@example.org', 'functional-administrator'],
    ] as const)
      await createStaffAccount(store, {
        organisationId: 'meerzicht',
        email,
        name: email,
        role,
        createdBy: 'test',
      });
    await store.close();
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs one command line; its output and exit code. */
  async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const write = {
      out: process.stdout.write.bind(process.stdout),
      err: process.stderr.write.bind(process.stderr),
    };
    const error = console.error;
    const saved = process.exitCode;
    process.exitCode = undefined;
    process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as never;
    process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as never;
    console.error = (...parts: unknown[]) => err.push(parts.join(' '));
    try {
      const program = inzageProgram().exitOverride();
      registerAdmin(program);
      await program.parseAsync(['admin', ...args], { from: 'user' });
      return { code: Number(process.exitCode ?? 0), stdout: out.join(''), stderr: err.join('') };
    } finally {
      process.stdout.write = write.out;
      process.stderr.write = write.err;
      console.error = error;
      process.exitCode = saved;
    }
  }

  it('ADMIN-CLI-1: every operation with a command has one, with --as, --config and its required fields as mandatory options', async () => {
    const program = inzageProgram();
    registerAdmin(program);
    const admin = program.commands.find((c) => c.name() === 'admin')!;
    for (const operation of ADMIN_OPERATIONS) {
      if (!operation.command) continue;
      const command = admin.commands
        .find((c) => c.name() === operation.command!.group)
        ?.commands.find((c) => c.name() === operation.command!.name);
      expect([operation.id, command !== undefined]).toEqual([operation.id, true]);
      const mandatory = command!.options.filter((o) => o.mandatory).map((o) => o.long);
      const required = ((operation.input as { required?: string[] }).required ?? []).map(
        (name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      );
      expect([operation.id, mandatory.sort()]).toEqual([
        operation.id,
        [...new Set(['--config', '--as', ...required])].sort(),
      ]);
    }
  });

  it('ADMIN-CLI-2: a read runs as the staff member; a change their role may not make exits 1; bad input exits 2; both recorded', async () => {
    const found = await run(
      'clients',
      'find',
      '-c',
      config,
      '--as',
      'desk@example.org',
      '--q',
      'nobody',
      '--json',
    );
    expect(found).toMatchObject({ code: 0 });
    expect(JSON.parse(found.stdout)).toEqual({ clients: [] });

    const refused = await run(
      'maintenance',
      'start',
      '-c',
      config,
      '--as',
      'desk@example.org',
      '--reason',
      'geprobeerd',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('may not');

    const bad = await run(
      'clients',
      'find',
      '-c',
      config,
      '--as',
      'desk@example.org',
      '--q',
      'x',
      '--limit',
      '0',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('limit');

    const unknown = await run('clients', 'find', '-c', config, '--as', 'nobody@example.org', '--q', 'x');
    expect(unknown.code).toBe(1);

    const store = await openStore({ driver: 'pglite', dataDir: dataDir() });
    try {
      const records = (await findAuditRecords(store, { kinds: ['admin'] })).map((r) => r.entry);
      expect(records.map((e) => [e.interaction, e.outcome, e.detail?.channel])).toEqual([
        ['findClients', 'success', 'command'],
        ['startMaintenance', 'refused', 'command'],
        ['findClients', 'refused', 'command'],
      ]);
      expect(records[1]).toMatchObject({ actor: { role: 'support-desk' }, detail: { reason: 'geprobeerd' } });
    } finally {
      await store.close();
    }
  });
});
