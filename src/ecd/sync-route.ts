import { Router, type Request } from 'express';
import { TooManyAttempts, Unauthenticated } from '../errors';
import { FailureLimit, contextOf, type Logger } from '../http';
import {
  checkPushMediaType,
  pushSource,
  receiveEcdExport,
  resultBody,
  type EcdPushDependencies,
  type EcdPushIdentity,
} from './push';
import { ecdSyncRefusalEntry, type EcdSyncOrigin } from './sync-audit';
import {
  EcdExportRejected,
  EcdPushOtherOrganisation,
  EcdPushQueryInvalid,
  EcdPushTokenRefused,
} from './push-errors';

export interface EcdSyncRouteDependencies extends EcdPushDependencies {
  /**
   * Who pushes, from the request's access token: the organisation of the registered ECD backend
   * client it was issued to. Throws Unauthenticated (401: no token, or not a valid one) or
   * Forbidden (403: a valid token of a client that may not push). Composed in app.ts from the
   * authorization server, which this module does not know.
   */
  authenticate(req: Request): Promise<EcdPushIdentity>;
  /** Refused tokens allowed per organisation named and address within the window (default 10). */
  maxFailures?: number;
  /** The window of the count, in ms (default one minute). */
  failureWindowMs?: number;
}

/** What the query of a push may say. */
export interface EcdSyncQuery {
  dryRun: boolean;
  /** The organisation the pusher says it is; its client must be that organisation's. */
  organisation: string | undefined;
}

const QUERY_PARAMETERS = ['dryRun', 'organisation'] as const;
const ORGANISATION_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * POST /ecd/sync as an express router: the query, the brake on guessing tokens, the token, then the
 * export streamed into the sync. Mount it before the body parsers (the export is streamed, never
 * buffered whole) and before the request timeout (a long import must not be answered 503 while it
 * goes on to commit).
 *
 * The brake counts refused tokens per (organisation named, client address): ten in a minute, and that
 * pair waits (429) until the oldest is a minute old, even with a good token, because a lock that
 * let a good token through would tell a guesser when it had guessed right. Refused tokens for one
 * organisation, or from one address, therefore never lock out another organisation or another
 * address. The address is express's `req.ip`: behind a proxy, set `server.trustProxy`, or every
 * push comes from the proxy's address and shares one count.
 */
export function ecdSyncRouter(deps: EcdSyncRouteDependencies): Router {
  const failures = new FailureLimit(deps.maxFailures ?? 10, deps.failureWindowMs ?? 60_000);
  const known = new Set(deps.organisations.map((o) => o.id));
  const router = Router();

  router.post('/ecd/sync', async (req, res) => {
    const at = new Date();
    const { log, id: requestId } = contextOf(req);
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    let bodyRead = false;
    let organisationId: string | undefined;
    let named: string | undefined;
    let dryRun: boolean | undefined;
    let origin: EcdSyncOrigin = { via: 'push', requestId, address };
    try {
      const query = parseSyncQuery(req.originalUrl);
      named = query.organisation;
      dryRun = query.dryRun;
      // Unknown names share one count, so that inventing names cannot buy more guesses.
      const bucket = `${named !== undefined && known.has(named) ? named : '*'} ${address}`;
      const wait = failures.retryAfter(bucket);
      if (wait > 0) {
        log.warn({ address, organisation: named ?? null, retryAfter: wait }, 'ecd push refused: locked out');
        throw new TooManyAttempts(wait, {
          detail: `ecd push from ${address} for ${named ?? '(none named)'}`,
        });
      }
      const pusher = await authenticate(deps, req, { failures, bucket, address, named, log });
      organisationId = pusher.organisationId;
      origin = { ...origin, clientApp: pusher.clientId };
      if (named !== undefined && named !== organisationId) throw new EcdPushOtherOrganisation(named);
      checkPushMediaType(req.get('content-type'));
      bodyRead = true;
      const result = await receiveEcdExport(deps, organisationId, {
        contentType: req.get('content-type'),
        dryRun: query.dryRun,
        body: req,
        origin,
      });
      log.info(
        {
          organisation: organisationId,
          dryRun: result.dryRun,
          records: result.records,
          counts: result.counts,
        },
        'ecd push',
      );
      res.json(resultBody(result));
    } catch (err) {
      // A refusal before the body was touched: read it away, so the connection can be reused.
      if (!bodyRead) req.resume();
      if (err instanceof EcdExportRejected)
        log.warn(
          {
            address,
            organisation: organisationId,
            problems: err.publicFields.problems.length,
            truncated: err.publicFields.truncated,
          },
          'ecd push rejected: the export has problems',
        );
      // Every refused or failed push is recorded too; a trail that cannot be written does not
      // change the refusal (nothing was applied, and the log has it).
      await deps.audit
        .record(
          ecdSyncRefusalEntry(origin, at, err, {
            ...(organisationId ? { organisationId, source: pushSource(organisationId) } : {}),
            ...(named === undefined ? {} : { named }),
            ...(dryRun === undefined ? {} : { dryRun }),
            ...(err instanceof EcdExportRejected ? { problems: err.publicFields.problems.length } : {}),
          }),
        )
        .catch((auditErr: unknown) =>
          log.error({ err: auditErr }, 'the audit record of a refused ecd push could not be written'),
        );
      throw err;
    }
  });
  return router;
}

/** Checks the token, counting and logging a refused one (401) against the push's bucket. */
async function authenticate(
  deps: EcdSyncRouteDependencies,
  req: Request,
  brake: { failures: FailureLimit; bucket: string; address: string; named: string | undefined; log: Logger },
): Promise<EcdPushIdentity> {
  try {
    return await deps.authenticate(req);
  } catch (err) {
    if (err instanceof Unauthenticated) {
      const { failures, bucket, address, named, log } = brake;
      failures.fail(bucket);
      const count = failures.count(bucket);
      log.warn(
        { address, organisation: named ?? null, failures: count, reason: err.detail ?? null },
        'ecd push token refused',
      );
      const wait = failures.retryAfter(bucket);
      if (wait > 0 && count === failures.maxFailures)
        log.warn(
          { address, organisation: named ?? null, retryAfter: wait },
          'ecd push locked out: too many refused tokens',
        );
      // One answer for every refused token: why it was refused is in the log only.
      if (!(err instanceof EcdPushTokenRefused)) throw new EcdPushTokenRefused(err.detail);
    }
    throw err;
  }
}

/**
 * The query of a push, strictly: only dryRun (`true` or `false`) and organisation, each at most
 * once. Anything else is refused, so that a misspelt dry run (`dryrun=true`, `dryRun=1`) is never
 * taken for a real import.
 */
export function parseSyncQuery(url: string): EcdSyncQuery {
  const params = new URL(url, 'http://gateway.invalid').searchParams;
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!(QUERY_PARAMETERS as readonly string[]).includes(name))
      throw new EcdPushQueryInvalid(
        `unknown query parameter ${shown(name)}; /ecd/sync takes ${QUERY_PARAMETERS.join(' and ')}`,
      );
    if (seen.has(name)) throw new EcdPushQueryInvalid(`query parameter ${name} is given more than once`);
    seen.add(name);
  }
  const dryRun = params.get('dryRun');
  if (dryRun !== null && dryRun !== 'true' && dryRun !== 'false')
    throw new EcdPushQueryInvalid(`dryRun must be true or false (got ${shown(dryRun)})`);
  const organisation = params.get('organisation');
  if (organisation !== null && !ORGANISATION_ID.test(organisation))
    throw new EcdPushQueryInvalid(`organisation must be an organisation id (got ${shown(organisation)})`);
  return { dryRun: dryRun === 'true', organisation: organisation ?? undefined };
}

/** A caller's value, quoted and cut short, for a refusal's text. */
function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}
