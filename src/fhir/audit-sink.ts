import type { AuditBasis, AuditChecks, AuditEntry, AuditTrail } from '../audit';
import type { Logger } from '../http';

/**
 * What step 8 records of every FHIR request, permitted or refused. The gateway writes it to the
 * audit trail (`trailAuditSink`); tests and the benchmark's "audit off" run may put another sink
 * behind the interface.
 */
export interface FhirAuditEntry {
  readonly requestId: string;
  readonly at: Date;
  readonly status: number;
  /** The refusal's code, when the request was refused or failed. */
  readonly errorCode?: string;
  readonly clientApp?: string;
  /** The token's subject: the login account's link. */
  readonly subject?: string;
  /** The access token's `jti` (also of a refused token of ours, when it could be read). */
  readonly tokenId?: string;
  /** The user's identity in the dossier: `Patient/…` or `RelatedPerson/…` (the token's fhirUser). */
  readonly user?: string;
  /** The user's name, from the gateway's own Patient or RelatedPerson. */
  readonly userName?: string;
  /** The role the engine decided the user acts in, e.g. `client`, `administrator (curator)`. */
  readonly role?: string;
  /** NEN 7513 responsible user: the grantor of a relative's Consent, the client of a representative. */
  readonly onBehalfOf?: string;
  /** The caller's address as the gateway sees it (express `req.ip`, behind `trust proxy`). */
  readonly address?: string;
  readonly patient?: string;
  readonly interaction?: string;
  /** The normalised request line (type, id, parameters), never the token. */
  readonly query?: string;
  /** The decision's basis: organisation rules and Consent provisions. */
  readonly basis?: readonly AuditBasis[];
  /** `Type/id` of every resource the answer showed. */
  readonly shown?: readonly string[];
  /** NEN 7513's four control results for this request. */
  readonly checks?: AuditChecks;
  /** The organisation's preset and terms version the decision applied (`meerlanden-2026-01`). */
  readonly policy?: string;
}

export interface FhirAuditSink {
  /** Resolves when the record is durable; a rejection fails the request (no unaudited answer). */
  record(entry: FhirAuditEntry): Promise<void>;
}

/** Step 8 on the audit trail: the record is committed (group commit) before the answer leaves. */
export function trailAuditSink(trail: AuditTrail): FhirAuditSink {
  return {
    async record(entry) {
      await trail.record(auditEntryOf(entry));
    },
  };
}

/** The FHIR request's record in the audit trail's terms. */
export function auditEntryOf(entry: FhirAuditEntry): AuditEntry {
  const outcome = entry.status < 400 ? 'success' : entry.status >= 500 ? 'failed' : 'refused';
  return {
    kind: 'fhir-request',
    action: entry.interaction === 'create' ? 'C' : entry.interaction === 'delete' ? 'D' : 'R',
    at: entry.at,
    outcome,
    status: entry.status,
    ...(entry.errorCode ? { outcomeText: entry.errorCode } : {}),
    requestId: entry.requestId,
    ...(entry.user || entry.subject || entry.address
      ? {
          actor: {
            ...(entry.subject ? { account: entry.subject } : {}),
            ...(entry.user ? { person: entry.user } : {}),
            ...(entry.userName ? { name: entry.userName } : {}),
            ...(entry.role ? { role: entry.role } : {}),
            ...(entry.onBehalfOf ? { onBehalfOf: entry.onBehalfOf } : {}),
            ...(entry.address ? { address: entry.address } : {}),
          },
        }
      : {}),
    ...(entry.clientApp ? { clientApp: entry.clientApp } : {}),
    ...(entry.tokenId ? { tokenId: entry.tokenId } : {}),
    ...(entry.patient ? { patient: entry.patient } : {}),
    ...(entry.interaction ? { interaction: entry.interaction } : {}),
    ...(entry.query ? { query: entry.query } : {}),
    ...(entry.shown && entry.shown.length > 0 ? { entities: entry.shown } : {}),
    ...(entry.basis && entry.basis.length > 0 ? { basis: entry.basis } : {}),
    ...(entry.checks ? { checks: entry.checks } : {}),
    ...(entry.policy ? { policy: entry.policy } : {}),
  };
}

/**
 * The record as a log line (tests that do not look at the trail). The log holds the parameter
 * names of the query but not their values, and not the user's name: a search value can be a BSN or
 * a name, and logs travel further than the audit trail will.
 */
export function logAuditSink(log: Logger): FhirAuditSink {
  return {
    async record(entry) {
      const { userName: _name, ...rest } = entry;
      const query = entry.query?.replace(/=[^&]*/g, '=…');
      log.info(
        { audit: { ...rest, at: entry.at.toISOString(), ...(query === undefined ? {} : { query }) } },
        'fhir request',
      );
    },
  };
}
