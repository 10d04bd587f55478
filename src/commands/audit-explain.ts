import { runReviewerCommand } from './reviewer-command';
import type { Command } from 'commander';
import { auditRecordById, type AuditBasis, type AuditRecord } from '../audit';
import type { GatewayConfig } from '../config';
import {
  InvalidPreset,
  createPolicyEngine,
  explainDecision,
  searchParameter,
  type AccessDecision,
  type AccessPrincipal,
  type AccessRequest,
  type FhirInteraction,
  type PolicyEngine,
  type SearchParameter,
} from '../consent';
import { administratorRegistrationsOf } from '../ecd';
import { isGatewayError } from '../errors';
import { OWN_ACCESS_TYPES } from '../fhir';
import type { Store } from '../store';
import { isPatientReference, isPersonReference } from '../vocabulary';
import { openConfiguredStore } from './open-store';
import { commandGroup, configOption } from './program';

/**
 * How `inzage audit explain` ends, so that a reviewer can script it:
 * 0 = the replay agrees with the record, and the decision was PERMIT;
 * 1 = the replay agrees, and the decision was DENY;
 * 2 = the question cannot be asked (not an AuditEvent id, no such record, a broken preset);
 * 3 = the replay could not be made (the database cannot be read: printed by the command);
 * 4 = the replay DIFFERS from what was recorded;
 * 5 = the record is shown but not replayed (not a FHIR request, refused before the consent decision,
 *     or decided by the gateway's own rule rather than the consent engine).
 */
export interface AuditExplainOutcome {
  exitCode: 0 | 1 | 2 | 4 | 5;
  stdout: string;
  stderr: string;
}

/** Resource types whose reads the FHIR API decides by its own rule, not by the consent engine. */
const OWN_RULE_TYPES: ReadonlySet<string> = new Set([...OWN_ACCESS_TYPES, 'AuditEvent']);

/** `inzage audit explain <id>` on the configured database. */
export async function runAuditExplain(config: GatewayConfig, id: string): Promise<AuditExplainOutcome> {
  const { store } = await openConfiguredStore(config);
  try {
    const engine = createPolicyEngine(config.organisations, store, {
      administratorRegistrations: administratorRegistrationsOf,
    });
    return await explainAuditRecord(store, engine, id);
  } catch (err) {
    if ((isGatewayError(err) && err.status === 400) || err instanceof InvalidPreset)
      return { exitCode: 2, stdout: '', stderr: `inzage: ${err.message}\n` };
    throw err;
  } finally {
    await store.close();
  }
}

/**
 * One audit record, and for a FHIR request its decision replayed as it was made then: the same
 * user, client and request, at the record's `at`, on the facts as recorded then (the resources'
 * history, the suspensions as they stood), through the engine's one entry point for requests. The
 * replay is held against what the record says was decided (basis, outcome, role, checks).
 */
export async function explainAuditRecord(
  store: Store,
  engine: PolicyEngine,
  id: string,
  now: Date = new Date(),
): Promise<AuditExplainOutcome> {
  const trimmed = id.trim();
  const record = await auditRecordById(store, trimmed);
  if (!record)
    return {
      exitCode: 2,
      stdout: '',
      stderr: `inzage: no audit record with id '${trimmed.slice(0, 80)}' (expected an AuditEvent id, a UUID)\n`,
    };
  const shown = describeRecord(record);
  const notReplayed = (why: string): AuditExplainOutcome => ({
    exitCode: 5,
    stdout: `${shown}\nNOT REPLAYED  ${why}\n`,
    stderr: '',
  });
  const entry = record.entry;
  if (entry.kind !== 'fhir-request')
    return notReplayed(
      `a ${entry.kind} record is not a decision of the consent engine; only FHIR requests are replayed`,
    );
  if (!entry.basis || entry.basis.length === 0)
    return notReplayed(
      `no consent decision was made: the request was ${entry.outcome} before it (${[entry.status, entry.outcomeText].filter((x) => x !== undefined).join(' ')})`,
    );
  const user = entry.actor?.person;
  const patient = entry.patient;
  if (!user || !isPersonReference(user) || !patient || !isPatientReference(patient))
    return notReplayed('the record names no user or client to decide for');
  const parsed = parseAuditedRequest(entry.query ?? '', entry.at);
  if (typeof parsed === 'string') return notReplayed(`the recorded request cannot be read back: ${parsed}`);
  if (OWN_RULE_TYPES.has(parsed.resourceType))
    return notReplayed(
      `a ${parsed.resourceType} request is decided by the FHIR API's own rule (src/fhir: who sees a client's ` +
        'Consents, Tasks and access log follows from their standing), not by the consent engine; ' +
        'replaying it through the engine would show a decision that was never made',
    );

  const principal: AccessPrincipal = {
    user,
    patient,
    ...(entry.clientApp ? { clientApp: entry.clientApp } : {}),
  };
  const then = engine.checkWith(await engine.factsAsOf(patient, entry.at), principal, parsed);
  const today = engine.checkWith(await engine.facts(patient), principal, { ...parsed, at: now });
  const differences = compare(record, then);
  const lines = [
    shown,
    `Replayed for ${entry.at.toISOString()}, on the facts as recorded then (the resources' history, the suspensions then)`,
    `request     ${entry.query} → sections ${then.requested.length > 0 ? then.requested.join(', ') : `(none: ${parsed.resourceType} belongs to no portal section)`}`,
    explainDecision(then.consentDecision).trimEnd(),
    `now         ${verdictOf(today)} on today's facts (${now.toISOString()})`,
    '',
  ];
  if (differences.length === 0) {
    lines.push(
      `AGREES  the replay is ${verdictOf(then)} on the recorded basis, and the recorded outcome fits it`,
    );
    return { exitCode: then.allowed ? 0 : 1, stdout: `${lines.join('\n')}\n`, stderr: '' };
  }
  lines.push(`DIFFERS  the replay is ${verdictOf(then)}, and does not match the record:`);
  lines.push(...differences.map((d) => `  ${d}`));
  return { exitCode: 4, stdout: `${lines.join('\n')}\n`, stderr: '' };
}

function verdictOf(decision: AccessDecision): 'PERMIT' | 'DENY' {
  return decision.allowed ? 'PERMIT' : 'DENY';
}

/** The record as a reviewer reads it: when, who, in which role, on whose behalf, which app, what, outcome. */
function describeRecord(record: AuditRecord): string {
  const e = record.entry;
  const a = e.actor;
  const row = (label: string, value: string | undefined) =>
    value === undefined || value === '' ? [] : [`  ${label.padEnd(11)} ${value}`];
  const who = a ? [a.person ?? a.account, a.name ? `"${a.name}"` : undefined].filter(Boolean).join(' ') : '';
  const outcome = [e.outcome, e.status === undefined ? undefined : String(e.status), e.outcomeText]
    .filter(Boolean)
    .join(' ');
  return [
    `AuditEvent  ${record.id}   (seq ${record.seq}, recorded ${record.recorded.toISOString()})`,
    ...row('kind', `${e.kind} (action ${e.action})`),
    ...row('when', e.at.toISOString()),
    ...row('who', who),
    ...row('role', a?.role),
    ...row('account', a?.account && a.account !== who ? a.account : undefined),
    ...row('on behalf', a?.onBehalfOf),
    ...row('from', a?.address),
    ...row('app', e.clientApp),
    ...row('token', e.tokenId),
    ...row('client', e.patient),
    ...row(
      'what',
      [e.interaction, e.query && e.query !== e.interaction ? e.query : undefined].filter(Boolean).join(': '),
    ),
    ...row('outcome', outcome),
    ...row('shown', e.entities && e.entities.length > 0 ? e.entities.join(', ') : undefined),
    ...(e.basis && e.basis.length > 0 ? ['  basis', ...e.basis.map((b) => `    ${basisText(b)}`)] : []),
    ...row(
      'checks',
      e.checks
        ? `authorisation ${tf(e.checks.authorisation)}, care relationship ${tf(e.checks.careRelationship)}, consent ${tf(e.checks.consent)}, break-glass ${tf(e.checks.breakGlass)}`
        : undefined,
    ),
    ...row('policy', e.policy),
    ...row('request id', e.requestId),
    ...row(
      'detail',
      e.detail
        ? Object.entries(e.detail)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(', ')
        : undefined,
    ),
  ].join('\n');
}

const tf = (value: boolean) => (value ? 'T' : 'F');

function basisText(b: AuditBasis): string {
  return b.kind === 'rule'
    ? `rule ${b.ref.padEnd(8)} ${b.text ?? ''}`.trimEnd()
    : `${b.ref} ${b.verdict ?? ''} ${b.section ?? ''}`.replace(/ +/g, ' ').trimEnd();
}

/** The decision's basis as step 8 of the FHIR pipeline records it. */
function recordedBasisOf(decision: AccessDecision): AuditBasis[] {
  return decision.basis.map((b) =>
    b.kind === 'rule'
      ? { kind: 'rule', ref: b.rule, text: b.text }
      : { kind: 'consent', ref: `Consent/${b.consentId}`, verdict: b.verdict, section: b.section },
  );
}

/**
 * The engine's role in a recorded role: step 8 writes it first, qualified by the relation's role in
 * parentheses (`administrator (curator)`), except for a client who is their own administrator,
 * recorded as `client (administrator)`.
 */
function engineRoleOf(recorded: string): string {
  const own = /^client \((.+)\)$/.exec(recorded);
  if (own) return own[1]!;
  const qualified = recorded.indexOf(' (');
  return qualified < 0 ? recorded : recorded.slice(0, qualified);
}

/** What in the record the replay contradicts; empty when it agrees. */
function compare(record: AuditRecord, replay: AccessDecision): string[] {
  const e = record.entry;
  const differences: string[] = [];
  const recorded = (e.basis ?? []).map(basisText);
  const replayed = recordedBasisOf(replay).map(basisText);
  for (const line of multisetMinus(recorded, replayed))
    differences.push(`basis recorded, not in the replay: ${line}`);
  for (const line of multisetMinus(replayed, recorded))
    differences.push(`basis of the replay, not recorded: ${line}`);

  const shown = e.entities?.length ?? 0;
  if (!replay.allowed && shown > 0)
    differences.push(`outcome: the record shows ${shown} resource(s) shown, but the replay allows nothing`);
  else if (
    !replay.allowed &&
    e.outcome === 'success' &&
    (e.interaction === 'read' || e.interaction === 'vread')
  )
    differences.push(`outcome: the read was answered (${e.status ?? 200}), but the replay allows nothing`);
  // A permitted decision can still end in a refusal (a missing resource, a search narrowed to an
  // empty period or to no allowed section of its type): that is no contradiction.

  const role = e.actor?.role;
  const replayRole = replay.consentDecision.role;
  if (role !== undefined && engineRoleOf(role) !== replayRole)
    differences.push(`role: recorded '${role}', the replay decides as '${replayRole}'`);
  if (e.checks) {
    const careRelationship = replayRole !== 'none';
    const consent =
      replay.allowed && replay.basis.some((b) => b.kind === 'consent' && b.verdict === 'permit');
    if (e.checks.careRelationship !== careRelationship)
      differences.push(
        `care relationship check: recorded ${tf(e.checks.careRelationship)}, the replay ${tf(careRelationship)}`,
      );
    if (e.checks.consent !== consent)
      differences.push(`consent check: recorded ${tf(e.checks.consent)}, the replay ${tf(consent)}`);
  }
  return differences;
}

function multisetMinus(a: readonly string[], b: readonly string[]): string[] {
  const left = [...b];
  return a.filter((x) => {
    const i = left.indexOf(x);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

const API_INTERACTIONS = new Set([
  'capabilities',
  'read',
  'vread',
  'search',
  'history',
  'everything',
  'create',
  'update',
  'patch',
  'delete',
  'operation',
  'batch',
]);
const TYPE = /^[A-Z][A-Za-z]{1,63}$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * The request line step 8 recorded (src/fhir/pipeline.ts `requestLine`: `search Observation?category=…`,
 * `read Observation/x`, `search Patient/p/Observation?…`, `everything Patient/p/$everything`) back
 * as the request the consent engine was asked about, the way step 4 put it: `$everything` is a read,
 * a batch or the capabilities an operation, parameters only for a search. A text it cannot read is
 * returned as the reason.
 */
export function parseAuditedRequest(line: string, at: Date): AccessRequest | string {
  const space = line.indexOf(' ');
  const apiInteraction = space < 0 ? line : line.slice(0, space);
  if (!API_INTERACTIONS.has(apiInteraction)) return `unknown interaction '${apiInteraction.slice(0, 40)}'`;
  const rest = space < 0 ? '' : line.slice(space + 1);
  const question = rest.indexOf('?');
  const path = question < 0 ? rest : rest.slice(0, question);
  const query = question < 0 ? '' : rest.slice(question + 1);
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.at(-1)?.startsWith('$')) segments.pop();
  // The compartment form: Patient/<id>/<Type>…
  if (segments.length >= 3 && segments[0] === 'Patient' && TYPE.test(segments[2] ?? ''))
    segments.splice(0, 2);
  const [resourceType, second, third, fourth] = segments;
  if (resourceType !== undefined && !TYPE.test(resourceType))
    return `not a resource type: '${resourceType.slice(0, 64)}'`;
  const id = second === '_history' ? undefined : second;
  const versionId = second === '_history' ? undefined : third === '_history' ? fourth : undefined;
  if ((id !== undefined && !ID.test(id)) || (versionId !== undefined && !ID.test(versionId)))
    return `not a resource id: '${path.slice(0, 120)}'`;
  let parameters: SearchParameter[];
  try {
    parameters = query
      .split('&')
      .filter((p) => p !== '')
      .map((p) => {
        const eq = p.indexOf('=');
        const key = decodeURIComponent(eq < 0 ? p : p.slice(0, eq));
        return searchParameter(key, eq < 0 ? '' : decodeURIComponent(p.slice(eq + 1)));
      });
  } catch {
    return 'its parameters are not percent-encoded text';
  }
  const interaction: FhirInteraction =
    apiInteraction === 'everything'
      ? 'read'
      : apiInteraction === 'batch' || apiInteraction === 'capabilities'
        ? 'operation'
        : (apiInteraction as FhirInteraction);
  return {
    interaction,
    resourceType: resourceType ?? 'Bundle',
    ...(id === undefined ? {} : { id }),
    ...(versionId === undefined ? {} : { versionId }),
    parameters: apiInteraction === 'search' ? parameters : [],
    at,
  };
}

/** `inzage audit explain`: registers the command in the `inzage audit` group. */
export function registerAuditExplain(program: Command): void {
  commandGroup(
    program,
    'audit',
    'The audit trail (NEN 7513): verify, export, explain, breach reports, retention',
  )
    .command('explain')
    .description(
      'Show one audit record and replay its decision as it was made then (for security reviewers).',
    )
    .argument('<id>', 'the AuditEvent id (the record id, a UUID)')
    .addOption(configOption('configuration file (the database it names is read)'))
    .addHelpText(
      'after',
      `
Prints the record (when, who, role, on whose behalf, app, client, request, outcome, basis). For a
FHIR request it replays the consent decision for the same user, client and request at the moment
of the record, on the facts and Consents as they were recorded then (the resources' history, the
suspensions then), prints it in words, and says whether it AGREES with what was recorded or
DIFFERS (and how). Requests for Consent, Task and AuditEvent are decided by the FHIR API's own
rule, not the consent engine; they are shown, not replayed.

Exit codes: 0 AGREES and PERMIT, 1 AGREES and DENY, 2 not a known record id (or a broken preset),
3 the replay could not be made (for example the database cannot be opened), 4 DIFFERS,
5 shown without a replay (not a FHIR request, refused before the decision, or the gateway's own rule).`,
    )
    .action((id: string, opts: { config: string }) =>
      runReviewerCommand(opts.config, (config) => runAuditExplain(config, id)),
    );
}
