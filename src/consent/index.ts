/**
 * The consent module: the policy engine and its one entry point for requests,
 * `engine.check(principal, request)` → AccessDecision (allowed, sections, basis, obligations,
 * `narrow`, `judge`); the explanation of a decision; and the writes that change decisions (grants,
 * suspensions).
 */
export { PolicyEngine, type DecisionRequest, type DecisionOptions, type PolicyEngineOptions } from './engine';
export { type FactsSource, type AdministratorRegistrations } from './facts-store';
export { createPolicyEngine, presetsFor, type PolicyEngineParts } from './create';
export {
  UnknownClient,
  GrantRefused,
  GrantNotFound,
  GrantNotWithdrawable,
  SuspensionNotFound,
  InvalidPreset,
} from './errors';

export type { AccessDecision, AllowedSection, DecisionEnforcement, DecisionExtent } from './access-decision';
export type { Judgement } from './judge';
export { AccessDenied, UnsafeQuery } from './access-errors';
export {
  FHIR_INTERACTIONS,
  parseRequestLine,
  searchOf,
  searchParameter,
  type AccessPrincipal,
  type AccessRequest,
  type FhirInteraction,
  type FhirSearch,
  type ReviewerRequest,
  type SearchParameter,
} from './request';
export type { ConsentDecision, DecisionBasis, Obligation } from './decision';
export type { PrincipalRole, RuleBasis } from './organisation';
export type { DataPeriod, SecurityLabel } from './provisions';
export { explainDecision } from './explain';

export { grantAccess, withdrawAccess, type GrantRequest, type WithdrawalRequest } from './grants';
export {
  suspendAccess,
  suspendAccessAll,
  liftSuspension,
  type SuspensionRequest,
  type LiftRequest,
} from './suspensions';
/** The suspensions as staff read them (issue 12): current, scheduled and past, with who and why. */
export { suspensionHistoryOf, suspensionById, type SuspensionEntry } from './suspension-store';
/** What those writes tell the audit trail, inside their transaction. */
export type { ConsentChange, ConsentChangeJournal, ConsentChangeKind } from './change-journal';

/** Where a preset places resource types (used by `inzage explain` and the sandbox). */
export { sectionMappingOf, type PolicyPreset } from './preset';
export { sectionsFor, type SectionMapping } from './sections';
/** The parameters that name a resource type's patient compartment (from the CompartmentDefinition). */
export { patientCompartmentParameters } from './fhir-definitions';

/** The choices of administrator the rules leave the organisation, and the A-5 answer. */
export {
  administratorOptions,
  type AdministratorOption,
  type AdministratorSituation,
} from './administrator-options';
export { recordClientAgreement, type AgreementRequest } from './agreements';
/** The coming changes of a client's access (the admin's access timeline). */
export {
  accessChanges,
  birthdayOf,
  changePoints,
  type AccessChange,
  type AccessState,
  type ChangeCause,
  type ChangePoint,
  type PersonChange,
} from './change-points';
/** Whether a client's portal is open on a day, by the preset (care end, death, grace days). */
export { portalOpen } from './organisation';
export type { ClientFacts, RelationFacts, Suspension } from './facts';
