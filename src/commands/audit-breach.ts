import { runReviewerCommand } from './reviewer-command';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import {
  AuditTrail,
  auditKeyFromEnvironment,
  breachReport,
  type BreachActor,
  type BreachClient,
  type BreachReport,
  type BreachScope,
} from '../audit';
import {
  OutboxFileSender,
  accountById,
  linkById,
  linksOfAccount,
  linksOfPatient,
  type MessageSender,
} from '../auth';
import { dutchDate, parseMoment } from '../calendar';
import type { GatewayConfig, OrganisationConfig } from '../config';
import { createPolicyEngine, InvalidPreset, type PolicyEngine } from '../consent';
import { administratorRegistrationsOf } from '../ecd';
import { InvalidInput, isGatewayError } from '../errors';
import { standingOf } from '../fhir';
import type { Store } from '../store';
import { isPatientReference, type PatientReference } from '../vocabulary';
import { openConfiguredStore } from './open-store';
import { commandGroup, configOption } from './program';

export interface AuditBreachOptions {
  /** The suspect access token's `jti`. */
  token?: string;
  /** The suspect login account (`account-…`), or one of its links (`link-…`). */
  account?: string;
  /** The suspect app's SMART client id. */
  app?: string;
  /** ISO 8601 with an offset, or a date (the start of that day in Amsterdam). */
  from?: string;
  /** ISO 8601 with an offset, or a date (the start of that day in Amsterdam): up to, not including. */
  to?: string;
  json?: boolean;
  /** Write the notifications to the affected people. */
  notify?: boolean;
  /** The OutboxFileSender's file (each message a JSON line), as the demo's login pages use. */
  outbox?: string;
}

/** 0 = the report was made; 2 = the question cannot be asked (no scope, a bad moment, no sender). */
export interface AuditBreachOutcome {
  exitCode: 0 | 2;
  stdout: string;
  stderr: string;
}

/** Whom one notification goes to, and why. */
export interface BreachNotification {
  readonly account: string;
  readonly channel: 'email';
  /** The clients whose dossier this person reads (as the client, or on their behalf), that were touched. */
  readonly clients: readonly string[];
  /** Whether the person holds the suspect account. */
  readonly holder: boolean;
}

export interface BreachDependencies {
  /** Where the notifications go (the command: an OutboxFileSender of `--outbox`). */
  readonly sender?: MessageSender;
  /** The trail to record the report in (the command: a trail of its own on the same chain). */
  readonly trail?: AuditTrail;
  readonly now?: Date;
  /** Who made the report, for its record (the command: the operating-system user). */
  readonly reviewer?: string;
}

/** `inzage audit breach` on the configured database. */
export async function runAuditBreach(
  config: GatewayConfig,
  options: AuditBreachOptions,
): Promise<AuditBreachOutcome> {
  try {
    if (options.notify && !options.outbox)
      throw new InvalidInput('--notify needs --outbox <file>: the notifications are written there');
    const { store } = await openConfiguredStore(config);
    const trail = new AuditTrail(store, { key: auditKeyFromEnvironment(process.env) });
    try {
      const engine = createPolicyEngine(config.organisations, store, {
        administratorRegistrations: administratorRegistrationsOf,
      });
      return await reportBreach(store, engine, config.organisations, options, {
        trail,
        ...(options.outbox ? { sender: new OutboxFileSender(options.outbox) } : {}),
        reviewer: `os:${userInfo().username}`,
      });
    } finally {
      await trail.close();
      await store.close();
    }
  } catch (err) {
    if ((isGatewayError(err) && err.status === 400) || err instanceof InvalidPreset)
      return { exitCode: 2, stdout: '', stderr: `inzage: ${err.message}\n` };
    throw err;
  }
}

/**
 * The breach report (A-13) on an open store: the records of the scope by client, the notifications
 * written when asked (one per person: the client and whoever reads the dossier on the client's
 * behalf, and the holder of a suspect account), and the report itself recorded in the trail.
 */
export async function reportBreach(
  store: Store,
  engine: PolicyEngine,
  organisations: readonly OrganisationConfig[],
  options: AuditBreachOptions,
  deps: BreachDependencies = {},
): Promise<AuditBreachOutcome> {
  const now = deps.now ?? new Date();
  const scope = await scopeOf(store, options);
  if (options.notify && !deps.sender) throw new InvalidInput('--notify needs a sender: give --outbox <file>');
  const report = await breachReport(store, scope);
  const notifications = options.notify
    ? await notify(store, engine, organisations, report, deps.sender!, now)
    : [];
  const recorded = deps.trail
    ? await deps.trail.record({
        kind: 'breach-report',
        action: 'E',
        at: now,
        outcome: 'success',
        actor: { account: deps.reviewer ?? 'system', role: 'security-reviewer' },
        detail: {
          ...(scope.tokenId ? { token: scope.tokenId } : {}),
          ...(options.account ? { account: options.account } : {}),
          ...(scope.clientApp ? { app: scope.clientApp } : {}),
          ...(scope.from ? { from: scope.from.toISOString() } : {}),
          ...(scope.to ? { to: scope.to.toISOString() } : {}),
          events: report.events,
          requests: report.requests,
          clients: report.totals.touchedClients,
          accesses: report.totals.accesses,
          resources: report.totals.resources,
          notified: notifications.length,
        },
      })
    : undefined;
  const stdout = options.json
    ? `${JSON.stringify({ ...report, notifications, ...(recorded ? { auditEvent: recorded.id } : {}) }, null, 2)}\n`
    : formatReport(report, options, notifications, recorded?.id);
  return { exitCode: 0, stdout, stderr: '' };
}

async function scopeOf(store: Store, options: AuditBreachOptions): Promise<BreachScope> {
  const moment = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    try {
      return parseMoment(text);
    } catch (err) {
      throw new InvalidInput(`--${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const from = moment('from', options.from);
  const to = moment('to', options.to);
  if (from && to && from >= to) throw new InvalidInput('--from must be before --to');
  const scope: BreachScope = {
    ...(options.token ? { tokenId: options.token.trim() } : {}),
    ...(options.account ? { accountIds: await accountIdsOf(store, options.account.trim()) } : {}),
    ...(options.app ? { clientApp: options.app.trim() } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
  if (Object.keys(scope).length === 0)
    throw new InvalidInput('give --token, --account, --app and/or --from/--to: the report needs a scope');
  return scope;
}

/** The ids the records may name an account by: the account and every link it has or had. */
async function accountIdsOf(store: Store, id: string): Promise<string[]> {
  const account = (await accountById(store, id))?.id ?? (await linkById(store, id))?.account.id;
  if (account === undefined) return [id];
  const links = await linksOfAccount(store, account, true);
  return [...new Set([id, account, ...links.map((l) => l.id)])];
}

/** The login account behind an id the records use (a link's or an account's), if any. */
async function holderOf(store: Store, id: string): Promise<string | undefined> {
  return (await accountById(store, id))?.id ?? (await linkById(store, id))?.account.id;
}

interface Addressee {
  clients: Set<string>;
  organisations: Set<string>;
  holder: boolean;
}

/**
 * One message per person affected: the client's own account and the client's stewards (the
 * portal administrator, a legal representative: whoever reads and grants on the client's behalf,
 * as the FHIR API's own rule counts them) for every client touched; and, for a suspect token or
 * account, the holder of that account. Through the sender the login pages' codes go through.
 */
async function notify(
  store: Store,
  engine: PolicyEngine,
  organisations: readonly OrganisationConfig[],
  report: BreachReport,
  sender: MessageSender,
  now: Date,
): Promise<BreachNotification[]> {
  const to = new Map<string, Addressee>();
  const addressee = (account: string): Addressee => {
    let a = to.get(account);
    if (!a) to.set(account, (a = { clients: new Set(), organisations: new Set(), holder: false }));
    return a;
  };
  for (const client of report.clients) {
    if (!client.touched || !isPatientReference(client.patient)) continue;
    const patient: PatientReference = client.patient;
    const facts = await engine.facts(patient);
    for (const link of await linksOfPatient(store, patient)) {
      const own = link.person === patient;
      const steward =
        standingOf(engine.decideWith(facts, { principal: link.person, patient, at: now })) === 'steward';
      if (!own && !steward) continue;
      const a = addressee(link.accountId);
      a.clients.add(patient);
      a.organisations.add(link.organisationId);
    }
  }
  const suspect = report.scope.tokenId !== undefined || report.scope.accountIds !== undefined;
  if (suspect) {
    const ids = new Set([...report.accounts, ...(report.scope.accountIds ?? [])]);
    for (const id of ids) {
      const holder = await holderOf(store, id);
      if (holder === undefined) continue;
      const a = addressee(holder);
      a.holder = true;
      for (const link of await linksOfAccount(store, holder, true)) a.organisations.add(link.organisationId);
    }
  }
  const touched = report.clients.filter((c) => c.touched);
  const sent: BreachNotification[] = [];
  for (const [accountId, a] of [...to.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    const account = await accountById(store, accountId);
    if (!account) continue;
    const names = [...a.organisations]
      .map((id) => organisations.find((o) => o.id === id)?.name ?? id)
      .sort()
      .join(' / ');
    const concerning = touched.filter((c) => a.clients.has(c.patient));
    await sender.send(
      { channel: 'email', address: account.email },
      messageText(concerning, a.holder ? report : undefined, names || 'uw zorgorganisatie'),
    );
    sent.push({ account: accountId, channel: 'email', clients: [...a.clients].sort(), holder: a.holder });
  }
  return sent;
}

/** When, as the message says it: one Dutch day, or from one to another. */
function period(moments: readonly Date[]): { nl: string; en: string } {
  const days = moments.map((m) => dutchDate(m)).sort();
  const first = days[0] ?? '';
  const last = days.at(-1) ?? first;
  return first === last
    ? { nl: `op ${first}`, en: `on ${first}` }
    : { nl: `tussen ${first} en ${last}`, en: `between ${first} and ${last}` };
}

/**
 * The notification, in Dutch with one English line. It names no client and no data (an e-mail
 * travels further than the portal): it says what happened, when, how often, and where to look.
 */
function messageText(
  clients: readonly BreachClient[],
  holderOf: BreachReport | undefined,
  organisation: string,
): string {
  const parts: string[] = [];
  const english: string[] = [];
  if (clients.length > 0) {
    const accesses = clients.flatMap((c) => c.accesses);
    const when = period(accesses.map((x) => x.at));
    const dossiers = clients.length === 1 ? 'een dossier' : `${clients.length} dossiers`;
    parts.push(
      `Inzage: gegevens uit ${dossiers} waartoe u toegang heeft, zijn ${when.nl} mogelijk door een onbevoegde ingezien ` +
        `(${accesses.length} keer). Kijk in het portaal bij "Wie heeft mijn dossier ingezien" welke gegevens het waren.`,
    );
    english.push(
      `data in ${clients.length === 1 ? 'a dossier' : `${clients.length} dossiers`} you have access to may have been viewed without authorisation ${when.en} (${accesses.length} times)`,
    );
  }
  if (holderOf) {
    const accesses = holderOf.clients.flatMap((c) => c.accesses);
    const when = period(accesses.length > 0 ? accesses.map((x) => x.at) : []);
    parts.push(
      `Uw account is mogelijk door een ander gebruikt${accesses.length > 0 ? ` (${when.nl}, ${accesses.length} keer gegevens ingezien)` : ''}. ` +
        'Wijzig uw wachtwoord en controleer uw tweede inlogstap.',
    );
    english.push('your account may have been used by someone else: change your password');
  }
  parts.push(`Vragen? Neem contact op met ${organisation}.`);
  return `${parts.join(' ')}\nEnglish: ${english.join('; ')}. Questions: contact ${organisation}.`;
}

function actorText(a: BreachActor): string {
  return [
    a.person ?? '(no user)',
    a.name ? `"${a.name}"` : undefined,
    a.role ? `(${a.role})` : undefined,
    a.clientApp ? `via ${a.clientApp}` : undefined,
    a.account ? `account ${a.account}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
}

function scopeText(scope: BreachScope, options: AuditBreachOptions): string {
  return (
    [
      scope.tokenId ? `token ${scope.tokenId}` : undefined,
      options.account ? `account ${options.account}` : undefined,
      scope.clientApp ? `app ${scope.clientApp}` : undefined,
      scope.from ? `from ${scope.from.toISOString()}` : undefined,
      scope.to ? `to ${scope.to.toISOString()}` : undefined,
    ]
      .filter(Boolean)
      .join(', ') || '(none)'
  );
}

function formatReport(
  report: BreachReport,
  options: AuditBreachOptions,
  notifications: readonly BreachNotification[],
  auditEvent: string | undefined,
): string {
  const lines = [`Breach report (A-13): ${scopeText(report.scope, options)}`];
  if (report.events === 0) lines.push('  nothing in this scope: no records');
  else {
    const kinds = Object.entries(report.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    lines.push(
      `  ${report.events} record(s) in scope (${kinds}); ${report.requests} FHIR request(s)`,
      `  ${report.totals.touchedClients} client(s) touched: ${report.totals.accesses} request(s) showed ${report.totals.resources} resource(s)`,
    );
  }
  for (const c of report.clients) {
    lines.push('');
    lines.push(
      c.touched
        ? `${c.patient}  touched: ${c.accesses.length} request(s) showed ${c.resources.length} resource(s)` +
            (c.withoutData > 0 ? `; ${c.withoutData} showed nothing` : '')
        : `${c.patient}  not touched: ${c.withoutData} request(s), none showed anything`,
    );
    for (const a of c.actors) lines.push(`  by ${actorText(a)}`);
    for (const x of c.accesses)
      lines.push(
        `  ${x.at.toISOString()}  AuditEvent/${x.auditEvent}  ${x.query ?? x.interaction ?? ''}  → ${x.entities.join(', ')}`,
      );
    if (c.resources.length > 0) lines.push(`  resources  ${c.resources.join(', ')}`);
  }
  if (options.notify) {
    lines.push('');
    const holders = notifications.filter((n) => n.holder).length;
    lines.push(
      `Notifications: ${notifications.length} written${options.outbox ? ` to ${options.outbox}` : ''} ` +
        `(${notifications.length - holders} to clients and their stewards only, ${holders} to the holder of the suspect account)`,
    );
    for (const n of notifications)
      lines.push(
        `  ${n.account}: ${[n.holder ? 'holder of the suspect account' : undefined, n.clients.length > 0 ? `for ${n.clients.join(', ')}` : undefined].filter(Boolean).join('; ')}`,
      );
  }
  if (auditEvent) lines.push('', `Recorded as AuditEvent/${auditEvent} (breach-report)`);
  return `${lines.join('\n')}\n`;
}

/** `inzage audit breach`: registers the command in the `inzage audit` group. */
export function registerAuditBreach(program: Command): void {
  commandGroup(
    program,
    'audit',
    'The audit trail (NEN 7513): verify, export, explain, breach reports, retention',
  )
    .command('breach')
    .description(
      'Breach report (A-13): which clients and records a token, account, app or time window touched, and by whom.',
    )
    .addOption(configOption('configuration file (the database it names is read)'))
    .option('--token <jti>', "the suspect access token's id (jti)")
    .option('--account <id>', 'the suspect login account (account-…) or one of its links (link-…)')
    .option('--app <client-id>', "the suspect app's SMART client id")
    .option('--from <moment>', 'from this moment: ISO 8601 with an offset, or a date (Amsterdam)')
    .option('--to <moment>', 'up to this moment (not including): ISO 8601 with an offset, or a date')
    .option('--json', 'print the report as JSON')
    .option('--notify', 'write the notifications to the affected people (needs --outbox)')
    .option('--outbox <file>', 'append each notification as a JSON line to this file (the demo sender)')
    .addHelpText(
      'after',
      `
Every condition given must hold. Lists, per client, the requests that showed resources (AuditEvent,
when, who in which role through which app, what, the resource ids) and the requests that showed
nothing. With --notify, one message per person (Dutch, with an English line): the client and the
client's stewards (the portal administrator, a legal representative) for every client touched, and
for --token or --account the holder of that account. The report itself is recorded in the audit
trail (kind breach-report, with its counts).

Exit codes: 0 the report was made, 2 the question cannot be asked (no scope, a bad moment,
--notify without --outbox), 3 it could not be made (for example the database cannot be opened).`,
    )
    .action((opts: AuditBreachOptions & { config: string }) =>
      runReviewerCommand(opts.config, (config) => runAuditBreach(config, opts)),
    );
}
