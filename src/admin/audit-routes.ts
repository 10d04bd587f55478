import type { Bundle, BundleLink } from '@medplum/fhirtypes';
import { Router, type Request, type Response } from 'express';
import {
  AUDIT_EVENT_KINDS,
  auditRecordById,
  countAuditRecords,
  findAuditRecords,
  toAuditEvent,
  verifyChain,
  writeAuditExport,
  type AuditEntry,
  type AuditEventKind,
  type AuditQuery,
  type AuditTrail,
} from '../audit';
import type { AccessTokenVerifier } from '../auth';
import { parseMoment } from '../calendar';
import { InvalidInput, NotFound, TooManyAttempts, isGatewayError } from '../errors';
import { FailureLimit, contextOf } from '../http';
import type { Store } from '../store';
import { adminCaller, authoriseAuditReader, type AuditReaderCaller } from './access';

export interface AdminApiDependencies {
  readonly store: Store;
  /** Every admin read is itself recorded here, before it is answered. */
  readonly trail: AuditTrail;
  /** The authorization server's verifier of our access tokens. */
  readonly tokens: AccessTokenVerifier;
  /** The gateway's public URL, for the Bundle's links. */
  readonly publicUrl: string;
  /** INZAGE_AUDIT_KEY, for /admin/audit/verify. */
  readonly auditKey?: Buffer;
  /** Refused authentications per address before a pause (default 10 a minute). */
  readonly maxFailures?: number;
  readonly failureWindowMs?: number;
}

export interface AdminApi {
  readonly router: Router;
}

const PREFIX = '/admin/audit';
const DEFAULT_COUNT = 100;
const MAX_COUNT = 1000;
const MAX_PAGE = 100_000;
const SEARCH_PARAMETERS = ['patient', 'from', 'to', 'account', 'app', 'token', 'kind', '_count', 'page'];
const EXPORT_PARAMETERS = ['from', 'to', 'patient'];
const PATIENT = /^(?:Patient\/)?([A-Za-z0-9.-]{1,64})$/;

/**
 * The audit trail for staff and reviewers, under /admin/audit: search and read (FHIR AuditEvents,
 * reviewer view), the NDJSON export of a range, and the chain check. Authorised by a Backend
 * Services token with system/AuditEvent.rs (see access.ts); every request, answered or refused, is
 * recorded in the trail (kind 'admin') before its answer leaves.
 */
export function createAdminApi(deps: AdminApiDependencies): AdminApi {
  const router = Router();
  const base = deps.publicUrl.replace(/\/+$/, '');
  const brake = new FailureLimit(deps.maxFailures ?? 10, deps.failureWindowMs ?? 60_000);

  router.get(`${PREFIX}/AuditEvent`, async (req, res) => {
    await answer(deps, brake, req, res, 'search', async (_caller, note) => {
      const params = strictParams(req, SEARCH_PARAMETERS);
      const query = searchQueryOf(params);
      note.query = normalisedLine(`${PREFIX}/AuditEvent`, params);
      if (query.patientId !== undefined) note.patient = `Patient/${query.patientId}`;
      const count = integerParam(params, '_count', 1, MAX_COUNT) ?? DEFAULT_COUNT;
      const page = integerParam(params, 'page', 1, MAX_PAGE) ?? 1;
      const [total, records] = await Promise.all([
        countAuditRecords(deps.store, query),
        findAuditRecords(deps.store, { ...query, limit: count, offset: (page - 1) * count }),
      ]);
      note.entities = records.map((r) => `AuditEvent/${r.id}`);
      const link = (p: number) => {
        const q = new URLSearchParams(params.filter(([name]) => name !== 'page' && name !== '_count'));
        q.set('_count', String(count));
        q.set('page', String(p));
        return `${base}${PREFIX}/AuditEvent?${q.toString()}`;
      };
      const links: BundleLink[] = [{ relation: 'self', url: link(page) }];
      if (page * count < total) links.push({ relation: 'next', url: link(page + 1) });
      if (page > 1) links.push({ relation: 'previous', url: link(page - 1) });
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        total,
        link: links,
        entry: records.map((record) => ({
          fullUrl: `${base}${PREFIX}/AuditEvent/${record.id}`,
          resource: toAuditEvent(record, 'reviewer'),
          search: { mode: 'match' },
        })),
      };
      return () => res.type('application/fhir+json').json(bundle);
    });
  });

  router.get(`${PREFIX}/AuditEvent/:id`, async (req, res) => {
    await answer(deps, brake, req, res, 'read', async (_caller, note) => {
      strictParams(req, []);
      const id = String(req.params.id);
      note.query = `GET ${PREFIX}/AuditEvent/${id.slice(0, 64)}`;
      const record = await auditRecordById(deps.store, id);
      if (!record) throw new NotFound(`no AuditEvent ${id.slice(0, 64)}`, { code: 'ERR_NOT_FOUND' });
      note.entities = [`AuditEvent/${record.id}`];
      if (record.entry.patient !== undefined) note.patient = record.entry.patient;
      const event = toAuditEvent(record, 'reviewer');
      return () => res.type('application/fhir+json').json(event);
    });
  });

  router.get(`${PREFIX}/export`, async (req, res) => {
    await answer(deps, brake, req, res, 'export', async (_caller, note) => {
      const params = strictParams(req, EXPORT_PARAMETERS);
      note.query = normalisedLine(`${PREFIX}/export`, params);
      const query = searchQueryOf(params);
      if (query.from === undefined || query.to === undefined)
        throw new InvalidInput('an export needs from and to', { code: 'ERR_ADMIN_QUERY' });
      if (query.patientId !== undefined) note.patient = `Patient/${query.patientId}`;
      const { from, to } = query;
      return async () => {
        res.status(200).type('application/fhir+ndjson');
        res.flushHeaders();
        await writeAuditExport(deps.store, { from, to, patientId: query.patientId }, res);
        res.end();
      };
    });
  });

  router.get(`${PREFIX}/verify`, async (req, res) => {
    await answer(deps, brake, req, res, 'verify', async (_caller, note) => {
      strictParams(req, []);
      note.query = `GET ${PREFIX}/verify`;
      const report = await verifyChain(deps.store, { key: deps.auditKey });
      note.detail = { ok: report.ok, checked: report.checked, headSeq: report.headSeq };
      return () => res.json(report);
    });
  });

  return { router };
}

/** What the handler learnt for the record of the request. */
interface Note {
  query?: string;
  patient?: string;
  entities?: string[];
  detail?: Record<string, string | number | boolean>;
}

/**
 * Authorises, runs the handler, records the request (answered or refused) and only then answers:
 * the handler returns the answer as a function, which runs after the record is committed.
 */
async function answer(
  deps: AdminApiDependencies,
  brake: FailureLimit,
  req: Request,
  res: Response,
  interaction: string,
  handle: (caller: AuditReaderCaller, note: Note) => Promise<() => unknown>,
): Promise<void> {
  const at = new Date();
  const note: Note = {};
  let caller: AuditReaderCaller | undefined;
  let authorised = false;
  let send: () => unknown;
  res.set('Cache-Control', 'no-store');
  // A brake on guessing tokens, per address. Its refusals are not recorded one by one (the refusal
  // that engaged it was), so that anonymous requests cannot flood the trail.
  const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  const wait = brake.retryAfter(address);
  if (wait > 0) throw new TooManyAttempts(wait, { detail: `admin API, address ${address}` });
  try {
    try {
      caller = await adminCaller(deps.tokens, req);
    } catch (err) {
      if (isGatewayError(err) && err.status === 401) brake.fail(address);
      throw err;
    }
    authoriseAuditReader(caller);
    authorised = true;
    send = await handle(caller, note);
  } catch (err) {
    const status = isGatewayError(err) ? err.status : 500;
    await deps.trail.record(
      entryOf(req, at, interaction, caller, authorised, note, {
        outcome: status < 500 ? 'refused' : 'failed',
        status,
        outcomeText: isGatewayError(err) ? err.code : 'ERR_INTERNAL',
      }),
    );
    throw err;
  }
  await deps.trail.record(
    entryOf(req, at, interaction, caller, authorised, note, { outcome: 'success', status: 200 }),
  );
  await send();
}

function entryOf(
  req: Request,
  at: Date,
  interaction: string,
  caller: AuditReaderCaller | undefined,
  authorised: boolean,
  note: Note,
  result: Pick<AuditEntry, 'outcome' | 'status' | 'outcomeText'>,
): AuditEntry {
  const address = req.ip ?? req.socket.remoteAddress;
  return {
    kind: 'admin',
    action: interaction === 'verify' ? 'E' : 'R',
    at,
    ...result,
    requestId: contextOf(req).id,
    actor: {
      ...(caller ? { account: caller.clientId } : {}),
      // The role the request was granted in; a refused caller had none.
      ...(authorised ? { role: 'reviewer' } : {}),
      ...(address !== undefined ? { address } : {}),
    },
    ...(caller ? { clientApp: caller.clientId } : {}),
    ...(caller?.tokenId !== undefined ? { tokenId: caller.tokenId } : {}),
    ...(note.patient !== undefined ? { patient: note.patient } : {}),
    interaction,
    query: note.query ?? `GET ${req.path.slice(0, 200)}`,
    ...(note.entities && note.entities.length > 0 ? { entities: note.entities } : {}),
    ...(note.detail ? { detail: note.detail } : {}),
  };
}

/** The query's parameters, each known and given once; anything else is refused (400). */
function strictParams(req: Request, known: readonly string[]): [string, string][] {
  const url = req.originalUrl || req.url;
  const params = [...new URL(url, 'http://gateway.invalid').searchParams.entries()];
  const seen = new Set<string>();
  for (const [name] of params) {
    if (!known.includes(name))
      throw new InvalidInput(
        `unknown query parameter ${JSON.stringify(name.slice(0, 40))}` +
          (known.length > 0 ? `; this takes ${known.join(', ')}` : '; this takes none'),
        { code: 'ERR_ADMIN_QUERY' },
      );
    if (seen.has(name))
      throw new InvalidInput(`query parameter ${name} is given more than once`, { code: 'ERR_ADMIN_QUERY' });
    seen.add(name);
  }
  return params;
}

function searchQueryOf(params: readonly [string, string][]): AuditQuery {
  const get = (name: string) => params.find(([n]) => n === name)?.[1];
  const text = (name: string) => {
    const value = get(name);
    if (value === undefined) return undefined;
    if (value === '' || value.length > 256)
      throw new InvalidInput(`${name} must be 1 to 256 characters`, { code: 'ERR_ADMIN_QUERY' });
    return value;
  };
  const moment = (name: string) => {
    const value = get(name);
    if (value === undefined) return undefined;
    try {
      return parseMoment(value);
    } catch (err) {
      throw new InvalidInput(`${name}: ${err instanceof Error ? err.message : String(err)}`, {
        code: 'ERR_ADMIN_QUERY',
      });
    }
  };
  const patient = get('patient');
  const patientMatch = patient === undefined ? undefined : PATIENT.exec(patient);
  if (patient !== undefined && !patientMatch)
    throw new InvalidInput('patient must be Patient/<id>', { code: 'ERR_ADMIN_QUERY' });
  const kind = get('kind');
  const kinds = kind?.split(',');
  const unknownKind = kinds?.find((k) => !(AUDIT_EVENT_KINDS as readonly string[]).includes(k));
  if (unknownKind !== undefined)
    throw new InvalidInput(
      `kind ${JSON.stringify(unknownKind.slice(0, 40))} is not one of ${AUDIT_EVENT_KINDS.join(', ')}`,
      { code: 'ERR_ADMIN_QUERY' },
    );
  const from = moment('from');
  const to = moment('to');
  if (from && to && to.getTime() <= from.getTime())
    throw new InvalidInput('to must be later than from', { code: 'ERR_ADMIN_QUERY' });
  const account = text('account');
  const app = text('app');
  const token = text('token');
  return {
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(patientMatch ? { patientId: patientMatch[1]! } : {}),
    ...(account !== undefined ? { accountId: account } : {}),
    ...(app !== undefined ? { clientApp: app } : {}),
    ...(token !== undefined ? { tokenId: token } : {}),
    ...(kinds ? { kinds: kinds as AuditEventKind[] } : {}),
  };
}

function integerParam(
  params: readonly [string, string][],
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = params.find(([n]) => n === name)?.[1];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d{1,7}$/.test(value) || n < min || n > max)
    throw new InvalidInput(`${name} must be a whole number from ${min} to ${max}`, {
      code: 'ERR_ADMIN_QUERY',
    });
  return n;
}

/** The request line as recorded: known parameters only (they were checked), in a fixed order. */
function normalisedLine(path: string, params: readonly [string, string][]): string {
  const sorted = [...params].sort(([a], [b]) => a.localeCompare(b));
  const q = new URLSearchParams(sorted.map(([n, v]): [string, string] => [n, v.slice(0, 256)]));
  const text = q.toString();
  return `GET ${path}${text ? `?${text}` : ''}`;
}
