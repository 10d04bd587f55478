import type { GatewayConfig } from './config';
import { createPolicyEngine, explainDecision, parseRequestLine } from './consent';
import { migrate, openStore } from './store';
import { parsePatientReference, parsePersonReference } from './vocabulary';

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
  const request = parseRequestLine(options.request, at);
  const store = await openStore(
    config.database.driver === 'postgres'
      ? { driver: 'postgres', databaseUrl: config.database.url, poolSize: 1 }
      : { driver: 'pglite', dataDir: config.database.dataDir },
  );
  try {
    await migrate(store);
    const engine = createPolicyEngine(config.organisations, store);
    const principal = {
      user: parsePersonReference(options.user).reference,
      patient: parsePatientReference(options.client).reference,
    };
    const decision = await engine.check(principal, request);
    const sections = decision.requested.length > 0 ? decision.requested.join(', ') : '(none)';
    return `request     ${options.request.trim()} → sections ${sections}\n${explainDecision(decision.consentDecision)}`;
  } finally {
    await store.close();
  }
}
