import type { RuleBasis, PrincipalRole } from './organisation';
import type { PortalSection } from '../vocabulary';

/** One reason for a decision: an organisation rule, or a Consent provision. */
export type DecisionBasis =
  | ({ kind: 'rule' } & RuleBasis)
  | {
      kind: 'consent';
      consentId: string;
      path?: string;
      verdict: 'permit' | 'deny';
      section: PortalSection;
      note?: string;
    };

/** What the rest of the pipeline must do besides allowing or refusing. */
export type Obligation =
  | { kind: 'mask-employees'; rule: string }
  | { kind: 'exclude-labels'; section: PortalSection; labels: Array<{ system?: string; code?: string }> }
  | { kind: 'limit-period'; section: PortalSection; start?: string; end?: string };

/**
 * The engine's answer for one principal, one client and one request: whether, which sections, which
 * data period, on what basis, and with which obligations. It carries its own explanation.
 */
export interface ConsentDecision {
  permit: boolean;
  principal: string;
  patient: string;
  /** The moment decided for (ISO 8601). */
  at: string;
  /** The calendar day in the Netherlands that ages and dates were computed on. */
  today: string;
  role: PrincipalRole;
  /** The sections asked for. */
  requested: PortalSection[];
  /** The sections allowed (a subset of `requested`). */
  sections: PortalSection[];
  basis: DecisionBasis[];
  obligations: Obligation[];
  /** The preset that governed the decision. */
  preset: string;
  administrator?: string;
}
