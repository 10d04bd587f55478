/**
 * Every setting of the configuration file, with its type, its default and why the default is what it
 * is. This is the one source: the loader takes its defaults from here (DEFAULTS), a test holds it
 * against the schema field by field, and `npm run docs:config` writes the README's settings table and
 * config/inzage.example.yaml from it (a test fails when either is stale). Edit here, not there.
 *
 * Texts are markdown-light (code in backticks) and have no final full stop: the generator adds them.
 */
import { sizeInBytes } from './size';

export type SettingValue = string | number | boolean | readonly string[];

export interface Setting {
  /** Type and allowed values, in words ("integer 0–65535"). */
  readonly type: string;
  /** Its meaning: what changes when it is set. */
  readonly meaning: string;
  /** The value when the field is absent; absent for a required field or a computed default. */
  readonly default?: SettingValue;
  /** The default in words, when it is computed or is "nothing" (`http://localhost:<port>`, in memory). */
  readonly defaultText?: string;
  /** Why the default is what it is. */
  readonly reason?: string;
  /** The file fails without it (within its list entry, for `organisations[].…`). */
  readonly required?: boolean;
  /** Meanings of the allowed values, for a choice between named values. */
  readonly values?: Readonly<Record<string, string>>;
  /** The value config/inzage.example.yaml shows, when it is not the default. */
  readonly example?: SettingValue;
}

/** The sections of the file (its top-level objects), each with what it is about. */
export const SECTIONS = {
  server: 'How the gateway listens and answers',
  upstream: "The dossier's FHIR server the gateway stands in front of",
  database: "The gateway's own database (consents, suspensions, audit)",
  fhir: 'The consent-enforcing FHIR API portal apps read from',
  audit: 'The audit trail (NEN 7513): every access and change, hash-chained',
  ecd: 'The ECD link: exports pushed by the ECD',
  smart: 'The SMART on FHIR authorization server: token lifetimes, portal apps and systems',
  admin: "The care organisation's administration: its staff's console login",
  log: 'Logging (JSON lines on standard output)',
} as const satisfies Record<string, string>;

/**
 * The settings by their path in the file; `[]` marks the entries of a list, so
 * `organisations[].id` is the `id` of every entry of `organisations`.
 */
export const SETTINGS = {
  'server.host': {
    type: 'host name or IP address',
    meaning: 'interface to listen on',
    default: '0.0.0.0',
    reason:
      'production listens on every interface, behind a load balancer or reverse proxy; the demo uses `127.0.0.1`',
  },
  'server.port': {
    type: 'integer 0–65535 (0: any free port)',
    meaning: 'port to listen on',
    default: 8080,
    reason: "the documented port that SMART discovery URLs and the demo's printed links use",
  },
  'server.publicUrl': {
    type: '`http://` or `https://` URL without credentials, query or fragment',
    meaning:
      "the gateway's external base URL, as portal apps reach it: the FHIR base is `<publicUrl>/fhir`, " +
      'SMART discovery `<publicUrl>/fhir/.well-known/smart-configuration`',
    defaultText: '`http://localhost:<port>`',
    reason:
      "the gateway's own address (`server.host`, or `localhost` for every interface), right when nothing is in front of it",
    example: 'https://inzage.example.org',
  },
  'server.bodyLimit': {
    type: 'size: a number with `b`, `kb` or `mb`',
    meaning: 'largest request body accepted',
    default: '1mb',
    reason:
      'FHIR reads carry small bodies (a POST `_search` form); the ECD push has its own (`ecd.maxPushSize`)',
  },
  'server.requestTimeoutMs': {
    type: 'integer 100–600000 (milliseconds)',
    meaning: 'a request still running after this long is answered with 503 and logged',
    default: 30_000,
    reason: "longer than any upstream timeout, so that the upstream's own error wins over a bare timeout",
  },
  'server.shutdownGraceMs': {
    type: 'integer 0–600000 (milliseconds)',
    meaning: 'on SIGTERM, how long requests in flight may take before connections are cut',
    default: 10_000,
    reason: 'enough for a FHIR read in flight to finish; orchestrators send SIGKILL at about 30 s',
  },
  'server.trustProxy': {
    type: '`true`, `false`, a number of hops, or proxy addresses (`10.0.0.1`, `loopback`)',
    meaning:
      'Express `trust proxy`: set it behind a reverse proxy, so that the audit trail records real client addresses',
    default: false,
    reason:
      'without a proxy in front, trusting `X-Forwarded-For` would let any client choose its recorded address',
  },
  'upstream.url': {
    type: '`http://` or `https://` URL without credentials, query or fragment',
    meaning: "base URL of the dossier's FHIR R4 endpoint (the ECD's FHIR API)",
    required: true,
    example: 'https://fhir.ecd.example.org/fhir',
  },
  'upstream.timeoutMs': {
    type: 'integer 100–600000 (milliseconds)',
    meaning: 'how long one upstream call may take',
    default: 10_000,
    reason: 'well under `server.requestTimeoutMs`, so that a slow upstream is reported as the cause',
  },
  'upstream.connectTimeoutMs': {
    type: 'integer 50–60000 (milliseconds)',
    meaning: 'how long opening a connection to the upstream may take',
    default: 2_000,
    reason: 'a server that does not accept a connection in two seconds is down; the caller gets 504 soon',
  },
  'upstream.maxResponseSize': {
    type: 'size: a number with `b`, `kb` or `mb`',
    meaning: 'largest upstream answer the gateway reads; a larger one is refused with 502',
    default: '32mb',
    reason: 'a page of a search is far smaller; the cap keeps a broken upstream from exhausting memory',
  },
  'upstream.connections': {
    type: 'integer 1–1024',
    meaning: 'keep-alive connections to the upstream per gateway instance',
    default: 64,
    reason: 'enough for the requests one instance has in flight, without overrunning the upstream',
  },
  'fhir.pageSize': {
    type: 'integer 1–1000',
    meaning: 'entries per page of a search when the request gives no `_count`',
    default: 20,
    reason: 'what FHIR servers commonly use; a portal page shows about that many',
  },
  'fhir.maxPageSize': {
    type: 'integer 1–1000',
    meaning: 'the most entries per page a `_count` can ask for',
    default: 100,
    reason: 'every entry is judged, so a page stays small enough to answer at once',
  },
  'fhir.cursorSeconds': {
    type: 'integer 30–86400 (seconds)',
    meaning: 'how long a paging link (a signed cursor) of a search stays valid',
    default: 900,
    reason: 'long enough to page through a result, short enough that an old link stops working',
  },
  'audit.retentionYears': {
    type: 'integer 5–115 (years)',
    meaning:
      'how long an audit record is kept after it was written; older records may be deleted (`inzage audit prune`)',
    default: 5,
    reason:
      'the legal minimum for NEN 7513 logging in Dutch care (Staatscourant 2019-38007); a shorter period is refused',
  },
  'database.pgliteDataDir': {
    type: 'directory',
    meaning: 'data directory of the embedded PGlite database, used only when `DATABASE_URL` is not set',
    defaultText: 'in memory',
    reason: 'nothing is written to disk unless asked for; the data is gone when the process stops',
    example: './data',
  },
  'database.poolSize': {
    type: 'integer 1–200',
    meaning: 'PostgreSQL connections per gateway instance (with `DATABASE_URL`)',
    default: 10,
    reason: 'several gateway instances share one PostgreSQL server',
  },
  organisations: {
    type: 'list of organisations, at least one',
    meaning: 'the care organisations whose clients this gateway serves, each with its policy preset',
    required: true,
  },
  'organisations[].id': {
    type: 'lower-case letters, digits and hyphens (at most 63), unique',
    meaning:
      "the organisation's id: it names the ECD identifier systems, and its ECD backend client names it (`smart.clients[].organisation`)",
    required: true,
    example: 'meerzicht',
  },
  'organisations[].name': {
    type: 'text',
    meaning: "the organisation's name, as people read it",
    required: true,
    example: 'Zorgcentrum Meerzicht',
  },
  'organisations[].preset': {
    type: '`meerlanden` or `amerpoort`',
    meaning: "the policy preset that governs the organisation's clients (`config/presets/`)",
    required: true,
    values: {
      meerlanden: 'first contact person model; access ends when care ends',
      amerpoort:
        "portal administrator model; curator or mentor first; minors' rules; closes two days after care " +
        'ends or death; employees kept out of responses',
    },
    example: 'meerlanden',
  },
  'organisations[].ura': {
    type: '8 digits',
    meaning: "the organisation's URA number (UZI register), when it has one",
    example: '12345678',
  },
  'organisations[].agb': {
    type: '8 digits',
    meaning: "the organisation's AGB code (Vektis), when it has one",
  },
  'organisations[].termsVersion': {
    type: 'text (at most 64 characters)',
    meaning:
      "the version of the organisation's portal terms: shown and accepted at every login, and recorded; " +
      'a new value is asked at the next login',
    default: '2026-01',
    reason: 'every login must name a version (M-12, A-14); change it when the terms change (A-15)',
  },
  'organisations[].termsUrl': {
    type: '`http://` or `https://` URL',
    meaning: 'where the full text of the terms is published; the terms page links to it',
    defaultText: 'no link',
    example: 'https://www.meerzicht.example.org/portaalvoorwaarden',
  },
  'organisations[].clientNumberSystem': {
    type: 'URI',
    meaning:
      "identifier system of the ECD client number on the upstream's Patient resources: the gateway finds a client's dossier upstream by it",
    defaultText: '`https://inzage.example/ecd/<id>/client`, the system the ECD link maps client numbers to',
    reason: 'each ECD names its client numbers under its own system; the sandbox uses the default',
    example: 'https://ecd.meerzicht.example.org/fhir/NamingSystem/clientnummer',
  },
  'ecd.maxPushSize': {
    type: 'size: a number with `b`, `kb` or `mb`',
    meaning: 'largest ECD export accepted by the push endpoint',
    default: '256mb',
    reason: 'a full export of a large organisation; it is streamed, so memory does not grow with it',
  },
  'smart.accessTokenSeconds': {
    type: 'integer 60–3600 (seconds)',
    meaning: 'how long an access token is valid',
    default: 300,
    reason:
      'short-lived tokens limit what a leaked token can do; apps refresh, and Backend Services SHOULD be at most 300 s',
  },
  'smart.refreshTokenDays': {
    type: 'integer 1–400 (days)',
    meaning: 'how long a refresh token (granted with `offline_access`) is valid; every use rotates it',
    default: 30,
    reason: 'a month of not opening the portal app asks for a new login',
  },
  'smart.clients': {
    type: 'list of clients',
    meaning: 'the registered portal apps and care organisation systems; no other client can get a token',
    defaultText: 'none',
  },
  'smart.clients[].id': {
    type: 'letters, digits, `.`, `_` and `-` (at most 128), unique',
    meaning: 'the OAuth `client_id`',
    required: true,
    example: 'portal-app',
  },
  'smart.clients[].name': {
    type: 'text',
    meaning: 'the app as people read it on the login pages',
    required: true,
    example: 'Mijn Meerzicht',
  },
  'smart.clients[].type': {
    type: '`public`, `confidential` or `backend`',
    meaning: 'how the client authenticates and which flows it may use',
    required: true,
    values: {
      public: 'a browser or mobile app without a secret: authorization code with PKCE',
      confidential:
        'a server-side portal app: authorization code with PKCE and a secret (`secretHash`) or keys (`jwks`, `jwksUrl`)',
      backend:
        "a care organisation's system: SMART Backend Services (`client_credentials` with `jwks` or `jwksUrl`)",
    },
    example: 'public',
  },
  'smart.clients[].redirectUris': {
    type: 'list of `http://` or `https://` URLs',
    meaning: 'where the app may receive codes; matched exactly (portal apps only)',
    defaultText: 'none',
    example: ['https://portal.example.org/callback'],
  },
  'smart.clients[].launchUri': {
    type: '`http://` or `https://` URL',
    meaning: 'where an EHR launch opens the app (`?iss=<FHIR base>&launch=…` is added)',
    defaultText: 'none: the app cannot be launched',
  },
  'smart.clients[].scopes': {
    type: 'SMART scopes, separated by spaces',
    meaning:
      'the most this client may be granted (`launch/patient openid fhirUser offline_access patient/*.rs`); a requested scope outside them is dropped',
    required: true,
    example: 'launch launch/patient openid fhirUser offline_access patient/*.rs',
  },
  'smart.clients[].secretHash': {
    type: 'an scrypt hash made by `inzage smart hash-secret`',
    meaning: 'a confidential client authenticates with this secret (HTTP Basic); only its hash is kept',
    defaultText: 'none',
  },
  'smart.clients[].jwks': {
    type: 'list of public JSON Web Keys (RS384 or ES384), each with `kty` and `kid`',
    meaning: 'an asymmetric client signs its client assertions with one of these (`private_key_jwt`)',
    defaultText: 'none',
  },
  'smart.clients[].jwksUrl': {
    type: '`http://` or `https://` URL',
    meaning: 'where an asymmetric client publishes its public keys, fetched when needed',
    defaultText: 'none',
  },
  'smart.clients[].organisation': {
    type: 'an organisation id',
    meaning: 'backend clients: the organisation whose ECD this system is; its token may push that ECD',
    defaultText: 'none',
  },
  'smart.clients[].mayLaunch': {
    type: '`true` or `false`',
    meaning: 'the app may start EHR launches of other apps for its signed-in user (`POST /auth/launch`)',
    default: false,
  },
  'smart.identityProviders': {
    type: 'list of OpenID Connect providers',
    meaning:
      'external identity providers (a DigiD broker, the organisation’s own) people may log in with, after linking them to their account',
    defaultText: 'none',
  },
  'smart.identityProviders[].id': {
    type: 'lower-case letters, digits and hyphens (at most 63), unique',
    meaning: 'names the provider in URLs and its client secret variable (`INZAGE_IDP_SECRET_<ID>`)',
    required: true,
    example: 'digid',
  },
  'smart.identityProviders[].name': {
    type: 'text',
    meaning: 'the button text on the login page',
    required: true,
    example: 'DigiD',
  },
  'smart.identityProviders[].issuer': {
    type: '`http://` or `https://` URL',
    meaning: "the provider's issuer; its discovery document is read from there",
    required: true,
    example: 'https://digid-broker.example.org',
  },
  'smart.identityProviders[].clientId': {
    type: 'text',
    meaning:
      "the gateway's client id at that provider; its redirect URI there is `<publicUrl>/auth/federation/<id>/callback`",
    required: true,
    example: 'inzage-meerzicht',
  },
  'smart.identityProviders[].secondFactor': {
    type: '`true` or `false`',
    meaning:
      "a login through this provider still takes the gateway's own second factor, as a password login does",
    default: true,
    example: false,
    reason:
      'an organisation’s identity provider may check only a password; set `false` for a provider that is two-factor itself (DigiD Midden or Substantieel through a broker)',
  },
  'admin.identityProviders': {
    type: 'list of OpenID Connect providers',
    meaning:
      "each care organisation's own identity provider its staff may log in to the console with (`/admin/console/login/oidc/<id>`)",
    defaultText: 'none (password and TOTP only)',
  },
  'admin.identityProviders[].id': {
    type: 'lower-case letters, digits and hyphens (at most 63), unique among all identity providers',
    meaning: 'names the provider in URLs and its client secret variable (`INZAGE_IDP_SECRET_<ID>`)',
    required: true,
    example: 'meerzicht-staff',
  },
  'admin.identityProviders[].name': {
    type: 'text',
    meaning: 'the button text on the console login page',
    required: true,
    example: 'Meerzicht-account',
  },
  'admin.identityProviders[].organisation': {
    type: 'an organisation id',
    meaning:
      'the organisation whose staff log in through it: a staff account is found by its linked identity or, the first time, by the verified e-mail address',
    required: true,
    example: 'meerzicht',
  },
  'admin.identityProviders[].issuer': {
    type: '`http://` or `https://` URL',
    meaning: "the provider's issuer; its discovery document is read from there",
    required: true,
    example: 'https://login.meerzicht.example.org',
  },
  'admin.identityProviders[].clientId': {
    type: 'text',
    meaning:
      "the console's client id at that provider; its redirect URI there is `<publicUrl>/admin/console/login/oidc/<id>/callback`",
    required: true,
    example: 'inzage-beheer',
  },
  'admin.identityProviders[].mfa': {
    type: '`gateway`, `amr` or `provider`',
    meaning: "whether the provider's login counts as the second factor",
    default: 'gateway',
    values: {
      gateway: 'the console still asks its own TOTP code',
      amr: "it counts when the id_token's `amr` names `mfa` (RFC 8176); otherwise the code is asked",
      provider: 'the provider enforces multi-factor authentication on every login',
    },
    reason: 'an organisation’s provider may check a password only; say otherwise only when it is known',
  },
  'log.level': {
    type: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`',
    meaning: 'the least severe log lines written',
    default: 'info',
    reason: "`info` records every request and the gateway's start and stop; `debug` is for finding a fault",
  },
} as const satisfies Record<string, Setting>;

export type SettingPath = keyof typeof SETTINGS;

/** The defaults as the loader uses them, in its units (bytes, not "1mb"). */
export const DEFAULTS = {
  port: SETTINGS['server.port'].default,
  host: SETTINGS['server.host'].default,
  bodyLimitBytes: sizeInBytes(SETTINGS['server.bodyLimit'].default),
  requestTimeoutMs: SETTINGS['server.requestTimeoutMs'].default,
  shutdownGraceMs: SETTINGS['server.shutdownGraceMs'].default,
  trustProxy: SETTINGS['server.trustProxy'].default,
  upstreamTimeoutMs: SETTINGS['upstream.timeoutMs'].default,
  upstreamConnectTimeoutMs: SETTINGS['upstream.connectTimeoutMs'].default,
  upstreamMaxResponseBytes: sizeInBytes(SETTINGS['upstream.maxResponseSize'].default),
  upstreamConnections: SETTINGS['upstream.connections'].default,
  fhirPageSize: SETTINGS['fhir.pageSize'].default,
  fhirMaxPageSize: SETTINGS['fhir.maxPageSize'].default,
  fhirCursorSeconds: SETTINGS['fhir.cursorSeconds'].default,
  auditRetentionYears: SETTINGS['audit.retentionYears'].default,
  databasePoolSize: SETTINGS['database.poolSize'].default,
  logLevel: SETTINGS['log.level'].default,
  ecdMaxPushBytes: sizeInBytes(SETTINGS['ecd.maxPushSize'].default),
  accessTokenSeconds: SETTINGS['smart.accessTokenSeconds'].default,
  refreshTokenDays: SETTINGS['smart.refreshTokenDays'].default,
  identityProviderSecondFactor: SETTINGS['smart.identityProviders[].secondFactor'].default,
  termsVersion: SETTINGS['organisations[].termsVersion'].default,
  staffMfa: SETTINGS['admin.identityProviders[].mfa'].default,
} as const;

/** The FHIR base path; SMART discovery lives at `${FHIR_BASE_PATH}/.well-known/smart-configuration`. */
export const FHIR_BASE_PATH = '/fhir' as const;
