import { bearerToken, parseScope, type AccessTokenVerifier, type ResourceScope } from '../auth';
import {
  isPatientReference,
  isPersonReference,
  type PatientReference,
  type PersonReference,
} from '../vocabulary';
import { ContextMissing } from './errors';
import type { Principal } from './request';

/**
 * Step 1, authenticate: the bearer token (signature against our own keys, issuer, audience = our
 * FHIR base, expiry, and still on record) becomes the Principal. No token or a bad one: 401 from the
 * verifier. A token without a user and patient context (a Backend Services token, or a user token
 * without `launch/patient`) gets 403 here: with no context nothing can be decided (leak vector 12),
 * and the context is taken from the token alone, never from a cache keyed by the user.
 */
export async function authenticate(
  authorization: string | undefined,
  tokens: AccessTokenVerifier,
): Promise<Principal> {
  const token = await tokens.verify(bearerToken(authorization));
  if (token.kind !== 'user')
    throw new ContextMissing('a system token has no patient context: the FHIR API serves portal users', {
      detail: `client ${token.clientId}`,
    });
  const patient: PatientReference | undefined =
    token.patient !== undefined && isPatientReference(`Patient/${token.patient}`)
      ? (`Patient/${token.patient}` as PatientReference)
      : undefined;
  const user: PersonReference | undefined =
    token.fhirUser !== undefined && isPersonReference(token.fhirUser) ? token.fhirUser : undefined;
  if (!patient || !user)
    throw new ContextMissing(
      'the access token has no patient and user context (ask for launch/patient and fhirUser)',
      {
        detail: `client ${token.clientId}, patient ${String(token.patient)}, fhirUser ${String(token.fhirUser)}`,
      },
    );
  const scopes = token.scopes
    .map(parseScope)
    .filter(
      (s): s is ResourceScope => s?.kind === 'resource' && (s.context === 'patient' || s.context === 'user'),
    );
  return Object.freeze({
    clientApp: token.clientId,
    subject: token.subject,
    user,
    patient,
    scopes: Object.freeze(scopes),
    expiresAt: token.expiresAt,
    tokenId: token.jti,
  });
}
