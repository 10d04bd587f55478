/**
 * The ECD export format: what a care organisation's ECD hands the gateway about its client
 * administration. It is the only shape the ECD link reads (as JSON, or as one CSV file per entity);
 * the sandbox generator writes it too, so the demo loads its data through the same path as a customer.
 *
 * Dates are calendar dates (YYYY-MM-DD, Europe/Amsterdam); moments are ISO 8601 with an offset.
 * Every record has a stable `id` assigned by the ECD; the gateway keys on it for sync.
 */

import type { PortalSection, RelationRole } from '../vocabulary';

export const ECD_EXPORT_FORMAT = 'inzage-ecd-export';
export const ECD_EXPORT_VERSION = 1;

/** A calendar date, YYYY-MM-DD. */
export type IsoDate = string;
/** A moment, ISO 8601 with offset, e.g. 2026-11-23T10:15:00+01:00. */
export type IsoDateTime = string;

export interface EcdExport {
  format: typeof ECD_EXPORT_FORMAT;
  version: typeof ECD_EXPORT_VERSION;
  /** When the ECD produced this export. */
  exportedAt: IsoDateTime;
  /**
   * `full` (the default): the export is the whole client administration and lists every section
   * (an empty one as []); what it no longer lists is ended. `delta`: only new and changed records;
   * a section it leaves out has no changes, and nothing is ended for being absent. A client in a
   * delta comes with all its care agreements.
   */
  mode?: EcdExportMode;
  organisation: EcdOrganisation;
  clients: EcdClient[];
  relations: EcdRelation[];
  portalRegistrations: EcdPortalRegistration[];
  portalAuthorisations: EcdPortalAuthorisation[];
  clientAgreements: EcdClientAgreement[];
}

/** A delta export: only the header is required; a section it leaves out has no changes (B6). */
export type EcdDeltaExport = Omit<EcdExport, 'mode' | EcdSection> & {
  mode: 'delta';
} & Partial<Pick<EcdExport, EcdSection>>;

/** The sections of an export, in the order the JSON form lists them. */
export const ECD_SECTIONS = [
  'clients',
  'relations',
  'portalRegistrations',
  'portalAuthorisations',
  'clientAgreements',
] as const;
export type EcdSection = (typeof ECD_SECTIONS)[number];

export type EcdExportMode = 'full' | 'delta';

export interface EcdOrganisation {
  /** The gateway's id for the organisation (matches `organisations[].id` in the configuration). */
  id: string;
  name: string;
  /** URA number (Dutch healthcare provider register), when known. */
  ura?: string;
  /** AGB code, when known. */
  agb?: string;
}

export type EcdGender = 'male' | 'female' | 'other' | 'unknown';

export interface EcdPersonName {
  /** Given names or initials, in order. */
  given: string[];
  /** Family name without the prefix ("Vries" for "de Vries"). */
  family: string;
  /** Dutch family name prefix ("voorvoegsel"), e.g. "de", "van der". */
  prefix?: string;
}

export interface EcdTelecom {
  email?: string;
  /** Mobile number, E.164 (+31612345678): needed for the second factor. */
  mobile?: string;
  phone?: string;
}

/** Kind of long-term care under a care agreement. */
export type EcdCareType = 'elderly-care' | 'disability-care';

export interface EcdCareAgreement {
  id: string;
  careType: EcdCareType;
  start: IsoDate;
  /** Last day of care; absent while the agreement runs. */
  end?: IsoDate;
}

/** Who judged whether the client can be their own portal administrator (Amerpoort A-5). */
export type EcdAssessorRole =
  'behavioural-expert' | 'physician-intellectual-disability' | 'physician' | 'other';

export interface EcdAdministratorCapacity {
  /** True when the client is judged able to act as their own portal administrator. */
  capable: boolean;
  assessedOn: IsoDate;
  assessorRole: EcdAssessorRole;
}

export interface EcdClient {
  id: string;
  /** Burgerservicenummer; must pass the eleven-test. */
  bsn?: string;
  name: EcdPersonName;
  birthDate: IsoDate;
  gender: EcdGender;
  telecom?: EcdTelecom;
  careAgreements: EcdCareAgreement[];
  deceasedDate?: IsoDate;
  /** For minors 12–15 too: whether they can reasonably weigh their own interests. */
  administratorCapacity?: EcdAdministratorCapacity;
}

/** A relation's role towards the client, as ECDs record contact persons and representatives. */
export type EcdRelationRole = RelationRole;

export interface EcdRelation {
  id: string;
  clientId: string;
  role: EcdRelationRole;
  name: EcdPersonName;
  /** Family relationship as an HL7 v3 RoleCode (MTH, FTH, SONC, DAUC, WIFE, HUSB, BRO, SIS, …). */
  relationship?: string;
  /** For a parent: holds parental authority ("ouderlijk gezag"). */
  parentalAuthority?: boolean;
  telecom?: EcdTelecom;
  start?: IsoDate;
  /** The relation ended (e.g. curatorship lifted). */
  end?: IsoDate;
}

/** Someone who signed up for the portal on the registration form. */
export interface EcdPortalRegistration {
  id: string;
  clientId: string;
  /** The person who registered: the client themself, or one of the client's relations. */
  person: EcdPersonReference;
  registeredOn: IsoDate;
  /** The role the registration form asked for. */
  requestedRole: 'client' | 'administrator' | 'user';
}

export type EcdPersonReference = { kind: 'client' } | { kind: 'relation'; relationId: string };

/** One person authorising another for portal sections (M-2, A-3), and its withdrawal (M-3). */
export interface EcdPortalAuthorisation {
  id: string;
  clientId: string;
  grantedBy: EcdPersonReference;
  /** The relation who is given access. */
  granteeRelationId: string;
  sections: PortalSection[];
  grantedOn: IsoDate;
  withdrawal?: {
    /** When the written request to withdraw reached the organisation. */
    requestReceivedAt: IsoDateTime;
  };
}

/** A recorded answer of the client where the rules need the client's agreement. */
export interface EcdClientAgreement {
  id: string;
  clientId: string;
  subject: 'first-contact-person-as-administrator' | 'parental-access';
  /** The relation the agreement is about. */
  relationId: string;
  agreed: boolean;
  recordedOn: IsoDate;
}
