export {
  PolicyEngine,
  storeFactsSource,
  dutchDate,
  CONSENT_CHANGE_CHANNEL,
  ECD_SYNC_CHANNEL,
  type DecisionRequest,
  type FactsSource,
  type PolicyEngineOptions,
} from './engine';
export { createPolicyEngine, presetsFor } from './create';
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
  ageOn,
  addDays,
  type Standing,
  type RuleBasis,
  type PrincipalRole,
} from './organisation';
export { loadPreset, sectionMappingOf, type PolicyPreset } from './preset';
export { sectionsFor, parseRequestLine, DEFAULT_SECTION_MAPPING, type SectionMapping } from './sections';
export { PORTAL_SECTIONS, RELATION_ROLES, type PortalSection, type RelationRole } from './vocabulary';
export { combineConsents, type CombinedDecision } from './combine';
export { evaluateConsent, type ConsentQuery, type ConsentEvaluation } from './provisions';
export { grantAccess, withdrawAccess, GrantRefused, type GrantRequest } from './grants';
export { suspendAccess, liftSuspension, type SuspensionRequest } from './suspensions';
