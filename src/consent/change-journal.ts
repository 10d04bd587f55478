import type { Queryable } from '../store';
import type { Actor, PatientReference, PersonReference, PortalSection } from '../vocabulary';

/**
 * What changed in who may see a client's dossier, as the consent module hands it to whoever keeps
 * the audit trail. The consent module does not know the trail (same rank): the writes take a
 * journal and call it inside their own transaction, so that the change and its record commit
 * together or not at all. The mapping to an audit entry lives above both (src/ecd, `changeAuditEntry`).
 */
export type ConsentChangeKind =
  /** A Consent that grants access, new. */
  | 'grant'
  /** A grant ended (withdrawn through the gateway, or gone from the ECD). */
  | 'withdrawal'
  /** A new version of a Consent (the ECD changed it). */
  | 'replacement'
  /** Someone's access (or the whole portal) suspended or ended by the organisation (M-5, A-10). */
  | 'suspension-start'
  /** A suspension lifted: access comes back. */
  | 'suspension-lift';

export interface ConsentChange {
  readonly kind: ConsentChangeKind;
  /** Whose dossier. */
  readonly patient: PatientReference;
  readonly organisationId: string;
  /** When the change takes effect and is recorded. */
  readonly at: Date;
  /** Who made the change. */
  readonly by: Actor;
  /** The Consent's id and the version this change wrote (grants, withdrawals, replacements). */
  readonly consent?: { readonly id: string; readonly versionId: number };
  /** The suspension's id (suspension-start, suspension-lift). */
  readonly suspensionId?: string;
  /** Whose access it is about: the grantee of a grant, the suspended person (absent: the whole portal). */
  readonly subject?: PersonReference;
  /** The sections a grant opens. */
  readonly sections?: readonly PortalSection[];
  /** The organisation rule under which the change was allowed (A-3, M-2). */
  readonly rule?: string;
  /** Why (a suspension's reason). */
  readonly reason?: string;
  /** The period of the grant or suspension (an absent end: until ended). */
  readonly period?: { readonly start?: Date; readonly end?: Date };
}

/**
 * Records a change inside the change's transaction; a rejection rolls the change back. The gateway's
 * product paths always pass one (the FHIR API, the ECD sync); only tests of the consent module itself
 * write without.
 */
export type ConsentChangeJournal = (tx: Queryable, change: ConsentChange) => Promise<void>;
