import { createHash, timingSafeEqual } from 'node:crypto';
import type { OrganisationConfig } from '../config';
import type { Store } from '../store';
import {
  EcdExportRejected,
  EcdExportTooLarge,
  EcdPushKeyRefused,
  EcdPushMediaType,
  EcdPushOtherOrganisation,
} from './push-errors';
import { EcdImportError } from './problems';
import { readEcdJsonStream } from './read';
import { importEcdExport, type ImportResult } from './sync';

/**
 * POST /ecd/sync without the transport: an ECD pushes its export. Until the SMART Backend Services
 * server exists, each organisation authenticates with its own key (INZAGE_ECD_KEY_<ORGANISATION>),
 * so one organisation's key can never overwrite another organisation's clients. Refusals are thrown
 * as the errors of push-errors.ts; the route turns them into answers.
 */
export interface EcdPushDependencies {
  store: Store;
  organisations: readonly OrganisationConfig[];
  /** Organisation id → its push key. Absent organisations cannot push. */
  keys: ReadonlyMap<string, string>;
  /** Largest body accepted, in bytes. */
  maxBytes: number;
}

export interface EcdPush {
  contentType: string | undefined;
  dryRun: boolean;
  body: AsyncIterable<Buffer | string>;
}

/**
 * The organisation whose key the Authorization header carries. With `named` (the organisation the
 * pusher says it is), the key must be that organisation's.
 */
export function authenticatePush(
  keys: ReadonlyMap<string, string>,
  authorization: string | undefined,
  named?: string,
): string {
  const organisationId = organisationForKey(keys, authorization);
  if (!organisationId) throw new EcdPushKeyRefused();
  if (named !== undefined && named !== organisationId) throw new EcdPushOtherOrganisation(named);
  return organisationId;
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
        source: `push:${organisationId}`,
      },
    );
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new EcdExportTooLarge(deps.maxBytes);
    if (err instanceof EcdImportError)
      throw new EcdExportRejected(err.problems, err.truncated, { cause: err });
    throw err;
  }
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

/** Compares the presented key with every configured one in constant time; returns whose it is. */
function organisationForKey(
  keys: ReadonlyMap<string, string>,
  authorization: string | undefined,
): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const presented = digest(match[1]);
  let found: string | undefined;
  for (const [organisationId, key] of keys) {
    // Every key is compared, so the time taken does not say which organisation's key came close.
    if (timingSafeEqual(presented, digest(key)) && found === undefined) found = organisationId;
  }
  return found;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
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
