/**
 * SMART discovery (`<FHIR base>/.well-known/smart-configuration`). It advertises only what works and
 * is tested; every endpoint is absolute and every capability a plain string.
 */
import { CLIENT_ASSERTION_ALGS } from './clients';

export const SMART_CAPABILITIES = [
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
] as const;

export const SCOPES_SUPPORTED = [
  'openid',
  'fhirUser',
  'profile',
  'launch',
  'launch/patient',
  'offline_access',
  'patient/*.rs',
  'patient/*.read',
  'user/*.rs',
  'user/*.read',
  'system/*.rs',
  'system/introspect',
];

export function smartConfiguration(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/jwks`,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    introspection_endpoint: `${issuer}/introspect`,
    revocation_endpoint: `${issuer}/revoke`,
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGS],
    scopes_supported: SCOPES_SUPPORTED,
    capabilities: [...SMART_CAPABILITIES],
  };
}
