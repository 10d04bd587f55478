import type { Request } from 'express';
import { bearerToken, parseScope, type AccessTokenVerifier } from '../auth';
import { Forbidden } from '../errors';

/** The scopes that let a backend client read the audit trail (SMART v2 and its v1 spelling). */
export const ADMIN_AUDIT_SCOPES = ['system/AuditEvent.rs', 'system/AuditEvent.read'] as const;

/** Who calls the admin API: the client of a valid access token of ours (not yet authorised). */
export interface AuditReaderCaller {
  readonly clientId: string;
  /** The token's jti, for the record of the request. */
  readonly tokenId?: string;
  /** Whether a person is behind the token (authorization code) or a system (client credentials). */
  readonly kind: 'user' | 'system';
  readonly scopes: readonly string[];
}

/**
 * The caller of an admin request, from its access token: ours, not expired, still on record.
 * Throws Unauthenticated (401: no token, or not a valid one).
 */
export async function adminCaller(tokens: AccessTokenVerifier, req: Request): Promise<AuditReaderCaller> {
  const raw = bearerToken(req.get('authorization'));
  const token = await tokens.verify(raw);
  return { clientId: token.clientId, kind: token.kind, scopes: token.scopes, tokenId: token.jti };
}

/**
 * Whether the caller may read the audit trail: a Backend Services (client credentials) token whose
 * scopes name AuditEvent read and search for the system context outright. A wildcard
 * (`system/*.rs`) does not count: the trail is the most sensitive table of the gateway, and a client
 * registered broadly for another purpose (an ECD link) must not read it by accident. Throws
 * Forbidden (403: a user's token, or a system token without the scope).
 */
export function authoriseAuditReader(caller: AuditReaderCaller): void {
  if (caller.kind !== 'system')
    throw new Forbidden(
      'the admin API takes a Backend Services token (client credentials), not a user token',
      {
        code: 'ERR_ADMIN_NOT_SYSTEM',
        detail: `client ${caller.clientId}`,
      },
    );
  if (!caller.scopes.some(readsAuditEvents))
    throw new Forbidden(`the access token lacks the scope ${ADMIN_AUDIT_SCOPES.join(' or ')}`, {
      code: 'ERR_ADMIN_SCOPE',
      detail: `client ${caller.clientId}`,
    });
}

function readsAuditEvents(text: string): boolean {
  const scope = parseScope(text);
  return (
    scope?.kind === 'resource' &&
    scope.context === 'system' &&
    scope.resourceType === 'AuditEvent' &&
    scope.permissions.has('r') &&
    scope.permissions.has('s') &&
    scope.constraints.length === 0
  );
}
