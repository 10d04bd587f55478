/**
 * What the audit trail records of one event, as the modules that see the event hand it over. The
 * fields follow NEN 7513 (event, user, responsible user, access point, client, objects, outcome,
 * the authorisation and consent checks) and map onto an IHE BALP AuditEvent (see audit-event.ts).
 */

/** The kinds of event the trail records; each is rendered as its own AuditEvent type and subtype. */
export const AUDIT_EVENT_KINDS = [
  /** A request to the FHIR API, permitted or refused. */
  'fhir-request',
  /** A login attempt at the authorization server (password, second factor, federated). */
  'login',
  /** An access or refresh token issued, refreshed or revoked. */
  'token',
  /** A link code used (or refused) to link an account to a client. */
  'link-code',
  /** A terms-of-use version accepted or declined. */
  'terms',
  /** A Consent granted, withdrawn or replaced. */
  'consent-change',
  /** A suspension of someone's access started or lifted. */
  'suspension',
  /** An ECD export imported (pushed or from a file). */
  'ecd-sync',
  /** A request of the request channel (M-9, M-10) filed by a portal user, or decided by the organisation. */
  'request-channel',
  /** An action of the care organisation's staff through the administration. */
  'admin',
  /** Audit records deleted after their retention period. */
  'audit-deletion',
  /** Notifications written for a (suspected) breach. */
  'breach-report',
] as const;

export type AuditEventKind = (typeof AUDIT_EVENT_KINDS)[number];

/** NEN 7513 action codes: Create, Read, Update, Delete, Execute. */
export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';

/** success = done as asked; refused = denied (by consent, scope, a rule); failed = an error. */
export type AuditOutcome = 'success' | 'refused' | 'failed';

/** Who acted: the NEN 7513 user, the responsible user on whose behalf, and the access point. */
export interface AuditActor {
  /** The login account (`account_id` of the authorization server), or a staff or system id. */
  readonly account?: string;
  /** The user's identity in the client's dossier: `Patient/…` or `RelatedPerson/…`. */
  readonly person?: string;
  /** A display name, for the client's log view. */
  readonly name?: string;
  /** The role the user acted in (the engine's principal role, a COD472 role, a staff role). */
  readonly role?: string;
  /** NEN 7513 "verantwoordelijke gebruiker": on whose behalf or under whose authority (a reference). */
  readonly onBehalfOf?: string;
  /** The network access point (the caller's IP address as the gateway saw it). */
  readonly address?: string;
}

/** One element of the decision basis: an organisation rule or a Consent provision. */
export interface AuditBasis {
  readonly kind: 'rule' | 'consent';
  /** The rule id (for example `A-8`) or `Consent/<id>` with its version when known. */
  readonly ref: string;
  /** permit or deny, for a Consent provision. */
  readonly verdict?: 'permit' | 'deny';
  /** The portal section a provision is about, when it is about one. */
  readonly section?: string;
  /** The rule's or provision's explanation in words. */
  readonly text?: string;
}

/** NEN 7513's four control results (T/F): which checks were made and passed for this event. */
export interface AuditChecks {
  readonly authorisation: boolean;
  readonly careRelationship: boolean;
  readonly consent: boolean;
  readonly breakGlass: boolean;
}

export interface AuditEntry {
  readonly kind: AuditEventKind;
  readonly action: AuditAction;
  /** When the event started (the request's arrival); `recorded` is when the trail wrote it. */
  readonly at: Date;
  readonly outcome: AuditOutcome;
  /** The error or refusal code (`ERR_…`) or a short description of the outcome. */
  readonly outcomeText?: string;
  /** The HTTP status answered, for an event that was a request. */
  readonly status?: number;
  /** The X-Request-Id of the request, so that a record and a log line can be put side by side. */
  readonly requestId?: string;
  readonly actor?: AuditActor;
  /** The SMART client (portal app or backend system) that made the request. */
  readonly clientApp?: string;
  /** The access token's `jti`, so that a suspect token can be traced. */
  readonly tokenId?: string;
  /** The client whose dossier the event is about: `Patient/<gateway id>`. */
  readonly patient?: string;
  /** The FHIR interaction (read, search, …) or the event's own verb (issued, accepted, …). */
  readonly interaction?: string;
  /** The normalised request line (type, id, parameters), never a token or a secret. */
  readonly query?: string;
  /** `Type/id` (with `/_history/v` when known) of each resource returned, created or changed. */
  readonly entities?: readonly string[];
  /** Why the decision went as it did. */
  readonly basis?: readonly AuditBasis[];
  readonly checks?: AuditChecks;
  /** NEN 7513 "autorisatieprotocol": the terms version or policy preset the decision applied. */
  readonly policy?: string;
  /** Small kind-specific facts (counts of an ECD sync, a reason, an end date), never secrets. */
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** An entry as kept: with the id, the place in the chain and the moment it was written. */
export interface AuditRecord {
  readonly id: string;
  readonly seq: number;
  readonly recorded: Date;
  readonly entry: AuditEntry;
  readonly alg: ChainAlgorithm;
  readonly prevHash: string;
  readonly hash: string;
}

export type ChainAlgorithm = 'sha256' | 'hmac-sha256';
