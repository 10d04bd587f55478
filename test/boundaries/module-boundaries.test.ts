import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A.7: the boundary check of `npm run lint` (dependency-cruiser, .dependency-cruiser.cjs) really
 * fails on a wrong arrow. Probes are written into a copy of the sources, never into the repository.
 */
const ROOT = join(__dirname, '../..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

let copy: string;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'inzage-boundaries-'));
  for (const part of ['src', 'tsconfig.json', '.dependency-cruiser.cjs'])
    cpSync(join(ROOT, part), join(copy, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  mkdirSync(join(copy, 'test/consent'), { recursive: true });
  mkdirSync(join(copy, 'bench'), { recursive: true });
  const probes: Record<string, string> = {
    'src/ecd/fhir/probe-deep.ts': "export { evaluateConsent } from '../../consent/provisions';\n",
    'src/consent/probe-upward.ts': "export { importEcdExport } from '../ecd';\n",
    'src/store/probe-cycle-a.ts': "export { b } from './probe-cycle-b';\nexport const a = 1;\n",
    'src/store/probe-cycle-b.ts': "import { a } from './probe-cycle-a';\nexport const b = a;\n",
    'src/stray/index.ts': 'export const stray = 1;\n',
    'src/probe-top.ts': "export { stray } from './stray';\n",
    'test/consent/probe.test.ts': "export { mapClient } from '../../src/ecd/fhir/map';\n",
    'bench/probe.ts': "export { evaluateConsent } from '../src/consent/provisions';\n",
  };
  for (const [path, text] of Object.entries(probes)) {
    mkdirSync(join(copy, path, '..'), { recursive: true });
    writeFileSync(join(copy, path), text);
  }
});

afterAll(() => rmSync(copy, { recursive: true, force: true }));

function violations(): Violation[] {
  const run = spawnSync(
    process.execPath,
    [DEPCRUISE, 'src', 'test', 'bench', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
    { cwd: copy, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  // The JSON reporter exits 0 whatever it found (the text reporter of `npm run lint` does not).
  const { summary } = JSON.parse(run.stdout) as { summary: { error: number; violations: Violation[] } };
  expect(summary.error).toBeGreaterThan(0);
  return summary.violations;
}

describe('A.7: module boundaries are enforced by the lint', () => {
  let found: Violation[];
  beforeAll(() => {
    found = violations();
  });
  const ruleOf = (from: string) => found.filter((v) => v.from === from).map((v) => v.rule.name);

  it('A.7: the repository itself passes', () => {
    execFileSync(
      process.execPath,
      [DEPCRUISE, 'src', 'test', 'bench', '--config', '.dependency-cruiser.cjs'],
      {
        cwd: ROOT,
        stdio: 'pipe',
      },
    );
  });

  it('A.7: a deep import into another module from a nested folder fails', () => {
    expect(ruleOf('src/ecd/fhir/probe-deep.ts')).toContain('module-through-index');
  });

  it('A.7: an upward import (consent using ecd) fails', () => {
    expect(ruleOf('src/consent/probe-upward.ts')).toContain('layering-consent');
  });

  it('A.7: a cycle fails', () => {
    expect(found.some((v) => v.rule.name === 'no-circular' && v.from.includes('probe-cycle'))).toBe(true);
  });

  it('A.7: a folder that is not a module of the architecture fails', () => {
    expect(ruleOf('src/probe-top.ts')).toContain('unknown-module');
  });

  it("A.7: a test reaching into another module's files fails, and so does a benchmark", () => {
    expect(ruleOf('test/consent/probe.test.ts')).toContain('test-reaches-own-module-only');
    expect(ruleOf('bench/probe.ts')).toContain('bench-and-support-use-indexes');
  });
});
