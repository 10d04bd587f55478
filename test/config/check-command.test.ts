import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/processes';

// `inzage config check` as an operator runs it: the compiled command (built by jest's global setup).
const dir = mkdtempSync(join(tmpdir(), 'inzage-check-'));
const organisations = 'organisations:\n  - id: meerzicht\n    name: Meerzicht\n    preset: meerlanden\n';

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('inzage config check', () => {
  it('B7: credentials in upstream.url: exit 2, the right reason, and neither the password nor the token', async () => {
    const path = configFile(
      'credentials.yaml',
      `upstream: {url: "https://user:secret@host/fhir?token=abc"}\n${organisations}`,
    );
    const result = await runCli(['config', 'check', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'line 1: upstream.url: must not carry credentials (user:password@, token=); credentials come from ' +
        'the environment, and no environment variable takes upstream credentials yet (not supported)',
    );
    const printed = `${result.stdout}${result.stderr}`.split(path).join('FILE');
    expect(printed).not.toContain('secret');
    expect(printed).not.toContain('abc');
  });

  it('B7: the printed settings say where each secret comes from, and contain none', async () => {
    const path = configFile(
      'valid.yaml',
      `upstream:\n  url: https://fhir.example.org/fhir\n${organisations}`,
    );
    const result = await runCli(['config', 'check', path], {
      DATABASE_URL: 'postgres://inzage:pw-secret@db.internal:5432/inzage',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${path}: valid`);
    const view = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as Record<string, unknown>;
    expect(view).toMatchObject({
      database: {
        driver: 'postgres',
        url: '[from DATABASE_URL]',
        host: 'db.internal:5432',
        database: 'inzage',
      },
      upstream: { url: 'https://fhir.example.org/fhir' },
    });
    expect(result.stdout).not.toContain('pw-secret');
  });

  it('B10: a directory, a missing file: plain words, exit code 2', async () => {
    const directory = await runCli(['config', 'check', dir]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain(`${dir} is a directory, not a configuration file`);
    expect(directory.stderr).not.toContain('EISDIR');
    const missing = join(dir, 'nowhere.yaml');
    const absent = await runCli(['config', 'check', missing]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toContain(`${missing} does not exist`);
    expect(absent.stderr).not.toContain('ENOENT');
  });
});
