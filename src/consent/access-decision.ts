import type { Resource } from '@medplum/fhirtypes';
import {
  InvalidReference,
  isPatientReference,
  type PatientReference,
  type PortalSection,
} from '../vocabulary';
import { AccessDenied } from './access-errors';
import type { ConsentDecision, DecisionBasis, Obligation } from './decision';
import { judgeResource, type Judgement } from './judge';
import { narrowSearch } from './narrow';
import type { DataPeriod } from './provisions';
import type { AccessPrincipal, AccessRequest, FhirSearch } from './request';
import { unknownObligation, type SectionPolicy } from './section-policy';
import type { SectionMapping } from './sections';

/** How much of what the request touches the decision allows. */
export type DecisionExtent = 'all' | 'some' | 'none';

/** An allowed section, and the period of its data that may be shown (all of it when absent). */
export interface AllowedSection {
  readonly section: PortalSection;
  readonly period?: DataPeriod;
}

/**
 * The consent module's answer to one FHIR request (the shape of google/fhir-gateway's
 * AccessDecision): whether, what, on which basis, and the two operations that enforce it.
 *
 * Data reaches the caller only through `narrow` and `judge`. `allowed` says whether the request may
 * go on at all; it never means "send the upstream answer as it is". Even when every section asked is
 * allowed, the compartment, the periods and the masking are applied by `narrow` and `judge` alone.
 *
 * Fail closed: when `narrow` or `judge` throws, the caller must answer with an error and send
 * nothing of the upstream answer (never the unfiltered body, never "skip the check").
 */
export interface AccessDecision {
  /**
   * true when the decision permits at least part of the request: `extent` is 'all' or 'some'. It
   * does NOT mean that everything asked may be seen: `sections` says which sections, `narrow` and
   * `judge` enforce it. false: nothing may be seen; `narrow` refuses and `judge` shows nothing.
   */
  readonly allowed: boolean;
  /**
   * 'all': every section the request touches is allowed (still within periods and obligations);
   * 'some': only `sections` are (a search is narrowed to them, other resources are judged out);
   * 'none': nothing.
   */
  readonly extent: DecisionExtent;
  readonly principal: AccessPrincipal;
  readonly request: AccessRequest;
  /** The moment decided for (ISO 8601). */
  readonly at: string;
  /** The sections the request touches: its type's sections, or those of the categories it asks for. */
  readonly requested: readonly PortalSection[];
  /** The allowed sections among `requested`, in that order, each with its period of data. */
  readonly sections: readonly AllowedSection[];
  /** Why: the organisation rules that applied, and the Consents and provisions that decided. */
  readonly basis: readonly DecisionBasis[];
  /** What `narrow` and `judge` apply besides the sections (for the audit trail and explanation). */
  readonly obligations: readonly Obligation[];
  /** The engine's decision in full, for `explainDecision` and the audit trail. */
  readonly consentDecision: ConsentDecision;
  /**
   * The search restricted to what may be seen: the patient compartment, the allowed sections, the
   * allowed period (see narrow.ts). Pure; the input is not changed. Throws AccessDenied when nothing
   * of the type may be seen, UnsafeQuery for a parameter it cannot restrict. Throws = the caller
   * fails closed.
   */
  narrow(search: FhirSearch): FhirSearch;
  /**
   * May this one resource of the upstream answer be shown, and as what (a masked copy when an
   * obligation says so)? Refused: outside the patient's compartment, in no section or a section not
   * allowed, outside the allowed period, carrying an excluded label (see judge.ts). The input is
   * not changed. Throws = the caller fails closed.
   */
  judge(resource: Resource): Judgement;
  /**
   * `narrow` and `judge` for the same client known by another reference: the id the dossier's own
   * FHIR server gives the client's Patient. The upstream's answer is judged in the upstream's ids,
   * before any reference is rewritten, so that a resource of another person whose upstream id
   * happens to equal the gateway's id of this client can never pass as this client's.
   */
  inCompartmentOf(patient: PatientReference): DecisionEnforcement;
}

/** The two operations that enforce a decision, bound to one reference of the client's Patient. */
export type DecisionEnforcement = Pick<AccessDecision, 'narrow' | 'judge'>;

export interface AccessDecisionParts {
  readonly principal: AccessPrincipal;
  readonly request: AccessRequest;
  /** The decision for the sections the request touches. */
  readonly decision: ConsentDecision;
  readonly mapping: SectionMapping;
  /** The policy of every section for a resource type (a decision can depend on the type). */
  policyFor(resourceType: string): SectionPolicy;
}

const NOTHING_SHOWN: Judgement = Object.freeze({ show: false, reason: 'the decision allows nothing' });

/** The basis in one line, for the log (never sent). */
function reasonOf(decision: ConsentDecision): string {
  return decision.basis
    .map((b) =>
      b.kind === 'rule' ? `${b.rule}: ${b.text}` : `Consent/${b.consentId} ${b.verdict}s ${b.section}`,
    )
    .join('; ');
}

/** The AccessDecision of a computed decision. */
export function accessDecision(parts: AccessDecisionParts): AccessDecision {
  const { principal, request, decision, mapping } = parts;
  const allowed = decision.permit && decision.sections.length > 0;
  const periods = new Map<PortalSection, DataPeriod>();
  for (const obligation of decision.obligations) {
    switch (obligation.kind) {
      case 'limit-period':
        periods.set(obligation.section, {
          ...(obligation.start === undefined ? {} : { start: obligation.start }),
          ...(obligation.end === undefined ? {} : { end: obligation.end }),
        });
        break;
      case 'mask-employees':
      case 'exclude-labels':
        // Applied by judge and narrow, through the section policy.
        break;
      default:
        throw unknownObligation(obligation);
    }
  }
  const sections = decision.sections.map((section): AllowedSection => {
    const period = periods.get(section);
    return Object.freeze(period ? { section, period } : { section });
  });
  const extent: DecisionExtent = !allowed
    ? 'none'
    : decision.sections.length === decision.requested.length
      ? 'all'
      : 'some';
  const cache = new Map<string, SectionPolicy>();
  const policyFor = (resourceType: string): SectionPolicy => {
    let policy = cache.get(resourceType);
    if (!policy) cache.set(resourceType, (policy = parts.policyFor(resourceType)));
    return policy;
  };
  return Object.freeze({
    allowed,
    extent,
    principal,
    request,
    at: decision.at,
    requested: decision.requested,
    sections: Object.freeze(sections),
    basis: decision.basis,
    obligations: decision.obligations,
    consentDecision: decision,
    narrow(search: FhirSearch): FhirSearch {
      if (!allowed) throw new AccessDenied(`the decision allows nothing (${reasonOf(decision)})`);
      return narrowSearch(
        { patient: principal.patient, mapping, policy: policyFor(search.resourceType) },
        search,
      );
    },
    judge(resource: Resource): Judgement {
      if (!allowed) return NOTHING_SHOWN;
      return judgeResource({ patient: principal.patient, mapping, policyFor }, resource);
    },
    inCompartmentOf(patient: PatientReference): DecisionEnforcement {
      if (!isPatientReference(patient)) throw new InvalidReference(String(patient), 'Patient/<id>');
      return Object.freeze({
        narrow(search: FhirSearch): FhirSearch {
          if (!allowed) throw new AccessDenied(`the decision allows nothing (${reasonOf(decision)})`);
          return narrowSearch({ patient, mapping, policy: policyFor(search.resourceType) }, search);
        },
        judge(resource: Resource): Judgement {
          if (!allowed) return NOTHING_SHOWN;
          return judgeResource({ patient, mapping, policyFor }, resource);
        },
      });
    },
  });
}
