import type { Request } from 'express';
import { bearerToken, parseScope, type AccessTokenVerifier } from '../auth';
import { Forbidden } from '../errors';

/** The scopes that let a backend client read the audit trail (SMART v2 and its v1 spelling). */
export const ADMIN_AUDIT_SCOPES = ['system/AuditEvent.rs', 'system/AuditEvent.read'] as const;

/** Who reads the admin API: a registered backend client, by its Backend Services token. */
export interface AdminCaller {
  readonly clientId: string;
  /** The token's jti, for the record of the read. */
  readonly tokenId?: string;
}

/**
 * The caller of an admin request: a Backend Services (client credentials) access token of ours,
 * still on record, whose scopes name AuditEvent read and search for the system context outright. A
 * wildcard (`system/*.rs`) does not count: the trail is the most sensitive table of the gateway, and a
 * client registered broadly for another purpose (an ECD link) must not read it by accident. Throws
 * Unauthenticated (401: no token, or not a valid one) or Forbidden (403: a user's token, or a
 * system token without the scope).
 */
export async function adminCaller(tokens: AccessTokenVerifier, req: Request): Promise<AdminCaller> {
  const raw = bearerToken(req.get('authorization'));
  const token = await tokens.verify(raw);
  if (token.kind !== 'system')
    throw new Forbidden('the admin API takes a Backend Services token (client credentials), not a user token', {
      code: 'ERR_ADMIN_NOT_SYSTEM',
      detail: `client ${token.clientId}`,
    });
  if (!token.scopes.some(readsAuditEvents))
    throw new Forbidden(`the access token lacks the scope ${ADMIN_AUDIT_SCOPES.join(' or ')}`, {
      code: 'ERR_ADMIN_SCOPE',
      detail: `client ${token.clientId}`,
    });
  const tokenId = await tokens.tokenId(raw);
  return { clientId: token.clientId, ...(tokenId !== undefined ? { tokenId } : {}) };
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
