import type { JSONSchemaType } from 'ajv';
import { SIZE_PATTERN } from './size';
import type { ClientJwk, LogLevel, PolicyPresetName, SmartClientType, StaffMfaPolicy } from './types';
import { BASE_URL_PATTERN } from './urls';

/**
 * The configuration file as written by an operator (YAML or JSON), before defaults and environment.
 * Every property here has its entry in SETTINGS (defaults.ts); a test keeps the two in step.
 */
export interface ConfigFile {
  server?: {
    host?: string;
    port?: number;
    publicUrl?: string;
    bodyLimit?: string;
    requestTimeoutMs?: number;
    shutdownGraceMs?: number;
    trustProxy?: boolean | number | string;
  };
  upstream: {
    url: string;
    timeoutMs?: number;
    connectTimeoutMs?: number;
    maxResponseSize?: string;
    connections?: number;
  };
  fhir?: { pageSize?: number; maxPageSize?: number; cursorSeconds?: number };
  audit?: { retentionYears?: number };
  database?: { pgliteDataDir?: string; poolSize?: number };
  organisations: Array<{
    id: string;
    name: string;
    preset: PolicyPresetName;
    ura?: string;
    agb?: string;
    termsVersion?: string;
    termsUrl?: string;
    clientNumberSystem?: string;
  }>;
  ecd?: { maxPushSize?: string };
  smart?: {
    accessTokenSeconds?: number;
    refreshTokenDays?: number;
    clients?: Array<{
      id: string;
      name: string;
      type: SmartClientType;
      redirectUris?: string[];
      launchUri?: string;
      scopes: string;
      secretHash?: string;
      jwks?: ClientJwk[];
      jwksUrl?: string;
      organisation?: string;
      mayLaunch?: boolean;
    }>;
    identityProviders?: Array<{
      id: string;
      name: string;
      issuer: string;
      clientId: string;
      secondFactor?: boolean;
    }>;
  };
  admin?: {
    identityProviders?: Array<{
      id: string;
      name: string;
      organisation: string;
      issuer: string;
      clientId: string;
      mfa?: StaffMfaPolicy;
    }>;
  };
  log?: { level?: LogLevel };
}

export const POLICY_PRESETS: readonly PolicyPresetName[] = ['meerlanden', 'amerpoort'];
export const SMART_CLIENT_TYPES: readonly SmartClientType[] = ['public', 'confidential', 'backend'];
export const STAFF_MFA_POLICIES: readonly StaffMfaPolicy[] = ['gateway', 'amr', 'provider'];
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const httpUrl = { type: 'string', pattern: BASE_URL_PATTERN } as const;
/** An absolute http(s) URL that may carry a path and query (redirect URIs are matched exactly). */
const httpUrlWithQuery = { type: 'string', pattern: '^https?://[^\\s#]+$' } as const;

export const configFileSchema: JSONSchemaType<ConfigFile> = {
  type: 'object',
  additionalProperties: false,
  required: ['upstream', 'organisations'],
  properties: {
    server: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      properties: {
        host: { type: 'string', nullable: true, minLength: 1 },
        port: { type: 'integer', nullable: true, minimum: 0, maximum: 65535 },
        publicUrl: { ...httpUrl, nullable: true },
        bodyLimit: { type: 'string', nullable: true, pattern: SIZE_PATTERN },
        requestTimeoutMs: { type: 'integer', nullable: true, minimum: 100, maximum: 600_000 },
        shutdownGraceMs: { type: 'integer', nullable: true, minimum: 0, maximum: 600_000 },
        trustProxy: {
          type: ['boolean', 'integer', 'string'],
          nullable: true,
        } as never,
      },
    },
    upstream: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: httpUrl,
        timeoutMs: { type: 'integer', nullable: true, minimum: 100, maximum: 600_000 },
        connectTimeoutMs: { type: 'integer', nullable: true, minimum: 50, maximum: 60_000 },
        maxResponseSize: { type: 'string', nullable: true, pattern: SIZE_PATTERN },
        connections: { type: 'integer', nullable: true, minimum: 1, maximum: 1024 },
      },
    },
    fhir: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      properties: {
        pageSize: { type: 'integer', nullable: true, minimum: 1, maximum: 1000 },
        maxPageSize: { type: 'integer', nullable: true, minimum: 1, maximum: 1000 },
        cursorSeconds: { type: 'integer', nullable: true, minimum: 30, maximum: 86_400 },
      },
    },
    audit: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      properties: {
        // Never below the legal minimum: a configuration cannot make the gateway delete records early.
        retentionYears: { type: 'integer', nullable: true, minimum: 5, maximum: 115 },
      },
    },
    database: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      properties: {
        pgliteDataDir: { type: 'string', nullable: true, minLength: 1 },
        poolSize: { type: 'integer', nullable: true, minimum: 1, maximum: 200 },
      },
    },
    organisations: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'preset'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
          name: { type: 'string', minLength: 1 },
          preset: { type: 'string', enum: [...POLICY_PRESETS] },
          ura: { type: 'string', nullable: true, pattern: '^[0-9]{8}$' },
          agb: { type: 'string', nullable: true, pattern: '^[0-9]{8}$' },
          termsVersion: { type: 'string', nullable: true, minLength: 1, maxLength: 64 },
          termsUrl: { ...httpUrlWithQuery, nullable: true },
          clientNumberSystem: {
            type: 'string',
            nullable: true,
            minLength: 1,
            maxLength: 512,
            pattern: '^[a-z][a-z0-9+.-]*:\\S+$',
          },
        },
      },
    },
    ecd: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      properties: {
        maxPushSize: { type: 'string', nullable: true, pattern: SIZE_PATTERN },
      },
    },
    smart: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      properties: {
        accessTokenSeconds: { type: 'integer', nullable: true, minimum: 60, maximum: 3600 },
        refreshTokenDays: { type: 'integer', nullable: true, minimum: 1, maximum: 400 },
        clients: {
          type: 'array',
          nullable: true,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'name', 'type', 'scopes'],
            properties: {
              id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' },
              name: { type: 'string', minLength: 1 },
              type: { type: 'string', enum: [...SMART_CLIENT_TYPES] },
              redirectUris: { type: 'array', nullable: true, items: httpUrlWithQuery },
              launchUri: { ...httpUrlWithQuery, nullable: true },
              scopes: { type: 'string', minLength: 1 },
              secretHash: { type: 'string', nullable: true, pattern: '^scrypt\\$' },
              // The keys themselves are checked when the authorization server loads them (oidc-provider).
              jwks: { type: 'array', nullable: true, minItems: 1, items: { type: 'object' } },
              jwksUrl: { ...httpUrlWithQuery, nullable: true },
              organisation: { type: 'string', nullable: true, minLength: 1 },
              mayLaunch: { type: 'boolean', nullable: true },
            },
          },
        },
        identityProviders: {
          type: 'array',
          nullable: true,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'name', 'issuer', 'clientId'],
            properties: {
              id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
              name: { type: 'string', minLength: 1 },
              issuer: httpUrl,
              clientId: { type: 'string', minLength: 1 },
              secondFactor: { type: 'boolean', nullable: true },
            },
          },
        },
      },
    } as never,
    admin: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      properties: {
        identityProviders: {
          type: 'array',
          nullable: true,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'name', 'organisation', 'issuer', 'clientId'],
            properties: {
              id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
              name: { type: 'string', minLength: 1 },
              organisation: { type: 'string', minLength: 1 },
              issuer: httpUrl,
              clientId: { type: 'string', minLength: 1 },
              mfa: { type: 'string', nullable: true, enum: [...STAFF_MFA_POLICIES] },
            },
          },
        },
      },
    } as never,
    log: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      properties: {
        level: { type: 'string', nullable: true, enum: [...LOG_LEVELS] },
      },
    },
  },
};
