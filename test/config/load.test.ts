import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULTS, loadConfigFile, resolveConfig } from '../../src/config';

const dir = mkdtempSync(join(tmpdir(), 'inzage-config-'));
let n = 0;
function file(text: string, ext = 'yaml'): string {
  const path = join(dir, `c${(n += 1)}.${ext}`);
  writeFileSync(path, text);
  return path;
}

const minimal = `upstream:
  url: http://127.0.0.1:8081/fhir
organisations:
  - id: meerzicht
    name: Meerzicht
    preset: meerlanden
`;

function issuesOf(work: () => unknown): ConfigError['issues'] {
  try {
    work();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration file', () => {
  it('accepts the documented example file', () => {
    const config = loadConfigFile(join(__dirname, '../../config/inzage.example.yaml'), {});
    expect(config.server.port).toBe(8080);
    expect(config.fhirBasePath).toBe('/fhir');
    expect(config.organisations[0]?.preset).toBe('meerlanden');
    expect(config.database).toEqual({ driver: 'pglite', dataDir: './data' });
  });

  it('fills in documented defaults for a minimal file', () => {
    const config = loadConfigFile(file(minimal), {});
    expect(config.server).toMatchObject({
      host: '0.0.0.0',
      port: DEFAULTS.port,
      publicUrl: 'http://localhost:8080',
      bodyLimitBytes: 1024 * 1024,
    });
    expect(config.upstream).toEqual({
      url: 'http://127.0.0.1:8081/fhir',
      timeoutMs: DEFAULTS.upstreamTimeoutMs,
      connectTimeoutMs: DEFAULTS.upstreamConnectTimeoutMs,
      maxResponseBytes: DEFAULTS.upstreamMaxResponseBytes,
      connections: DEFAULTS.upstreamConnections,
    });
    expect(config.log.level).toBe('info');
  });

  it('reads JSON as well as YAML', () => {
    const json = JSON.stringify({
      upstream: { url: 'https://fhir.example.org/fhir/' },
      organisations: [{ id: 'amerhof', name: 'Amerhof', preset: 'amerpoort' }],
      server: { bodyLimit: '512kb' },
    });
    const config = loadConfigFile(file(json, 'json'), {});
    expect(config.upstream.url).toBe('https://fhir.example.org/fhir');
    expect(config.server.bodyLimitBytes).toBe(512 * 1024);
  });

  it('names the field, the line and the problem for a wrong type', () => {
    const issues = issuesOf(() => loadConfigFile(file(`server:\n  port: eighty\n${minimal}`), {}));
    expect(issues).toEqual([{ field: 'server.port', line: 2, message: 'must be an integer (got "eighty")' }]);
  });

  it('reports every problem at once, not only the first', () => {
    const text = `server:\n  port: 70000\n  publicUrl: ftp://x\nupstream:\n  url: nope\norganisations: []\n`;
    const issues = issuesOf(() => loadConfigFile(file(text), {}));
    expect(issues.map((i) => i.field).sort()).toEqual([
      'organisations',
      'server.port',
      'server.publicUrl',
      'upstream.url',
    ]);
    expect(issues.find((i) => i.field === 'upstream.url')).toMatchObject({
      line: 5,
      message: 'must be an http:// or https:// URL (got "nope")',
    });
  });

  it('rejects an unknown preset and lists the ones that exist', () => {
    const issues = issuesOf(() => loadConfigFile(file(minimal.replace('meerlanden', 'everyone')), {}));
    expect(issues).toEqual([
      {
        field: 'organisations[0].preset',
        line: 6,
        message: 'must be one of meerlanden, amerpoort (got "everyone")',
      },
    ]);
  });

  it('rejects unknown fields, and says secrets belong in the environment', () => {
    const issues = issuesOf(() =>
      loadConfigFile(file(`${minimal}database:\n  url: postgres://u:hunter2@db/inzage\n  poolsize: 3\n`), {}),
    );
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({ field: 'database.url', line: 8 });
    expect(issues[0]?.message).toMatch(/environment \(DATABASE_URL\)/);
    expect(issues[1]).toMatchObject({ field: 'database.poolsize', message: 'unknown field' });
    expect(JSON.stringify(issues)).not.toContain('hunter2');
  });

  it('names a missing required field', () => {
    const issues = issuesOf(() =>
      loadConfigFile(file('organisations:\n  - id: a\n    name: A\n    preset: amerpoort\n'), {}),
    );
    expect(issues).toEqual([{ field: 'upstream', line: 1, message: 'is required but missing' }]);
  });

  it('rejects duplicate organisation ids', () => {
    const text = `${minimal}  - id: meerzicht\n    name: Again\n    preset: amerpoort\n`;
    const issues = issuesOf(() => loadConfigFile(file(text), {}));
    expect(issues).toEqual([
      { field: 'organisations[1].id', line: 7, message: "duplicate organisation id 'meerzicht'" },
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    const issues = issuesOf(() =>
      loadConfigFile(file('upstream:\n  url: [unclosed\norganisations: x\n'), {}),
    );
    expect(issues[0]?.field).toBe('(syntax)');
    expect(issues[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('B10: says so when the file does not exist', () => {
    const missing = join(dir, 'missing.yaml');
    const issues = issuesOf(() => loadConfigFile(missing, {}));
    expect(issues).toEqual([{ field: '(file)', message: `${missing} does not exist` }]);
  });

  it('says so when the file is empty', () => {
    const empty = file('\n');
    expect(issuesOf(() => loadConfigFile(empty, {}))).toEqual([
      { field: '(file)', message: `${empty} is empty` },
    ]);
  });

  it('the error message lists line, field and reason, one per line', () => {
    const path = file(`server:\n  port: eighty\n${minimal}`);
    expect(() => loadConfigFile(path, {})).toThrow(`line 2: server.port: must be an integer (got "eighty")`);
  });
});

describe('environment', () => {
  it('PORT overrides server.port', () => {
    expect(loadConfigFile(file(minimal), { PORT: '9090' }).server.port).toBe(9090);
  });

  it('rejects a PORT that is not a port', () => {
    expect(issuesOf(() => loadConfigFile(file(minimal), { PORT: 'http' }))).toEqual([
      { field: 'PORT (environment)', message: "must be an integer from 0 to 65535 (got 'http')" },
    ]);
  });

  it('DATABASE_URL selects PostgreSQL; without it the embedded database is used', () => {
    const url = 'postgres://inzage:s3cret@db.internal:5432/inzage';
    expect(loadConfigFile(file(minimal), { DATABASE_URL: url }).database).toEqual({
      driver: 'postgres',
      url,
      poolSize: DEFAULTS.databasePoolSize,
    });
    expect(loadConfigFile(file(minimal), {}).database).toEqual({ driver: 'pglite', dataDir: undefined });
  });

  it('rejects a DATABASE_URL that is not PostgreSQL without echoing it', () => {
    let message = '';
    try {
      loadConfigFile(file(minimal), { DATABASE_URL: 'mysql://root:topsecret@db/x' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('DATABASE_URL (environment): must be a postgres:// or postgresql:// URL');
    expect(message).not.toContain('topsecret');
  });

  it('LOG_LEVEL overrides log.level and must be a known level', () => {
    expect(loadConfigFile(file(minimal), { LOG_LEVEL: 'debug' }).log.level).toBe('debug');
    expect(issuesOf(() => loadConfigFile(file(minimal), { LOG_LEVEL: 'loud' }))[0]?.field).toBe(
      'LOG_LEVEL (environment)',
    );
  });
});

describe('configuration built in code (the demo)', () => {
  it('passes through the same validation', () => {
    expect(() => resolveConfig({ upstream: { url: 'x' }, organisations: [] }, 'demo defaults', {})).toThrow(
      ConfigError,
    );
  });
});
