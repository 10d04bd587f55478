import type { OrganisationConfig } from '../config';
import type { Store } from '../store';
import { PolicyEngine, storeFactsSource } from './engine';
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

/** The composition root of the engine: the only place that picks its concrete parts. */
export function createPolicyEngine(organisations: readonly OrganisationConfig[], store: Store): PolicyEngine {
  return new PolicyEngine({ facts: storeFactsSource(store), presets: presetsFor(organisations) });
}
