import { GatewayError, InvalidInput } from '../errors';
import {
  InvalidReference,
  isPatientReference,
  isPersonReference,
  PORTAL_SECTIONS,
  type PortalSection,
} from '../vocabulary';
import { accessDecision, type AccessDecision } from './access-decision';
import { refusedDecision, type DecisionEvaluation, type DecisionQuestion } from './decide';
import type { ConsentDecision } from './decision';
import type { ClientFacts } from './facts';
import type { RuleBasis } from './organisation';
import { requestedCategories, type AccessPrincipal, type AccessRequest } from './request';
import { sectionPolicyOf } from './section-policy';
import { sectionsFor, type SectionMapping } from './sections';

/** What `check` needs of the engine: the client's section mapping and its (memoised) decisions. */
export interface CheckDependencies {
  readonly mapping: SectionMapping;
  decision(question: DecisionQuestion, sections: readonly PortalSection[]): ConsentDecision;
  evaluation(question: DecisionQuestion): DecisionEvaluation;
}

/**
 * The access decision for one request: the sections it touches (from its type and categories,
 * through the preset's section mapping), the engine's decision on them, and `narrow`/`judge`.
 * A malformed principal or request throws (InvalidReference, InvalidInput): the caller fails closed.
 */
export function checkRequest(
  facts: ClientFacts | undefined,
  principal: AccessPrincipal,
  request: AccessRequest,
  dependencies: CheckDependencies,
): AccessDecision {
  if (!isPersonReference(principal.user))
    throw new InvalidReference(String(principal.user), 'Patient/<id> or RelatedPerson/<id>');
  if (!isPatientReference(principal.patient))
    throw new InvalidReference(String(principal.patient), 'Patient/<id>');
  if (!(request.at instanceof Date) || Number.isNaN(request.at.getTime()))
    throw new InvalidInput('the request has no valid moment', { code: 'ERR_INVALID_REQUEST' });
  if (facts && facts.patient !== principal.patient) {
    throw new GatewayError('ERR_DECISION_FACTS', 500, 'internal error', {
      detail: `facts of ${facts.patient} given for a request about ${principal.patient}`,
    });
  }
  const question: DecisionQuestion = {
    principal: principal.user,
    patient: principal.patient,
    resourceType: request.resourceType,
    ...(request.purpose === undefined ? {} : { purpose: request.purpose }),
    at: request.at,
  };
  const requested = sectionsTouched(request, dependencies.mapping);
  const refusal = refusalOf(request, requested);
  const decision = refusal
    ? refusedDecision(dependencies.evaluation(question), requested, refusal, request.at)
    : { ...dependencies.decision(question, requested), at: request.at.toISOString() };
  return accessDecision({
    principal,
    request,
    decision,
    mapping: dependencies.mapping,
    policyFor: (resourceType) =>
      sectionPolicyOf(dependencies.decision({ ...question, resourceType }, PORTAL_SECTIONS)),
  });
}

/**
 * The sections a request touches: those of its type, or for a type placed by category those of the
 * categories it asks for (plain `category` parameters; a modifier only narrows further).
 */
export function sectionsTouched(request: AccessRequest, mapping: SectionMapping): PortalSection[] {
  const categories = requestedCategories(request.parameters);
  const sections = sectionsFor(request.resourceType, categories, mapping);
  return PORTAL_SECTIONS.filter((s) => sections.includes(s));
}

/** Why a request is refused whatever the Consents say, or undefined. */
function refusalOf(request: AccessRequest, requested: readonly PortalSection[]): RuleBasis | undefined {
  const interaction = request.interaction;
  switch (interaction) {
    case 'read':
    case 'vread':
    case 'history':
      if (typeof request.id !== 'string' || request.id.length === 0) {
        if (interaction !== 'history')
          throw new InvalidInput(`a ${interaction} needs an id`, { code: 'ERR_INVALID_REQUEST' });
        return {
          rule: 'gateway',
          text: "the history of a whole type cannot be narrowed to the patient's compartment",
        };
      }
      if (interaction === 'vread' && typeof request.versionId !== 'string')
        throw new InvalidInput('a vread needs a version id', { code: 'ERR_INVALID_REQUEST' });
      break;
    case 'search':
      break;
    case 'create':
    case 'update':
    case 'patch':
    case 'delete':
    case 'operation':
      return { rule: 'gateway', text: `the portal only reads: a ${interaction} is not allowed` };
    default:
      return unknownInteraction(interaction);
  }
  if (requested.length === 0)
    return {
      rule: 'gateway',
      text: `${request.resourceType} belongs to no portal section: nobody is granted it`,
    };
  return undefined;
}

/** A caller outside the types (plain JavaScript) can pass anything: it is refused. */
function unknownInteraction(interaction: never): RuleBasis {
  return { rule: 'gateway', text: `unknown interaction '${String(interaction)}'` };
}
