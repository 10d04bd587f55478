/**
 * Account primitives of the authorization server (issue 9, item 4): passwords, link codes, the TOTP
 * second factor, accounts with their links to clients, and verification codes with a pluggable
 * sender. No HTTP here; src/auth/index.ts will re-export this.
 */
export {
  AccountBlocked,
  AccountExists,
  AccountSecretMissing,
  LinkCodeRefused,
  PasswordHashUnreadable,
  SecondFactorRefused,
  VerificationCodeRefused,
  WeakPassword,
  type Texts,
} from './errors';
export { AccountSecret, LINK_CODE_SECRET_VARIABLE } from './secret';
export {
  PASSWORD_PARAMETERS,
  MINIMUM_PASSWORD_LENGTH,
  MAXIMUM_PASSWORD_LENGTH,
  hashPassword,
  verifyPassword,
  needsRehash,
  verifyAgainstNoAccount,
  passwordProblems,
  assertPasswordPolicy,
  type ScryptParameters,
} from './passwords';
export {
  LINK_CODE_VALID_DAYS,
  generateLinkCode,
  normaliseLinkCode,
  issueLinkCode,
  redeemLinkCode,
  revokeLinkCode,
  linkCodesOfPatient,
  linkCodeById,
  type LinkCodeRecord,
  type IssueLinkCodeInput,
  type IssuedLinkCode,
  type LinkCodeBinding,
  type RedeemedLinkCode,
} from './link-codes';
export {
  createTotpSecret,
  totpCode,
  totpEnrolmentUri,
  totpStep,
  acceptedTotpStep,
  setTotpSecret,
  verifyTotp,
} from './totp';
export { OutboxFileSender, type MessageSender, type Recipient } from './messages';
export {
  MAX_VERIFICATION_ATTEMPTS,
  VERIFICATION_CODE_MINUTES,
  createVerificationCode,
  verifyCode,
  type CreateVerificationCodeInput,
  type VerificationPurpose,
  type VerifyCodeInput,
} from './verification-codes';
export {
  normaliseEmail,
  normaliseMobile,
  findAccountByEmail,
  accountById,
  passwordHashOf,
  setPasswordHash,
  linksOfAccount,
  linksOfPatient,
  linkById,
  type LinkWithAccount,
  registerAccount,
  registerExternalLogin,
  type ExternalRegistration,
  type ExternalRegistrationInput,
  type Account,
  type AccountLink,
  type RegisterAccountInput,
  type Registration,
} from './accounts';
