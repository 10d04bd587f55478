import type { JSONSchemaType } from 'ajv';
import { SIZE_PATTERN } from './size';
import type { LogLevel, PolicyPresetName } from './types';
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
  upstream: { url: string; timeoutMs?: number };
  database?: { pgliteDataDir?: string; poolSize?: number };
  organisations: Array<{ id: string; name: string; preset: PolicyPresetName; ura?: string; agb?: string }>;
  ecd?: { maxPushSize?: string };
  log?: { level?: LogLevel };
}

export const POLICY_PRESETS: readonly PolicyPresetName[] = ['meerlanden', 'amerpoort'];
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const httpUrl = { type: 'string', pattern: BASE_URL_PATTERN } as const;

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
