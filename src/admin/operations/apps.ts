/**
 * Portal apps (issue 12, item 7): the SMART clients of portal vendors (and the organisation's own
 * systems), registered and managed at run time beside the configured ones. A client secret is made
 * by the gateway, shown once in the answer of registerApp or rotateAppSecret, and only its hash is
 * stored; no other answer, page or audit record holds it (the audit record is the invoker's:
 * operation, channel, reason, error; never the input or the output).
 *
 * Each registered app belongs to the organisation whose staff registered it: staff of another
 * organisation get the same 404 as for a missing one. Configured clients are listed read-only
 * (a backend client only to its own organisation); they change in the configuration file.
 */
import {
  APP_TYPES,
  appOrigins,
  registerClient,
  registeredClient,
  registeredClients,
  rotateClientSecret,
  setClientDisabled,
  updateClient,
  type AppType,
  type RegisteredClient,
} from '../../auth';
import type { ClientJwk, SmartClientConfig } from '../../config';
import { Conflict, InvalidInput, NotFound } from '../../errors';
import { defineOperation, type JsonSchema, type OperationContext } from '../operation';
import { ACCESS_MANAGERS } from '../roles';
import type { StaffRole } from '../roles';

/** Who may look: the managers, and the reviewer (reads, changes nothing). */
const APP_READERS: readonly StaffRole[] = [...ACCESS_MANAGERS, 'privacy-officer'];

export interface AppView {
  id: string;
  name: string;
  type: AppType;
  source: 'registered' | 'configuration';
  status: 'enabled' | 'disabled';
  organisation?: string;
  redirectUris: string[];
  launchUri?: string;
  origins: string[];
  scopes: string;
  jwks?: { keys: ClientJwk[] };
  jwksUrl?: string;
  mayLaunch: boolean;
  hasSecret: boolean;
  createdAt?: string;
  createdBy?: string;
  updatedAt?: string;
  disabledAt?: string;
}

export interface AppWithSecret {
  app: AppView;
  /** Only in the answer of registerApp (confidential-symmetric) and rotateAppSecret. */
  clientSecret?: string;
  warning?: string;
}

const SECRET_WARNING =
  'The client secret is shown this once and cannot be read again: hand it to the vendor now, over a safe channel. Only its hash is stored; if it is lost, rotate it.';

const CLIENT_ID = {
  type: 'string',
  pattern: '^[A-Za-z0-9._-]{1,128}$',
  description: "The app's OAuth client_id.",
} as const;
const URL_TEXT = { type: 'string', minLength: 1, maxLength: 2000 } as const;
const JWK = {
  type: 'object',
  required: ['kty'],
  properties: { kty: { type: 'string' }, kid: { type: 'string' } },
} as const;
const JWKS_INPUT = {
  description:
    'Public keys (RS384 or ES384), each with kty and kid: a JWKS ({"keys": [...]}), a list of JWKs, or either as JSON text.',
  anyOf: [
    { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: JWK } } },
    { type: 'array', items: JWK },
    { type: 'string', minLength: 2, maxLength: 20000 },
  ],
} as const;
const CHANGEABLE = {
  name: { type: 'string', minLength: 1, maxLength: 200, description: 'The app as people read it at login.' },
  redirectUris: {
    type: 'array',
    maxItems: 20,
    items: URL_TEXT,
    description: 'Exact redirect URIs: https (http only on localhost or 127.0.0.1), no fragment.',
  },
  launchUri: { ...URL_TEXT, minLength: 0, description: 'Where an EHR launch opens the app (empty: none).' },
  scopes: {
    type: 'string',
    minLength: 1,
    maxLength: 2000,
    description: 'The most it may be granted: SMART scopes separated by spaces.',
  },
  jwks: JWKS_INPUT,
  jwksUrl: { ...URL_TEXT, description: 'Where an asymmetric or backend client publishes its public keys.' },
  mayLaunch: { type: 'boolean', description: 'May start EHR launches of other apps for its signed-in user.' },
} as const;

const APP: JsonSchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'type',
    'source',
    'status',
    'redirectUris',
    'origins',
    'scopes',
    'mayLaunch',
    'hasSecret',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    type: { enum: [...APP_TYPES] },
    source: {
      enum: ['registered', 'configuration'],
      description: 'Configured clients change in the configuration file only.',
    },
    status: { enum: ['enabled', 'disabled'] },
    organisation: { type: 'string' },
    redirectUris: { type: 'array', items: { type: 'string' } },
    launchUri: { type: 'string' },
    origins: {
      type: 'array',
      items: { type: 'string' },
      description: 'The browser origins /fhir and /auth allow (CORS): of the redirect and launch URIs.',
    },
    scopes: { type: 'string' },
    jwks: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: JWK } } },
    jwksUrl: { type: 'string' },
    mayLaunch: { type: 'boolean' },
    hasSecret: {
      type: 'boolean',
      description: 'Whether it authenticates with a client secret (never shown again).',
    },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    updatedAt: { type: 'string', format: 'date-time' },
    disabledAt: { type: 'string', format: 'date-time' },
  },
};

const WITH_SECRET: JsonSchema = {
  type: 'object',
  required: ['app'],
  additionalProperties: false,
  properties: {
    app: APP,
    clientSecret: { type: 'string', description: 'Shown this once; only its hash is stored.' },
    warning: { type: 'string' },
  },
};

function viewOfRegistered(client: RegisteredClient): AppView {
  return {
    id: client.id,
    name: client.name,
    type: client.type,
    source: 'registered',
    status: client.disabledAt ? 'disabled' : 'enabled',
    organisation: client.organisation,
    redirectUris: client.redirectUris,
    ...(client.launchUri ? { launchUri: client.launchUri } : {}),
    origins: appOrigins({
      ...client,
      type: client.type === 'public' || client.type === 'backend' ? client.type : 'confidential',
    }),
    scopes: client.scopes.join(' '),
    ...(client.jwks ? { jwks: client.jwks } : {}),
    ...(client.jwksUrl ? { jwksUrl: client.jwksUrl } : {}),
    mayLaunch: client.mayLaunch,
    hasSecret: client.hasSecret,
    createdAt: client.createdAt.toISOString(),
    createdBy: client.createdBy,
    updatedAt: client.updatedAt.toISOString(),
    ...(client.disabledAt ? { disabledAt: client.disabledAt.toISOString() } : {}),
  };
}

function viewOfConfigured(client: SmartClientConfig): AppView {
  const type: AppType =
    client.type !== 'confidential'
      ? client.type
      : client.secretHash !== undefined
        ? 'confidential-symmetric'
        : 'confidential-asymmetric';
  return {
    id: client.id,
    name: client.name,
    type,
    source: 'configuration',
    status: 'enabled',
    ...(client.organisation ? { organisation: client.organisation } : {}),
    redirectUris: client.redirectUris,
    ...(client.launchUri ? { launchUri: client.launchUri } : {}),
    origins: appOrigins(client),
    scopes: client.scopes.join(' '),
    ...(client.jwks ? { jwks: client.jwks } : {}),
    ...(client.jwksUrl ? { jwksUrl: client.jwksUrl } : {}),
    mayLaunch: client.mayLaunch,
    hasSecret: client.secretHash !== undefined,
  };
}

/** Configured clients the caller may see: portal apps, and the backend clients of its organisation. */
function configuredFor(context: OperationContext): SmartClientConfig[] {
  return context.services.config.smart.clients.filter(
    (c) => c.type !== 'backend' || c.organisation === context.caller.organisationId,
  );
}

function notFound(id: string): NotFound {
  return new NotFound(`no app '${id}' is registered`, { code: 'ERR_APP_NOT_FOUND' });
}

/** A registered app of the caller's organisation; another organisation's is the same 404 as none. */
async function ownApp(context: OperationContext, id: string): Promise<RegisteredClient> {
  if (context.services.config.smart.clients.some((c) => c.id === id))
    throw new Conflict(`app '${id}' is configured in the configuration file: change it there`, {
      code: 'ERR_APP_CONFIGURED',
    });
  const found = await registeredClient(context.services.store, id);
  if (found === undefined || found.organisation !== context.caller.organisationId) throw notFound(id);
  return found;
}

function actorOf(context: OperationContext): string {
  return context.caller.kind === 'staff'
    ? `staff:${context.caller.staffId}`
    : `client:${context.caller.clientId}`;
}

function jwksInput(value: unknown): { keys: ClientJwk[] } | ClientJwk[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return value as { keys: ClientJwk[] } | ClientJwk[];
  try {
    const parsed = JSON.parse(value) as unknown;
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    return parsed as { keys: ClientJwk[] } | ClientJwk[];
  } catch {
    throw new InvalidInput('jwks: is not JSON (a JWKS or a list of JWKs)', { code: 'ERR_APP_INVALID' });
  }
}

/** This instance follows the change at once (the others by notification). */
async function followed(context: OperationContext, id: string): Promise<void> {
  await context.services.auth?.findClient(id);
}

function withSecret(app: AppView, secret: string | undefined): AppWithSecret {
  return secret === undefined ? { app } : { app, clientSecret: secret, warning: SECRET_WARNING };
}

function printWithSecret(out: AppWithSecret): string {
  const lines = [`${out.app.id}\t${out.app.type}\t${out.app.status}\t${out.app.name}`];
  if (out.clientSecret !== undefined) lines.push(`client secret: ${out.clientSecret}`, out.warning ?? '');
  return lines.join('\n');
}

interface AppFields {
  name?: string;
  redirectUris?: string[];
  launchUri?: string;
  scopes?: string;
  jwks?: unknown;
  jwksUrl?: string;
  mayLaunch?: boolean;
}

export const registerApp = defineOperation<AppFields & { id?: string; type: AppType }, AppWithSecret>({
  id: 'registerApp',
  method: 'post',
  path: '/apps',
  tag: 'apps',
  summary: 'Register a portal app (SMART client); a client secret is shown once in the answer',
  description:
    'Types: public (PKCE only), confidential-symmetric (a client secret made by the gateway, in this answer only), confidential-asymmetric (private_key_jwt with jwks or jwksUrl), backend (SMART Backend Services for this organisation, with jwks or jwksUrl).',
  roles: ACCESS_MANAGERS,
  action: 'C',
  status: 201,
  input: {
    type: 'object',
    required: ['name', 'type', 'scopes'],
    additionalProperties: false,
    properties: {
      id: { ...CLIENT_ID, description: "The client_id (default: made up, 'app-…')." },
      type: { enum: [...APP_TYPES] },
      ...CHANGEABLE,
    },
  },
  output: WITH_SECRET,
  command: { group: 'apps', name: 'register', print: printWithSecret },
  async run(context, input) {
    const { client, secret } = await registerClient(
      context.services.store,
      {
        ...(input.id ? { id: input.id } : {}),
        name: input.name!,
        type: input.type,
        redirectUris: input.redirectUris ?? [],
        ...(input.launchUri ? { launchUri: input.launchUri } : {}),
        scopes: input.scopes!,
        ...(input.jwks !== undefined ? { jwks: jwksInput(input.jwks)! } : {}),
        ...(input.jwksUrl ? { jwksUrl: input.jwksUrl } : {}),
        organisation: context.caller.organisationId,
        mayLaunch: input.mayLaunch ?? false,
        createdBy: actorOf(context),
      },
      {
        configuredIds: new Set(context.services.config.smart.clients.map((c) => c.id)),
        now: context.now,
      },
    );
    await followed(context, client.id);
    return withSecret(viewOfRegistered(client), secret);
  },
});

export const listApps = defineOperation<{ status?: 'enabled' | 'disabled' }, { apps: AppView[] }>({
  id: 'listApps',
  method: 'get',
  path: '/apps',
  tag: 'apps',
  summary: "The portal apps: the organisation's registered ones and the configured ones (read-only)",
  roles: APP_READERS,
  action: 'R',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: { status: { enum: ['enabled', 'disabled'] } },
  },
  output: {
    type: 'object',
    required: ['apps'],
    additionalProperties: false,
    properties: { apps: { type: 'array', items: APP } },
  },
  command: {
    group: 'apps',
    name: 'list',
    print: (out) => out.apps.map((a) => `${a.id}\t${a.type}\t${a.status}\t${a.source}\t${a.name}`).join('\n'),
  },
  async run(context, input) {
    const registered = await registeredClients(context.services.store, context.caller.organisationId);
    const apps = [...configuredFor(context).map(viewOfConfigured), ...registered.map(viewOfRegistered)];
    return { apps: input.status ? apps.filter((a) => a.status === input.status) : apps };
  },
});

export const getApp = defineOperation<{ clientId: string }, AppView>({
  id: 'getApp',
  method: 'get',
  path: '/apps/{clientId}',
  tag: 'apps',
  summary: 'One portal app (never its secret)',
  roles: APP_READERS,
  action: 'R',
  input: {
    type: 'object',
    required: ['clientId'],
    additionalProperties: false,
    properties: { clientId: CLIENT_ID },
  },
  output: APP,
  command: { group: 'apps', name: 'get' },
  async run(context, input) {
    const configured = configuredFor(context).find((c) => c.id === input.clientId);
    if (configured) return viewOfConfigured(configured);
    const found = await registeredClient(context.services.store, input.clientId);
    if (found === undefined || found.organisation !== context.caller.organisationId)
      throw notFound(input.clientId);
    return viewOfRegistered(found);
  },
});

export const updateApp = defineOperation<AppFields & { clientId: string }, AppView>({
  id: 'updateApp',
  method: 'patch',
  path: '/apps/{clientId}',
  tag: 'apps',
  summary: "Change a registered app's name, redirect URIs, launch URI, scopes or keys",
  description: 'The type cannot change: register another app instead. New keys replace the old ones.',
  roles: ACCESS_MANAGERS,
  action: 'U',
  input: {
    type: 'object',
    required: ['clientId'],
    additionalProperties: false,
    properties: { clientId: CLIENT_ID, ...CHANGEABLE },
  },
  output: APP,
  command: { group: 'apps', name: 'update' },
  async run(context, input) {
    await ownApp(context, input.clientId);
    const client = await updateClient(
      context.services.store,
      input.clientId,
      {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.redirectUris !== undefined ? { redirectUris: input.redirectUris } : {}),
        ...(input.launchUri !== undefined ? { launchUri: input.launchUri } : {}),
        ...(input.scopes !== undefined ? { scopes: input.scopes } : {}),
        ...(input.jwks !== undefined ? { jwks: jwksInput(input.jwks)! } : {}),
        ...(input.jwksUrl !== undefined ? { jwksUrl: input.jwksUrl } : {}),
        ...(input.mayLaunch !== undefined ? { mayLaunch: input.mayLaunch } : {}),
      },
      { now: context.now },
    );
    await followed(context, client.id);
    return viewOfRegistered(client);
  },
});

const BY_ID = {
  type: 'object',
  required: ['clientId'],
  additionalProperties: false,
  properties: { clientId: CLIENT_ID },
} as const;

export const rotateAppSecret = defineOperation<{ clientId: string }, AppWithSecret>({
  id: 'rotateAppSecret',
  method: 'post',
  path: '/apps/{clientId}/secret',
  tag: 'apps',
  summary: 'A new client secret for a confidential-symmetric app, shown once; the old one stops working',
  roles: ACCESS_MANAGERS,
  action: 'U',
  input: BY_ID,
  output: WITH_SECRET,
  command: { group: 'apps', name: 'rotate-secret', print: printWithSecret },
  async run(context, input) {
    await ownApp(context, input.clientId);
    const { client, secret } = await rotateClientSecret(context.services.store, input.clientId, {
      now: context.now,
    });
    await followed(context, client.id);
    return withSecret(viewOfRegistered(client), secret);
  },
});

export const disableApp = defineOperation<{ clientId: string }, { app: AppView; revokedTokens: number }>({
  id: 'disableApp',
  method: 'post',
  path: '/apps/{clientId}/disable',
  tag: 'apps',
  summary:
    'Disable an app: no new logins or tokens, its tokens and refresh tokens revoked, on every instance at once',
  roles: ACCESS_MANAGERS,
  action: 'U',
  input: BY_ID,
  output: {
    type: 'object',
    required: ['app', 'revokedTokens'],
    additionalProperties: false,
    properties: {
      app: APP,
      revokedTokens: { type: 'integer', description: 'Grants, codes and tokens of the app deleted now.' },
    },
  },
  command: {
    group: 'apps',
    name: 'disable',
    print: (out) => `${out.app.id}\tdisabled\t${out.revokedTokens} grants and tokens revoked`,
  },
  async run(context, input) {
    await ownApp(context, input.clientId);
    const { client, revoked } = await setClientDisabled(context.services.store, input.clientId, true, {
      now: context.now,
    });
    await followed(context, client.id);
    return { app: viewOfRegistered(client), revokedTokens: revoked };
  },
});

export const enableApp = defineOperation<{ clientId: string }, AppView>({
  id: 'enableApp',
  method: 'post',
  path: '/apps/{clientId}/enable',
  tag: 'apps',
  summary: 'Enable a disabled app again (its revoked tokens stay revoked)',
  roles: ACCESS_MANAGERS,
  action: 'U',
  input: BY_ID,
  output: APP,
  command: { group: 'apps', name: 'enable' },
  async run(context, input) {
    await ownApp(context, input.clientId);
    const { client } = await setClientDisabled(context.services.store, input.clientId, false, {
      now: context.now,
    });
    await followed(context, client.id);
    return viewOfRegistered(client);
  },
});

export const APP_OPERATIONS = [
  registerApp,
  listApps,
  getApp,
  updateApp,
  rotateAppSecret,
  disableApp,
  enableApp,
] as const;
