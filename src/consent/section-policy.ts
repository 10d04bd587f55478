import { GatewayError } from '../errors';
import type { PortalSection } from '../vocabulary';
import { dataWindow, type DataWindow } from './data-period';
import type { ConsentDecision } from './decision';
import type { SecurityLabel } from './provisions';

/** What may be shown of one allowed section. */
export interface SectionRules {
  /** The period of data allowed; absent = all of it. */
  readonly period?: DataWindow;
  /** Resources carrying one of these security labels or tags are left out. */
  readonly excludeLabels: readonly SecurityLabel[];
}

/**
 * A decision's allowed sections and obligations in the form `narrow` and `judge` apply them. A
 * section that is not in `allowed` is refused.
 */
export interface SectionPolicy {
  readonly allowed: ReadonlyMap<PortalSection, SectionRules>;
  readonly maskEmployees: boolean;
}

const policies = new WeakMap<ConsentDecision, SectionPolicy>();

/** The policy of a decision; worked out once per (memoised, frozen) decision. */
export function sectionPolicyOf(decision: ConsentDecision): SectionPolicy {
  const known = policies.get(decision);
  if (known) return known;
  const periods = new Map<PortalSection, DataWindow>();
  const labels = new Map<PortalSection, SecurityLabel[]>();
  let maskEmployees = false;
  for (const obligation of decision.obligations) {
    switch (obligation.kind) {
      case 'mask-employees':
        maskEmployees = true;
        break;
      case 'limit-period':
        periods.set(
          obligation.section,
          dataWindow({
            ...(obligation.start === undefined ? {} : { start: obligation.start }),
            ...(obligation.end === undefined ? {} : { end: obligation.end }),
          }),
        );
        break;
      case 'exclude-labels':
        labels.set(obligation.section, [...(labels.get(obligation.section) ?? []), ...obligation.labels]);
        break;
      default:
        return unknownObligation(obligation);
    }
  }
  const allowed = new Map<PortalSection, SectionRules>();
  if (decision.permit) {
    for (const section of decision.sections) {
      const period = periods.get(section);
      allowed.set(
        section,
        Object.freeze({
          ...(period ? { period } : {}),
          excludeLabels: Object.freeze(labels.get(section) ?? []),
        }),
      );
    }
  }
  const policy: SectionPolicy = Object.freeze({ allowed, maskEmployees });
  if (Object.isFrozen(decision)) policies.set(decision, policy);
  return policy;
}

/** A new kind of obligation must be handled above before any decision carrying it can be applied. */
export function unknownObligation(obligation: never): never {
  throw new GatewayError('ERR_UNKNOWN_OBLIGATION', 500, 'internal error', {
    detail: `an obligation the access decision cannot apply: ${JSON.stringify(obligation)}`,
  });
}

/** A policy that allows nothing. */
export const NOTHING: SectionPolicy = Object.freeze({ allowed: new Map(), maskEmployees: false });
