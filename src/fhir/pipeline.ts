import { bearerToken, type AccessTokenVerifier } from '../auth';
import type { AccessDecision, AccessRequest, PolicyEngine } from '../consent';
import { Unavailable, isGatewayError } from '../errors';
import { StoreError } from '../store';
import { auditActorFields } from './audit-actor';
import { AUDIT_LOG_TYPE, auditLogDecision } from './audit-log/access';
import type { AuditLogReader } from './audit-log/reader';
import type { FhirAuditEntry, FhirAuditSink } from './audit-sink';
import { authenticate } from './authenticate';
import { auditedStream, interactionFor, type FhirResult, type FhirSettings } from './interactions';
import { normalise, type HttpRequestLine } from './normalise';
import { withTypedPatient } from './patient-context';
import type { PagingCursors } from './paging';
import type { FhirRequest, Principal } from './request';
import { OWN_ACCESS_TYPES, ownAccessDecision, withRelationPrivacy } from './requests/own-access';
import { checkScopes } from './scope-check';
import type { GatewayResources } from './sources/gateway';
import type { UpstreamDossier } from './sources/upstream';
import { queryString } from './sources/upstream';

/**
 * The request pipeline of docs/architecture.md, one straight line. Each step's failure and the
 * status it gives:
 *
 *   1. authenticate  bearer token → Principal                     401 bad or no token; 403 no context
 *   2. normalise     GET, HEAD, POST _search, compartment → one FhirRequest
 *                                                                 400 malformed; 405 not offered; 406 not JSON
 *                    (a write outside the request channel is 405 here, whatever the scopes say)
 *   3. scope check   SMART scopes × interaction × type, before anything is fetched
 *                                                                 403
 *   4. decide        the consent engine's AccessDecision           503 database down
 *                    (Consent, Task: the gateway's own rule on the engine's standing, requests/own-access.ts)
 *   5–7. interact    narrow → fetch → filter (interactions/*)      400 unsafe query; 404 missing or not shown;
 *                                                                 410 stale cursor; 502/504 upstream; 500 filter
 *   8. audit         the record, durable before the answer leaves  503 when it cannot be written
 *   9. respond       routes.ts: allowed headers only, CORS, one 404
 *
 * Fail closed: whatever throws in steps 1–8 ends in an error answer, never in an upstream body.
 * Steps 1–8 are recorded in the audit trail whether they permit or refuse.
 */
export interface PipelineDependencies {
  readonly tokens: AccessTokenVerifier;
  readonly engine: PolicyEngine;
  readonly gateway: GatewayResources;
  readonly upstream: UpstreamDossier;
  readonly cursors: PagingCursors;
  readonly audit: FhirAuditSink;
  readonly settings: FhirSettings;
  /** The client's access log (AuditEvent) as the audit trail holds it; absent: nobody reads any. */
  readonly auditLog?: AuditLogReader;
  /** The organisation's terms version in effect, for the records' authorisation protocol (NEN 7513). */
  readonly termsVersionOf?: (organisationId: string) => string | undefined | Promise<string | undefined>;
  readonly now?: () => Date;
}

export interface PipelineInput {
  readonly requestId: string;
  readonly authorization: string | undefined;
  readonly line: HttpRequestLine;
  /** The caller's address as express sees it (`req.ip`, after `trust proxy`), for the audit trail. */
  readonly address?: string;
}

export async function runPipeline(deps: PipelineDependencies, input: PipelineInput): Promise<FhirResult> {
  const at = deps.now?.() ?? new Date();
  const state: RequestState = { scopesPassed: false };
  try {
    const principal = await authenticate(input.authorization, deps.tokens); //         1: 401, 403
    state.principal = principal;
    const request = withTypedPatient(normalise(input.line), principal.patient); //     2: 400, 405, 406
    state.request = request;
    const interaction = interactionFor(request.interaction, request.resourceType); //   405
    const grant = checkScopes(principal, request); //                                   3: 403
    state.scopesPassed = true;
    const decision = await decide(deps.engine, principal, request, at); //              4: 503
    state.decision = decision;
    // 5–7: narrow, fetch, filter
    const result = await interaction({
      request,
      principal,
      grant,
      decision,
      engine: deps.engine,
      gateway: deps.gateway,
      upstream: deps.upstream,
      cursors: deps.cursors,
      settings: deps.settings,
      ...(deps.auditLog ? { auditLog: deps.auditLog } : {}),
      at,
      requestId: input.requestId,
    });
    if (result.auditQuery !== undefined) state.query = result.auditQuery;
    // Asked of the engine's cache now, so that the stream's record is not held up by it.
    const actor = await auditActorFields(actorInput(deps, state, principal));
    if (result.stream)
      // Recorded once composed, before its Bundle is closed (see auditedStream).
      return auditedStream({ ...result, stream: result.stream }, (shown, failure) =>
        recordOrRefuse(
          deps.audit,
          withFailure({ ...auditEntry(input, at, state, result.status, shown), ...actor }, failure),
        ),
      );
    const record = { ...auditEntry(input, at, state, result.status, result.shown), ...actor };
    await recordOrRefuse(deps.audit, record); //                                        8: 503
    return result; //                                                                   9: routes.ts
  } catch (err) {
    const failure = failClosed(err);
    const status = isGatewayError(failure) ? failure.status : 500;
    const code = isGatewayError(failure) ? failure.code : 'ERR_INTERNAL';
    // The refusal is recorded too; if even that fails, the caller still gets the refusal (no data).
    await refusalEntry(deps, input, at, state, status, code)
      .then((entry) => deps.audit.record(entry))
      .catch(() => undefined);
    throw failure;
  }
}

/** What the pipeline knew of a request when it was answered or refused, for its record. */
interface RequestState {
  principal?: Principal;
  request?: FhirRequest;
  decision?: AccessDecision;
  scopesPassed: boolean;
  /** The request line as the interaction saw it (a cursor page: the search it continues). */
  query?: string;
}

function actorInput(deps: PipelineDependencies, state: RequestState, principal: Principal) {
  return {
    engine: deps.engine,
    principal,
    decision: state.decision,
    scopesPassed: state.scopesPassed,
    ...(deps.termsVersionOf ? { termsVersionOf: deps.termsVersionOf } : {}),
  };
}

/** The record of a refusal: who, as far as step 1 got, and the token's id even when it was refused. */
async function refusalEntry(
  deps: PipelineDependencies,
  input: PipelineInput,
  at: Date,
  state: RequestState,
  status: number,
  code: string,
): Promise<FhirAuditEntry> {
  const entry: FhirAuditEntry = { ...auditEntry(input, at, state, status, []), errorCode: code };
  if (state.principal)
    return { ...entry, ...(await auditActorFields(actorInput(deps, state, state.principal))) };
  // A token of ours that was refused (revoked, of a system): its jti, so that a breach report finds
  // what it tried. A token that is not ours, or none, has none.
  const tokenId = await tokenIdOf(deps.tokens, input.authorization);
  return {
    ...entry,
    ...(tokenId ? { tokenId } : {}),
    checks: { authorisation: false, careRelationship: false, consent: false, breakGlass: false },
  };
}

async function tokenIdOf(tokens: AccessTokenVerifier, authorization: string | undefined) {
  if (authorization === undefined) return undefined;
  try {
    return await tokens.tokenId(bearerToken(authorization));
  } catch {
    return undefined;
  }
}

/** Step 8: no answer leaves unaudited; a record that cannot be written is a 503, not the data. */
async function recordOrRefuse(audit: FhirAuditSink, entry: FhirAuditEntry): Promise<void> {
  try {
    await audit.record(entry);
  } catch (err) {
    throw new Unavailable('the audit trail cannot be written; try again shortly', 5, {
      code: 'ERR_AUDIT_UNAVAILABLE',
      detail: String((err as Error)?.message ?? err),
      cause: err,
    });
  }
}

/** Step 4: the consent decision for the request, as the engine sees requests. */
async function decide(
  engine: PolicyEngine,
  principal: Principal,
  request: FhirRequest,
  at: Date,
): Promise<AccessDecision> {
  const interaction =
    request.interaction === 'everything'
      ? 'read'
      : request.interaction === 'batch' || request.interaction === 'capabilities'
        ? 'operation'
        : request.interaction;
  const asked: AccessRequest = {
    interaction,
    resourceType: request.resourceType ?? 'Bundle',
    ...(request.id === undefined ? {} : { id: request.id }),
    ...(request.versionId === undefined ? {} : { versionId: request.versionId }),
    parameters: request.interaction === 'search' ? request.parameters : [],
    at,
  };
  // Consent and Task are in no portal section: the gateway's own rule decides who reads them.
  if (OWN_ACCESS_TYPES.has(asked.resourceType)) return ownAccessDecision(engine, principal, asked);
  // Nor is the access log: who reads the client's AuditEvents is audit-log/access.ts.
  if (asked.resourceType === AUDIT_LOG_TYPE) return auditLogDecision(engine, principal, asked);
  const decision = await engine.check(
    { user: principal.user, patient: principal.patient, clientApp: principal.clientApp },
    asked,
  );
  return withRelationPrivacy(decision, principal);
}

/**
 * What an error becomes: a refusal stays itself; the database unreachable is a 503; anything else
 * (a filter that throws, a bug) is a bare 500 whose detail only the log sees.
 */
export function failClosed(err: unknown): unknown {
  if (isGatewayError(err)) return err;
  if (err instanceof StoreError && (err.code === 'ERR_STORE_UNREACHABLE' || err.code === 'ERR_STORE_CLOSED'))
    return new Unavailable("the gateway's database cannot be reached; try again shortly", 5, {
      code: 'ERR_DATABASE_UNAVAILABLE',
      detail: err.message,
      cause: err,
    });
  return err;
}

/** The record of a streamed answer: as sent, or with the failure that cut it off. */
function withFailure(entry: FhirAuditEntry, err: unknown): FhirAuditEntry {
  if (err === undefined) return entry;
  const failure = failClosed(err);
  return isGatewayError(failure)
    ? { ...entry, status: failure.status, errorCode: failure.code }
    : { ...entry, status: 500, errorCode: 'ERR_INTERNAL' };
}

function auditEntry(
  input: PipelineInput,
  at: Date,
  state: RequestState,
  status: number,
  shown: readonly string[],
): FhirAuditEntry {
  const { principal, request, decision } = state;
  return {
    requestId: input.requestId,
    at,
    status,
    ...(input.address ? { address: input.address } : {}),
    ...(principal
      ? {
          clientApp: principal.clientApp,
          subject: principal.subject,
          tokenId: principal.tokenId,
          user: principal.user,
          patient: principal.patient,
        }
      : {}),
    ...(request ? { interaction: request.interaction, query: state.query ?? requestLine(request) } : {}),
    ...(decision
      ? {
          basis: decision.basis.map((b) =>
            b.kind === 'rule'
              ? { kind: 'rule' as const, ref: b.rule, text: b.text }
              : {
                  kind: 'consent' as const,
                  ref: `Consent/${b.consentId}`,
                  verdict: b.verdict,
                  section: b.section,
                },
          ),
        }
      : {}),
    shown,
  };
}

/** The normalised request as one line, for the audit trail and cursor bindings. */
export function requestLine(request: FhirRequest): string {
  const path = [
    request.compartment ? `Patient/${request.compartment.id}` : undefined,
    request.resourceType,
    request.id,
    request.interaction === 'vread' || request.interaction === 'history' ? '_history' : undefined,
    request.versionId,
    request.operation,
  ]
    .filter((p) => p !== undefined)
    .join('/');
  const query = queryString(request.parameters);
  return `${request.interaction} ${path}${query ? `?${query}` : ''}`;
}
