import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  ConfigError,
  ENVIRONMENT_VARIABLES,
  SECTIONS,
  SETTINGS,
  loadConfigFile,
  resolveConfig,
} from '../../src/config';
import { configFileSchema } from '../../src/config/schema';

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}

/** Every setting the schema has: each leaf, and each list (whose entries' fields are `list[].field`). */
function schemaSettings(node: SchemaNode, prefix = ''): Map<string, SchemaNode> {
  const found = new Map<string, SchemaNode>();
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (child.type === 'object') {
      for (const [p, n] of schemaSettings(child, path)) found.set(p, n);
    } else if (child.type === 'array' && child.items?.type === 'object') {
      found.set(path, child);
      for (const [p, n] of schemaSettings(child.items, `${path}[]`)) found.set(p, n);
    } else {
      found.set(path, child);
    }
  }
  return found;
}

const schema = schemaSettings(configFileSchema as unknown as SchemaNode);
const catalogue = SETTINGS as Record<string, { type: string; default?: unknown; example?: unknown }>;

describe('the settings catalogue and the schema', () => {
  it('B8: every schema property has a catalogue entry, and every entry a schema property', () => {
    expect(Object.keys(SETTINGS).sort()).toEqual([...schema.keys()].sort());
  });

  it('B8: every top-level object of the schema is a section with a description, and no other', () => {
    const objects = Object.entries((configFileSchema as unknown as SchemaNode).properties ?? {})
      .filter(([, node]) => node.type === 'object')
      .map(([name]) => name);
    expect(Object.keys(SECTIONS).sort()).toEqual(objects.sort());
  });

  it("B8: the allowed values name every enum value and every bound of the schema's field", () => {
    for (const [path, node] of schema) {
      const type = catalogue[path]?.type ?? '';
      for (const value of node.enum ?? [])
        expect([path, type]).toEqual([path, expect.stringContaining(`\`${String(value)}\``)]);
      for (const bound of [node.minimum, node.maximum].filter((b) => b !== undefined))
        expect([path, type]).toEqual([path, expect.stringContaining(String(bound))]);
    }
  });

  it('B8: the defaults in the catalogue are the ones the loader applies', () => {
    // A file that spells out every default must resolve to what a file without them resolves to.
    const minimal = {
      upstream: { url: 'https://fhir.example.org/fhir' },
      organisations: [{ id: 'meerzicht', name: 'Meerzicht', preset: 'meerlanden' }],
    };
    const spelledOut: Record<string, Record<string, unknown>> = { upstream: { ...minimal.upstream } };
    for (const [path, setting] of Object.entries(catalogue)) {
      if (setting.default === undefined || path.includes('[]')) continue;
      const [section, field] = path.split('.') as [string, string];
      spelledOut[section] = { ...spelledOut[section], [field]: setting.default };
    }
    expect(resolveConfig({ ...spelledOut, organisations: minimal.organisations }, 'x', {})).toEqual(
      resolveConfig(minimal, 'x', {}),
    );
  });

  it('B8: every example value (or default) is valid where it stands', () => {
    // Built from the catalogue alone, like config/inzage.example.yaml is.
    // Lists (`organisations`, `smart.clients`) get one entry made of their fields' examples.
    const file: Record<string, unknown> = {};
    const entries = new Map<string, Record<string, unknown>>();
    for (const [path, setting] of Object.entries(catalogue)) {
      const value = setting.example ?? setting.default;
      if (value === undefined) continue;
      if (path.includes('[]')) {
        const [list, field] = path.split('[].') as [string, string];
        entries.set(list, { ...entries.get(list), [field]: value });
        continue;
      }
      const [section, field] = path.split('.') as [string, string];
      file[section] = { ...(file[section] as object), [field]: value };
    }
    for (const [list, entry] of entries) {
      const [section, field] = list.split('.') as [string, string | undefined];
      if (field === undefined) file[section] = [entry];
      else file[section] = { ...(file[section] as object), [field]: [entry] };
    }
    const dir = mkdtempSync(join(tmpdir(), 'inzage-catalogue-'));
    const path = join(dir, 'all.yaml');
    writeFileSync(path, stringify(file));
    expect(() => loadConfigFile(path, {})).not.toThrow();
  });
});

describe('the environment catalogue', () => {
  it('B8: every variable the sources read is in the catalogue', () => {
    const read = new Set<string>();
    const sources = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
      });
    for (const path of sources(join(__dirname, '../../src'))) {
      const text = readFileSync(path, 'utf8');
      for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)|\.env\('([A-Z][A-Z0-9_]+)'\)/g))
        read.add(m[1] ?? m[2] ?? '');
    }
    const names = ENVIRONMENT_VARIABLES.map((v) => v.name);
    expect(read.size).toBeGreaterThan(0);
    for (const name of read) expect(names).toContain(name);
  });

  it('B8: what a variable overrides is a setting; secrets are marked as secrets', () => {
    for (const v of ENVIRONMENT_VARIABLES)
      if (v.overrides) expect(Object.keys(SETTINGS)).toContain(v.overrides);
    const secrets = ENVIRONMENT_VARIABLES.filter((v) => v.secret).map((v) => v.name);
    expect(secrets.sort()).toEqual([
      'DATABASE_URL',
      'INZAGE_AUDIT_KEY',
      'INZAGE_IDP_SECRET_<ID>',
      'INZAGE_KEY_ENCRYPTION_KEY',
      'INZAGE_LINK_CODE_SECRET',
    ]);
  });
});

describe('a secret-looking field in the file', () => {
  const upstream = 'upstream:\n  url: http://127.0.0.1:8081/fhir\n';
  const base = `${upstream}organisations:\n  - id: meer-zicht\n    name: M\n    preset: meerlanden\n`;
  const dir = mkdtempSync(join(tmpdir(), 'inzage-hint-'));
  let n = 0;
  function messageFor(extra: string, text = base + extra): string {
    const path = join(dir, `h${(n += 1)}.yaml`);
    writeFileSync(path, text);
    try {
      loadConfigFile(path, {});
    } catch (err) {
      if (err instanceof ConfigError) return err.issues.map((i) => `${i.field}: ${i.message}`).join('\n');
      throw err;
    }
    throw new Error('expected a ConfigError');
  }
  const takenBy = (variable: string) =>
    `unknown field; secrets come from the environment (${variable}), never from the file`;
  const noVariable =
    'unknown field; secrets never go in the file, and no environment variable takes this one yet (not supported)';

  it('B8: database passwords and connection parts point to DATABASE_URL', () => {
    expect(messageFor('database:\n  password: hunter2\n')).toBe(
      `database.password: ${takenBy('DATABASE_URL')}`,
    );
    expect(messageFor('database:\n  host: db\n')).toBe(`database.host: ${takenBy('DATABASE_URL')}`);
    expect(messageFor('databaseUrl: postgres://db/x\n')).toBe(`databaseUrl: ${takenBy('DATABASE_URL')}`);
  });

  it('B8: a push key in the file is refused, and no variable takes one (an ECD pushes as its backend client)', () => {
    expect(messageFor('    pushKey: k\n')).toBe(`organisations[0].pushKey: ${noVariable}`);
    expect(messageFor('ecd:\n  key: k\n')).toBe(`ecd.key: ${noVariable}`);
  });

  it('B8: a secret no variable takes says it is not supported yet; a plain unknown field is just unknown', () => {
    expect(messageFor('', base.replace(upstream, `${upstream}  token: t\n`))).toBe(
      `upstream.token: ${noVariable}`,
    );
    expect(messageFor('server:\n  apiToken: t\n')).toBe(`server.apiToken: ${noVariable}`);
    expect(messageFor('server:\n  colour: blue\n')).toBe('server.colour: unknown field');
  });

  it('B8: the refused value is never quoted', () => {
    expect(messageFor('database:\n  password: hunter2\n  url: postgres://u:pw@db/x\n')).not.toMatch(
      /hunter2|pw@/,
    );
  });
});
