import { GatewayError } from '../errors';
import { BULK_CHANGE_CHANNEL, CLIENT_CHANGE_CHANNEL } from '../resources';
import type { Store } from '../store';
import { PORTAL_SECTIONS, type PortalSection } from '../vocabulary';
import type { AccessDecision } from './access-decision';
import { checkRequest } from './check';
import { assembleDecision, evaluateDecision, type DecisionEvaluation, type DecisionQuestion } from './decide';
import type { ConsentDecision } from './decision';
import type { ClientFacts } from './facts';
import type { FactsSource } from './facts-store';
import { InvalidPreset } from './errors';
import { freezeDecision, memoOf, questionKey, remember } from './memo';
import { sectionMappingOf, type PolicyPreset } from './preset';
import type { AccessPrincipal, AccessRequest } from './request';
import { DEFAULT_SECTION_MAPPING, type SectionMapping } from './sections';

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
  readonly #cache = new Map<
    string,
    { facts: Promise<ClientFacts | undefined>; version: string | undefined }
  >();
  /** Bumped on every invalidation, so a load that raced with one is not cached. */
  #generation = 0;

  constructor(options: PolicyEngineOptions) {
    this.#facts = options.facts;
    this.#presets = options.presets;
  }

  /** The preset governing an organisation; throws for an organisation without one. */
  presetOf(organisationId: string): PolicyPreset {
    const preset = this.#presets.get(organisationId);
    if (!preset) throw new InvalidPreset(`no policy preset configured for organisation '${organisationId}'`);
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
    // The counters are read before the facts, so that facts loaded after a change under the old
    // counter are reloaded once more rather than kept (a notification may come later than the next
    // request: M-5, A-10 ask for the very next one).
    const version = this.#facts.version ? await this.#facts.version(patient) : undefined;
    const cached = this.#cache.get(patient);
    if (cached && cached.version === version) return cached.facts;
    const generation = this.#generation;
    const loading = this.#facts.load(patient);
    this.#cache.set(patient, { facts: loading, version });
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

  /**
   * The engine's decision record for a principal, a client and some sections (all when none are
   * given). For a FHIR request use `check`: it works out the sections and enforces the decision.
   */
  async decide(request: DecisionRequest): Promise<ConsentDecision> {
    return this.decideWith(await this.facts(request.patient), request);
  }

  /** `decide` on known facts. Pure, and memoised (see memo.ts). */
  decideWith(
    facts: ClientFacts | undefined,
    request: DecisionRequest,
    options?: DecisionOptions,
  ): ConsentDecision {
    const at = request.at ?? new Date();
    const question = {
      principal: request.principal,
      patient: request.patient,
      resourceType: request.resourceType,
      purpose: request.purpose,
      at,
    };
    return {
      ...this.#decision(facts, question, request.sections ?? PORTAL_SECTIONS, options),
      at: at.toISOString(),
    };
  }

  /**
   * The access decision for one FHIR request: whether, which sections and periods, on what basis,
   * with `narrow` and `judge` to enforce it. The one entry point of the FHIR pipeline.
   */
  async check(principal: AccessPrincipal, request: AccessRequest): Promise<AccessDecision> {
    return this.checkWith(await this.facts(principal.patient), principal, request);
  }

  /** `check` on known facts (the client's, or undefined for a client the gateway does not know). */
  checkWith(
    facts: ClientFacts | undefined,
    principal: AccessPrincipal,
    request: AccessRequest,
    options?: DecisionOptions,
  ): AccessDecision {
    const preset = facts ? this.presetOf(facts.organisationId) : undefined;
    // One check asks about the same question up to twice (the sections asked; every section, for
    // judge): without the memo it is still evaluated once, by resource type.
    const scratch = new Map<string, DecisionEvaluation>();
    return checkRequest(facts, principal, request, {
      mapping: preset ? mappingOf(preset) : DEFAULT_SECTION_MAPPING,
      decision: (question, sections) => this.#decision(facts, question, sections, options, scratch),
      evaluation: (question) => evaluateDecision(facts, preset, question),
    });
  }

  /** The decision, frozen and memoised unless the memo is bypassed. */
  #decision(
    facts: ClientFacts | undefined,
    question: DecisionQuestion,
    sections: readonly PortalSection[],
    options: DecisionOptions | undefined,
    scratch?: Map<string, DecisionEvaluation>,
  ): ConsentDecision {
    const preset = facts ? this.presetOf(facts.organisationId) : undefined;
    if (!facts || options?.bypassMemoForBenchmark === true) {
      const type = question.resourceType ?? '';
      const evaluation = scratch?.get(type) ?? evaluateDecision(facts, preset, question);
      scratch?.set(type, evaluation);
      return assembleDecision(evaluation, sections, question.at);
    }
    const memo = memoOf(facts);
    const key = questionKey(memo, question);
    const evaluation =
      memo.evaluations.get(key) ?? remember(memo.evaluations, key, evaluateDecision(facts, preset, question));
    const decisionKey = `${key}|${sections.join(',')}`;
    return (
      memo.decisions.get(decisionKey) ??
      remember(
        memo.decisions,
        decisionKey,
        freezeDecision(assembleDecision(evaluation, sections, question.at)),
      )
    );
  }
}

/** Options of the pure decision methods. */
export interface DecisionOptions {
  /**
   * For benchmarks only, never in production: compute every decision afresh, as on the first
   * request after a change, instead of taking it from the memo.
   */
  readonly bypassMemoForBenchmark?: boolean;
}

const mappings = new WeakMap<PolicyPreset, SectionMapping>();

/** A preset's section mapping, worked out once. */
function mappingOf(preset: PolicyPreset): SectionMapping {
  let mapping = mappings.get(preset);
  if (!mapping) mappings.set(preset, (mapping = sectionMappingOf(preset)));
  return mapping;
}
