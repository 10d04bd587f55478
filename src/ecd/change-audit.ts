import type { AuditActor, AuditEntry, AuditTrail } from '../audit';
import type { ConsentChange, ConsentChangeJournal } from '../consent';
import { actorText, type Actor } from '../vocabulary';

/**
 * The audit record of a consent change (a grant, a withdrawal, a replacement) or a suspension
 * (started, lifted), for every writer of such changes: the FHIR API's grants, the ECD sync, and the
 * administration to come. It lives here because the consent module and the audit module have the
 * same rank and may not know each other: this is the lowest module above both, and the FHIR API and
 * the administration (a rank higher) can both use it.
 */

/** The part of the audit trail a change writes to: inside the change's own transaction. */
export type ChangeRecorder = Pick<AuditTrail, 'recordIn'>;

/** Where a change came from, beyond the change itself: the request that asked for it. */
export interface ChangeOrigin {
  /** X-Request-Id of the request, so the change and the request's own record go side by side. */
  readonly requestId?: string;
  /** The SMART client (portal app, ECD backend client) that asked. */
  readonly clientApp?: string;
  /** The login account of the person who asked (the token's subject). */
  readonly account?: string;
  /** The access token's jti. */
  readonly tokenId?: string;
  /** The caller's address as the gateway saw it. */
  readonly address?: string;
  /** The staff member's name and role, for a change made through the admin API (issue 12, item 9). */
  readonly name?: string;
  readonly role?: string;
  /** Why staff made the change, when the change itself carries no reason. */
  readonly reason?: string;
}

const ACTION: Readonly<Record<ConsentChange['kind'], AuditEntry['action']>> = {
  grant: 'C',
  replacement: 'U',
  withdrawal: 'D',
  'suspension-start': 'C',
  'suspension-lift': 'D',
};

/** The change as an audit entry: 'consent-change' for Consents, 'suspension' for suspensions. */
export function changeAuditEntry(change: ConsentChange, origin: ChangeOrigin = {}): AuditEntry {
  const suspension = change.kind === 'suspension-start' || change.kind === 'suspension-lift';
  const detail: Record<string, string> = { change: change.kind, organisation: change.organisationId };
  if (change.subject) detail.subject = change.subject;
  if (change.sections && change.sections.length > 0) detail.sections = change.sections.join(',');
  if (change.suspensionId) detail.suspension = change.suspensionId;
  if (change.reason) detail.reason = change.reason;
  else if (origin.reason) detail.reason = origin.reason;
  if (change.period?.start) detail.periodStart = change.period.start.toISOString();
  if (change.period?.end) detail.periodEnd = change.period.end.toISOString();
  return {
    kind: suspension ? 'suspension' : 'consent-change',
    action: ACTION[change.kind],
    at: change.at,
    outcome: 'success',
    ...(origin.requestId ? { requestId: origin.requestId } : {}),
    actor: changeActor(change, origin),
    ...(origin.clientApp ? { clientApp: origin.clientApp } : {}),
    ...(origin.tokenId ? { tokenId: origin.tokenId } : {}),
    patient: change.patient,
    interaction: change.kind,
    ...(change.consent
      ? { entities: [`Consent/${change.consent.id}/_history/${change.consent.versionId}`] }
      : {}),
    ...(change.rule ? { basis: [{ kind: 'rule' as const, ref: change.rule }] } : {}),
    detail,
  };
}

/**
 * A journal that records each change in the audit trail, inside the change's transaction: hand it
 * to grantAccess, withdrawAccess, suspendAccess and liftSuspension.
 */
export function auditJournal(trail: ChangeRecorder, origin: ChangeOrigin = {}): ConsentChangeJournal {
  return async (tx, change) => {
    await trail.recordIn(tx, changeAuditEntry(change, origin));
  };
}

/**
 * Who changed it, in NEN 7513's terms: a person acts for the client whose dossier it is (when not
 * the client), staff and the ECD for their organisation.
 */
export function changeActor(
  change: Pick<ConsentChange, 'by' | 'patient' | 'organisationId'>,
  origin: ChangeOrigin = {},
): AuditActor {
  const by: Actor = change.by;
  const address = origin.address ? { address: origin.address } : {};
  if (by.kind === 'person')
    return {
      ...(origin.account ? { account: origin.account } : {}),
      person: by.reference,
      ...(by.reference === change.patient ? {} : { onBehalfOf: change.patient }),
      ...address,
    };
  return {
    account: origin.account ?? actorText(by),
    ...(origin.name ? { name: origin.name } : {}),
    role: origin.role ?? (by.kind === 'ecd-import' ? 'ecd-sync' : by.kind),
    onBehalfOf: `Organization/${change.organisationId}`,
    ...address,
  };
}
