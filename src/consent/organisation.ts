import { addDays, ageOn } from '../calendar';
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
    return {
      open: false,
      basis: { rule: 'ECD', text: 'the ECD no longer lists the client: the portal is closed' },
    };
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
      basis: {
        rule: closure,
        text: 'the client has no care agreement that has started: the portal is open only during care',
      },
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

/**
 * The one of several people who could hold a position, or none. Never decided by an id or by the
 * order of the records: the only candidate; else the one the organisation registered as administrator
 * (it appoints the administrator, A-3); else the one whose role comes first in `precedence` (a curator
 * before a mentor: a curatele ends a mentorschap, BW 1:461; a guardian before a parent). Otherwise the
 * candidates are `tied`, and nobody holds the position until the organisation registers one.
 */
interface Choice {
  chosen?: RelationFacts;
  /** Why the chosen one: for the explanation. */
  because?: 'only' | 'registered' | 'precedence';
  tied: RelationFacts[];
}

function chooseOne(
  candidates: readonly RelationFacts[],
  registered: readonly string[],
  precedence: readonly string[],
): Choice {
  if (candidates.length === 0) return { tied: [] };
  if (candidates.length === 1) return { chosen: candidates[0], because: 'only', tied: [] };
  const registeredOnes = candidates.filter((c) => registered.includes(c.reference));
  if (registeredOnes.length === 1) return { chosen: registeredOnes[0], because: 'registered', tied: [] };
  const pool = registeredOnes.length > 1 ? registeredOnes : candidates;
  const role = precedence.find((r) => pool.some((c) => c.role === r));
  const first = pool.filter((c) => c.role === role);
  if (first.length === 1) return { chosen: first[0], because: 'precedence', tied: [] };
  return { tied: first.length > 1 ? first : [...pool] };
}

function since(relation: RelationFacts): string {
  return relation.start ? ` (since ${relation.start})` : '';
}

function whyChosen(choice: Choice): string {
  if (choice.because === 'registered') return ', registered by the organisation as administrator,';
  return '';
}

/** A relation's role as the rules name it: a parent counts here only with authority. */
function roleName(relation: RelationFacts): string {
  return relation.role === 'parent' && relation.parentalAuthority ? 'parent with authority' : relation.role;
}

/** "2 parents with authority", "a curator and a mentor", … for a tie. */
function tiedText(tied: readonly RelationFacts[]): string {
  const names = [...new Set(tied.map(roleName))];
  if (names.length === 1) return `${tied.length} ${names[0]!.replace(/^(\S+)/, (word) => `${word}s`)}`;
  return tied.map((r) => `a ${roleName(r)}`).join(' and ');
}

function legalRepresentatives(facts: ClientFacts, preset: PolicyPreset, today: string): Choice {
  return chooseOne(
    facts.relations.filter(
      (r) =>
        activeOn(r, today) &&
        preset.legalRepresentatives.includes(r.role) &&
        !preset.excludedRoles.includes(r.role),
    ),
    facts.administratorRegistrations,
    preset.legalRepresentatives,
  );
}

/** A guardian, else a parent with authority; two parents with authority have equal standing by law. */
function custodian(facts: ClientFacts, today: string): Choice {
  return chooseOne(
    facts.relations.filter(
      (r) => activeOn(r, today) && (r.role === 'guardian' || (r.role === 'parent' && r.parentalAuthority)),
    ),
    facts.administratorRegistrations,
    ['guardian', 'parent'],
  );
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

/** A-3: one administrator per client, appointed by the organisation; a tie is the organisation's to settle. */
function mustAppoint(tied: readonly RelationFacts[], position: string): RuleBasis {
  return {
    rule: 'A-3',
    text: `${position}, but ${tiedText(tied)} could each be, and the organisation registered ${tied.length === 2 ? 'neither' : 'none of them'}: it appoints the one administrator of a client, so it must appoint one of them; until then nobody has a portal`,
  };
}

/**
 * A-8 for a minor: the guardian or a parent with authority is administrator, or nobody. `why` says why
 * the child is not (too young, judged unable, not assessed).
 */
function custodianAsAdministrator(
  facts: ClientFacts,
  today: string,
  why: string,
): { administrator?: string; basis: RuleBasis } {
  const choice = custodian(facts, today);
  if (choice.chosen) {
    return {
      administrator: choice.chosen.reference,
      basis: {
        rule: 'A-8',
        text: `${why}: the ${roleName(choice.chosen)}${whyChosen(choice)} is administrator`,
      },
    };
  }
  if (choice.tied.length > 0)
    return {
      basis: mustAppoint(
        choice.tied,
        `${why}: a parent with authority or the guardian is administrator (A-8)`,
      ),
    };
  return {
    basis: {
      rule: 'A-8',
      text: `${why}, and there is no parent with authority or guardian on record: nobody is administrator, so nobody has a portal`,
    },
  };
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
  const representatives = legalRepresentatives(facts, preset, today);
  if (representatives.chosen) {
    const r = representatives.chosen;
    return {
      administrator: r.reference,
      basis: {
        rule: 'A-6',
        text: `the client's ${r.role}${whyChosen(representatives)} is administrator, instead of the client or the first contact person`,
      },
    };
  }
  if (representatives.tied.length > 0)
    return {
      basis: mustAppoint(
        representatives.tied,
        'a curator or mentor is administrator instead of the client (A-6)',
      ),
    };
  const age = facts.birthDate ? ageOn(facts.birthDate, today) : undefined;
  if (preset.minors && age !== undefined && age < 16) {
    if (age < 12) return custodianAsAdministrator(facts, today, `the client is ${age}, under 12`);
    if (facts.capacity?.capable === false)
      return custodianAsAdministrator(
        facts,
        today,
        `the client is ${age} and was judged not able to weigh their own interests`,
      );
    if (facts.capacity === undefined && preset.unassessedMinor === 'parent')
      return custodianAsAdministrator(
        facts,
        today,
        `the client is ${age} and has no capacity assessment on record (unassessedMinor: parent, so a parent decides until an assessment says the child can weigh their own interests)`,
      );
    return {
      administrator: facts.patient,
      basis: {
        rule: 'A-8',
        text:
          facts.capacity === undefined
            ? `the client is ${age} and has no capacity assessment on record (unassessedMinor: child, so the child is presumed able to weigh their own interests): the client is administrator, and a parent needs the client's consent to look`
            : `the client is ${age} and judged able to weigh their own interests: the client is administrator, and a parent needs the client's consent to look`,
      },
    };
  }
  if (facts.capacity?.capable === false) {
    const firstContact = facts.relations.find((r) => activeOn(r, today) && r.role === 'first-contact-person');
    const agreement = firstContact
      ? latestAgreement(facts, 'administrator-appointment', firstContact.reference)
      : undefined;
    if (firstContact && agreement?.agreed) {
      return {
        administrator: firstContact.reference,
        basis: {
          rule: 'A-5',
          text: `the client is judged unable to be administrator and agreed on ${agreement.recordedOn} that the first contact person is administrator`,
        },
      };
    }
    return {
      basis: {
        rule: 'A-5',
        text: !firstContact
          ? 'the client is judged unable to be administrator and has no first contact person on record: no account is opened, so nobody has a portal'
          : agreement
            ? `the client is judged unable to be administrator and did not agree (on ${agreement.recordedOn}) to the first contact person as administrator: no account is opened, so nobody has a portal`
            : 'the client is judged unable to be administrator and has not agreed to the first contact person as administrator: no account is opened, so nobody has a portal',
      },
    };
  }
  return {
    administrator: facts.patient,
    basis: {
      rule: 'A-4',
      text:
        age !== undefined && age >= 16 && preset.minors && facts.capacity === undefined
          ? 'the client is administrator (from 16 the general rule applies)'
          : 'the client is administrator',
    },
  };
}

/** The principal's standing towards the client's dossier today, by the organisation's rules. */
export function assessStanding(
  facts: ClientFacts,
  principal: string,
  preset: PolicyPreset,
  today: string,
): Standing {
  const none = (basis: RuleBasis[], administrator?: string, grantors: string[] = []): Standing => ({
    open: true,
    access: 'none',
    role: 'none',
    grantors,
    ...(administrator ? { administrator } : {}),
    basis,
  });
  const portal = portalOpen(facts, preset, today);
  if (!portal.open) return { open: false, access: 'none', role: 'none', grantors: [], basis: [portal.basis] };
  const basis: RuleBasis[] = [portal.basis];
  const access = ruleId(preset, 'M-2', 'A-1');

  const relation = facts.relations.find((r) => r.reference === principal);
  if (principal !== facts.patient) {
    if (!relation)
      return none([
        ...basis,
        {
          rule: access,
          text: `${principal} is not a relation of this client on record in the ECD: only the client and their recorded relations can have access`,
        },
      ]);
    if (!activeOn(relation, today)) {
      const when =
        relation.start !== undefined && today < relation.start
          ? `starts only on ${relation.start}`
          : `ended${relation.end ? ` on ${relation.end}` : ' (the ECD no longer lists it)'}`;
      return none([
        ...basis,
        { rule: access, text: `this ${relation.role}'s relation to the client ${when}: no access` },
      ]);
    }
    if (preset.excludedRoles.includes(relation.role)) {
      return none([
        ...basis,
        {
          rule: ruleId(preset, 'M-1', 'A-6'),
          text: `a ${relation.role} is no legal representative of the client's person and never has access to the dossier, whatever a Consent says`,
        },
      ]);
    }
  }

  if (preset.model === 'first-contact-person')
    return firstContactModel(facts, principal, relation, preset, today, basis);

  const chosen = administratorOf(facts, preset, today);
  basis.push(chosen.basis);
  if (!chosen.administrator) return none(basis);
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
      text: agreement
        ? `the client is ${age} and refused on ${agreement.recordedOn} to let this ${relation.role} look`
        : `the client is ${age}: a ${relation.role} needs the client's consent to look, and none is on record`,
    });
  }
  if (principal === facts.patient || (relation && preset.delegableRoles.includes(relation.role))) {
    return {
      open: true,
      access: 'grants',
      role: principal === facts.patient ? 'client' : 'delegate',
      grantors,
      administrator: chosen.administrator,
      basis: [
        ...basis,
        {
          rule: 'A-3',
          text:
            principal === facts.patient
              ? 'the client is not administrator and sees the sections the administrator granted'
              : 'sees the sections the administrator granted',
        },
      ],
    };
  }
  const administrator = facts.relations.find((r) => r.reference === chosen.administrator);
  return none(
    [
      ...basis,
      relation && preset.legalRepresentatives.includes(relation.role) && administrator
        ? {
            rule: 'A-6',
            text: `the client's ${administrator.role}${since(administrator)} is administrator and takes precedence over this ${relation.role}${since(relation)}; a ${relation.role} who is not administrator cannot be admitted under the ${preset.id} rules`,
          }
        : {
            rule: 'A-3',
            text: `a ${relation?.role ?? 'person'} who is not the administrator cannot be admitted under the ${preset.id} rules`,
          },
    ],
    chosen.administrator,
    grantors,
  );
}

/** M-1 and M-2: the client (or the legal representative in the client's place) and those they authorise. */
function firstContactModel(
  facts: ClientFacts,
  principal: string,
  relation: RelationFacts | undefined,
  preset: PolicyPreset,
  today: string,
  basis: RuleBasis[],
): Standing {
  const none = (why: RuleBasis): Standing => ({
    open: true,
    access: 'none',
    role: 'none',
    grantors: [],
    basis: [...basis, why],
  });
  const representatives = legalRepresentatives(facts, preset, today);
  const representative = representatives.chosen;
  const grantors = [facts.patient, ...(representative ? [representative.reference] : [])];
  if (principal === facts.patient) {
    if (representative && preset.representativeReplacesClient)
      return none({
        rule: 'M-1',
        text: `the client's ${representative.role} acts in the client's place (and counts as the client), so the client has no access of their own under the ${preset.id} rules`,
      });
    if (representatives.tied.length > 0 && preset.representativeReplacesClient)
      return none({
        rule: 'M-1',
        text: `the client has ${tiedText(representatives.tied)}, who act in the client's place, so the client has no access of their own under the ${preset.id} rules`,
      });
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
      basis: [
        ...basis,
        { rule: 'M-1', text: `the ${representative.role}${whyChosen(representatives)} counts as the client` },
      ],
    };
  }
  if (relation && preset.legalRepresentatives.includes(relation.role)) {
    if (representative)
      return none({
        rule: 'M-1',
        text: `the client's ${representative.role}${since(representative)}${whyChosen(representatives)} takes precedence over this ${relation.role}${since(relation)}: one legal representative counts as the client`,
      });
    return none({
      rule: 'M-1',
      text: `the client has ${tiedText(representatives.tied)} and the organisation registered none of them as acting for the client: it must register which one counts as the client; until then none does`,
    });
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
  return none({
    rule: 'M-2',
    text: `a ${relation?.role ?? 'person'} cannot be authorised: the client may authorise only a ${preset.delegableRoles.join(' or ')}`,
  });
}
