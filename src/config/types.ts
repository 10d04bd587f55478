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
  connectTimeoutMs: number;
  maxResponseBytes: number;
  connections: number;
}

/** The FHIR API's paging. */
export interface FhirApiConfig {
  pageSize: number;
  maxPageSize: number;
  cursorSeconds: number;
}

/** The audit trail (src/audit). */
export interface AuditConfig {
  /** Years a record is kept after it was written; at least the legal minimum of 5. */
  retentionYears: number;
}

export type DatabaseConfig =
  { driver: 'postgres'; url: string; poolSize: number } | { driver: 'pglite'; dataDir: string | undefined };

export interface OrganisationConfig {
  id: string;
  name: string;
  preset: PolicyPresetName;
  ura?: string;
  agb?: string;
  /**
   * The version of the portal terms people accept at every login (M-12, A-14); a new version is
   * asked at the next login. Absent only in configurations not made by the loader.
   */
  termsVersion?: string;
  /** Where the full text of the terms is published, linked from the terms page. */
  termsUrl?: string;
  /**
   * Identifier system of the ECD client number on the upstream's Patient resources. Absent only in
   * configurations not made by the loader; `clientNumberSystemOf` gives the default.
   */
  clientNumberSystem?: string;
}

export interface EcdLinkConfig {
  /** Largest pushed export accepted, in bytes. */
  maxPushBytes: number;
}

/** How a portal app or system authenticates at the token endpoint, and which flows it may use. */
export type SmartClientType = 'public' | 'confidential' | 'backend';

/** A JSON Web Key as registered for an asymmetric client (public members only). */
export interface ClientJwk {
  kty: string;
  kid?: string;
  [member: string]: unknown;
}

/** One registered SMART client: a portal app (public or confidential) or a care organisation's system. */
export interface SmartClientConfig {
  id: string;
  name: string;
  type: SmartClientType;
  /** Exact redirect URIs (portal apps); empty for backend clients. */
  redirectUris: string[];
  /** Where an EHR launch opens the app (`<launchUri>?iss=…&launch=…`). */
  launchUri?: string;
  /** The most this client may be granted: SMART scopes, space-separated in the file. */
  scopes: string[];
  /** scrypt hash of a confidential client's secret (`inzage smart hash-secret`). */
  secretHash?: string;
  /** Inline public keys of an asymmetric client. */
  jwks?: { keys: ClientJwk[] };
  /** Where an asymmetric client publishes its public keys. */
  jwksUrl?: string;
  /** Backend clients: the organisation whose ECD link this system is. */
  organisation?: string;
  /** Portal apps: may start EHR launches of other apps for its signed-in user. */
  mayLaunch: boolean;
}

/** An external OpenID Connect provider people may log in with (a DigiD broker, the organisation's IdP). */
export interface IdentityProviderConfig {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  /**
   * The gateway's client secret at the provider (INZAGE_IDP_SECRET_<ID>); without it the gateway is
   * a public client there, protected by PKCE alone.
   */
  clientSecret?: string;
  /** Whether a login through this provider still takes the gateway's own second factor. */
  secondFactor: boolean;
}

/**
 * How a staff login through the organisation's own provider counts towards the second factor:
 * `gateway`, the console still asks its TOTP code; `amr`, the provider's login counts when its
 * id_token's `amr` names `mfa` (RFC 8176), else the code is asked; `provider`, the provider enforces
 * multi-factor authentication for every login and the console trusts that.
 */
export type StaffMfaPolicy = 'gateway' | 'amr' | 'provider';

/** The care organisation's own OpenID Connect provider, for its staff's console login (issue 12). */
export interface StaffIdentityProviderConfig {
  id: string;
  name: string;
  /** The organisation whose staff log in through it. */
  organisation: string;
  issuer: string;
  clientId: string;
  /** INZAGE_IDP_SECRET_<ID>; without it the console is a public client there (PKCE). */
  clientSecret?: string;
  mfa: StaffMfaPolicy;
}

/** The administration (issue 12). */
export interface AdminConfig {
  identityProviders: StaffIdentityProviderConfig[];
}

export interface SmartConfig {
  /** Lifetime of access tokens, in seconds. */
  accessTokenSeconds: number;
  /** Lifetime of refresh tokens (offline_access), in days. */
  refreshTokenDays: number;
  clients: SmartClientConfig[];
  identityProviders: IdentityProviderConfig[];
}

export interface GatewayConfig {
  /** Where the configuration came from, for messages ("config/inzage.yaml", "demo defaults"). */
  source: string;
  server: ServerConfig;
  /** Path of the FHIR base under publicUrl. Fixed: portal apps and SMART discovery rely on it. */
  fhirBasePath: '/fhir';
  upstream: UpstreamConfig;
  fhir: FhirApiConfig;
  audit: AuditConfig;
  database: DatabaseConfig;
  organisations: OrganisationConfig[];
  ecd: EcdLinkConfig;
  /** The SMART authorization server: token lifetimes and registered clients. */
  smart: SmartConfig;
  /** The administration; absent only in configurations not made by the loader. */
  admin?: AdminConfig;
  log: { level: LogLevel };
}
