export { loadConfigFile, resolveConfig, type Environment } from './load';
export { ConfigError, type ConfigIssue } from './errors';
export { describeConfig, type ConfigView } from './describe';
export {
  DEFAULTS,
  FHIR_BASE_PATH,
  SECTIONS,
  SETTINGS,
  type Setting,
  type SettingPath,
  type SettingValue,
} from './defaults';
export { ENVIRONMENT_VARIABLES, identityProviderSecretVariable, type EnvironmentVariable } from './variables';
export type { ConfigFile } from './schema';
export { POLICY_PRESETS } from './schema';
export type {
  ClientJwk,
  IdentityProviderConfig,
  AdminConfig,
  StaffIdentityProviderConfig,
  StaffMfaPolicy,
  SmartClientConfig,
  SmartClientType,
  SmartConfig,
  DatabaseConfig,
  EcdLinkConfig,
  GatewayConfig,
  LogLevel,
  OrganisationConfig,
  PolicyPresetName,
  ServerConfig,
  UpstreamConfig,
} from './types';
