import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../audit';
import { parseScope } from '../auth';
import { Forbidden, GatewayError, Unavailable, isGatewayError } from '../errors';
import { callerActor, type AdminCaller } from './caller';
import type { AdminServices, AnyAdminOperation, OperationContext } from './operation';
import { checkedInput, outputProblems } from './schemas';

export interface Invocation {
  readonly caller: AdminCaller;
  readonly services: AdminServices;
  /** What the caller sent: path parameters, query or body fields, form fields, command options. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** True when the fields came as text (query, path, form, command line) and are to be coerced. */
  readonly fromText: boolean;
  readonly requestId?: string;
  readonly address?: string;
  /** Where the call came in, for the record: 'api', 'console' or 'command'. */
  readonly channel: 'api' | 'console' | 'command';
  readonly now?: Date;
}

/** A checked answer that did not match its documented schema: the gateway's own fault. */
export class AdminOutputMismatch extends GatewayError {
  constructor(operation: string, problems: string) {
    super('ERR_ADMIN_OUTPUT', 500, 'internal error', { detail: `${operation}: ${problems}` });
  }
}

/**
 * Runs one operation for one caller: authorises (role or system scope), checks the input, runs,
 * checks the output against its schema, and records the call in the audit trail (kind 'admin', with
 * the staff member, the role and the reason) before returning or throwing. A call that cannot be
 * recorded does not answer: Unavailable (503).
 */
export async function invokeOperation(operation: AnyAdminOperation, call: Invocation): Promise<unknown> {
  const requestId = call.requestId ?? randomUUID();
  const now = call.now ?? new Date();
  let input: Record<string, unknown> | undefined;
  let output: unknown;
  let failure: unknown;
  try {
    authorise(operation, call.caller);
    input = checkedInput(operation, call.fields, { fromText: call.fromText });
    const context: OperationContext = {
      caller: call.caller,
      services: call.services,
      requestId,
      ...(call.address ? { address: call.address } : {}),
      ...(typeof input.reason === 'string' ? { reason: input.reason } : {}),
      now,
    };
    output = await operation.run(context, input as never);
    const problems = outputProblems(operation, output);
    if (problems !== undefined) throw new AdminOutputMismatch(operation.id, problems);
  } catch (err) {
    failure = err;
  }
  const entry = auditEntryOf(operation, call, requestId, now, input ?? call.fields, output, failure);
  try {
    await call.services.trail.record(entry);
  } catch (err) {
    throw new Unavailable('the audit trail cannot record this action now; nothing was answered', 5, {
      code: 'ERR_AUDIT_UNAVAILABLE',
      cause: err,
      detail: failure === undefined ? undefined : `the operation had failed too: ${String(failure)}`,
    });
  }
  if (failure !== undefined) throw failure;
  return output;
}

/**
 * Whether the caller may run the operation: a staff member by role; a system by the operation's
 * system scope, named outright (a wildcard such as system/*.cruds does not count: a client
 * registered broadly for one purpose must not administer by accident).
 */
export function mayRun(operation: AnyAdminOperation, caller: AdminCaller): boolean {
  if (caller.kind === 'staff') return operation.roles.includes(caller.role);
  const wanted = operation.systemScope === undefined ? undefined : parseScope(operation.systemScope);
  if (wanted?.kind !== 'resource') return false;
  return caller.scopes.some((text) => {
    const held = parseScope(text);
    return (
      held?.kind === 'resource' &&
      held.context === 'system' &&
      held.resourceType === wanted.resourceType &&
      held.constraints.length === 0 &&
      [...wanted.permissions].every((p) => held.permissions.has(p))
    );
  });
}

function authorise(operation: AnyAdminOperation, caller: AdminCaller): void {
  if (mayRun(operation, caller)) return;
  if (caller.kind === 'staff')
    throw new Forbidden(`your role (${caller.role}) may not do this: ${operation.summary}`, {
      code: 'ERR_ADMIN_ROLE',
      detail: `${caller.staffId} ${operation.id}`,
    });
  throw new Forbidden(
    operation.systemScope === undefined
      ? 'this operation is for staff only'
      : `the access token lacks the scope ${operation.systemScope}`,
    { code: 'ERR_ADMIN_SCOPE', detail: `client ${caller.clientId} ${operation.id}` },
  );
}

function auditEntryOf(
  operation: AnyAdminOperation,
  call: Invocation,
  requestId: string,
  now: Date,
  input: Readonly<Record<string, unknown>>,
  output: unknown,
  failure: unknown,
): AuditEntry {
  const status =
    failure === undefined ? (operation.status ?? 200) : isGatewayError(failure) ? failure.status : 500;
  const patient = patientOf(operation, input, output);
  const caller = call.caller;
  const detail: Record<string, string> = { operation: operation.id, channel: call.channel };
  if (typeof input.reason === 'string') detail.reason = input.reason.slice(0, 1000);
  if (isGatewayError(failure)) detail.error = failure.code;
  return {
    kind: 'admin',
    action: operation.action,
    at: now,
    outcome: failure === undefined ? 'success' : status < 500 ? 'refused' : 'failed',
    ...(failure === undefined
      ? {}
      : { outcomeText: isGatewayError(failure) && failure.expose ? failure.message : 'internal error' }),
    status,
    requestId,
    actor: {
      ...callerActor(caller),
      onBehalfOf: `Organization/${caller.organisationId}`,
      ...(call.address ? { address: call.address } : {}),
    },
    ...(caller.kind === 'system' ? { clientApp: caller.clientId } : {}),
    ...(caller.kind === 'system' && caller.tokenId ? { tokenId: caller.tokenId } : {}),
    ...(patient ? { patient } : {}),
    interaction: operation.id,
    detail,
  };
}

function patientOf(
  operation: AnyAdminOperation,
  input: Readonly<Record<string, unknown>>,
  output: unknown,
): string | undefined {
  try {
    const named = operation.patientOf?.(input as never, output);
    if (named) return named;
  } catch {
    // A malformed input has no patient to name; the record still says what was tried.
  }
  return typeof input.patientId === 'string' && /^[A-Za-z0-9.-]{1,64}$/.test(input.patientId)
    ? `Patient/${input.patientId}`
    : undefined;
}
