import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfigFile, resolveConfig, type Environment } from '../../src/config';

const FILE = {
  upstream: { url: 'http://127.0.0.1:8081/fhir' },
  organisations: [{ id: 'meerzicht', name: 'Meerzicht', preset: 'meerlanden' }],
  smart: {
    identityProviders: [
      {
        id: 'digid-broker',
        name: 'DigiD',
        issuer: 'https://broker.example.org/',
        clientId: 'inzage',
        secondFactor: false,
      },
      { id: 'org', name: 'Meerzicht-account', issuer: 'https://login.example.org', clientId: 'inzage' },
    ],
  },
};

function providersWith(env: Environment) {
  return resolveConfig(FILE, 'test', env).smart.identityProviders;
}

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.field}: ${i.message}`);
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('external identity providers in the configuration', () => {
  it('SMART-FED-9: the client secret comes from INZAGE_IDP_SECRET_<ID>; without it the provider is a public client', () => {
    const [broker, org] = providersWith({ INZAGE_IDP_SECRET_DIGID_BROKER: 'the broker secret' });
    expect(broker).toEqual({
      id: 'digid-broker',
      name: 'DigiD',
      // Kept as written, trailing slash and all: issuers are compared exactly.
      issuer: 'https://broker.example.org/',
      clientId: 'inzage',
      clientSecret: 'the broker secret',
      secondFactor: false,
    });
    expect(org).not.toHaveProperty('clientSecret');
    // The gateway's own second factor is the default.
    expect(org?.secondFactor).toBe(true);
  });

  it('SMART-FED-10: a secret variable for no configured provider is refused; a secret in the file names its variable', () => {
    expect(issuesOf(() => providersWith({ INZAGE_IDP_SECRET_DIGI: 'typo' }))).toEqual([
      'INZAGE_IDP_SECRET_DIGI (environment): names no configured identity provider',
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'inzage-idp-'));
    const path = join(dir, 'inzage.yaml');
    writeFileSync(
      path,
      `upstream:\n  url: http://127.0.0.1:8081/fhir\norganisations:\n  - id: meerzicht\n    name: M\n    preset: meerlanden\n` +
        `smart:\n  identityProviders:\n    - id: digid-broker\n      name: DigiD\n      issuer: https://broker.example.org\n` +
        `      clientId: inzage\n      clientSecret: hunter2\n`,
    );
    expect(issuesOf(() => loadConfigFile(path, {}))).toEqual([
      'smart.identityProviders[0].clientSecret: unknown field; secrets come from the environment (INZAGE_IDP_SECRET_DIGID_BROKER), never from the file',
    ]);
  });
});
