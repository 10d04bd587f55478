import { dutchDate } from '../calendar';
import type { DecisionQuestion, DecisionEvaluation } from './decide';
import type { ConsentDecision } from './decision';
import type { ClientFacts } from './facts';
import { fhirMoment } from './provisions';

/**
 * The decision memo. A decision is pure: the same facts, question, Dutch day and position among the
 * instants where a grant's period or a suspension starts or ends always give the same decision. So
 * it is memoised on exactly that and nothing coarser (a withdrawal at 09:00:37 takes effect at
 * 09:00:37, not at the next minute). Memos live exactly as long as the facts object: new facts
 * (after any change) start empty.
 */
export interface DecisionMemo {
  /** Every instant at which a period in the client's grants or a suspension starts or ends, ascending. */
  readonly boundaries: readonly number[];
  /** Evaluations (every section), by the question without sections. */
  readonly evaluations: Map<string, DecisionEvaluation>;
  /** Frozen decisions, by the question and the sections asked. */
  readonly decisions: Map<string, ConsentDecision>;
}

const MEMO_SIZE = 1_000;

const memos = new WeakMap<ClientFacts, DecisionMemo>();

export function memoOf(facts: ClientFacts): DecisionMemo {
  let memo = memos.get(facts);
  if (!memo) {
    memo = { boundaries: boundariesOf(facts), evaluations: new Map(), decisions: new Map() };
    memos.set(facts, memo);
  }
  return memo;
}

/** The key of a question: everything the decision depends on, and nothing finer. */
export function questionKey(memo: DecisionMemo, question: DecisionQuestion): string {
  return [
    question.principal,
    question.patient,
    question.resourceType ?? '',
    question.purpose ?? '',
    dutchDate(question.at),
    intervalOf(memo.boundaries, question.at.getTime()),
  ].join('|');
}

/** Remembers a value in one of the memo's maps, which is emptied when it is full. */
export function remember<T>(map: Map<string, T>, key: string, value: T): T {
  if (map.size >= MEMO_SIZE) map.clear();
  map.set(key, value);
  return value;
}

/** A memoised decision is shared: its parts are frozen so that no caller can change another's. */
export function freezeDecision(decision: ConsentDecision): ConsentDecision {
  Object.freeze(decision.requested);
  Object.freeze(decision.sections);
  decision.basis.forEach((b) => Object.freeze(b));
  Object.freeze(decision.basis);
  decision.obligations.forEach((o) => Object.freeze(o));
  Object.freeze(decision.obligations);
  return Object.freeze(decision);
}

function boundariesOf(facts: ClientFacts): number[] {
  const instants = new Set<number>();
  const visit = (
    provision: { period?: { start?: string; end?: string }; provision?: unknown[] } | undefined,
  ) => {
    if (!provision) return;
    for (const value of [provision.period?.start, provision.period?.end]) {
      const moment = fhirMoment(value);
      if (moment) {
        instants.add(moment.lo);
        instants.add(moment.hi);
      }
    }
    for (const child of provision.provision ?? []) visit(child as typeof provision);
  };
  for (const grant of facts.grants) visit(grant.provision);
  for (const suspension of facts.suspensions) {
    instants.add(suspension.startsAt);
    if (suspension.endsAt !== undefined) instants.add(suspension.endsAt);
  }
  return [...instants].sort((a, b) => a - b);
}

/** How many boundaries lie at or before `time`: decisions are constant between two boundaries. */
function intervalOf(boundaries: readonly number[], time: number): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (boundaries[mid]! <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
