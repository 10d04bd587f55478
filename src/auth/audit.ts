/**
 * What the authorization server writes to the audit trail (NEN 7513, issue 11): every login step,
 * every token issued, rotated, revoked or refused as reused, every link code used or refused, every
 * answer to the terms. Each record is written at a point the answer waits for (a login page's
 * handler, the adapter's write of a token row), so that no answer leaves before its record is
 * committed, and an answer whose record cannot be written fails instead (no unaudited login or token).
 *
 * What a record never holds: a password, a code (second factor, verification, link code), a token
 * value (an access token is named by its `jti`; refresh tokens and authorization codes, whose id is
 * their value, by their grant), or an e-mail address or mobile number. A refused login's outcome text
 * says what the login page says and no more: an unknown address, a wrong password and a blocked
 * account are all `ERR_LOGIN_REFUSED`.
 */
import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import type { AuditAction, AuditEntry, AuditOutcome, AuditTrail } from '../audit';
import { contextOf } from '../http';
import type { Queryable } from '../store';

/** The outcome texts of refusals, the same whatever the reason the page does not tell. */
export const LOGIN_REFUSED = 'ERR_LOGIN_REFUSED';
export const TOO_MANY_ATTEMPTS = 'ERR_TOO_MANY_ATTEMPTS';

/** One event of the authorization server, before the request's facts are added. */
export interface AuthEvent {
  readonly kind: 'login' | 'token' | 'link-code' | 'terms';
  readonly action: AuditAction;
  readonly outcome: AuditOutcome;
  readonly outcomeText?: string;
  readonly status?: number;
  /** The step or verb: password, second-factor, federated, completed, issued, revoked, … */
  readonly interaction: string;
  /** The login account (`account-…`), when known. */
  readonly account?: string;
  /** The person the account acts as (`Patient/…` or `RelatedPerson/…`), when known. */
  readonly person?: string;
  readonly patient?: string;
  readonly clientApp?: string;
  readonly tokenId?: string;
  readonly policy?: string;
  readonly detail?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** What the request itself tells: when it came, from where, and its X-Request-Id. */
export interface RequestFacts {
  readonly at: Date;
  readonly address?: string;
  readonly requestId?: string;
}

/** The facts of an express (or a koa ctx.req, the same object) request. */
export function requestFacts(req: IncomingMessage, at: Date = new Date(), address?: string): RequestFacts {
  let requestId: string | undefined;
  try {
    requestId = contextOf(req as Request).id;
  } catch {
    // Outside the gateway's app (unit tests): no request id.
  }
  const ip = address ?? (req as Partial<Request>).ip ?? req.socket?.remoteAddress;
  return { at, ...(ip ? { address: ip } : {}), ...(requestId ? { requestId } : {}) };
}

/** The trail's entry of an event. */
export function auditEntryOf(event: AuthEvent, facts: RequestFacts): AuditEntry {
  const actor = {
    ...(event.account ? { account: event.account } : {}),
    ...(event.person ? { person: event.person } : {}),
    ...(facts.address ? { address: facts.address } : {}),
  };
  const detail = Object.fromEntries(
    Object.entries(event.detail ?? {}).filter(
      (e): e is [string, string | number | boolean] => e[1] !== undefined,
    ),
  );
  return {
    kind: event.kind,
    action: event.action,
    at: facts.at,
    outcome: event.outcome,
    ...(event.outcomeText ? { outcomeText: event.outcomeText } : {}),
    ...(event.status !== undefined ? { status: event.status } : {}),
    ...(facts.requestId ? { requestId: facts.requestId } : {}),
    ...(Object.keys(actor).length > 0 ? { actor } : {}),
    ...(event.clientApp ? { clientApp: event.clientApp } : {}),
    ...(event.tokenId ? { tokenId: event.tokenId } : {}),
    ...(event.patient ? { patient: event.patient } : {}),
    interaction: event.interaction,
    ...(event.policy ? { policy: event.policy } : {}),
    ...(Object.keys(detail).length > 0 ? { detail } : {}),
  };
}

/**
 * The authorization server's writer: the gateway's AuditTrail, or nothing (unit tests that start
 * an authorization server of their own). `record` resolves when the record is committed.
 */
export class AuthAudit {
  constructor(private readonly trail?: AuditTrail) {}

  /** Whether records are written at all. */
  get enabled(): boolean {
    return this.trail !== undefined;
  }

  /** Writes the record (group commit) and resolves when it is durable; rejects when it is not. */
  async record(event: AuthEvent, facts: RequestFacts): Promise<void> {
    if (this.trail) await this.trail.record(auditEntryOf(event, facts));
  }

  /** Writes the record in the caller's transaction, so that it commits with the change it records. */
  async recordIn(tx: Queryable, event: AuthEvent, facts: RequestFacts): Promise<void> {
    if (this.trail) await this.trail.recordIn(tx, auditEntryOf(event, facts));
  }
}
