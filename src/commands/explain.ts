import { runReviewerCommand } from './reviewer-command';
import type { Command } from 'commander';
import { parseMoment } from '../calendar';
import type { GatewayConfig } from '../config';
import { InvalidPreset, createPolicyEngine, explainDecision, parseRequestLine } from '../consent';
import { administratorRegistrationsOf } from '../ecd';
import { InvalidInput, isGatewayError } from '../errors';
import { parsePatientReference, parsePersonReference } from '../vocabulary';
import { openConfiguredStore } from './open-store';
import { configOption } from './program';

export interface ExplainOptions {
  user: string;
  client: string;
  request: string;
  /** ISO 8601 with an offset, or a date (the start of that day in Amsterdam); now when absent. */
  at?: string;
}

/**
 * What `inzage explain` prints and how it ends, so that a reviewer can script it: 0 = PERMIT, 1 = DENY,
 * 2 = the question could not be asked (bad input, a broken preset).
 */
export interface ExplainOutcome {
  exitCode: 0 | 1 | 2;
  stdout: string;
  stderr: string;
}

/**
 * `inzage explain`: the engine's decision for one user, client and request, in words. With `at`, the
 * decision is the one for that moment on the facts as they were recorded then (a Consent withdrawn
 * later still counts before its withdrawal), so a reviewer can check a past read; without it, the live
 * decision of now.
 */
export async function runExplain(config: GatewayConfig, options: ExplainOptions): Promise<ExplainOutcome> {
  try {
    return await explain(config, options);
  } catch (err) {
    if ((isGatewayError(err) && err.status === 400) || err instanceof InvalidPreset)
      return { exitCode: 2, stdout: '', stderr: `inzage: ${err.message}\n` };
    throw err;
  }
}

async function explain(config: GatewayConfig, options: ExplainOptions): Promise<ExplainOutcome> {
  const user = asInput(
    () => parsePersonReference(options.user).reference,
    () => `--user must be Patient/<id> or RelatedPerson/<id> (got '${options.user}')`,
  );
  const client = asInput(
    () => parsePatientReference(options.client).reference,
    () => `--client must be Patient/<id> (got '${options.client}')`,
  );
  const at = options.at;
  const past =
    at === undefined
      ? undefined
      : asInput(
          () => parseMoment(at),
          (why) => `--at: ${why}`,
        );
  let request: ReturnType<typeof parseRequestLine>;
  try {
    request = parseRequestLine(options.request, past ?? new Date());
  } catch (err) {
    throw new InvalidInput(`--request: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { store } = await openConfiguredStore(config);
  try {
    const engine = createPolicyEngine(config.organisations, store, {
      administratorRegistrations: administratorRegistrationsOf,
    });
    const facts = past ? await engine.factsAsOf(client, past) : await engine.facts(client);
    // The same entry point the FHIR pipeline uses: the sections follow from the request.
    const decision = engine.checkWith(facts, { user, patient: client }, request);
    if (decision.requested.length === 0) {
      return {
        exitCode: 1,
        stdout: `DENY  ${user} → ${client}\n  ${request.resourceType} belongs to no portal section: nobody is granted it\n`,
        stderr: '',
      };
    }
    const asked = `request     ${options.request.trim()} → sections ${decision.requested.join(', ')}\n`;
    const record = past
      ? `facts       as recorded at ${past.toISOString()} (the resources' history)\n`
      : 'facts       as they are now\n';
    return {
      exitCode: decision.allowed ? 0 : 1,
      stdout: `${asked}${record}${explainDecision(decision.consentDecision)}`,
      stderr: '',
    };
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
    .option(
      '--at <moment>',
      'decide for this moment, on the facts as recorded then: ISO 8601 with an offset, or a date (Amsterdam)',
    )
    .addHelpText(
      'after',
      `
Prints PERMIT or DENY, the sections asked for and allowed, the organisation rules (by their ids in
portal-rules.md) and the Consent provisions that decided, and the obligations (masking, periods).
Exits 0 on PERMIT, 1 on DENY, 2 when the question cannot be asked (bad input or configuration),
3 when the decision could not be made (for example the database cannot be opened).`,
    )
    .action((opts: ExplainOptions & { config: string }) =>
      runReviewerCommand(opts.config, (config) => runExplain(config, opts)),
    );
}

/** Runs a parse; its refusal becomes an InvalidInput in the command's own words. */
function asInput<T>(parse: () => T, words: (message: string) => string): T {
  try {
    return parse();
  } catch (err) {
    if (isGatewayError(err) && err.status === 400) throw new InvalidInput(words(err.message));
    throw err;
  }
}
