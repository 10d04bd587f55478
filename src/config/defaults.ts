/**
 * Every default the configuration has, each with why it is what it is. The README's configuration
 * reference is written from this file; keep the two in step.
 */
export const DEFAULTS = {
  /** Port 8080: the documented port that SMART discovery URLs and the demo's printed links use. */
  port: 8080,
  /** Production listens on every interface; the demo overrides this with 127.0.0.1. */
  host: '0.0.0.0',
  /** 1 MiB: FHIR reads carry small bodies (a POST _search form); ECD sync has its own limit. */
  bodyLimitBytes: 1024 * 1024,
  /** 30 s: longer than any upstream timeout, so the upstream's error wins over a bare timeout. */
  requestTimeoutMs: 30_000,
  /** 10 s: enough for a FHIR read in flight to finish; orchestrators send SIGKILL at about 30 s. */
  shutdownGraceMs: 10_000,
  /** Off: behind a proxy, set it so client addresses in the audit trail are the real ones. */
  trustProxy: false,
  /** 10 s for one upstream call. */
  upstreamTimeoutMs: 10_000,
  /** Ten connections per gateway instance: several instances share one PostgreSQL server. */
  databasePoolSize: 10,
  logLevel: 'info',
  /** 256 MiB: a full export of a large organisation, streamed (memory does not grow with it). */
  ecdMaxPushBytes: 256 * 1024 * 1024,
  /** Push keys shorter than this are refused: they are bearer secrets. */
  ecdPushKeyMinLength: 32,
} as const;

/** The FHIR base path; SMART discovery lives at `${FHIR_BASE_PATH}/.well-known/smart-configuration`. */
export const FHIR_BASE_PATH = '/fhir' as const;
