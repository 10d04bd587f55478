import type { GatewayConfig } from './config';
import {
  createPolicyEngine,
  explainDecision,
  parseRequestLine,
  sectionMappingOf,
  sectionsFor,
} from './consent';
import { migrate, openStore } from './store';

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
  const store = await openStore(
    config.database.driver === 'postgres'
      ? { driver: 'postgres', databaseUrl: config.database.url, poolSize: 1 }
      : { driver: 'pglite', dataDir: config.database.dataDir },
  );
  try {
    await migrate(store);
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
