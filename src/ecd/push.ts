import { createHash, timingSafeEqual } from 'node:crypto';
import type { OrganisationConfig } from '../config';
import type { Store } from '../store';
import { EcdImportError, type ImportProblem } from './problems';
import { readEcdJsonStream } from './read';
import { importEcdExport, type ImportResult } from './sync';

/**
 * POST /ecd/sync: an ECD pushes its export. Until the SMART Backend Services server exists, each
 * organisation authenticates with its own key (INZAGE_ECD_KEY_<ORGANISATION>), so one organisation's
 * key can never overwrite another organisation's clients.
 */
export interface EcdPushRequest {
  authorization: string | undefined;
  contentType: string | undefined;
  dryRun: boolean;
  body: AsyncIterable<Buffer | string>;
}

export interface EcdPushResponse {
  status: number;
  body: Record<string, unknown>;
  /** For 401: the WWW-Authenticate challenge. */
  challenge?: string;
}

export interface EcdPushDependencies {
  store: Store;
  organisations: readonly OrganisationConfig[];
  /** Organisation id → its push key. Absent organisations cannot push. */
  keys: ReadonlyMap<string, string>;
  /** Largest body accepted, in bytes. */
  maxBytes: number;
}

export async function handleEcdPush(
  deps: EcdPushDependencies,
  req: EcdPushRequest,
): Promise<EcdPushResponse> {
  const organisationId = organisationForKey(deps.keys, req.authorization);
  if (!organisationId) {
    return {
      status: 401,
      challenge: 'Bearer realm="inzage-ecd"',
      body: {
        error: 'ERR_ECD_UNAUTHENTICATED',
        message: 'a valid ECD push key is required (Authorization: Bearer <key>)',
      },
    };
  }
  const type = (req.contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    return {
      status: 415,
      body: {
        error: 'ERR_ECD_MEDIA_TYPE',
        message: 'push the export as application/json; CSV directories are imported with `inzage ecd import`',
      },
    };
  }
  try {
    const result = await importEcdExport(
      deps.store,
      readEcdJsonStream(limitBytes(req.body, deps.maxBytes), 'request body'),
      {
        organisations: deps.organisations,
        expectedOrganisationId: organisationId,
        dryRun: req.dryRun,
        source: `push:${organisationId}`,
      },
    );
    return { status: 200, body: resultBody(result) };
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      return {
        status: 413,
        body: { error: 'ERR_ECD_TOO_LARGE', message: `the export is larger than ${deps.maxBytes} bytes` },
      };
    }
    if (err instanceof EcdImportError) {
      return {
        status: 422,
        body: {
          error: err.code,
          message: 'the export was not applied; nothing changed',
          problems: err.problems as ImportProblem[],
          truncated: err.truncated,
        },
      };
    }
    throw err;
  }
}

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
