import type { OrganisationConfig } from '../config';
import type { Store } from '../store';
import { EcdExportRejected, EcdExportTooLarge, EcdPushMediaType } from './push-errors';
import { EcdImportError } from './problems';
import { readEcdJsonStream } from './read';
import { importEcdExport, type ImportResult } from './sync';
import type { EcdAuditTrail, EcdSyncOrigin } from './sync-audit';

/**
 * POST /ecd/sync without the transport: an ECD pushes its export. The ECD authenticates as its
 * organisation's registered backend client (SMART Backend Services, an access token with
 * ECD_SYNC_SCOPES), so one organisation's client can never overwrite another organisation's
 * clients. Refusals are thrown as the errors of push-errors.ts; the route turns them into answers.
 */
export interface EcdPushDependencies {
  store: Store;
  organisations: readonly OrganisationConfig[];
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** Where every push is recorded (NEN 7513), applied or refused. */
  audit: EcdAuditTrail;
}

/**
 * What a push may write: the resources the sync creates and updates (ending a relation or a
 * consent is an update of its status; nothing is deleted). SMART v2 system scopes, so that the
 * registration says in the standard's words what the ECD's client may do to the gateway's data.
 */
export const ECD_SYNC_SCOPES = ['system/Patient.cu', 'system/RelatedPerson.cu', 'system/Consent.cu'] as const;

/** Who pushes: the organisation whose backend client the access token is of. */
export interface EcdPushIdentity {
  organisationId: string;
  clientId: string;
}

export interface EcdPush {
  contentType: string | undefined;
  dryRun: boolean;
  body: AsyncIterable<Buffer | string>;
  /** Who pushes, for the audit trail (the request id, the backend client, the address). */
  origin: EcdSyncOrigin;
}

/** Only JSON is pushed: CSV directories are for `inzage ecd import`. */
export function checkPushMediaType(contentType: string | undefined): void {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new EcdPushMediaType();
}

/** Streams the export into the sync, for the authenticated organisation only. */
export async function receiveEcdExport(
  deps: EcdPushDependencies,
  organisationId: string,
  push: EcdPush,
): Promise<ImportResult> {
  checkPushMediaType(push.contentType);
  try {
    return await importEcdExport(
      deps.store,
      readEcdJsonStream(limitBytes(push.body, deps.maxBytes), 'request body'),
      {
        organisations: deps.organisations,
        expectedOrganisationId: organisationId,
        dryRun: push.dryRun,
        source: pushSource(organisationId),
        audit: { trail: deps.audit, origin: push.origin },
      },
    );
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new EcdExportTooLarge(deps.maxBytes);
    if (err instanceof EcdImportError)
      throw new EcdExportRejected(err.problems, err.truncated, { cause: err });
    throw err;
  }
}

/** The `source` of a push in the import log and the audit trail. */
export function pushSource(organisationId: string): string {
  return `push:${organisationId}`;
}

/** The 200 answer: what the import did (or, for a dry run, would do). */
export function resultBody(result: ImportResult): Record<string, unknown> {
  return {
    organisation: result.organisationId,
    dryRun: result.dryRun,
    records: result.records,
    counts: result.counts,
    ...(result.importId ? { importId: result.importId } : {}),
  };
}

class BodyTooLarge extends Error {}

async function* limitBytes(
  body: AsyncIterable<Buffer | string>,
  maxBytes: number,
): AsyncGenerator<Buffer | string> {
  let seen = 0;
  for await (const chunk of body) {
    seen += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (seen > maxBytes) throw new BodyTooLarge();
    yield chunk;
  }
}
