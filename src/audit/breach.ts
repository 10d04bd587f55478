import { InvalidInput } from '../errors';
import type { Queryable } from '../store';
import type { AuditOutcome, AuditRecord } from './entry';
import { RECORD_COLUMNS, recordFromRow, type AuditRow } from './rows';

/**
 * The queries of a breach report (A-13): for a suspect token, account or app, or a time window,
 * which clients' dossiers were touched, which records (resource ids, by AuditEvent) and by whom.
 * Whom to notify is the command's to work out (it needs the accounts of the auth module).
 */

/** What the report is about; every condition given must hold (at least one is needed). */
export interface BreachScope {
  /** The access token's `jti`. */
  readonly tokenId?: string;
  /**
   * The accounts to look for, as the records name them: a login account id and the ids of its links
   * (a token's subject, and so a FHIR request's account, is the link it was issued for).
   */
  readonly accountIds?: readonly string[];
  /** The SMART client id of the app. */
  readonly clientApp?: string;
  /** `recorded` at or after. */
  readonly from?: Date;
  /** `recorded` before. */
  readonly to?: Date;
}

/** Who acted in one record. */
export interface BreachActor {
  readonly account?: string;
  readonly person?: string;
  readonly name?: string;
  readonly role?: string;
  readonly clientApp?: string;
}

/** One request that showed (or, cut off, began to show) resources of a client. */
export interface BreachAccess {
  /** The AuditEvent id. */
  readonly auditEvent: string;
  readonly at: Date;
  readonly actor: BreachActor;
  readonly tokenId?: string;
  readonly interaction?: string;
  readonly query?: string;
  readonly outcome: AuditOutcome;
  /** `Type/id` of each resource shown. */
  readonly entities: readonly string[];
}

/** One client whose dossier was asked for in the scope. */
export interface BreachClient {
  /** `Patient/<gateway id>`. */
  readonly patient: string;
  /** Whether anything of the dossier was shown (false: every request was refused or showed nothing). */
  readonly touched: boolean;
  /** The requests that showed resources, in chain order. */
  readonly accesses: readonly BreachAccess[];
  /** The distinct resources shown, sorted. */
  readonly resources: readonly string[];
  /** The distinct users (person, role, app, account) who asked, in order of first appearance. */
  readonly actors: readonly BreachActor[];
  /** Requests for this client that showed nothing (refused, or an empty answer). */
  readonly withoutData: number;
}

export interface BreachReport {
  readonly scope: BreachScope;
  /** Every record in the scope, of any kind (breach reports themselves left out). */
  readonly events: number;
  /** Those records by kind. */
  readonly byKind: Readonly<Record<string, number>>;
  /** The FHIR requests among them. */
  readonly requests: number;
  /** The clients asked for, touched ones first, then by reference. */
  readonly clients: readonly BreachClient[];
  /** The distinct accounts that acted in the scope (as the records name them: links or accounts). */
  readonly accounts: readonly string[];
  /** How many requests showed resources, and how many distinct resources (per client) were shown. */
  readonly totals: { readonly accesses: number; readonly resources: number; readonly touchedClients: number };
}

/** At most this many records are read for one report; a larger scope is refused, to be narrowed. */
export const BREACH_RECORD_LIMIT = 200_000;

/** The report for a scope: every record that matches, grouped by client. */
export async function breachReport(q: Queryable, scope: BreachScope): Promise<BreachReport> {
  const records = await breachRecords(q, scope);
  const byKind: Record<string, number> = {};
  const clients = new Map<
    string,
    {
      accesses: BreachAccess[];
      resources: Set<string>;
      actors: Map<string, BreachActor>;
      withoutData: number;
    }
  >();
  const accounts = new Set<string>();
  let requests = 0;
  for (const record of records) {
    const e = record.entry;
    byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
    if (e.actor?.account) accounts.add(e.actor.account);
    if (e.kind !== 'fhir-request') continue;
    requests += 1;
    if (!e.patient) continue;
    let client = clients.get(e.patient);
    if (!client) {
      client = { accesses: [], resources: new Set(), actors: new Map(), withoutData: 0 };
      clients.set(e.patient, client);
    }
    const actor: BreachActor = {
      ...(e.actor?.account ? { account: e.actor.account } : {}),
      ...(e.actor?.person ? { person: e.actor.person } : {}),
      ...(e.actor?.name ? { name: e.actor.name } : {}),
      ...(e.actor?.role ? { role: e.actor.role } : {}),
      ...(e.clientApp ? { clientApp: e.clientApp } : {}),
    };
    const key = [actor.account, actor.person, actor.role, actor.clientApp].join('\u0000');
    if (!client.actors.has(key)) client.actors.set(key, actor);
    // A streamed answer cut off by a failure still showed what it sent: any entity counts, whatever the outcome.
    const entities = e.entities ?? [];
    if (entities.length === 0) {
      client.withoutData += 1;
      continue;
    }
    for (const entity of entities) client.resources.add(entity);
    client.accesses.push({
      auditEvent: record.id,
      at: e.at,
      actor,
      ...(e.tokenId ? { tokenId: e.tokenId } : {}),
      ...(e.interaction ? { interaction: e.interaction } : {}),
      ...(e.query ? { query: e.query } : {}),
      outcome: e.outcome,
      entities,
    });
  }
  const listed: BreachClient[] = [...clients.entries()]
    .map(([patient, c]) => ({
      patient,
      touched: c.accesses.length > 0,
      accesses: c.accesses,
      resources: [...c.resources].sort(),
      actors: [...c.actors.values()],
      withoutData: c.withoutData,
    }))
    .sort((a, b) => Number(b.touched) - Number(a.touched) || a.patient.localeCompare(b.patient));
  return {
    scope,
    events: records.length,
    byKind,
    requests,
    clients: listed,
    accounts: [...accounts].sort(),
    totals: {
      accesses: listed.reduce((n, c) => n + c.accesses.length, 0),
      resources: listed.reduce((n, c) => n + c.resources.length, 0),
      touchedClients: listed.filter((c) => c.touched).length,
    },
  };
}

/** The records of a scope in chain order, breach reports themselves left out. */
export async function breachRecords(q: Queryable, scope: BreachScope): Promise<AuditRecord[]> {
  const where: string[] = ["kind <> 'breach-report'"];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (scope.tokenId !== undefined) add('token_id = ?', scope.tokenId);
  if (scope.accountIds !== undefined) add('account_id = ANY(?::text[])', textArray(scope.accountIds));
  if (scope.clientApp !== undefined) add('client_app = ?', scope.clientApp);
  if (scope.from) add('recorded >= ?', scope.from.toISOString());
  if (scope.to) add('recorded < ?', scope.to.toISOString());
  if (params.length === 0)
    throw new InvalidInput('a breach report needs a token, an account, an app or a time window', {
      code: 'ERR_BREACH_SCOPE',
    });
  if (scope.accountIds !== undefined && scope.accountIds.length === 0)
    throw new InvalidInput('a breach report for an account needs at least one account id', {
      code: 'ERR_BREACH_SCOPE',
    });
  const rows = await q.query<AuditRow>(
    `SELECT ${RECORD_COLUMNS} FROM audit_event WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ${BREACH_RECORD_LIMIT + 1}`,
    params,
  );
  if (rows.length > BREACH_RECORD_LIMIT)
    throw new InvalidInput(
      `more than ${BREACH_RECORD_LIMIT} records in this scope: narrow it (a shorter window, or a token, account or app)`,
      { code: 'ERR_BREACH_SCOPE_TOO_LARGE' },
    );
  return rows.map(recordFromRow);
}

/** A PostgreSQL text[] literal, each element quoted (the drivers take the literal, not a JS array). */
function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
