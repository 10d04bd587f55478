import type { Command } from 'commander';
import { loadConfigFile, type GatewayConfig } from '../config';
import {
  createPolicyEngine,
  explainDecision,
  parseRequestLine,
  sectionMappingOf,
  sectionsFor,
} from '../consent';
import { exitOnFailure } from './fail';
import { openConfiguredStore } from './open-store';
import { configOption } from './program';

export interface ExplainOptions {
  user: string;
  client: string;
  request: string;
  at?: string;
}

const REFERENCE = /^(Patient|RelatedPerson)\/[A-Za-z0-9\-.]{1,64}$/;

/** `inzage explain`: the engine's decision for one user, client and request, in words. */
export async function runExplain(config: GatewayConfig, options: ExplainOptions): Promise<string> {
  if (!REFERENCE.test(options.user))
    throw new Error(`--user must be Patient/<id> or RelatedPerson/<id> (got '${options.user}')`);
  if (!/^Patient\/[A-Za-z0-9\-.]{1,64}$/.test(options.client))
    throw new Error(`--client must be Patient/<id> (got '${options.client}')`);
  const at = options.at ? new Date(options.at) : new Date();
  if (Number.isNaN(at.getTime())) throw new Error(`--at must be an ISO 8601 moment (got '${options.at}')`);
  const request = parseRequestLine(options.request);
  const { store } = await openConfiguredStore(config);
  try {
    const engine = createPolicyEngine(config.organisations, store);
    const facts = await engine.facts(options.client);
    const mapping = facts ? sectionMappingOf(engine.presetOf(facts.organisationId)) : undefined;
    const sections = sectionsFor(request.resourceType, request.categories, mapping);
    if (sections.length === 0) {
      return `DENY  ${options.user} → ${options.client}\n  ${request.resourceType} belongs to no portal section: nobody is granted it\n`;
    }
    const decision = await engine.decide({
      principal: options.user,
      patient: options.client,
      sections,
      resourceType: request.resourceType,
      at,
    });
    return `request     ${options.request.trim()} → sections ${sections.join(', ')}\n${explainDecision(decision)}`;
  } finally {
    await store.close();
  }
}

/** `inzage explain`: registers the command. */
export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description(
      "Explain the policy engine's decision for one user, client and request (for security reviewers).",
    )
    .addOption(configOption('configuration file (the database it names is read)'))
    .requiredOption('--user <reference>', 'who asks: Patient/<id> or RelatedPerson/<id>')
    .requiredOption('--client <reference>', 'whose dossier: Patient/<id>')
    .requiredOption('--request <line>', 'the request, e.g. "GET /Observation?category=vital-signs"')
    .option('--at <moment>', 'decide for this moment (ISO 8601) instead of now')
    .addHelpText(
      'after',
      `
Prints PERMIT or DENY, the sections asked for and allowed, the organisation rules (by their ids in
portal-rules.md) and the Consent provisions that decided, and the obligations (masking, periods).`,
    )
    .action(
      exitOnFailure(async (opts: ExplainOptions & { config: string }) => {
        const config = loadConfigFile(opts.config, process.env);
        process.stdout.write(await runExplain(config, opts));
      }),
    );
}
