import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store';
import { asJson, smallExport } from '../ecd/fixtures';
import { CliProcess, freePort, runCli } from '../support/processes';

const dir = mkdtempSync(join(tmpdir(), 'inzage-cli-'));

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function validConfig(name: string, port: number, upstream = 'http://127.0.0.1:9/fhir'): string {
  return configFile(
    name,
    `server:\n  host: 127.0.0.1\n  port: ${port}\nupstream:\n  url: ${upstream}\ndatabase:\n  pgliteDataDir: ${join(dir, `${name}-data`)}\n` +
      `organisations:\n  - id: meerzicht\n    name: Zorgcentrum Meerzicht\n    preset: meerlanden\n`,
  );
}

describe('inzage command line', () => {
  it('--help lists every command, and every command has its own --help', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['serve', 'demo', 'sandbox', 'ecd', 'explain', 'config'])
      expect(top.stdout).toContain(command);
    for (const args of [
      ['serve'],
      ['demo'],
      ['sandbox'],
      ['ecd', 'import'],
      ['explain'],
      ['config', 'check'],
    ]) {
      const help = await runCli([...args, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: inzage ${args.join(' ')}`);
    }
    expect((await runCli(['serve', '--help'])).stdout).toContain('DATABASE_URL');
  });

  it('serve without --config says what is missing', async () => {
    const result = await runCli(['serve']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("required option '-c, --config <file>' not specified");
  });

  it('a broken configuration file stops start-up with the line, the field and the reason', async () => {
    const path = configFile(
      'broken.yaml',
      'server:\n  port: eighty\nupstream:\n  url: http://127.0.0.1:9/fhir\norganisations:\n  - id: meerzicht\n    name: M\n    preset: everyone\n',
    );
    const result = await runCli(['serve', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`invalid configuration (${path})`);
    expect(result.stderr).toContain('line 2: server.port: must be an integer (got "eighty")');
    expect(result.stderr).toContain(
      'line 8: organisations[0].preset: must be one of meerlanden, amerpoort (got "everyone")',
    );
  });

  it('config check validates a file and hides secrets', async () => {
    const path = validConfig('check.yaml', 8080);
    const result = await runCli(['config', 'check', path], {
      DATABASE_URL: 'postgres://inzage:pw-secret@db/inzage',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('valid');
    expect(result.stdout).not.toContain('pw-secret');
  });

  it('serve runs, logs JSON, and stops cleanly on SIGTERM with the database closed', async () => {
    const port = await freePort();
    const path = validConfig('serve.yaml', port);
    const gateway = new CliProcess(['serve', '--config', path]);
    await gateway.waitForOutput(/gateway listening/);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
      headers: { 'x-request-id': 'cli-test-request-1' },
    });
    expect(res.status).toBe(200);
    await gateway.waitForOutput(/cli-test-request-1/);
    gateway.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    const lines = gateway.logLines();
    expect(lines.find((l) => l.reqId === 'cli-test-request-1')).toMatchObject({
      msg: 'request',
      path: '/healthz',
      status: 200,
    });
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['database ready', 'gateway listening', 'shutting down', 'stopped']),
    );
    // Closed cleanly: the data directory opens again with the schema in place.
    const store = await openStore({ driver: 'pglite', dataDir: join(dir, 'serve.yaml-data') });
    try {
      const rows = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0]?.n).toBeGreaterThanOrEqual(2);
    } finally {
      await store.close();
    }
  });

  it('a port in use is reported in words', async () => {
    const port = await freePort();
    const first = new CliProcess(['serve', '--config', validConfig('first.yaml', port)]);
    await first.waitForOutput(/gateway listening/);
    try {
      const second = await runCli(['serve', '--config', validConfig('second.yaml', port)]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      first.kill();
      await first.exited;
    }
    // Two gateways start one after the other: slow on a busy machine.
  }, 180_000);

  describe('ecd import', () => {
    it('prints what it created, updated, ended and left alone; a second run changes nothing', async () => {
      const path = validConfig('import.yaml', 8080);
      const exportFile = join(dir, 'export.json');
      writeFileSync(exportFile, asJson(smallExport()));
      const dry = await runCli(['ecd', 'import', exportFile, '--config', path, '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('nothing was changed');
      const first = await runCli(['ecd', 'import', exportFile, '--config', path]);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/Patient\s+2\s+0\s+0\s+0/);
      expect(first.stdout).toMatch(/RelatedPerson\s+3\s+0\s+0\s+0/);
      expect(first.stdout).toMatch(/Consent\s+2\s+0\s+0\s+0/);
      const second = await runCli(['ecd', 'import', exportFile, '--config', path]);
      expect(second.stdout).toMatch(/Patient\s+0\s+0\s+0\s+2/);
    });

    it('a bad export exits 3, names file, line, record, field and reason, and applies nothing', async () => {
      const path = validConfig('bad-import.yaml', 8080);
      const exp = smallExport();
      exp.clients[0]!.bsn = '123456789';
      const exportFile = join(dir, 'bad.json');
      writeFileSync(exportFile, asJson(exp));
      const result = await runCli(['ecd', 'import', exportFile, '--config', path]);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /bad\.json line \d+ clients\[0\] \(id c1\): bsn: is not a valid BSN \(fails the eleven-test\)/,
      );
      const store = await openStore({ driver: 'pglite', dataDir: join(dir, 'bad-import.yaml-data') });
      try {
        const rows = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM fhir_resource');
        expect(rows[0]?.n).toBe(0);
      } finally {
        await store.close();
      }
    });
  });

  it('explain prints the decision with its rules and Consents; B16: exits 0 on PERMIT, 1 on DENY, 2 on bad input', async () => {
    const path = validConfig('explain.yaml', 8080);
    const exportFile = join(dir, 'explain-export.json');
    writeFileSync(exportFile, asJson(smallExport()));
    expect((await runCli(['ecd', 'import', exportFile, '--config', path])).code).toBe(0);
    const ask = (request: string, ...more: string[]) =>
      runCli([
        'explain',
        '--config',
        path,
        '--user',
        'RelatedPerson/meerzicht-r1',
        '--client',
        'Patient/meerzicht-c1',
        '--request',
        request,
        ...more,
      ]);
    // Without --at: the live decision, on the facts as they are now.
    const permit = await ask('GET /Appointment?date=ge2026-01-01');
    expect(permit.code).toBe(0);
    expect(permit.stdout).toContain('PERMIT  RelatedPerson/meerzicht-r1 → Patient/meerzicht-c1');
    expect(permit.stdout).toMatch(/rule M-2\s+a first-contact-person sees what the client authorised/);
    expect(permit.stdout).toContain('permit appointments');
    const deny = await ask('GET /MedicationRequest');
    expect(deny.code).toBe(1);
    expect(deny.stdout).toContain('DENY');
    expect(deny.stdout).toContain('no Consent grants the sections asked for');
    // B13: a moment before the import: the gateway did not know the client then.
    const before = await ask('GET /Appointment', '--at', '2020-01-01');
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('the client is not known to the gateway');
    // B14: a moment that is no moment is refused, not read as 2001.
    const one = await ask('GET /Appointment', '--at', '1');
    expect(one.code).toBe(2);
    expect(one.stderr).toContain("--at: not a moment: '1'");
    const bad = await runCli([
      'explain',
      '--config',
      path,
      '--user',
      'Bob',
      '--client',
      'Patient/x',
      '--request',
      'GET /Patient',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--user must be Patient/<id> or RelatedPerson/<id>');
  });

  it('demo brings up the sandbox and the gateway, ready, and prints where they are', async () => {
    const [port, sandboxPort] = [await freePort(), await freePort()];
    const demo = new CliProcess([
      'demo',
      '--in-memory',
      '--port',
      String(port),
      '--sandbox-port',
      String(sandboxPort),
    ]);
    try {
      await demo.waitForOutput(/Stop with Ctrl-C/, 30_000);
      expect(demo.stdout).toContain(`Gateway            http://127.0.0.1:${port}`);
      expect(demo.stdout).toContain(`FHIR base          http://127.0.0.1:${port}/fhir`);
      expect(demo.stdout).toContain(`Sandbox upstream   http://127.0.0.1:${sandboxPort}/fhir`);
      expect(demo.stdout).toMatch(/ECD sync\s+meerzicht: \d+ Patient/);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      const patient = await fetch(`http://127.0.0.1:${sandboxPort}/fhir/Patient?_count=1`);
      expect(patient.status).toBe(200);
    } finally {
      demo.kill('SIGTERM');
    }
    expect(await demo.exited).toBe(0);
  });
});
