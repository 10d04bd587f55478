import type { Consent, Patient, RelatedPerson } from '@medplum/fhirtypes';
import type { Store } from '../store';
import { PORTAL_SECTIONS, type PortalSection } from '../vocabulary';
import type { AccessDecision } from './access-decision';
import { checkRequest } from './check';
import { assembleDecision, evaluateDecision, type DecisionEvaluation, type DecisionQuestion } from './decide';
import type { ConsentDecision } from './decision';
import { factsFromResources, type ClientFacts } from './facts';
import { freezeDecision, memoOf, questionKey, remember } from './memo';
import { sectionMappingOf, type PolicyPreset } from './preset';
import type { AccessPrincipal, AccessRequest } from './request';
import { DEFAULT_SECTION_MAPPING, type SectionMapping } from './sections';

/** Announced when a Consent or other decision fact of one client changes (payload: 'Patient/<id>'). */
export const CONSENT_CHANGE_CHANNEL = 'inzage_consent_change';
/** Announced by a committed ECD sync (payload: the organisation id); the ecd module sends it. */
export const ECD_SYNC_CHANNEL = 'inzage_ecd_sync';

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

/** Where the engine reads a client's facts from. */
export interface FactsSource {
  load(patient: string): Promise<ClientFacts | undefined>;
}

/** Reads a client's facts from the gateway's own resources in the store: one query per client. */
export function storeFactsSource(store: Store): FactsSource {
  return {
    async load(patient) {
      const id = patient.startsWith('Patient/') ? patient.slice('Patient/'.length) : undefined;
      if (!id) return undefined;
      const rows = await store.query<{ resource_type: string; organisation_id: string; content: unknown }>(
        `SELECT resource_type, organisation_id, content FROM fhir_resource
         WHERE patient_id = $1 AND resource_type IN ('Patient', 'RelatedPerson', 'Consent')`,
        [id],
      );
      const patientRow = rows.find((r) => r.resource_type === 'Patient' && (r.content as Patient).id === id);
      if (!patientRow) return undefined;
      const registrations = await store.query<{ id: string }>(
        `SELECT rp.id FROM portal_registration pr
         JOIN fhir_resource p ON p.resource_type = 'Patient' AND p.id = $1
         JOIN fhir_resource rp ON rp.resource_type = 'RelatedPerson' AND rp.organisation_id = pr.organisation_id
           AND rp.source_record = pr.person->>'relationId' AND rp.patient_id = p.id
         WHERE pr.organisation_id = p.organisation_id AND pr.client_id = p.source_record
           AND pr.requested_role = 'administrator' AND pr.ended_at IS NULL`,
        [id],
      );
      const suspensions = await store.query<{
        id: string;
        principal: string | null;
        starts_at: Date;
        ends_at: Date | null;
        reason: string;
      }>(
        `SELECT id, principal, starts_at, ends_at, reason FROM access_suspension
         WHERE patient_id = $1 AND lifted_at IS NULL`,
        [id],
      );
      return factsFromResources({
        suspensions: suspensions.map((s) => ({
          id: s.id,
          ...(s.principal ? { principal: s.principal } : {}),
          startsAt: s.starts_at.getTime(),
          ...(s.ends_at ? { endsAt: s.ends_at.getTime() } : {}),
          reason: s.reason,
        })),
        organisationId: patientRow.organisation_id,
        patient: patientRow.content as Patient & { id: string },
        relatedPersons: rows
          .filter((r) => r.resource_type === 'RelatedPerson')
          .map((r) => r.content as RelatedPerson),
        consents: rows.filter((r) => r.resource_type === 'Consent').map((r) => r.content as Consent),
        administratorRegistrations: registrations.map((r) => `RelatedPerson/${r.id}`),
      });
    },
  };
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
    const stopSync = await store.listen(ECD_SYNC_CHANNEL, everything, { onResubscribe: everything });
    const stopConsent = await store.listen(CONSENT_CHANGE_CHANNEL, (patient) => this.invalidate(patient), {
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

/** The calendar date in the Netherlands (kept for the grant writer; the calendar module has it). */
export { dutchDate } from '../calendar';
