import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { DEFAULTS, FHIR_BASE_PATH } from './defaults';
import { ConfigError, type ConfigIssue } from './errors';
import { configFileSchema, type ConfigFile } from './schema';
import type { DatabaseConfig, GatewayConfig, LogLevel } from './types';
import { LOG_LEVELS } from './schema';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validateConfigFile = ajv.compile(configFileSchema);

/** Field names that look like secrets: they belong in the environment, never in a file in a repo. */
const SECRET_LIKE = /(password|secret|token|key|url$|dsn|credentials)/i;

export interface Environment {
  [name: string]: string | undefined;
}

/** Reads, parses and validates a configuration file (YAML or JSON), then applies the environment. */
export function loadConfigFile(path: string, env: Environment): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(err);
    throw new ConfigError(path, [{ field: '(file)', message: reason }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      path,
      doc.errors.map((e) => ({
        field: '(syntax)',
        message: e.message.split('\n')[0] ?? e.message,
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

  const pushKeys = ecdPushKeys(
    env,
    file.organisations.map((o) => o.id),
    issues,
  );

  if (issues.length > 0) throw new ConfigError(source, issues);

  const host = file.server?.host ?? DEFAULTS.host;
  const publicHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    source,
    server: {
      host,
      port,
      publicUrl: (file.server?.publicUrl ?? `http://${publicHost}:${port}`).replace(/\/+$/, ''),
      bodyLimitBytes: file.server?.bodyLimit ? parseSize(file.server.bodyLimit) : DEFAULTS.bodyLimitBytes,
      requestTimeoutMs: file.server?.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      shutdownGraceMs: file.server?.shutdownGraceMs ?? DEFAULTS.shutdownGraceMs,
      trustProxy: file.server?.trustProxy ?? DEFAULTS.trustProxy,
    },
    fhirBasePath: FHIR_BASE_PATH,
    upstream: {
      url: file.upstream.url.replace(/\/+$/, ''),
      timeoutMs: file.upstream.timeoutMs ?? DEFAULTS.upstreamTimeoutMs,
    },
    database,
    organisations: file.organisations.map((o) => ({ ...o })),
    ecd: {
      pushKeys,
      maxPushBytes: file.ecd?.maxPushSize ? parseSize(file.ecd.maxPushSize) : DEFAULTS.ecdMaxPushBytes,
    },
    log: { level: logLevel },
  };
}

/** The environment variable that holds an organisation's ECD push key. */
export function ecdPushKeyVariable(organisationId: string): string {
  return `INZAGE_ECD_KEY_${organisationId.toUpperCase().replace(/-/g, '_')}`;
}

function ecdPushKeys(
  env: Environment,
  organisationIds: string[],
  issues: ConfigIssue[],
): Map<string, string> {
  const keys = new Map<string, string>();
  const known = new Map(organisationIds.map((id) => [ecdPushKeyVariable(id), id]));
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('INZAGE_ECD_KEY_') || value === undefined || value === '') continue;
    const organisationId = known.get(name);
    if (!organisationId) {
      issues.push({ field: `${name} (environment)`, message: 'names no configured organisation' });
    } else if (value.length < DEFAULTS.ecdPushKeyMinLength) {
      // Never echo the value: it is a secret.
      issues.push({
        field: `${name} (environment)`,
        message: `must be at least ${DEFAULTS.ecdPushKeyMinLength} characters (for example: openssl rand -base64 32)`,
      });
    } else {
      keys.set(organisationId, value);
    }
  }
  return keys;
}

function parseSize(text: string): number {
  const m = /^(\d+)(b|kb|mb)$/.exec(text);
  if (!m) throw new TypeError(`not a size: ${text}`);
  const unit = m[2] === 'mb' ? 1024 * 1024 : m[2] === 'kb' ? 1024 : 1;
  return Number(m[1]) * unit;
}

/** Turns an ajv error into a message an operator can act on without reading JSON Schema. */
function issueFromAjv(
  e: ErrorObject,
  raw: unknown,
  locate: (path: (string | number)[]) => number | undefined,
): ConfigIssue {
  const path = pointerToPath(e.instancePath);
  const field = pathToField(path);
  const value = valueAt(raw, path);
  const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
  switch (e.keyword) {
    case 'required': {
      const missing = String(e.params.missingProperty);
      const full = [...path, missing];
      return { field: pathToField(full), message: 'is required but missing', line: locate(path) };
    }
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty);
      const full = [...path, extra];
      const hint = SECRET_LIKE.test(extra)
        ? '; secrets and the database URL come from the environment (DATABASE_URL), never from the file'
        : '';
      return { field: pathToField(full), message: `unknown field${hint}`, line: locate(full) };
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
    case 'pattern':
      return { field, message: `${patternHint(field)}${got}`, line: locate(path) };
    case 'minItems':
      return { field, message: 'must list at least one entry', line: locate(path) };
    case 'minLength':
      return { field, message: 'must not be empty', line: locate(path) };
    default:
      return { field, message: `${e.message ?? 'is invalid'}${got}`, line: locate(path) };
  }
}

function patternHint(field: string): string {
  if (/url$/i.test(field)) return 'must be an http:// or https:// URL';
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
