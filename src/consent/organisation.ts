import type { ClientFacts, RelationFacts } from './facts';
import type { PolicyPreset } from './preset';

/** An organisation rule that applied, by its id in portal-rules.md, with what it meant here. */
export interface RuleBasis {
  rule: string;
  text: string;
}

export type PrincipalRole =
  'client' | 'administrator' | 'legal-representative' | 'parent-with-consent' | 'delegate' | 'none';

/**
 * Where a principal stands towards a client's dossier by the organisation's rules alone:
 * `full` = every section (the client, the administrator, a legal representative);
 * `grants` = only what a Consent grants; `none` = nothing, whatever a Consent says.
 */
export interface Standing {
  open: boolean;
  access: 'full' | 'grants' | 'none';
  role: PrincipalRole;
  /** Who may grant (the performers whose grants count): the administrator, or the client and representative. */
  grantors: string[];
  administrator?: string;
  basis: RuleBasis[];
}

/** Whole years between a birth date and a day (both YYYY-MM-DD): birthdays count on the day itself. */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

/** The day `days` after a date (YYYY-MM-DD), in the calendar, not in hours. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function ruleId(preset: PolicyPreset, meerlanden: string, amerpoort: string): string {
  return preset.model === 'first-contact-person' ? meerlanden : amerpoort;
}

/** Is the client's portal open today? Care end and death close it, after the preset's grace days. */
export function portalOpen(
  facts: ClientFacts,
  preset: PolicyPreset,
  today: string,
): { open: boolean; basis: RuleBasis } {
  const closure = ruleId(preset, 'M-4', 'A-11');
  if (!facts.active)
    return { open: false, basis: { rule: 'ECD', text: 'the client is no longer listed by the ECD' } };
  if (facts.deceasedDate) {
    const closes = addDays(facts.deceasedDate, preset.graceDaysAfterDeath);
    if (today >= closes) {
      return {
        open: false,
        basis: {
          rule: closure,
          text: `the client died on ${facts.deceasedDate}; the portal closed on ${closes}`,
        },
      };
    }
  }
  const running = facts.careAgreements.filter((a) => a.start !== undefined && a.start <= today);
  if (running.length === 0)
    return {
      open: false,
      basis: { rule: closure, text: 'the client has no care agreement that has started' },
    };
  const current = running.find(
    (a) => a.end === undefined || today < addDays(a.end, preset.graceDaysAfterCareEnd),
  );
  if (!current) {
    const lastEnd =
      running
        .map((a) => a.end ?? '')
        .sort()
        .at(-1) ?? '';
    const closes = addDays(lastEnd, preset.graceDaysAfterCareEnd);
    return {
      open: false,
      basis: { rule: closure, text: `care ended on ${lastEnd}; the portal closed on ${closes}` },
    };
  }
  return {
    open: true,
    basis: { rule: closure, text: current.end ? `care ends on ${current.end}` : 'care is ongoing' },
  };
}

function activeOn(relation: RelationFacts, today: string): boolean {
  return (
    relation.active &&
    (relation.start === undefined || relation.start <= today) &&
    (relation.end === undefined || today <= relation.end)
  );
}

/** The first of several candidates, in a stable order: one registered as administrator, then the earliest. */
function firstOf(candidates: RelationFacts[], registered: readonly string[]): RelationFacts | undefined {
  return [...candidates].sort((a, b) => {
    const ra = registered.includes(a.reference) ? 0 : 1;
    const rb = registered.includes(b.reference) ? 0 : 1;
    if (ra !== rb) return ra - rb;
    return (a.start ?? '').localeCompare(b.start ?? '') || a.reference.localeCompare(b.reference);
  })[0];
}

function latestAgreement(
  facts: ClientFacts,
  kind: 'administrator-appointment' | 'parental-access',
  relation: string,
) {
  return facts.agreements
    .filter((a) => a.kind === kind && a.relation === relation)
    .sort(
      (a, b) => a.recordedOn.localeCompare(b.recordedOn) || (a.agreed === b.agreed ? 0 : a.agreed ? -1 : 1),
    )
    .at(-1);
}

/**
 * The one portal administrator of a client today (A-3), or none: curator or mentor first (A-6); for
 * minors a parent with authority or a guardian (A-8); otherwise the client (A-4), unless judged unable,
 * then the first contact person with the client's agreement, else nobody (A-5).
 */
export function administratorOf(
  facts: ClientFacts,
  preset: PolicyPreset,
  today: string,
): { administrator?: string; basis: RuleBasis } {
  const relations = facts.relations.filter(
    (r) => activeOn(r, today) && !preset.excludedRoles.includes(r.role),
  );
  const registered = facts.administratorRegistrations;
  const representative = firstOf(
    relations.filter((r) => preset.legalRepresentatives.includes(r.role)),
    registered,
  );
  if (representative) {
    return {
      administrator: representative.reference,
      basis: { rule: 'A-6', text: `the client's ${representative.role} is administrator` },
    };
  }
  const age = facts.birthDate ? ageOn(facts.birthDate, today) : undefined;
  const custodians = relations.filter(
    (r) => r.role === 'guardian' || (r.role === 'parent' && r.parentalAuthority),
  );
  if (preset.minors && age !== undefined && age < 16) {
    const custodian =
      firstOf(
        custodians.filter((r) => r.role === 'guardian'),
        registered,
      ) ?? firstOf(custodians, registered);
    if (age < 12) {
      return custodian
        ? {
            administrator: custodian.reference,
            basis: {
              rule: 'A-8',
              text: `the client is ${age}: a ${custodian.role} with authority is administrator`,
            },
          }
        : {
            basis: {
              rule: 'A-8',
              text: `the client is ${age} and has no parent with authority or guardian on record`,
            },
          };
    }
    if (facts.capacity?.capable !== true) {
      return custodian
        ? {
            administrator: custodian.reference,
            basis: {
              rule: 'A-8',
              text: `the client is ${age} and not judged able to weigh their interests: the ${custodian.role} is administrator`,
            },
          }
        : {
            basis: {
              rule: 'A-8',
              text: `the client is ${age}, not judged able, and has no parent with authority or guardian on record`,
            },
          };
    }
    return {
      administrator: facts.patient,
      basis: {
        rule: 'A-8',
        text: `the client is ${age} and judged able to weigh their interests: the client is administrator`,
      },
    };
  }
  if (facts.capacity?.capable === false) {
    const firstContact = relations.find((r) => r.role === 'first-contact-person');
    const agreement = firstContact
      ? latestAgreement(facts, 'administrator-appointment', firstContact.reference)
      : undefined;
    if (firstContact && agreement?.agreed) {
      return {
        administrator: firstContact.reference,
        basis: {
          rule: 'A-5',
          text: `the client is judged unable and agreed on ${agreement.recordedOn} that the first contact person is administrator`,
        },
      };
    }
    return {
      basis: {
        rule: 'A-5',
        text: agreement
          ? 'the client is judged unable and did not agree to the first contact person: no portal'
          : 'the client is judged unable and has not agreed to an administrator: no portal',
      },
    };
  }
  return { administrator: facts.patient, basis: { rule: 'A-4', text: 'the client is administrator' } };
}

/** The principal's standing towards the client's dossier today, by the organisation's rules. */
export function assessStanding(
  facts: ClientFacts,
  principal: string,
  preset: PolicyPreset,
  today: string,
): Standing {
  const none = (basis: RuleBasis[]): Standing => ({
    open: true,
    access: 'none',
    role: 'none',
    grantors: [],
    basis,
  });
  const portal = portalOpen(facts, preset, today);
  if (!portal.open) return { open: false, access: 'none', role: 'none', grantors: [], basis: [portal.basis] };
  const basis: RuleBasis[] = [portal.basis];

  const relation = facts.relations.find((r) => r.reference === principal);
  if (principal !== facts.patient) {
    if (!relation)
      return none([...basis, { rule: 'relation', text: `${principal} is not a relation of this client` }]);
    if (!activeOn(relation, today))
      return none([
        ...basis,
        { rule: 'relation', text: `the relation ended${relation.end ? ` on ${relation.end}` : ''}` },
      ]);
    if (preset.excludedRoles.includes(relation.role)) {
      return none([
        ...basis,
        { rule: ruleId(preset, 'M-1', 'A-6'), text: `a ${relation.role} has no access to the dossier` },
      ]);
    }
  }

  if (preset.model === 'first-contact-person') {
    const representative = firstOf(
      facts.relations.filter((r) => activeOn(r, today) && preset.legalRepresentatives.includes(r.role)),
      facts.administratorRegistrations,
    );
    const grantors = [facts.patient, ...(representative ? [representative.reference] : [])];
    if (principal === facts.patient) {
      if (representative && preset.representativeReplacesClient) {
        return none([
          ...basis,
          { rule: 'M-1', text: `the client's ${representative.role} acts in the client's place` },
        ]);
      }
      return {
        open: true,
        access: 'full',
        role: 'client',
        grantors,
        basis: [...basis, { rule: 'M-1', text: 'the client sees their own dossier' }],
      };
    }
    if (representative && principal === representative.reference) {
      return {
        open: true,
        access: 'full',
        role: 'legal-representative',
        grantors,
        basis: [...basis, { rule: 'M-1', text: `the ${representative.role} counts as the client` }],
      };
    }
    if (relation && preset.delegableRoles.includes(relation.role)) {
      return {
        open: true,
        access: 'grants',
        role: 'delegate',
        grantors,
        basis: [...basis, { rule: 'M-2', text: `a ${relation.role} sees what the client authorised` }],
      };
    }
    return none([
      ...basis,
      { rule: 'M-2', text: `only a ${preset.delegableRoles.join(' or ')} can be authorised` },
    ]);
  }

  const chosen = administratorOf(facts, preset, today);
  basis.push(chosen.basis);
  if (!chosen.administrator) return { open: true, access: 'none', role: 'none', grantors: [], basis };
  const grantors = [chosen.administrator];
  if (principal === chosen.administrator) {
    return {
      open: true,
      access: 'full',
      role: 'administrator',
      grantors,
      administrator: chosen.administrator,
      basis,
    };
  }
  const age = facts.birthDate ? ageOn(facts.birthDate, today) : undefined;
  if (
    preset.minors &&
    relation &&
    age !== undefined &&
    age >= 12 &&
    age < 16 &&
    chosen.administrator === facts.patient &&
    (relation.role === 'guardian' || (relation.role === 'parent' && relation.parentalAuthority))
  ) {
    const agreement = latestAgreement(facts, 'parental-access', relation.reference);
    if (agreement?.agreed) {
      return {
        open: true,
        access: 'full',
        role: 'parent-with-consent',
        grantors,
        administrator: chosen.administrator,
        basis: [
          ...basis,
          {
            rule: 'A-8',
            text: `the client (${age}) agreed on ${agreement.recordedOn} that this ${relation.role} may look`,
          },
        ],
      };
    }
    basis.push({
      rule: 'A-8',
      text: `the client is ${age}: a ${relation.role} needs the client's consent to look`,
    });
  }
  if (principal === facts.patient || (relation && preset.delegableRoles.includes(relation.role))) {
    return {
      open: true,
      access: 'grants',
      role: principal === facts.patient ? 'client' : 'delegate',
      grantors,
      administrator: chosen.administrator,
      basis: [...basis, { rule: 'A-3', text: 'sees the sections the administrator granted' }],
    };
  }
  return { open: true, access: 'none', role: 'none', grantors, administrator: chosen.administrator, basis };
}
