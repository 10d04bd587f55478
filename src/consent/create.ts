import type { OrganisationConfig } from '../config';
import type { Store } from '../store';
import { PolicyEngine } from './engine';
import { consentFactsStore, type AdministratorRegistrations } from './facts-store';
import { loadPreset, type PolicyPreset } from './preset';

/** The presets of the configured organisations, loaded and validated once at start-up. */
export function presetsFor(organisations: readonly OrganisationConfig[]): Map<string, PolicyPreset> {
  const byName = new Map<string, PolicyPreset>();
  return new Map(
    organisations.map((o) => {
      let preset = byName.get(o.preset);
      if (!preset) {
        preset = loadPreset(o.preset);
        byName.set(o.preset, preset);
      }
      return [o.id, preset];
    }),
  );
}

export interface PolicyEngineParts {
  /** Whom the organisation registered as administrator: the ecd module's `administratorRegistrationsOf`. */
  administratorRegistrations: AdministratorRegistrations;
}

/** The composition root of the engine: the only place that picks its concrete parts. */
export function createPolicyEngine(
  organisations: readonly OrganisationConfig[],
  store: Store,
  parts: PolicyEngineParts,
): PolicyEngine {
  return new PolicyEngine({
    facts: consentFactsStore(store, { administratorRegistrations: parts.administratorRegistrations }),
    presets: presetsFor(organisations),
  });
}
