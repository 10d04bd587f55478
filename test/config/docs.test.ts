import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENT_VARIABLES, SETTINGS } from '../../src/config';

// The generator reads the compiled catalogue (dist/src/config); jest's global setup builds it.
const root = join(__dirname, '../..');
const script = join(root, 'scripts/config-docs.mjs');

function generator(...args: string[]): { code: number | null; output: string } {
  const run = spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8' });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A copy of the README and the example file, to make stale on purpose. */
function copyOfTheDocs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'inzage-docs-'));
  mkdirSync(join(dir, 'config'));
  copyFileSync(join(root, 'README.md'), join(dir, 'README.md'));
  copyFileSync(join(root, 'config/inzage.example.yaml'), join(dir, 'config/inzage.example.yaml'));
  return dir;
}

describe('the configuration reference', () => {
  it('B8: the README tables and config/inzage.example.yaml are generated from the catalogue and current', () => {
    const check = generator('--check');
    expect(check.output).toContain('config docs are up to date');
    expect(check.code).toBe(0);
  });

  it('B8: --check fails on a stale table or example and names it; writing makes both current again', () => {
    const dir = copyOfTheDocs();
    const readme = join(dir, 'README.md');
    const example = join(dir, 'config/inzage.example.yaml');
    writeFileSync(readme, readFileSync(readme, 'utf8').replace('| `server.port`', '| `server.prot`'));
    writeFileSync(example, readFileSync(example, 'utf8').replace('port: 8080', 'port: 8081'));
    const stale = generator('--check', '--root', dir);
    expect(stale.code).toBe(1);
    expect(stale.output).toContain('config docs are stale: README.md, config/inzage.example.yaml');
    expect(readFileSync(readme, 'utf8')).toContain('`server.prot`');
    expect(generator('--root', dir).code).toBe(0);
    expect(readFileSync(readme, 'utf8')).toBe(readFileSync(join(root, 'README.md'), 'utf8'));
    expect(readFileSync(example, 'utf8')).toBe(
      readFileSync(join(root, 'config/inzage.example.yaml'), 'utf8'),
    );
    expect(generator('--check', '--root', dir).code).toBe(0);
  });

  it('B8: every setting and every environment variable is in the README and in the example file', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example = readFileSync(join(root, 'config/inzage.example.yaml'), 'utf8');
    for (const path of Object.keys(SETTINGS)) {
      expect(readme).toContain(`| \`${path}\``);
      const key = path.split(/\[\]\.|\./).pop() ?? path;
      expect(example).toMatch(new RegExp(`^\\s*(- |#   )?${key.replace(/[[\]]/g, '\\$&')}[: ]`, 'm'));
    }
    for (const v of ENVIRONMENT_VARIABLES) {
      expect(readme).toContain(`| \`${v.name}\``);
      expect(example).toContain(`#   ${v.name}`);
    }
  });
});
