import { redactText } from './redact';
import type { GatewayConfig, LogLevel, OrganisationConfig, ServerConfig } from './types';

/** The settings as `config check` shows them: every value that is no secret, and where each secret comes from. */
export interface ConfigView {
  source: string;
  server: ServerConfig;
  fhirBasePath: string;
  upstream: {
    url: string;
    timeoutMs: number;
    connectTimeoutMs: number;
    maxResponseBytes: number;
    connections: number;
  };
  fhir: { pageSize: number; maxPageSize: number; cursorSeconds: number };
  audit: { retentionYears: number };
  database:
    | { driver: 'postgres'; url: '[from DATABASE_URL]'; host?: string; database?: string; poolSize: number }
    | { driver: 'pglite'; dataDir: string };
  organisations: OrganisationConfig[];
  ecd: { maxPushBytes: number };
  log: { level: LogLevel };
}

/**
 * The resolved configuration with every secret left out: the database URL becomes
 * `[from DATABASE_URL]` with only its host and database name beside it, and URLs lose any userinfo and secret-looking query parameter.
 * Safe to print, log or paste into a ticket.
 */
export function describeConfig(config: GatewayConfig): ConfigView {
  return {
    source: redactText(config.source),
    server: { ...config.server, publicUrl: redactText(config.server.publicUrl) },
    fhirBasePath: config.fhirBasePath,
    upstream: { ...config.upstream, url: redactText(config.upstream.url) },
    fhir: { ...config.fhir },
    audit: { ...config.audit },
    database:
      config.database.driver === 'postgres'
        ? {
            driver: 'postgres',
            url: '[from DATABASE_URL]',
            ...whereTheDatabaseIs(config.database.url),
            poolSize: config.database.poolSize,
          }
        : { driver: 'pglite', dataDir: config.database.dataDir ?? '(in memory)' },
    organisations: config.organisations.map((o) => ({ ...o })),
    ecd: {
      maxPushBytes: config.ecd.maxPushBytes,
    },
    log: { ...config.log },
  };
}

/** Host (with port) and database name of a PostgreSQL URL; nothing of its userinfo or query. */
function whereTheDatabaseIs(url: string): { host?: string; database?: string } {
  try {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    return { ...(parsed.host ? { host: parsed.host } : {}), ...(database ? { database } : {}) };
  } catch {
    return {};
  }
}
