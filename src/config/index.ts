export { ecdPushKeyVariable, loadConfigFile, resolveConfig, type Environment } from './load';
export { ConfigError, type ConfigIssue } from './errors';
export { DEFAULTS, FHIR_BASE_PATH } from './defaults';
export type { ConfigFile } from './schema';
export { POLICY_PRESETS } from './schema';
export type {
  DatabaseConfig,
  EcdLinkConfig,
  GatewayConfig,
  LogLevel,
  OrganisationConfig,
  PolicyPresetName,
  ServerConfig,
  UpstreamConfig,
} from './types';
