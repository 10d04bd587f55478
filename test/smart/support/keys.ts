/**
 * Client keys for client-confidential-asymmetric (RS384 and ES384), as an app would hold them: the
 * public JWKs go into the registration, the private JWK signs client assertions (here, or in
 * fhirclient's `clientPrivateJwk`).
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type JsonWebKey } from 'node:crypto';

export interface ClientKey {
  alg: 'RS384' | 'ES384';
  kid: string;
  /** The public JWK, with kid and alg, for the registration. */
  publicJwk: JsonWebKey;
  /** The private JWK, with kid and alg, for fhirclient. */
  privateJwk: JsonWebKey;
}

export function clientKey(alg: 'RS384' | 'ES384', kid: string): ClientKey {
  const pair =
    alg === 'RS384'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-384' });
  return {
    alg,
    kid,
    publicJwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
    privateJwk: { ...pair.privateKey.export({ format: 'jwk' }), kid, alg },
  };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A client assertion (RFC 7523) as SMART asks: typ JWT, kid, iss = sub = client, aud = token URL. */
export function clientAssertion(
  key: ClientKey,
  clientId: string,
  tokenUrl: string,
  change: { header?: Record<string, unknown>; claims?: Record<string, unknown> } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: key.alg, kid: key.kid, typ: 'JWT', ...change.header };
  const claims = {
    iss: clientId,
    sub: clientId,
    aud: tokenUrl,
    exp: now + 120,
    jti: randomBytes(16).toString('hex'),
    ...change.claims,
  };
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = sign('sha384', Buffer.from(input), {
    key: createPrivateKey({ key: key.privateJwk, format: 'jwk' }),
    ...(key.alg === 'ES384' ? { dsaEncoding: 'ieee-p1363' as const } : {}),
  });
  return `${input}.${signature.toString('base64url')}`;
}

/** The form fields of private_key_jwt client authentication. */
export function assertionFields(key: ClientKey, clientId: string, tokenUrl: string): Record<string, string> {
  return {
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: clientAssertion(key, clientId, tokenUrl),
  };
}
