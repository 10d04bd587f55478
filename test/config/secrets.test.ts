import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadConfigFile, type GatewayConfig } from '../../src/config';
import { hasUserinfo, isSecretName, redactText, secretQueryParameters } from '../../src/config/redact';

const dir = mkdtempSync(join(tmpdir(), 'inzage-cfg-'));
let n = 0;
function file(text: string): string {
  const path = join(dir, `s${(n += 1)}.yaml`);
  writeFileSync(path, text);
  return path;
}

const organisations = `organisations:
  - id: meerzicht
    name: Meerzicht
    preset: meerlanden
  - id: amerhof
    name: Amerhof
    preset: amerpoort
`;

/** The error a file gives, with the file's own (random) path taken out of the message. */
function refusal(path: string, env: Record<string, string> = {}): { message: string; issues: string } {
  try {
    loadConfigFile(path, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { message: err.message.split(path).join('FILE'), issues: JSON.stringify(err.issues) };
  }
  throw new Error('expected a ConfigError');
}

describe('credentials in URL settings', () => {
  it('B7: user:password@ and ?token= in upstream.url are refused as credentials, and never quoted', () => {
    const path = file(`upstream: {url: "https://user:secret@host/fhir?token=abc"}\n${organisations}`);
    const { message, issues } = refusal(path);
    expect(message).toBe(
      'invalid configuration (FILE):\n' +
        '  - line 1: upstream.url: must not carry credentials (user:password@, token=); credentials come ' +
        'from the environment, and no environment variable takes upstream credentials yet (not supported)',
    );
    for (const text of [message, issues]) {
      expect(text).not.toContain('secret');
      expect(text).not.toContain('abc');
    }
  });

  it('B7: userinfo alone is refused as credentials (it used to pass and be printed)', () => {
    const { message } = refusal(file(`upstream:\n  url: https://user:secret@host/fhir\n${organisations}`));
    expect(message).toContain('line 2: upstream.url: must not carry credentials (user:password@);');
    expect(message).not.toContain('secret@');
  });

  it('B7: a secret-looking query parameter alone is refused as a credential', () => {
    const { message } = refusal(
      file(`upstream:\n  url: https://host/fhir?access_token=abc&api_key=def\n${organisations}`),
    );
    expect(message).toContain('must not carry credentials (access_token=, api_key=)');
    expect(message).not.toMatch(/abc|def/);
  });

  it('B7: a query without credentials is refused as a query, and quoted', () => {
    const { message } = refusal(file(`upstream:\n  url: https://host/fhir?_format=json\n${organisations}`));
    expect(message).toContain(
      'upstream.url: must be a base URL without a query string or fragment: paths are appended to it ' +
        '(got "https://host/fhir?_format=json")',
    );
  });

  it('B7: credentials in server.publicUrl are refused with the reason that fits it', () => {
    const { message } = refusal(
      file(
        `server:\n  publicUrl: https://admin:secret@inzage.example.org\nupstream:\n  url: http://h/fhir\n${organisations}`,
      ),
    );
    expect(message).toContain(
      'server.publicUrl: must not carry credentials (user:password@); it is the address portal apps are sent to',
    );
    expect(message).not.toContain('secret@');
  });

  it('B7: a value quoted after "got" has its URL credentials hidden', () => {
    const path = file(
      `server:\n  port: "https://u:secret@h/x?token=abc"\nupstream:\n  url: http://h/fhir\n${organisations.replace(
        'preset: meerlanden',
        'preset: "postgres://admin:secret@db/x"',
      )}`,
    );
    const { message } = refusal(path);
    expect(message).toContain('server.port: must be an integer (got "https://***@h/x?token=***")');
    expect(message).toContain(
      'organisations[0].preset: must be one of meerlanden, amerpoort (got "postgres://***@db/x")',
    );
    expect(message).not.toMatch(/secret|abc/);
  });

  it('B7: a long quoted value is shortened after its credentials are hidden, not before', () => {
    const long = `https://user:${'p'.repeat(100)}@host/fhir`;
    const { message } = refusal(
      file(`server:\n  port: "${long}"\nupstream:\n  url: http://h/fhir\n${organisations}`),
    );
    expect(message).toContain('server.port: must be an integer (got "https://***@host/fhir")');
    expect(message).not.toContain('ppp');
  });

  it('B7: every ConfigError message passes through the redaction, whoever built the issue', () => {
    const err = new ConfigError('https://u:pw1@host/x', [
      { field: 'x', message: 'see https://user:pw2@host/fhir?token=tk3&page=2' },
    ]);
    expect(err.message).toBe(
      'invalid configuration (https://***@host/x):\n  - x: see https://***@host/fhir?token=***&page=2',
    );
    expect(JSON.stringify(err.issues)).not.toMatch(/pw2|tk3/);
  });
});

describe('what counts as a secret', () => {
  it('B7: names are split into words: pushKey, access_token and DB_PASSWORD are secrets; monkey is not', () => {
    for (const name of ['pushKey', 'access_token', 'DB_PASSWORD', 'apiKey', 'client-secret', 'token', 'sig'])
      expect([name, isSecretName(name)]).toEqual([name, true]);
    for (const name of ['monkey', 'author', 'keyboard', 'url', 'host', 'preset', '_format'])
      expect([name, isSecretName(name)]).toEqual([name, false]);
  });

  it('B7: redactText hides userinfo (even with an @ in the password) and secret query values only', () => {
    expect(redactText('https://user:p@ss@host/fhir?token=abc&_count=10')).toBe(
      'https://***@host/fhir?token=***&_count=10',
    );
    expect(redactText('postgres://inzage:s3cret@db:5432/inzage?password=x;sslmode=require')).toBe(
      'postgres://***@db:5432/inzage?password=***;sslmode=require',
    );
    expect(redactText('mail me at a@example.org')).toBe('mail me at a@example.org');
    expect(hasUserinfo('https://host/@x')).toBe(false);
    expect(secretQueryParameters('https://h/?token=1&Token=2&x=3&access%5Ftoken=4')).toEqual([
      'token',
      'Token',
      'access_token',
    ]);
  });
});

describe('describeConfig: the settings as config check prints them', () => {
  const minimal = `upstream:\n  url: https://fhir.example.org/fhir\n${organisations}`;
  const env = {
    DATABASE_URL: 'postgres://inzage:pw-secret@db.internal:5432/inzage?password=pw-again&sslmode=require',
  };

  it('B7: shows where each secret comes from, with the database host and name, never a secret', () => {
    const view = describeConfig(loadConfigFile(file(minimal), env));
    expect(view.database).toEqual({
      driver: 'postgres',
      url: '[from DATABASE_URL]',
      host: 'db.internal:5432',
      database: 'inzage',
      poolSize: 10,
    });
    const printed = JSON.stringify(view);
    expect(printed).not.toMatch(/pw-secret|pw-again|inzage:/);
  });

  it('B7: URLs lose userinfo and secret query values even in a configuration built in code', () => {
    const config = loadConfigFile(file(minimal), {});
    const built: GatewayConfig = {
      ...config,
      server: { ...config.server, publicUrl: 'https://admin:secret@inzage.example.org' },
      upstream: { ...config.upstream, url: 'https://user:secret@host/fhir?token=abc' },
    };
    const view = describeConfig(built);
    expect(view.upstream.url).toBe('https://***@host/fhir?token=***');
    expect(view.server.publicUrl).toBe('https://***@inzage.example.org');
    expect(JSON.stringify(view)).not.toMatch(/secret|abc/);
  });

  it('B7: the embedded database shows its directory, or that it is in memory', () => {
    expect(describeConfig(loadConfigFile(file(minimal), {})).database).toEqual({
      driver: 'pglite',
      dataDir: '(in memory)',
    });
  });
});
