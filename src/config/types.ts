/** The gateway's configuration after the file and the environment are combined and validated. */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Which organisation policy preset governs a care organisation's clients (see config/presets/). */
export type PolicyPresetName = 'meerlanden' | 'amerpoort';

export interface ServerConfig {
  /** Interface to bind to. */
  host: string;
  port: number;
  /** The gateway's external base URL (scheme, host, optional path), as portal apps reach it. */
  publicUrl: string;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: number;
  /** A request that takes longer is answered with 503 and logged. */
  requestTimeoutMs: number;
  /** On SIGTERM, how long in-flight requests may take before connections are cut. */
  shutdownGraceMs: number;
  /** Express `trust proxy`: false, true, a hop count, or a list of proxy addresses. */
  trustProxy: boolean | number | string;
}

export interface UpstreamConfig {
  /** Base URL of the dossier's FHIR R4 endpoint. */
  url: string;
  timeoutMs: number;
}

export type DatabaseConfig =
  { driver: 'postgres'; url: string; poolSize: number } | { driver: 'pglite'; dataDir: string | undefined };

export interface OrganisationConfig {
  id: string;
  name: string;
  preset: PolicyPresetName;
  ura?: string;
  agb?: string;
}

export interface EcdLinkConfig {
  /** Organisation id → the key its ECD pushes with (from INZAGE_ECD_KEY_<ORGANISATION>). */
  pushKeys: ReadonlyMap<string, string>;
  /** Largest pushed export accepted, in bytes. */
  maxPushBytes: number;
}

export interface GatewayConfig {
  /** Where the configuration came from, for messages ("config/inzage.yaml", "demo defaults"). */
  source: string;
  server: ServerConfig;
  /** Path of the FHIR base under publicUrl. Fixed: portal apps and SMART discovery rely on it. */
  fhirBasePath: '/fhir';
  upstream: UpstreamConfig;
  database: DatabaseConfig;
  organisations: OrganisationConfig[];
  ecd: EcdLinkConfig;
  log: { level: LogLevel };
}
