/**
 * The SMART on FHIR authorization server (issue 9, under construction). So far: oidc-provider's
 * storage on the gateway's store, and the signing keys. The module owns auth_model and
 * auth_signing_key.
 */
export { authAdapter, pruneExpired } from './adapter';
export type { AuthAdapterFactory, AuthAdapterOptions } from './adapter';
export { AuthError } from './errors';
export type { AuthErrorCode } from './errors';
export {
  KEY_ENCRYPTION_KEY_VARIABLE,
  keyEncryptionKeyFromEnvironment,
  parseKeyEncryptionKey,
} from './key-encryption';
export {
  DEFAULT_SIGNING_ALGS,
  activeJwks,
  ensureSigningKeys,
  publicJwks,
  rotateSigningKeys,
} from './signing-keys';
export type {
  Jwks,
  ReadKeyOptions,
  RotationOptions,
  RotationResult,
  SigningKeyOptions,
} from './signing-keys';
export {
  createAuthorizationServer,
  type AuthorizationServer,
  type AuthorizationServerOptions,
  type PortalAccessCheck,
} from './authorization-server';
export { AccessTokenVerifier, bearerToken, type VerifiedAccessToken } from './access-tokens';
export { authRouter, type AuthRouterOptions } from './routes';
export { INTROSPECT_SCOPE } from './introspection';
export { revokeAccountTokens, type RevokeOptions } from './revoke';
/** M-6: block an account after lost credentials, and let it re-enrol with a fresh link code. */
export {
  blockAccount,
  reenrolAccount,
  type BlockJournal,
  type BlockResult,
  type Reenrolment,
} from './blocks';
export { termsAnswersOf, type RecordedTermsAnswer, type TermsAnswer } from './pages';
export { maintenancePage, type MaintenancePageInput } from './pages';
export {
  publishTermsVersion,
  termsVersions,
  currentTermsVersion,
  acceptedCurrentTerms,
  termsStandings,
  type TermsVersion,
  type NewTermsVersion,
  type TermsStanding,
} from './terms-versions';
export { smartConfiguration, SMART_CAPABILITIES } from './discovery';
export { capabilityStatement } from './capability';
export { grantableScopes, parseScope, scopeList, type SmartScope, type ResourceScope } from './scopes';
export {
  hashPassword,
  verifyPassword,
  issueLinkCode,
  revokeLinkCode,
  linkCodesOfPatient,
  linkCodeById,
  LINK_CODE_VALID_DAYS,
  type IssuedLinkCode,
  type LinkCodeRecord,
  createTotpSecret,
  setTotpSecret,
  totpCode,
  totpEnrolmentUri,
  createVerificationCode,
  findAccountByEmail,
  verifyCode,
  OutboxFileSender,
  LINK_CODE_SECRET_VARIABLE,
  registerAccount,
  linksOfAccount,
  AccountSecret,
  acceptedTotpStep,
  verifyAgainstNoAccount,
  passwordProblems,
  type AccountLink,
  type MessageSender,
  type Recipient,
} from './accounts';
/** For the breach report: who reads a client's dossier, and the accounts behind the links. */
export { accountById, linkById, linksOfPatient, type Account, type LinkWithAccount } from './accounts';
/** SMART clients registered at run time (issue 12, item 7): the admin operations' store. */
export {
  APP_TYPES,
  SMART_CLIENT_CHANNEL,
  appOrigins,
  registerClient,
  registeredClient,
  registeredClients,
  rotateClientSecret,
  setClientDisabled,
  updateClient,
  type AppType,
  type ClientWithSecret,
  type NewRegisteredClient,
  type RegisteredClient,
  type RegisteredClientChanges,
} from './registered-clients';
/** The login pages' shared lockout counters (login_throttle), for the admin console's login too. */
export { clearFailures, longestLock, recordFailure, throttleKey, type Limit } from './pages/limits';
