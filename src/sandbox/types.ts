import type { Resource } from '@medplum/fhirtypes';
import type { EcdExport } from './ecd-types';

export interface SandboxOptions {
  /** Minimum number of clients over both organisations (default 50); the special cases need about 25. */
  clients?: number;
  /** Seed of the generator (default 1): the same options give byte-identical data. */
  seed?: number;
  /** The day the data is generated for, YYYY-MM-DD (default: today in Europe/Amsterdam). */
  today?: string;
}

/**
 * Client ids of the special cases, so tests and docs can find them. Single ids name one client built
 * for that case; lists name every client of an age band or organisation. Meerzicht (elderly care)
 * follows the first-contact-person model, Amerhof (disability care) the portal-administrator model.
 */
export interface SandboxScenarios {
  /** Amerhof: care agreement ended yesterday (inside a two-day grace period). */
  careEndedYesterday: string;
  /** Amerhof: care agreement ended three days ago (past a two-day grace period). */
  careEndedThreeDaysAgo: string;
  /** Meerzicht: care agreement ended yesterday (Meerzicht closes access at once). */
  careEndedYesterdayElderlyCare: string;
  /** Meerzicht: died yesterday; the care agreement ended that day. */
  deceased: string;
  /** Meerzicht: the client authorised the first contact person for some sections. */
  firstContactAuthorised: string;
  /** Meerzicht: an authorisation of the second contact person was withdrawn two days ago. */
  withWithdrawnAuthorisation: string;
  /** Meerzicht: a mentor represents the client (and counts as the client). */
  withMentorElderlyCare: string;
  /** Amerhof: judged unable to be portal administrator; agreed the first contact person becomes it. */
  incapableAgreed: string;
  /** Amerhof: judged unable to be portal administrator; refused the first contact person. */
  incapableRefused: string;
  /** Amerhof: has a curator, who registered as administrator. */
  withCurator: string;
  /** Amerhof: has a mentor, who registered as administrator. */
  withMentor: string;
  /** Amerhof: capable adult with a financial administrator ("bewindvoerder") who asked to be administrator. */
  withFinancialAdministrator: string;
  /** Amerhof: capable adult administrator who granted sections to two relations. */
  administratorGrantedSections: string;
  /** Amerhof: under 12 with a guardian ("voogd") instead of parents. */
  withGuardian: string;
  /** Amerhof: under 12; one parent has parental authority, the other (registered) has not. */
  parentWithoutAuthority: string;
  /** Amerhof: two children under 12 with the same parents (one login, two clients). */
  siblingsSharedParent: [string, string];
  /** Amerhof: 11 today, 12 tomorrow; judged capable, no parental-access agreement yet. */
  turns12Tomorrow: string;
  /** Amerhof: 15 today, 16 tomorrow; capable and agreed to parental access. */
  turns16Tomorrow: string;
  /** Amerhof: 12–15, judged capable, agreed that the parents may look. */
  minorCapableParentalAccessAgreed: string;
  /** Amerhof: 12–15, judged capable, refused parental access. */
  minorCapableParentalAccessRefused: string;
  /** Amerhof: 12–15, judged unable to weigh their own interests. */
  minorIncapable: string;
  /** Amerhof: 16–17, own administrator, authorised a parent. */
  sixteenPlusAuthorisedParent: string;
  /** Every Amerhof client under 12 on `today`. */
  under12: string[];
  /** Every Amerhof client aged 12–15 on `today`. */
  age12to15: string[];
  /** Every Amerhof client aged 16–17 on `today`. */
  age16to17: string[];
  /** Every adult Amerhof client. */
  adultsDisabilityCare: string[];
  /** Every Meerzicht client (all 65 or older). */
  elderlyCare: string[];
}

export interface SandboxData {
  /** The day the data was generated for (YYYY-MM-DD); every relative date counts from it. */
  today: string;
  /** One ECD export per organisation, in the format the ECD link imports. */
  exports: EcdExport[];
  /** The dossier as the organisation's FHIR API would hold it (FHIR R4). */
  resources: Resource[];
  scenarios: SandboxScenarios;
}

export interface SandboxServer {
  /** FHIR base URL, e.g. http://127.0.0.1:8081/fhir */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface SandboxServerOptions {
  data: SandboxData;
  /** 0 picks any free port. */
  port?: number;
  /** Default 127.0.0.1: the sandbox holds no real data, but nothing needs to reach it from outside. */
  host?: string;
  /**
   * Allow create, update, patch, delete and batch (default false). The gateway only reads; tests
   * that need a second version of a resource can switch this on.
   */
  writable?: boolean;
}

export interface SandboxSummary {
  today: string;
  clients: number;
  resources: number;
  organisations: { id: string; name: string; clients: number; relations: number }[];
  resourcesByType: Record<string, number>;
  /** Number of clients named by each scenario. */
  scenarios: Record<keyof SandboxScenarios, number>;
  /** The same, as lines for start-up output. */
  lines: string[];
}
