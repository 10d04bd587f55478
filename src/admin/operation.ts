import type { AuditEntry, AuditTrail } from '../audit';
import type { AccessTokenVerifier, AccountSecret, AuthorizationServer, MessageSender } from '../auth';
import type { GatewayConfig } from '../config';
import type { PolicyEngine } from '../consent';
import type { Store } from '../store';
import type { AdminCaller } from './caller';
import type { StaffRole } from './roles';

/** A JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * One thing staff can do (issue 12): the HTTP API, the console and `inzage admin` all run these and
 * nothing else, so the three cannot differ in who may do what, what is checked or what is recorded.
 *
 * The input is one flat object: the path's `{parameters}`, and the query string (GET, DELETE) or the
 * JSON body (POST, PUT, PATCH). The same schema checks it on every way in; the output schema checks
 * every answer before it leaves (an answer that does not match is a 500, never sent), and both go
 * into the OpenAPI document at /admin/openapi.json.
 */
export interface AdminOperation<I = Record<string, unknown>, O = unknown> {
  /** The OpenAPI operationId, the audit record's operation and the console's form action. */
  readonly id: string;
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template, below /admin: '/clients/{patientId}/suspensions'. */
  readonly path: string;
  /** OpenAPI tag: the area (access, onboarding, terms, requests, maintenance, apps, insight, staff). */
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  /** The staff roles that may run it. */
  readonly roles: readonly StaffRole[];
  /**
   * The SMART system scope a Backend Services token must name outright (no wildcard) to run it;
   * absent: staff only.
   */
  readonly systemScope?: string;
  /**
   * What it does, for the audit record: R (read), C/U/D (a change), E (execute). A change needs a
   * `reason` in its input (added to the schema by defineOperation), recorded with the staff member.
   */
  readonly action: AuditEntry['action'];
  /** JSON Schema of the input object (type object). */
  readonly input: JsonSchema;
  /** JSON Schema of the output. */
  readonly output: JsonSchema;
  /** HTTP status of a success (200 unless it creates: 201). */
  readonly status?: 200 | 201 | 202;
  /** `inzage admin <group> <name>`; absent: not on the command line. */
  readonly command?: { readonly group: string; readonly name: string; print?(output: O): string };
  /** The client it concerns, for the audit record's patient ('Patient/<id>'). */
  patientOf?(input: I, output?: O): string | undefined;
  run(context: OperationContext, input: I): Promise<O>;
}

/** What every operation gets: who asks, the gateway's parts, and the request's identity. */
export interface OperationContext {
  readonly caller: AdminCaller;
  readonly services: AdminServices;
  /** X-Request-Id (HTTP) or a fresh id (command line). */
  readonly requestId: string;
  readonly address?: string;
  /** For a change: why (already checked to be there). */
  readonly reason?: string;
  readonly now: Date;
}

/**
 * The gateway's parts the operations use. startGateway and the `inzage admin` command build it;
 * parts a command cannot have (a running authorization server) are optional and an operation that
 * needs one refuses plainly without it.
 */
export interface AdminServices {
  readonly store: Store;
  readonly config: GatewayConfig;
  readonly engine: PolicyEngine;
  readonly trail: AuditTrail;
  /** The gateway's public URL without a trailing slash (letters, links). */
  readonly publicUrl: string;
  readonly accountSecret?: AccountSecret;
  readonly messageSender?: MessageSender;
  readonly tokens?: AccessTokenVerifier;
  readonly auth?: AuthorizationServer;
  /** INZAGE_AUDIT_KEY, for the chain check. */
  readonly auditKey?: Buffer;
  /** The request channel of the FHIR API (M-9, M-10), given by the composition (admin may not import fhir). */
  readonly requestDesk?: RequestDesk;
}

/**
 * The data-subject requests (FHIR Tasks of the request channel, M-9 and M-10) as staff handle them.
 * src/fhir owns the Tasks; startGateway hands its implementation in. Every method is scoped to the
 * organisation: a request of another organisation is the same NotFound as a missing one.
 */
export interface RequestDesk {
  list(query: {
    organisationId: string;
    status?: string;
    patientId?: string;
    /** A staff id: only the requests assigned to them. */
    assignedTo?: string;
    limit?: number;
  }): Promise<readonly DeskRequest[]>;
  get(organisationId: string, id: string): Promise<DeskRequest | undefined>;
  /** Who handles it: kept beside the Task, never shown to the requester. */
  assign(
    organisationId: string,
    id: string,
    staff: { id: string; name: string },
    by: string,
    at: Date,
  ): Promise<DeskRequest>;
  /** The decision, with its reasons as the requester reads them (Task.statusReason and note). */
  decide(
    organisationId: string,
    id: string,
    decision: { outcome: 'completed' | 'rejected'; reason: string; by: string; at: Date },
  ): Promise<DeskRequest>;
}

export interface DeskRequest {
  /** The Task's id. */
  readonly id: string;
  /** 'Patient/<id>': about whom. */
  readonly patient: string;
  /** 'Patient/…' or 'RelatedPerson/…': who asked. */
  readonly requester: string;
  /** correction, completion, erasure, transfer (M-9, M-10). */
  readonly kind: string;
  /** The requester's title of the request (Task.code.text). */
  readonly title?: string;
  readonly description: string;
  /** Task.input: the requester's further details. */
  readonly details: readonly { readonly label: string; readonly value: string }[];
  /** What it is about (Task.focus), when the requester named it. */
  readonly focus?: string;
  /** requested, accepted, in-progress, completed, rejected, … */
  readonly status: string;
  readonly authoredOn: string;
  readonly lastModified?: string;
  readonly assignedTo?: { readonly staffId: string; readonly name: string; readonly at: string };
  /** The organisation's reasons of the last decision (Task.statusReason). */
  readonly reason?: string;
  /** Every step the requester reads (Task.note). */
  readonly notes: readonly { readonly time?: string; readonly text: string }[];
}

/** Checks the definition's shape at start-up and adds `reason` to a change's input. */
export function defineOperation<I, O>(operation: AdminOperation<I, O>): AdminOperation<I, O> {
  if (!operation.path.startsWith('/')) throw new Error(`operation ${operation.id}: path must start with /`);
  if (operation.roles.length === 0 && operation.systemScope === undefined)
    throw new Error(`operation ${operation.id}: nobody may run it`);
  const input = operation.input as {
    type?: unknown;
    properties?: Record<string, unknown>;
    required?: string[];
  };
  if (input.type !== 'object') throw new Error(`operation ${operation.id}: input must be an object schema`);
  const change = operation.action !== 'R';
  if (!change) return operation;
  return {
    ...operation,
    input: {
      ...input,
      properties: { ...(input.properties ?? {}), reason: REASON_SCHEMA },
      required: [...new Set([...(input.required ?? []), 'reason'])],
    },
  };
}

export const REASON_SCHEMA: JsonSchema = {
  type: 'string',
  minLength: 3,
  maxLength: 1000,
  description: 'Why: recorded in the audit trail with the staff member and their role.',
};

/** Erases the operation's types for the registry. */
export type AnyAdminOperation = AdminOperation<never, unknown>;
