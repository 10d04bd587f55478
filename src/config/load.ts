import Ajv, { type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { DEFAULTS, FHIR_BASE_PATH } from './defaults';
import { ConfigError, type ConfigIssue } from './errors';
import { readConfigText } from './read';
import { isSecretName, redactText } from './redact';
import { configFileSchema, LOG_LEVELS, type ConfigFile } from './schema';
import { sizeInBytes } from './size';
import type {
  AdminConfig,
  DatabaseConfig,
  GatewayConfig,
  LogLevel,
  SmartClientConfig,
  SmartConfig,
} from './types';
import { urlProblem } from './urls';
import { ecdClientSystem } from '../vocabulary';
import {
  identityProviderSecretVariable,
  isIdentityProviderSecretVariable,
  variableForSecret,
} from './variables';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validateConfigFile = ajv.compile(configFileSchema);

/** Under `database`, these name parts of the connection, which DATABASE_URL holds as a whole. */
const CONNECTION_PART = /(url|uri|dsn|connection|host|user)/i;

/** The longest quotation of a refused value in a message. */
const QUOTE_MAX = 80;

export interface Environment {
  [name: string]: string | undefined;
}

/** Reads, parses and validates a configuration file (YAML or JSON), then applies the environment. */
export function loadConfigFile(path: string, env: Environment): GatewayConfig {
  const text = readConfigText(path);
  if (text.trim() === '') throw new ConfigError(path, [{ field: '(file)', message: `${path} is empty` }]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      path,
      doc.errors.map((e) => ({
        field: '(syntax)',
        message: redactText(e.message.split('\n')[0] ?? e.message),
        line: e.linePos?.[0]?.line,
      })),
    );
  }
  const raw: unknown = doc.toJS();
  return resolveConfig(raw, path, env, (field) => lineOf(doc, lineCounter, field));
}

/**
 * Validates a configuration object and combines it with defaults and the environment. The demo
 * builds its configuration in code and passes it through here, so it obeys the same schema.
 */
export function resolveConfig(
  raw: unknown,
  source: string,
  env: Environment,
  locate: (path: (string | number)[]) => number | undefined = () => undefined,
): GatewayConfig {
  if (!validateConfigFile(raw)) {
    const issues = (validateConfigFile.errors ?? []).map((e) => issueFromAjv(e, raw, locate));
    throw new ConfigError(source, dedupe(issues));
  }
  const file: ConfigFile = raw;
  const issues: ConfigIssue[] = [];

  const seen = new Set<string>();
  file.organisations.forEach((org, i) => {
    if (seen.has(org.id)) {
      issues.push({
        field: `organisations[${i}].id`,
        message: `duplicate organisation id '${org.id}'`,
        line: locate(['organisations', i, 'id']),
      });
    }
    seen.add(org.id);
  });

  let port = file.server?.port ?? DEFAULTS.port;
  if (env.PORT !== undefined && env.PORT !== '') {
    const n = Number(env.PORT);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      issues.push({
        field: 'PORT (environment)',
        message: `must be an integer from 0 to 65535 (got '${env.PORT}')`,
      });
    } else {
      port = n;
    }
  }

  let logLevel: LogLevel = file.log?.level ?? DEFAULTS.logLevel;
  if (env.LOG_LEVEL) {
    if ((LOG_LEVELS as readonly string[]).includes(env.LOG_LEVEL)) logLevel = env.LOG_LEVEL as LogLevel;
    else
      issues.push({ field: 'LOG_LEVEL (environment)', message: `must be one of ${LOG_LEVELS.join(', ')}` });
  }

  let database: DatabaseConfig;
  if (env.DATABASE_URL) {
    if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) {
      // Never echo the value: it carries the database password.
      issues.push({
        field: 'DATABASE_URL (environment)',
        message: 'must be a postgres:// or postgresql:// URL',
      });
    }
    database = {
      driver: 'postgres',
      url: env.DATABASE_URL,
      poolSize: file.database?.poolSize ?? DEFAULTS.databasePoolSize,
    };
  } else {
    database = { driver: 'pglite', dataDir: file.database?.pgliteDataDir };
  }

  const smart = smartConfig(file, env, issues, locate);

  if (issues.length > 0) throw new ConfigError(source, issues);

  const host = file.server?.host ?? DEFAULTS.host;
  const publicHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    source,
    server: {
      host,
      port,
      publicUrl: (file.server?.publicUrl ?? `http://${publicHost}:${port}`).replace(/\/+$/, ''),
      bodyLimitBytes: file.server?.bodyLimit ? sizeInBytes(file.server.bodyLimit) : DEFAULTS.bodyLimitBytes,
      requestTimeoutMs: file.server?.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      shutdownGraceMs: file.server?.shutdownGraceMs ?? DEFAULTS.shutdownGraceMs,
      trustProxy: file.server?.trustProxy ?? DEFAULTS.trustProxy,
    },
    fhirBasePath: FHIR_BASE_PATH,
    upstream: {
      url: file.upstream.url.replace(/\/+$/, ''),
      timeoutMs: file.upstream.timeoutMs ?? DEFAULTS.upstreamTimeoutMs,
      connectTimeoutMs: file.upstream.connectTimeoutMs ?? DEFAULTS.upstreamConnectTimeoutMs,
      maxResponseBytes: file.upstream.maxResponseSize
        ? sizeInBytes(file.upstream.maxResponseSize)
        : DEFAULTS.upstreamMaxResponseBytes,
      connections: file.upstream.connections ?? DEFAULTS.upstreamConnections,
    },
    fhir: {
      pageSize: file.fhir?.pageSize ?? DEFAULTS.fhirPageSize,
      maxPageSize: file.fhir?.maxPageSize ?? DEFAULTS.fhirMaxPageSize,
      cursorSeconds: file.fhir?.cursorSeconds ?? DEFAULTS.fhirCursorSeconds,
    },
    audit: { retentionYears: file.audit?.retentionYears ?? DEFAULTS.auditRetentionYears },
    database,
    organisations: file.organisations.map((o) => ({
      ...o,
      termsVersion: o.termsVersion ?? DEFAULTS.termsVersion,
      clientNumberSystem: o.clientNumberSystem ?? ecdClientSystem(o.id),
    })),
    ecd: {
      maxPushBytes: file.ecd?.maxPushSize ? sizeInBytes(file.ecd.maxPushSize) : DEFAULTS.ecdMaxPushBytes,
    },
    smart,
    admin: adminConfig(file, env, issues, locate, new Set(smart.identityProviders.map((p) => p.id))),
    log: { level: logLevel },
  };
}

/** The client registrations, with the rules the schema cannot say: what each type needs and may not have. */
function smartConfig(
  file: ConfigFile,
  env: Environment,
  issues: ConfigIssue[],
  locate: (path: (string | number)[]) => number | undefined,
): SmartConfig {
  const organisations = new Set(file.organisations.map((o) => o.id));
  const ids = new Set<string>();
  const clients = (file.smart?.clients ?? []).map((client, i): SmartClientConfig => {
    const at = (field: string, message: string) =>
      issues.push({
        field: `smart.clients[${i}].${field}`,
        message,
        line: locate(['smart', 'clients', i, field]),
      });
    if (ids.has(client.id)) at('id', `duplicate client id '${client.id}'`);
    ids.add(client.id);
    const redirectUris = client.redirectUris ?? [];
    const keyed = (client.jwks ? 1 : 0) + (client.jwksUrl ? 1 : 0);
    if (client.type === 'backend') {
      if (redirectUris.length > 0) at('redirectUris', 'a backend client has no redirect URIs');
      if (client.secretHash)
        at('secretHash', 'a backend client authenticates with keys (jwks or jwksUrl), not a secret');
      if (keyed !== 1) at('jwks', 'a backend client needs exactly one of jwks and jwksUrl');
      if (!client.organisation) at('organisation', 'a backend client must name its organisation');
    } else {
      if (redirectUris.length === 0) at('redirectUris', 'a portal app needs at least one redirect URI');
      if (client.organisation) at('organisation', 'only a backend client names an organisation');
    }
    if (client.type === 'public' && (client.secretHash || keyed > 0))
      at('type', 'a public client has no secret and no keys; make it confidential');
    if (client.type === 'confidential' && (client.secretHash ? 1 : 0) + keyed !== 1)
      at('secretHash', 'a confidential client needs exactly one of secretHash, jwks and jwksUrl');
    if (client.organisation && !organisations.has(client.organisation))
      at('organisation', `names no configured organisation ('${client.organisation}')`);
    return {
      id: client.id,
      name: client.name,
      type: client.type,
      redirectUris,
      launchUri: client.launchUri,
      scopes: client.scopes.split(/\s+/).filter((s) => s !== ''),
      secretHash: client.secretHash,
      jwks: client.jwks ? { keys: client.jwks } : undefined,
      jwksUrl: client.jwksUrl,
      organisation: client.organisation,
      mayLaunch: client.mayLaunch ?? false,
    };
  });
  const providerIds = new Set<string>();
  const identityProviders = (file.smart?.identityProviders ?? []).map((idp, i) => {
    if (providerIds.has(idp.id))
      issues.push({
        field: `smart.identityProviders[${i}].id`,
        message: `duplicate identity provider id '${idp.id}'`,
        line: locate(['smart', 'identityProviders', i, 'id']),
      });
    providerIds.add(idp.id);
    const secret = env[identityProviderSecretVariable(idp.id)];
    return {
      id: idp.id,
      name: idp.name,
      // As written: OpenID Connect compares issuers exactly, and some end in a slash.
      issuer: idp.issuer,
      clientId: idp.clientId,
      ...(secret ? { clientSecret: secret } : {}),
      secondFactor: idp.secondFactor ?? DEFAULTS.identityProviderSecondFactor,
    };
  });
  // A secret for a provider that is not configured is a typo that would otherwise go unnoticed.
  const secretVariables = new Set(
    [...providerIds, ...(file.admin?.identityProviders ?? []).map((p) => p.id)].map(
      identityProviderSecretVariable,
    ),
  );
  for (const [name, value] of Object.entries(env)) {
    if (isIdentityProviderSecretVariable(name) && value && !secretVariables.has(name))
      issues.push({ field: `${name} (environment)`, message: 'names no configured identity provider' });
  }
  return {
    accessTokenSeconds: file.smart?.accessTokenSeconds ?? DEFAULTS.accessTokenSeconds,
    refreshTokenDays: file.smart?.refreshTokenDays ?? DEFAULTS.refreshTokenDays,
    clients,
    identityProviders,
  };
}

/** The staff's identity providers: each of a configured organisation, ids unique among all providers. */
function adminConfig(
  file: ConfigFile,
  env: Environment,
  issues: ConfigIssue[],
  locate: (path: (string | number)[]) => number | undefined,
  portalProviders: ReadonlySet<string>,
): AdminConfig {
  const organisations = new Set(file.organisations.map((o) => o.id));
  const ids = new Set<string>();
  const identityProviders = (file.admin?.identityProviders ?? []).map((idp, i) => {
    const at = (field: string, message: string) =>
      issues.push({
        field: `admin.identityProviders[${i}].${field}`,
        message,
        line: locate(['admin', 'identityProviders', i, field]),
      });
    if (ids.has(idp.id) || portalProviders.has(idp.id))
      at('id', `duplicate identity provider id '${idp.id}'`);
    ids.add(idp.id);
    if (!organisations.has(idp.organisation))
      at('organisation', `names no configured organisation ('${idp.organisation}')`);
    const secret = env[identityProviderSecretVariable(idp.id)];
    return {
      id: idp.id,
      name: idp.name,
      organisation: idp.organisation,
      issuer: idp.issuer,
      clientId: idp.clientId,
      ...(secret ? { clientSecret: secret } : {}),
      mfa: idp.mfa ?? DEFAULTS.staffMfa,
    };
  });
  return { identityProviders };
}

/** Turns an ajv error into a message an operator can act on without reading JSON Schema. */
function issueFromAjv(
  e: ErrorObject,
  raw: unknown,
  locate: (path: (string | number)[]) => number | undefined,
): ConfigIssue {
  const path = pointerToPath(e.instancePath);
  const field = pathToField(path);
  const got = quoted(path, valueAt(raw, path));
  switch (e.keyword) {
    case 'required': {
      const missing = String(e.params.missingProperty);
      const full = [...path, missing];
      return { field: pathToField(full), message: 'is required but missing', line: locate(path) };
    }
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty);
      const full = [...path, extra];
      return {
        field: pathToField(full),
        message: `unknown field${secretHint(full, raw)}`,
        line: locate(full),
      };
    }
    case 'enum':
      return {
        field,
        message: `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}${got}`,
        line: locate(path),
      };
    case 'type':
      return { field, message: `must be ${article(String(e.params.type))}${got}`, line: locate(path) };
    case 'minimum':
    case 'maximum':
      return { field, message: `${e.message ?? 'out of range'}${got}`, line: locate(path) };
    case 'pattern': {
      if (/url$/i.test(field)) {
        const problem = urlProblem(field, valueAt(raw, path));
        return { field, message: `${problem.message}${problem.quote ? got : ''}`, line: locate(path) };
      }
      return { field, message: `${patternHint(field)}${got}`, line: locate(path) };
    }
    case 'minItems':
      return { field, message: 'must list at least one entry', line: locate(path) };
    case 'minLength':
      return { field, message: 'must not be empty', line: locate(path) };
    default:
      return { field, message: `${e.message ?? 'is invalid'}${got}`, line: locate(path) };
  }
}

/**
 * The refused value, quoted for the message: never for a secret-looking field, never more than
 * QUOTE_MAX characters, and with URL credentials and secret query values hidden.
 */
function quoted(path: (string | number)[], value: unknown): string {
  if (value === undefined) return '';
  const name = path.findLast((p): p is string => typeof p === 'string');
  if (name !== undefined && isSecretName(name)) return '';
  // Redact before shortening: a URL cut before its '@' would no longer look like one.
  const text = redactText(JSON.stringify(value) ?? String(value));
  return ` (got ${text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX - 1)}…` : text})`;
}

/** For an unknown field that looks like a secret: where that secret goes instead. */
function secretHint(full: (string | number)[], raw: unknown): string {
  const name = String(full[full.length - 1]);
  const section = String(full[0]);
  const connection = full.length > 1 && section === 'database' && CONNECTION_PART.test(name);
  const topLevelConnection = full.length === 1 && /^database/i.test(name) && CONNECTION_PART.test(name);
  if (!isSecretName(name) && !connection && !topLevelConnection) return '';
  // Per-item secrets: an identity provider's client secret.
  const provider =
    (section === 'smart' || section === 'admin') && full[1] === 'identityProviders' && full.length > 3;
  const id = provider ? valueAt(raw, [...full.slice(0, 3), 'id']) : undefined;
  const itemId = typeof id === 'string' && /^[a-z0-9][a-z0-9-]{0,62}$/.test(id) ? id : undefined;
  const variable = variableForSecret(provider ? `${section}.identityProviders` : section, itemId);
  return variable
    ? `; secrets come from the environment (${variable}), never from the file`
    : '; secrets never go in the file, and no environment variable takes this one yet (not supported)';
}

function patternHint(field: string): string {
  if (/bodyLimit$/.test(field)) return "must be a size such as '512kb' or '1mb'";
  if (/\.id$/.test(field)) return 'must be lower-case letters, digits and hyphens';
  if (/\.(ura|agb)$/.test(field)) return 'must be 8 digits';
  return 'has the wrong format';
}

function article(type: string): string {
  const t = type.replace(/,/g, ' or ');
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function pathToField(path: (string | number)[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function valueAt(raw: unknown, path: (string | number)[]): unknown {
  let cur: unknown = raw;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

function lineOf(doc: Document, counter: LineCounter, path: (string | number)[]): number | undefined {
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  if (!range) return undefined;
  return counter.linePos(range[0]).line;
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.field}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
