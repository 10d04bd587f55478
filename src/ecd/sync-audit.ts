import type { AuditEntry, AuditTrail } from '../audit';
import type { ConsentChange } from '../consent';
import { isGatewayError } from '../errors';
import { patientReference } from '../vocabulary';
import type { ChangeOrigin } from './change-audit';

/**
 * The audit records of an ECD sync (NEN 7513, issue 11): one 'ecd-sync' record of each run, applied,
 * dry or refused; and, for an applied run, one 'consent-change' record for each client whose
 * Consents it changed, so that the client's own log shows that their permissions changed through
 * the ECD. An applied run writes them inside its transaction: no sync without its records.
 */

/** The part of the audit trail a sync writes to. */
export type EcdAuditTrail = Pick<AuditTrail, 'record' | 'recordAllIn'>;

/** Who syncs: the ECD's backend client (a push), or whoever ran `inzage ecd import`. */
export interface EcdSyncOrigin extends ChangeOrigin {
  readonly via: 'push' | 'file';
}

/** What an import hands the trail; the push route and `inzage ecd import` always give one. */
export interface EcdSyncAudit {
  readonly trail: EcdAuditTrail;
  readonly origin: EcdSyncOrigin;
}

/** What a run did, as far as the trail needs it (ImportResult is one). */
export interface SyncSummary {
  readonly organisationId: string;
  readonly dryRun: boolean;
  readonly records: number;
  readonly counts: {
    readonly [kind: string]: {
      readonly created: number;
      readonly updated: number;
      readonly ended: number;
      readonly unchanged: number;
    };
  };
  readonly importId?: string;
}

/** The record of a run that was applied, or checked as a dry run. */
export function ecdSyncEntry(
  origin: EcdSyncOrigin,
  at: Date,
  source: string,
  summary: SyncSummary,
): AuditEntry {
  const detail: Record<string, string | number | boolean> = {
    organisation: summary.organisationId,
    source,
    dryRun: summary.dryRun,
    records: summary.records,
  };
  if (summary.importId) detail.importId = summary.importId;
  for (const [kind, counts] of Object.entries(summary.counts))
    for (const [what, n] of Object.entries(counts)) if (n > 0) detail[`${kind}.${what}`] = n;
  return {
    ...common(origin, at, summary.organisationId),
    outcome: 'success',
    ...(origin.via === 'push' ? { status: 200 } : {}),
    query: `${origin.via === 'push' ? 'POST /ecd/sync' : 'ecd import'}${summary.dryRun ? ' dryRun' : ''}`,
    detail,
  };
}

/**
 * The record of a run that was refused (401, 403, 413, 415, 422, 429: nothing applied) or failed (an
 * error: nothing applied either, the transaction rolled back).
 */
export function ecdSyncRefusalEntry(
  origin: EcdSyncOrigin,
  at: Date,
  err: unknown,
  facts: {
    /** The organisation the pusher authenticated as, or the file's. */
    organisationId?: string;
    /** The organisation a push named in its query, before (or without) authenticating. */
    named?: string;
    source?: string;
    dryRun?: boolean;
    problems?: number;
  } = {},
): AuditEntry {
  const status = isGatewayError(err) ? err.status : 500;
  const code = isGatewayError(err) ? err.code : 'ERR_INTERNAL';
  const detail: Record<string, string | number | boolean> = {};
  if (facts.organisationId) detail.organisation = facts.organisationId;
  else if (facts.named) detail.named = facts.named;
  if (facts.source) detail.source = facts.source;
  if (facts.dryRun !== undefined) detail.dryRun = facts.dryRun;
  if (facts.problems !== undefined) detail.problems = facts.problems;
  return {
    ...common(origin, at, facts.organisationId),
    outcome: status >= 500 ? 'failed' : 'refused',
    outcomeText: code,
    ...(origin.via === 'push' ? { status } : {}),
    query: `${origin.via === 'push' ? 'POST /ecd/sync' : 'ecd import'}${facts.dryRun ? ' dryRun' : ''}`,
    ...(Object.keys(detail).length > 0 ? { detail } : {}),
  };
}

/**
 * The record of one client whose Consents the sync changed: every Consent version it wrote, and how
 * many were granted, replaced and withdrawn. C when all were new, D when all ended, U otherwise.
 */
export function ecdClientConsentEntry(
  origin: EcdSyncOrigin,
  patientId: string,
  changes: readonly ConsentChange[],
  importId: string,
): AuditEntry {
  const count = (kind: ConsentChange['kind']) => changes.filter((c) => c.kind === kind).length;
  const granted = count('grant');
  const withdrawn = count('withdrawal');
  const first = changes[0]!;
  return {
    ...common(origin, first.at, first.organisationId),
    kind: 'consent-change',
    action: granted === changes.length ? 'C' : withdrawn === changes.length ? 'D' : 'U',
    outcome: 'success',
    patient: patientReference(patientId),
    interaction: 'ecd-sync',
    entities: changes.flatMap((c) =>
      c.consent ? [`Consent/${c.consent.id}/_history/${c.consent.versionId}`] : [],
    ),
    detail: {
      change: 'ecd-sync',
      organisation: first.organisationId,
      importId,
      granted,
      replaced: count('replacement'),
      withdrawn,
    },
  };
}

function common(
  origin: EcdSyncOrigin,
  at: Date,
  organisationId: string | undefined,
): Pick<
  AuditEntry,
  'kind' | 'action' | 'at' | 'requestId' | 'actor' | 'clientApp' | 'tokenId' | 'interaction'
> {
  const account = origin.account ?? origin.clientApp;
  return {
    kind: 'ecd-sync',
    action: 'E',
    at,
    ...(origin.requestId ? { requestId: origin.requestId } : {}),
    actor: {
      ...(account ? { account } : {}),
      role: 'ecd-sync',
      ...(organisationId ? { onBehalfOf: `Organization/${organisationId}` } : {}),
      ...(origin.address ? { address: origin.address } : {}),
    },
    ...(origin.clientApp ? { clientApp: origin.clientApp } : {}),
    ...(origin.tokenId ? { tokenId: origin.tokenId } : {}),
    interaction: origin.via,
  };
}
