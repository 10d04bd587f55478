import { addDays, addYears, ageOn, dutchDate, startOfDutchDay } from '../calendar';
import type { PortalSection } from '../vocabulary';
import type { ConsentDecision } from './decision';
import type { PolicyEngine } from './engine';
import type { ClientFacts } from './facts';
import type { PolicyPreset } from './preset';
import { fhirMoment } from './provisions';

/**
 * The coming changes of a client's access (issue 12, item 8): the moments at which a decision can
 * change by itself, and what changes then for whom. A decision depends on the facts, the Dutch day
 * and the instants where a grant's period or a suspension starts or ends (see memo.ts); so the only
 * moments to look at are the starts of the Dutch days on which a dated fact takes effect (the 12th
 * and 16th birthdays under the minors' rules, the portal closing after care end or death and its
 * grace days, a care agreement or relation starting or ending) and those instants. Everything
 * between two such moments decides alike.
 */

/** Why a moment can change access. */
export type ChangeCause =
  | { readonly kind: 'birthday'; readonly age: 12 | 16; readonly rule: string }
  | { readonly kind: 'care-starts'; readonly start: string; readonly rule: string }
  | {
      readonly kind: 'portal-closes';
      readonly careEnd: string;
      readonly graceDays: number;
      readonly rule: string;
    }
  | {
      readonly kind: 'death';
      readonly deceasedDate: string;
      readonly graceDays: number;
      readonly rule: string;
    }
  | {
      readonly kind: 'relation-starts' | 'relation-ends';
      readonly relation: string;
      readonly date: string;
      readonly rule: string;
    }
  | {
      readonly kind: 'grant-starts' | 'grant-ends';
      readonly consentId: string;
      readonly grantee?: string;
      readonly rule: string;
    }
  | {
      readonly kind: 'suspension-starts' | 'suspension-ends';
      readonly suspensionId: string;
      readonly principal?: string;
      readonly rule: string;
    };

export interface ChangePoint {
  /** The moment the change takes effect (a Dutch day's midnight for a dated fact). */
  readonly at: Date;
  /** The Dutch calendar day of `at`. */
  readonly day: string;
  readonly causes: readonly ChangeCause[];
}

/**
 * The moments in (from, until] at which the client's access may change by itself, with their causes,
 * ascending. Pure; a moment with no effect on any decision is still listed (see `accessChanges`).
 */
export function changePoints(
  facts: ClientFacts,
  preset: PolicyPreset,
  window: { from: Date; until: Date },
): ChangePoint[] {
  const points = new Map<number, ChangeCause[]>();
  const add = (at: number, cause: ChangeCause) => {
    if (!(at > window.from.getTime() && at <= window.until.getTime())) return;
    const list = points.get(at);
    if (list) list.push(cause);
    else points.set(at, [cause]);
  };
  const onDay = (day: string, cause: ChangeCause) => add(startOfDutchDay(day).getTime(), cause);
  const closure = preset.model === 'first-contact-person' ? 'M-4' : 'A-11';
  const access = preset.model === 'first-contact-person' ? 'M-2' : 'A-1';
  const suspending = preset.model === 'first-contact-person' ? 'M-5' : 'A-10';
  const granting = preset.model === 'first-contact-person' ? 'M-2' : 'A-3';

  if (preset.minors && facts.birthDate) {
    for (const age of [12, 16] as const)
      onDay(birthdayOf(facts.birthDate, age), { kind: 'birthday', age, rule: 'A-8' });
  }
  for (const agreement of facts.careAgreements) {
    if (agreement.start)
      onDay(agreement.start, { kind: 'care-starts', start: agreement.start, rule: closure });
    if (agreement.end)
      onDay(addDays(agreement.end, preset.graceDaysAfterCareEnd), {
        kind: 'portal-closes',
        careEnd: agreement.end,
        graceDays: preset.graceDaysAfterCareEnd,
        rule: closure,
      });
  }
  if (facts.deceasedDate)
    onDay(addDays(facts.deceasedDate, preset.graceDaysAfterDeath), {
      kind: 'death',
      deceasedDate: facts.deceasedDate,
      graceDays: preset.graceDaysAfterDeath,
      rule: closure,
    });
  for (const relation of facts.relations) {
    if (relation.start)
      onDay(relation.start, {
        kind: 'relation-starts',
        relation: relation.reference,
        date: relation.start,
        rule: access,
      });
    // A relation counts up to and including its end day.
    if (relation.end)
      onDay(addDays(relation.end, 1), {
        kind: 'relation-ends',
        relation: relation.reference,
        date: relation.end,
        rule: access,
      });
  }
  for (const grant of facts.grants) {
    if (grant.status !== 'active' || !grant.id) continue;
    const grantee = grant.provision?.actor?.[0]?.reference?.reference;
    const period = grant.provision?.period;
    const base = { consentId: grant.id, ...(grantee ? { grantee } : {}), rule: granting };
    const start = fhirMoment(period?.start);
    const end = fhirMoment(period?.end);
    // Both bounds of each (a date-only end lasts until the midnight after it); `accessChanges` keeps
    // only the one at which a decision changes.
    if (start) for (const at of new Set([start.lo, start.hi])) add(at, { kind: 'grant-starts', ...base });
    if (end) for (const at of new Set([end.lo, end.hi])) add(at, { kind: 'grant-ends', ...base });
  }
  for (const suspension of facts.suspensions) {
    const base = {
      suspensionId: suspension.id,
      ...(suspension.principal ? { principal: suspension.principal } : {}),
      rule: suspending,
    };
    add(suspension.startsAt, { kind: 'suspension-starts', ...base });
    if (suspension.endsAt !== undefined) add(suspension.endsAt, { kind: 'suspension-ends', ...base });
  }
  return [...points.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, causes]) => ({ at: new Date(at), day: dutchDate(at), causes }));
}

/**
 * The day a person born on `birthDate` turns `age`, as the rules count ages (`ageOn`): someone born on
 * 29 February turns 12 on 1 March in a common year.
 */
export function birthdayOf(birthDate: string, age: number): string {
  const day = addYears(birthDate, age);
  return ageOn(birthDate, day) >= age ? day : addDays(day, 1);
}

/** One person's access on one side of a change point. */
export interface AccessState {
  readonly permit: boolean;
  readonly role: ConsentDecision['role'];
  readonly sections: readonly PortalSection[];
}

/** What changes for one person at a change point. */
export interface PersonChange {
  readonly principal: string;
  readonly before: AccessState;
  readonly after: AccessState;
  /** Sections gained and lost. */
  readonly gains: readonly PortalSection[];
  readonly losses: readonly PortalSection[];
  /** The decision from the change on (its basis says why). */
  readonly decision: ConsentDecision;
}

export interface AccessChange extends ChangePoint {
  readonly changes: readonly PersonChange[];
}

/**
 * The coming changes of access for the given people (the client and their relations): for each change
 * point, the engine's decision just before it and at it, and who gains or loses what. Points where
 * nothing changes for anyone are left out. Costs two decisions per person per point, on known facts.
 */
export function accessChanges(
  engine: PolicyEngine,
  facts: ClientFacts,
  principals: readonly string[],
  window: { from: Date; until: Date },
): AccessChange[] {
  const preset = engine.presetOf(facts.organisationId);
  const out: AccessChange[] = [];
  for (const point of changePoints(facts, preset, window)) {
    const changes: PersonChange[] = [];
    for (const principal of principals) {
      const question = { principal, patient: facts.patient };
      const before = engine.decideWith(facts, { ...question, at: new Date(point.at.getTime() - 1) });
      const after = engine.decideWith(facts, { ...question, at: point.at });
      const gains = after.sections.filter((s) => !before.sections.includes(s));
      const losses = before.sections.filter((s) => !after.sections.includes(s));
      if (gains.length === 0 && losses.length === 0 && before.role === after.role) continue;
      changes.push({
        principal,
        before: stateOf(before),
        after: stateOf(after),
        gains,
        losses,
        decision: after,
      });
    }
    if (changes.length > 0) out.push({ ...point, changes });
  }
  return out;
}

function stateOf(decision: ConsentDecision): AccessState {
  return { permit: decision.permit, role: decision.role, sections: [...decision.sections] };
}
