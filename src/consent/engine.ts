import { dutchDate } from '../calendar';
import { GatewayError } from '../errors';
import { BULK_CHANGE_CHANNEL, CLIENT_CHANGE_CHANNEL } from '../resources';
import type { Store } from '../store';
import { isPatientReference, PURPOSE } from '../vocabulary';
import { combineConsents } from './combine';
import { fhirMoment } from './provisions';
import type { ConsentDecision, DecisionBasis, Obligation } from './decision';
import type { ClientFacts } from './facts';
import type { FactsSource } from './facts-store';
import { assessStanding } from './organisation';
import type { PolicyPreset } from './preset';
import { PORTAL_SECTIONS, type PortalSection } from './vocabulary';

/** The resources module's CLIENT_CHANGE_CHANNEL under its old name, until its last user moves over. */
export const CONSENT_CHANGE_CHANNEL = CLIENT_CHANGE_CHANNEL;
/** The resources module's BULK_CHANGE_CHANNEL under its old name, until its last user moves over. */
export const ECD_SYNC_CHANNEL = BULK_CHANGE_CHANNEL;

export interface DecisionRequest {
  /** 'Patient/<id>' or 'RelatedPerson/<id>', as authenticated. */
  principal: string;
  /** 'Patient/<id>': whose dossier. */
  patient: string;
  /** The sections the request touches; all sections when absent. */
  sections?: readonly PortalSection[];
  resourceType?: string;
  purpose?: string;
  /** The moment to decide for; now when absent. */
  at?: Date;
}

export interface PolicyEngineOptions {
  facts: FactsSource;
  /** Organisation id → its preset. */
  presets: ReadonlyMap<string, PolicyPreset>;
}

/**
 * The policy engine: the one place that knows the rules. Facts are cached per client until something
 * they came from changes; `listenForChanges` makes that true on every instance.
 */
export class PolicyEngine {
  readonly #facts: FactsSource;
  readonly #presets: ReadonlyMap<string, PolicyPreset>;
  readonly #cache = new Map<string, Promise<ClientFacts | undefined>>();
  /** Bumped on every invalidation, so a load that raced with one is not cached. */
  #generation = 0;

  constructor(options: PolicyEngineOptions) {
    this.#facts = options.facts;
    this.#presets = options.presets;
  }

  /** The preset governing an organisation; throws for an organisation without one. */
  presetOf(organisationId: string): PolicyPreset {
    const preset = this.#presets.get(organisationId);
    if (!preset) throw new Error(`no policy preset configured for organisation '${organisationId}'`);
    return preset;
  }

  /** Drops cached facts: of one client, or of everything (a sync, a lost notification channel). */
  invalidate(patient?: string): void {
    this.#generation += 1;
    if (patient) this.#cache.delete(patient);
    else this.#cache.clear();
  }

  /** Subscribes to the change channels so that a change on any instance reaches this one. */
  async listenForChanges(store: Store): Promise<() => Promise<void>> {
    const everything = () => this.invalidate();
    const stopSync = await store.listen(BULK_CHANGE_CHANNEL, everything, { onResubscribe: everything });
    const stopConsent = await store.listen(CLIENT_CHANGE_CHANNEL, (patient) => this.invalidate(patient), {
      onResubscribe: everything,
    });
    return async () => {
      await stopSync();
      await stopConsent();
    };
  }

  async facts(patient: string): Promise<ClientFacts | undefined> {
    const cached = this.#cache.get(patient);
    if (cached) return cached;
    const generation = this.#generation;
    const loading = this.#facts.load(patient);
    this.#cache.set(patient, loading);
    try {
      const facts = await loading;
      if (generation !== this.#generation) this.#cache.delete(patient);
      return facts;
    } catch (err) {
      this.#cache.delete(patient);
      throw err;
    }
  }

  /**
   * The client's facts as they were recorded at a past moment (a Consent withdrawn since counts as it
   * stood then), for a reviewer's question about a past read. Never cached: live decisions use `facts`.
   */
  async factsAsOf(patient: string, at: Date): Promise<ClientFacts | undefined> {
    if (!this.#facts.loadAsOf)
      throw new GatewayError('ERR_NO_HISTORY', 500, 'this facts source keeps no history');
    return this.#facts.loadAsOf(patient, at);
  }

  async decide(request: DecisionRequest): Promise<ConsentDecision> {
    return this.decideWith(await this.facts(request.patient), request);
  }

  /**
   * The decision on known facts. Pure: the same facts, request, day and position among the Consents'
   * period boundaries always give the same decision, so it is memoised on exactly that and nothing
   * coarser (a withdrawal at 09:00:37 takes effect at 09:00:37, not at the next minute).
   */
  decideWith(facts: ClientFacts | undefined, request: DecisionRequest): ConsentDecision {
    const at = request.at ?? new Date();
    if (!facts) return this.compute(facts, request, at);
    const memo = memoOf(facts);
    const key = [
      request.principal,
      request.patient,
      request.sections?.join(',') ?? '*',
      request.resourceType ?? '',
      request.purpose ?? '',
      dutchDate(at),
      intervalOf(memo.boundaries, at.getTime()),
    ].join('|');
    const known = memo.decisions.get(key);
    if (known) return { ...known, at: at.toISOString() };
    const decision = freezeDecision(this.compute(facts, request, at));
    if (memo.decisions.size >= MEMO_SIZE) memo.decisions.clear();
    memo.decisions.set(key, decision);
    return { ...decision };
  }

  private compute(facts: ClientFacts | undefined, request: DecisionRequest, at: Date): ConsentDecision {
    const today = dutchDate(at);
    const requested = [...(request.sections ?? PORTAL_SECTIONS)];
    const base = {
      principal: request.principal,
      patient: request.patient,
      at: at.toISOString(),
      today,
      requested,
    };
    if (!facts) {
      return {
        ...base,
        permit: false,
        role: 'none',
        sections: [],
        basis: [{ kind: 'rule', rule: 'ECD', text: 'the client is not known to the gateway' }],
        obligations: [],
        preset: '(none)',
      };
    }
    const preset = this.presetOf(facts.organisationId);
    const time = at.getTime();
    const suspension = facts.suspensions.find(
      (x) =>
        x.startsAt <= time &&
        (x.endsAt === undefined || time < x.endsAt) &&
        (x.principal === undefined || x.principal === request.principal),
    );
    if (suspension) {
      const whose = suspension.principal ? `${suspension.principal}'s access` : "the client's portal";
      return {
        ...base,
        permit: false,
        role: 'none',
        sections: [],
        basis: [
          {
            kind: 'rule',
            rule: preset.model === 'first-contact-person' ? 'M-5' : 'A-10',
            text: `the organisation suspended ${whose} since ${new Date(suspension.startsAt).toISOString()}: ${suspension.reason}`,
          },
        ],
        obligations: [],
        preset: preset.id,
      };
    }
    const standing = assessStanding(facts, request.principal, preset, today);
    const basis: DecisionBasis[] = standing.basis.map((b) => ({ kind: 'rule', ...b }));
    const obligations: Obligation[] = preset.maskEmployees ? [{ kind: 'mask-employees', rule: 'A-2' }] : [];
    let sections: PortalSection[] = [];
    if (standing.access === 'full') {
      sections = requested;
    } else if (standing.access === 'grants') {
      // A grant counts only when who gave it may give it now (the administrator; the client or
      // representative). One whose performer cannot be read stays in: the combining rule denies on it.
      const grants = facts.grants.filter((c) => {
        const performers = c.performer ?? [];
        if (performers.length === 0 || performers.some((p) => typeof p.reference !== 'string')) return true;
        return performers.some((p) => standing.grantors.includes(p.reference as string));
      });
      for (const section of requested) {
        const combined = combineConsents(grants, {
          actor: request.principal,
          at: at.toISOString(),
          section,
          resourceType: request.resourceType,
          purpose: request.purpose ?? defaultPurpose(request.principal),
        });
        for (const evaluation of combined.basis) {
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
        if (combined.verdict === 'permit') {
          sections.push(section);
          if (combined.dataPeriod)
            obligations.push({ kind: 'limit-period', section, ...combined.dataPeriod });
        }
        if (combined.excludeLabels?.length)
          obligations.push({ kind: 'exclude-labels', section, labels: combined.excludeLabels });
      }
      if (sections.length === 0)
        basis.push({ kind: 'rule', rule: 'consent', text: 'no Consent grants the sections asked for' });
    }
    return {
      ...base,
      permit: sections.length > 0,
      role: standing.role,
      sections,
      basis,
      obligations: sections.length > 0 ? obligations : [],
      preset: preset.id,
      ...(standing.administrator ? { administrator: standing.administrator } : {}),
    };
  }
}

const MEMO_SIZE = 1_000;

/** A memoised decision is shared: its parts are frozen so that no caller can change another's. */
function freezeDecision(decision: ConsentDecision): ConsentDecision {
  Object.freeze(decision.requested);
  Object.freeze(decision.sections);
  decision.basis.forEach((b) => Object.freeze(b));
  Object.freeze(decision.basis);
  decision.obligations.forEach((o) => Object.freeze(o));
  Object.freeze(decision.obligations);
  return Object.freeze(decision);
}

interface DecisionMemo {
  /** Every instant at which a period in the client's grants starts or ends, ascending. */
  boundaries: number[];
  decisions: Map<string, ConsentDecision>;
}

/** Memos live exactly as long as the facts object: new facts (after any change) start empty. */
const memos = new WeakMap<ClientFacts, DecisionMemo>();

function memoOf(facts: ClientFacts): DecisionMemo {
  let memo = memos.get(facts);
  if (!memo) {
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
    memo = { boundaries: [...instants].sort((a, b) => a - b), decisions: new Map() };
    memos.set(facts, memo);
  }
  return memo;
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

/**
 * A portal read states no purpose of use; it is the client's own request (PATRQT) or a relative's
 * (FAMRQT), the purposes grants are written for. A provision limited to another purpose does not match.
 */
function defaultPurpose(principal: string): string {
  return isPatientReference(principal) ? PURPOSE.client : PURPOSE.relative;
}
