import { PORTAL_SECTIONS, isPatientReference, type PortalSection } from '../vocabulary';
import { combineConsentsPerSection } from './combine';
import type { ConsentDecision, DecisionBasis, Obligation } from './decision';
import type { ClientFacts } from './facts';
import { dutchDate } from '../calendar';
import { assessStanding, type PrincipalRole, type RuleBasis } from './organisation';
import type { PolicyPreset } from './preset';
import type { DataPeriod, SecurityLabel } from './provisions';

/**
 * The decision computation, in two steps. `evaluateDecision` does the work that does not depend on
 * which sections are asked: the organisation's rules, and every grant's provisions read once and
 * asked about each portal section. `assembleDecision` then writes the decision for the sections a
 * request touches, cheaply, any number of times. Both are pure: the moment is part of the question.
 */

/** What is asked, apart from the sections. */
export interface DecisionQuestion {
  /** 'Patient/<id>' or 'RelatedPerson/<id>', as authenticated. */
  principal: string;
  /** 'Patient/<id>': whose dossier. */
  patient: string;
  resourceType?: string;
  purpose?: string;
  at: Date;
}

/** What one section comes to under the client's grants. */
interface SectionOutcome {
  readonly permit: boolean;
  readonly basis: readonly DecisionBasis[];
  readonly dataPeriod?: DataPeriod;
  readonly excludeLabels?: readonly SecurityLabel[];
}

/** The rules' verdict for every section at once, before any sections are asked. */
export interface DecisionEvaluation {
  readonly principal: string;
  readonly patient: string;
  readonly today: string;
  readonly preset: string;
  readonly role: PrincipalRole;
  readonly administrator?: string;
  /** `full`: every section; `grants`: the sections in `perSection` that permit; `none`: nothing. */
  readonly access: 'full' | 'grants' | 'none';
  /** The organisation rules that applied. */
  readonly basis: readonly DecisionBasis[];
  readonly maskEmployees: boolean;
  readonly perSection: ReadonlyMap<PortalSection, SectionOutcome>;
}

/** Evaluates the rules for a question; `preset` is the one of the client's organisation. */
export function evaluateDecision(
  facts: ClientFacts | undefined,
  preset: PolicyPreset | undefined,
  question: DecisionQuestion,
): DecisionEvaluation {
  const today = dutchDate(question.at);
  const base = { principal: question.principal, patient: question.patient, today };
  const nothing = { access: 'none', role: 'none', maskEmployees: false, perSection: new Map() } as const;
  if (!facts || !preset) {
    return {
      ...base,
      ...nothing,
      preset: '(none)',
      basis: [{ kind: 'rule', rule: 'ECD', text: 'the client is not known to the gateway' }],
    };
  }
  const time = question.at.getTime();
  const suspension = facts.suspensions.find(
    (x) =>
      x.startsAt <= time &&
      (x.endsAt === undefined || time < x.endsAt) &&
      (x.principal === undefined || x.principal === question.principal),
  );
  if (suspension) {
    const whose = suspension.principal ? `${suspension.principal}'s access` : "the client's portal";
    return {
      ...base,
      ...nothing,
      preset: preset.id,
      basis: [
        {
          kind: 'rule',
          rule: preset.model === 'first-contact-person' ? 'M-5' : 'A-10',
          text: `the organisation suspended ${whose} since ${new Date(suspension.startsAt).toISOString()}: ${suspension.reason}`,
        },
      ],
    };
  }
  const standing = assessStanding(facts, question.principal, preset, today);
  const perSection = new Map<PortalSection, SectionOutcome>();
  if (standing.access === 'grants') {
    // A grant counts only when who gave it may give it now (the administrator; the client or
    // representative). One whose performer cannot be read stays in: the combining rule denies on it.
    const grants = facts.grants.filter((c) => {
      const performers = c.performer ?? [];
      if (performers.length === 0 || performers.some((p) => typeof p.reference !== 'string')) return true;
      return performers.some((p) => standing.grantors.includes(p.reference as string));
    });
    const combined = combineConsentsPerSection(
      grants,
      {
        actor: question.principal,
        at: question.at.toISOString(),
        resourceType: question.resourceType,
        purpose: question.purpose ?? defaultPurpose(question.principal),
      },
      PORTAL_SECTIONS,
    );
    for (const section of PORTAL_SECTIONS) {
      const decided = combined.get(section)!;
      const basis: DecisionBasis[] = [];
      for (const evaluation of decided.basis) {
        if (evaluation.verdict === 'none') continue;
        basis.push({
          kind: 'consent',
          consentId: evaluation.consentId,
          path: evaluation.match?.path,
          verdict: evaluation.verdict,
          section,
          ...(evaluation.note ? { note: evaluation.note } : {}),
        });
      }
      perSection.set(section, {
        permit: decided.verdict === 'permit',
        basis,
        ...(decided.dataPeriod ? { dataPeriod: decided.dataPeriod } : {}),
        ...(decided.excludeLabels?.length ? { excludeLabels: decided.excludeLabels } : {}),
      });
    }
  }
  return {
    ...base,
    preset: preset.id,
    role: standing.role,
    ...(standing.administrator ? { administrator: standing.administrator } : {}),
    access: standing.access,
    basis: standing.basis.map((b) => ({ kind: 'rule', ...b })),
    maskEmployees: preset.maskEmployees,
    perSection,
  };
}

/** The decision for the sections asked (in their order), at the moment asked. */
export function assembleDecision(
  evaluation: DecisionEvaluation,
  requested: readonly PortalSection[],
  at: Date,
): ConsentDecision {
  const sections: PortalSection[] = [];
  const basis: DecisionBasis[] = [...evaluation.basis];
  const obligations: Obligation[] = evaluation.maskEmployees ? [{ kind: 'mask-employees', rule: 'A-2' }] : [];
  switch (evaluation.access) {
    case 'full':
      sections.push(...requested);
      break;
    case 'grants':
      for (const section of requested) {
        const outcome = evaluation.perSection.get(section);
        if (!outcome) continue;
        basis.push(...outcome.basis);
        if (outcome.permit) {
          sections.push(section);
          if (outcome.dataPeriod) obligations.push({ kind: 'limit-period', section, ...outcome.dataPeriod });
        }
        if (outcome.excludeLabels)
          obligations.push({ kind: 'exclude-labels', section, labels: [...outcome.excludeLabels] });
      }
      if (sections.length === 0)
        basis.push({ kind: 'rule', rule: 'consent', text: 'no Consent grants the sections asked for' });
      break;
    case 'none':
      break;
  }
  return {
    permit: sections.length > 0,
    principal: evaluation.principal,
    patient: evaluation.patient,
    at: at.toISOString(),
    today: evaluation.today,
    role: evaluation.role,
    requested: [...requested],
    sections,
    basis,
    obligations: sections.length > 0 ? obligations : [],
    preset: evaluation.preset,
    ...(evaluation.administrator ? { administrator: evaluation.administrator } : {}),
  };
}

/** A decision that refuses the request before any section is looked at (a write, a type in no section). */
export function refusedDecision(
  evaluation: DecisionEvaluation,
  requested: readonly PortalSection[],
  refusal: RuleBasis,
  at: Date,
): ConsentDecision {
  const decision = assembleDecision({ ...evaluation, access: 'none' }, requested, at);
  return { ...decision, basis: [...decision.basis, { kind: 'rule', ...refusal }] };
}

/**
 * A portal read states no purpose of use; it is the client's own request (PATRQT) or a relative's
 * (FAMRQT), the purposes grants are written for. A provision limited to another purpose does not match.
 */
function defaultPurpose(principal: string): string {
  return isPatientReference(principal) ? 'PATRQT' : 'FAMRQT';
}
