export {
  PolicyEngine,
  CONSENT_CHANGE_CHANNEL,
  ECD_SYNC_CHANNEL,
  type DecisionRequest,
  type PolicyEngineOptions,
} from './engine';
export {
  consentFactsStore,
  type FactsSource,
  type AdministratorRegistrations,
  type ConsentFactsStoreOptions,
} from './facts-store';
export { createPolicyEngine, presetsFor, type PolicyEngineParts } from './create';
export {
  UnknownClient,
  GrantRefused,
  GrantNotFound,
  GrantNotWithdrawable,
  SuspensionNotFound,
  InvalidPreset,
} from './errors';
export type { ConsentDecision, DecisionBasis, Obligation } from './decision';
export { explainDecision } from './explain';
export {
  factsFromResources,
  type ClientFacts,
  type RelationFacts,
  type AgreementFacts,
  type Suspension,
} from './facts';
export {
  assessStanding,
  administratorOf,
  portalOpen,
  type Standing,
  type RuleBasis,
  type PrincipalRole,
} from './organisation';
export {
  loadPreset,
  sectionMappingOf,
  PRESET_DIRECTORY,
  UNASSESSED_MINOR_RULES,
  DEFAULT_UNASSESSED_MINOR,
  type PolicyPreset,
  type UnassessedMinorRule,
} from './preset';
export { sectionsFor, parseRequestLine, DEFAULT_SECTION_MAPPING, type SectionMapping } from './sections';
export { PORTAL_SECTIONS, RELATION_ROLES, type PortalSection, type RelationRole } from './vocabulary';
export { combineConsents, type CombinedDecision } from './combine';
export { evaluateConsent, type ConsentQuery, type ConsentEvaluation } from './provisions';
export { grantAccess, withdrawAccess, type GrantRequest, type WithdrawalRequest } from './grants';
export { suspendAccess, liftSuspension, type SuspensionRequest, type LiftRequest } from './suspensions';
