/**
 * Conformance, discovery (checklist §3.2 D1–D9, and the OpenID configuration and JWKS of O2–O3):
 * plain HTTP requests, as Inferno makes them.
 */
import { createPublicKey } from 'node:crypto';
import { startSuite, type Suite } from './support/suite';

/** What issue 9 says discovery advertises: exactly what works and is tested. */
const ADVERTISED = [
  'launch-standalone',
  'launch-ehr',
  'authorize-post',
  'client-public',
  'client-confidential-symmetric',
  'client-confidential-asymmetric',
  'sso-openid-connect',
  'context-standalone-patient',
  'context-ehr-patient',
  'permission-patient',
  'permission-user',
  'permission-offline',
  'permission-v1',
  'permission-v2',
];
const OAUTH_URIS = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';

describe('SMART discovery', () => {
  let suite: Suite;
  let url: string;

  beforeAll(async () => {
    suite = await startSuite();
    url = `${suite.gw.fhirBase}/.well-known/smart-configuration`;
  });
  afterAll(async () => {
    await suite?.close();
  });

  it('SMART-D1: GET smart-configuration with Accept: application/json is a JSON object', async () => {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body: unknown = await res.json();
    expect(body).toEqual(expect.any(Object));
    expect(Array.isArray(body)).toBe(false);
  });

  it.each([['text/html'], [undefined]])(
    'SMART-D1b: with Accept %s it is still 200 application/json',
    async (accept) => {
      const res = await fetch(url, { headers: accept === undefined ? {} : { accept } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      await res.json();
    },
  );

  it('SMART-D2: endpoints, capabilities, grant types and PKCE methods as Inferno checks them', () => {
    const d = suite.gw.discovery;
    expect(d.authorization_endpoint).toEqual(expect.stringMatching(/.+/));
    expect(d.token_endpoint).toEqual(expect.stringMatching(/.+/));
    expect(d.capabilities.length).toBeGreaterThan(0);
    for (const c of d.capabilities) expect(typeof c).toBe('string');
    expect(d.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'client_credentials']),
    );
    expect(d.code_challenge_methods_supported).toContain('S256');
    expect(d.code_challenge_methods_supported).not.toContain('plain');
    expect(d.capabilities).toContain('sso-openid-connect');
    expect(d.issuer).toEqual(expect.any(String));
    expect(d.jwks_uri).toEqual(expect.any(String));
    expect(d.response_types_supported).toEqual(['code']);
  });

  it('SMART-D3: every endpoint and jwks_uri is an absolute URL on the gateway', () => {
    const d = suite.gw.discovery;
    const urls = Object.entries(d).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri');
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const [, value] of urls) expect(new URL(String(value)).origin).toBe(suite.gw.base);
  });

  it('SMART-D4: private_key_jwt with RS384 and ES384 is advertised with client-confidential-asymmetric', () => {
    const d = suite.gw.discovery;
    expect(d.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(d.token_endpoint_auth_methods_supported).toContain('client_secret_basic');
    expect(d.token_endpoint_auth_signing_alg_values_supported).toEqual(
      expect.arrayContaining(['RS384', 'ES384']),
    );
  });

  it('SMART-D5: the capabilities are exactly those issue 9 names (what works and is tested)', () => {
    expect([...suite.gw.discovery.capabilities].sort()).toEqual([...ADVERTISED].sort());
  });

  it('SMART-D6: smart-configuration allows any origin (CORS), also in a preflight', async () => {
    const res = await fetch(url, { headers: { origin: 'https://any.example' } });
    expect(['*', 'https://any.example']).toContain(res.headers.get('access-control-allow-origin'));
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://any.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(['*', 'https://any.example']).toContain(preflight.headers.get('access-control-allow-origin'));
  });

  it('SMART-D7: GET metadata without a token is a CapabilityStatement, any origin allowed', async () => {
    const res = await fetch(`${suite.gw.fhirBase}/metadata`, { headers: { origin: 'https://any.example' } });
    expect(res.status).toBe(200);
    expect(['*', 'https://any.example']).toContain(res.headers.get('access-control-allow-origin'));
    expect(res.headers.get('content-type')).toMatch(/^application\/(fhir\+)?json/);
    const body = (await res.json()) as {
      resourceType: string;
      fhirVersion: string;
      rest: { mode: string }[];
    };
    expect(body.resourceType).toBe('CapabilityStatement');
    expect(body.fhirVersion).toMatch(/^4\.0/);
    expect(body.rest[0]!.mode).toBe('server');
  });

  it('SMART-D8: metadata has the SMART-on-FHIR service and oauth-uris equal to discovery', async () => {
    const body = (await (await fetch(`${suite.gw.fhirBase}/metadata`)).json()) as {
      rest: {
        security: {
          service: { coding: { code: string }[] }[];
          extension: { url: string; extension: { url: string; valueUri: string }[] }[];
        };
      }[];
    };
    const security = body.rest[0]!.security;
    expect(security.service.flatMap((s) => s.coding.map((c) => c.code))).toContain('SMART-on-FHIR');
    const uris = security.extension.find((e) => e.url === OAUTH_URIS)!.extension;
    const uri = (name: string) => uris.find((u) => u.url === name)?.valueUri;
    expect(uri('authorize')).toBe(suite.gw.discovery.authorization_endpoint);
    expect(uri('token')).toBe(suite.gw.discovery.token_endpoint);
    expect(uri('introspect')).toBe(suite.gw.discovery.introspection_endpoint);
    expect(uri('revoke')).toBe(suite.gw.discovery.revocation_endpoint);
  });

  it('SMART-D9: introspection_endpoint and revocation_endpoint are present', () => {
    expect(suite.gw.discovery.introspection_endpoint).toEqual(expect.any(String));
    expect(suite.gw.discovery.revocation_endpoint).toEqual(expect.any(String));
  });

  it('SMART-O2: <issuer>/.well-known/openid-configuration has the fields OpenID and Inferno require', async () => {
    const res = await fetch(`${suite.gw.discovery.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      issuer: suite.gw.discovery.issuer,
      authorization_endpoint: suite.gw.discovery.authorization_endpoint,
      token_endpoint: suite.gw.discovery.token_endpoint,
      jwks_uri: suite.gw.discovery.jwks_uri,
      response_types_supported: expect.any(Array),
      subject_types_supported: expect.any(Array),
    });
    expect(body.id_token_signing_alg_values_supported).toContain('RS256');
  });

  it('SMART-O3: the JWKS has an RSA key that imports, and no private members', async () => {
    const res = await fetch(suite.gw.discovery.jwks_uri);
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    const rsa = keys.filter((k) => k.kty === 'RSA');
    expect(rsa.length).toBeGreaterThanOrEqual(1);
    for (const key of keys) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(member);
      expect(key.kid).toEqual(expect.any(String));
      expect(() => createPublicKey({ key: key as never, format: 'jwk' })).not.toThrow();
    }
  });
});
