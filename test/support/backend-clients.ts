/**
 * Shared parts of the Backend Services and introspection suites: client key pairs, a JWKS server on
 * loopback (a second express server, as a care organisation's key server would be), client
 * assertions signed by hand (for the defects openid-client would never make), and openid-client 6
 * configured as a SMART backend client.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as oidc from 'openid-client';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface ClientKey {
  alg: 'RS384' | 'ES384';
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function clientKey(alg: 'RS384' | 'ES384', kid: string): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A key server: serves `keys` at /jwks.json with `cacheControl`, both changeable while it runs. */
export class JwksServer {
  keys: JWK[] = [];
  cacheControl = 'max-age=0';
  fetches = 0;
  #server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    const app = express();
    app.get('/jwks.json', (_req, res) => {
      this.fetches += 1;
      res.set('Cache-Control', this.cacheControl).json({ keys: this.keys });
    });
    this.#server = await new Promise<Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/jwks.json`;
    return this;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

export interface AssertionOptions {
  clientId: string;
  audience: string;
  key: ClientKey;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** Seconds from now (default 300). */
  expiresIn?: number;
}

/** A client assertion as the IG describes it (Inferno's shape), with any field overridden. */
export async function assertion(o: AssertionOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: o.clientId,
    sub: o.clientId,
    aud: o.audience,
    exp: now + (o.expiresIn ?? 300),
    jti: randomBytes(32).toString('hex'),
    ...o.claims,
  };
  const header = { alg: o.key.alg, kid: o.key.kid, typ: 'JWT', ...o.header };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete (claims as never)[name];
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(o.key.privateKey);
}

/** POST a form to the token endpoint; the status and the JSON body. */
export async function tokenRequest(
  tokenEndpoint: string,
  fields: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

export interface SmartEndpoints {
  issuer: string;
  token_endpoint: string;
  introspection_endpoint: string;
  revocation_endpoint: string;
}

export async function discover(gatewayUrl: string): Promise<SmartEndpoints> {
  const res = await fetch(`${gatewayUrl}/fhir/.well-known/smart-configuration`);
  return (await res.json()) as SmartEndpoints;
}

/**
 * openid-client 6 as a SMART backend client: private_key_jwt with typ JWT and aud = the token
 * endpoint (openid-client's defaults are no typ and aud = issuer), plain http on loopback.
 */
export function backendClient(
  endpoints: SmartEndpoints,
  clientId: string,
  key: ClientKey,
  modify?: (header: Record<string, unknown>, payload: Record<string, unknown>) => void,
): oidc.Configuration {
  const config = new oidc.Configuration(
    endpoints as oidc.ServerMetadata,
    clientId,
    { token_endpoint_auth_signing_alg: key.alg },
    oidc.PrivateKeyJwt(
      { key: key.privateKey, kid: key.kid },
      {
        [oidc.modifyAssertion]: (header, payload) => {
          header.typ = 'JWT';
          payload.aud = endpoints.token_endpoint;
          modify?.(header as Record<string, unknown>, payload as Record<string, unknown>);
        },
      },
    ),
  );
  oidc.allowInsecureRequests(config);
  return config;
}

/** A Backend Services token of `clientId`, by a hand-signed assertion (no openid-client needed). */
export async function backendToken(
  gatewayUrl: string,
  clientId: string,
  key: ClientKey,
  scope: string,
): Promise<string> {
  const { token_endpoint } = await discover(gatewayUrl);
  const res = await tokenRequest(token_endpoint, {
    grant_type: 'client_credentials',
    scope,
    client_assertion_type: JWT_BEARER,
    client_assertion: await assertion({ clientId, audience: token_endpoint, key }),
  });
  if (res.status !== 200) throw new Error(`no token for ${clientId}: ${JSON.stringify(res.body)}`);
  return String(res.body.access_token);
}

/** The ECD link's scopes, as registered for an organisation's ECD backend client. */
export const ECD_SCOPE = 'system/Patient.cu system/RelatedPerson.cu system/Consent.cu';
