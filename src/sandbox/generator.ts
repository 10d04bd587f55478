import { isCalendarDate, todayInAmsterdam } from '../calendar';
import { InvalidInput } from '../errors';
import { generateEcdData, MAXIMUM_CLIENTS } from './ecd-data';
import { generateFhirResources } from './fhir-data';
import { SANDBOX_ORGANISATIONS } from './organisations';
import type { SandboxData, SandboxOptions } from './types';

export const DEFAULT_CLIENTS = 50;
export const DEFAULT_SEED = 1;

/** ERR_SANDBOX_OPTIONS: generator options out of range (a command line typo, usually). */
function optionRefused(text: string): InvalidInput {
  return new InvalidInput(text, { code: 'ERR_SANDBOX_OPTIONS' });
}

/**
 * Synthetic Dutch long-term-care data: two ECD exports and the FHIR dossier behind them. The same
 * options give byte-identical output; every date counts from `today`, so "ended yesterday" stays true.
 */
export function generateSandboxData(options: SandboxOptions = {}): SandboxData {
  const clients = options.clients ?? DEFAULT_CLIENTS;
  const seed = options.seed ?? DEFAULT_SEED;
  const today = options.today ?? todayInAmsterdam();
  if (!Number.isInteger(clients) || clients < 0 || clients > MAXIMUM_CLIENTS) {
    throw optionRefused(`clients must be an integer from 0 to ${MAXIMUM_CLIENTS}, got ${clients}`);
  }
  if (!Number.isInteger(seed)) {
    throw optionRefused(`seed must be an integer, got ${seed}`);
  }
  if (!isCalendarDate(today)) {
    throw optionRefused(`today must be a calendar date (YYYY-MM-DD), got ${today}`);
  }
  const ecd = generateEcdData(seed, today, clients);
  const resources = generateFhirResources(ecd.exports, SANDBOX_ORGANISATIONS, seed, today);
  // The builders share small objects (codings, references, name parts) between records. A round trip
  // through JSON gives every record its own copy, so a caller that edits one resource edits only that.
  const own = JSON.parse(JSON.stringify({ exports: ecd.exports, resources })) as Pick<
    SandboxData,
    'exports' | 'resources'
  >;
  return { today, exports: own.exports, resources: own.resources, scenarios: ecd.scenarios };
}
