import type { GatewayConfig } from '../config';
import { presetsFor, type PolicyPreset } from '../consent';

/** The active configuration in brief, for the report: nothing secret (no URLs with credentials). */
export interface ConfigurationSummary {
  /** Where the configuration came from (its file). */
  source: string;
  /** Which database, in words: "PostgreSQL (DATABASE_URL)" or "embedded PGlite, in memory". */
  database: string;
  retentionYears: number;
  organisations: OrganisationSummary[];
}

export interface OrganisationSummary {
  id: string;
  name: string;
  termsVersion?: string;
  termsUrl?: string;
  preset: PresetSummary;
}

export interface PresetSummary {
  id: string;
  title: string;
  model: PolicyPreset['model'];
  /** The preset's settings that decide who sees what, as label and value. */
  settings: [string, string][];
}

/** The organisations of a configuration with their presets, loaded as the gateway loads them. */
export function summariseConfiguration(config: GatewayConfig): ConfigurationSummary {
  const presets = presetsFor(config.organisations);
  return {
    source: config.source,
    database:
      config.database.driver === 'postgres'
        ? 'PostgreSQL (DATABASE_URL)'
        : config.database.dataDir === undefined
          ? 'embedded PGlite, in memory'
          : `embedded PGlite in ${config.database.dataDir}`,
    retentionYears: config.audit.retentionYears,
    organisations: config.organisations.map((o) => ({
      id: o.id,
      name: o.name,
      ...(o.termsVersion !== undefined ? { termsVersion: o.termsVersion } : {}),
      ...(o.termsUrl !== undefined ? { termsUrl: o.termsUrl } : {}),
      preset: presetSummary(presets.get(o.id)!),
    })),
  };
}

function presetSummary(preset: PolicyPreset): PresetSummary {
  const list = (roles: readonly string[]) => (roles.length === 0 ? 'none' : roles.join(', '));
  const yesNo = (on: boolean) => (on ? 'yes' : 'no');
  return {
    id: preset.id,
    title: preset.title,
    model: preset.model,
    settings: [
      ['model', preset.model],
      ['legal representatives', list(preset.legalRepresentatives)],
      ['a representative replaces the client', yesNo(preset.representativeReplacesClient)],
      ['roles the client may authorise', list(preset.delegableRoles)],
      ['never dossier access', list(preset.excludedRoles)],
      ['days of access after care ends', String(preset.graceDaysAfterCareEnd)],
      ['days of access after death', String(preset.graceDaysAfterDeath)],
      ['minors’ rules (A-8)', preset.minors ? `yes (12–15 unassessed: ${preset.unassessedMinor})` : 'no'],
      ['employees kept out of responses (A-2)', yesNo(preset.maskEmployees)],
    ],
  };
}
