import { GatewayError, InvalidInput, Unauthenticated, type GatewayErrorOptions } from '../../errors';

/**
 * The refusals of the account primitives. Texts that a person sees on a page come in Dutch and
 * English (`texts`); `message` is the English one. Refusals that could tell an outsider whether an
 * account or a code exists use one text for every reason and keep the reason in `detail` (the log).
 */
export interface Texts {
  readonly nl: string;
  readonly en: string;
}

/** ERR_LINK_CODE_REFUSED (400): unknown, used, revoked, expired or malformed link code, all alike. */
export class LinkCodeRefused extends GatewayError {
  static readonly texts: Texts = {
    nl: 'Deze koppelcode is niet (meer) geldig. Controleer de code of vraag de zorgorganisatie om een nieuwe.',
    en: 'This link code is not valid (any more). Check the code or ask the care organisation for a new one.',
  };
  readonly texts = LinkCodeRefused.texts;
  constructor(options: GatewayErrorOptions = {}) {
    super('ERR_LINK_CODE_REFUSED', 400, LinkCodeRefused.texts.en, options);
  }
}

/** ERR_WEAK_PASSWORD (400): the password does not meet the policy; `problems` says how. */
export class WeakPassword extends InvalidInput {
  constructor(
    readonly problems: readonly Texts[],
    options: GatewayErrorOptions = {},
  ) {
    super(problems.map((p) => p.en).join(' '), { ...options, code: 'ERR_WEAK_PASSWORD' });
  }
}

/** ERR_SECOND_FACTOR_REFUSED (401): a wrong, expired or reused TOTP code, or no TOTP enrolled. */
export class SecondFactorRefused extends Unauthenticated {
  static readonly texts: Texts = {
    nl: 'De code klopt niet of is al gebruikt. Wacht op de volgende code en probeer het opnieuw.',
    en: 'The code is not right or was already used. Wait for the next code and try again.',
  };
  readonly texts = SecondFactorRefused.texts;
  constructor(options: GatewayErrorOptions = {}) {
    super(SecondFactorRefused.texts.en, undefined, { ...options, code: 'ERR_SECOND_FACTOR_REFUSED' });
  }
}

/**
 * ERR_VERIFICATION_CODE_REFUSED (400): a wrong or expired verification code, or none was sent;
 * ERR_VERIFICATION_CODE_SPENT (400): too many wrong attempts, a new code must be requested.
 */
export class VerificationCodeRefused extends GatewayError {
  static readonly wrong: Texts = {
    nl: 'De code klopt niet of is verlopen.',
    en: 'The code is not right or has expired.',
  };
  static readonly spent: Texts = {
    nl: 'Te veel onjuiste pogingen. Vraag een nieuwe code aan.',
    en: 'Too many wrong attempts. Request a new code.',
  };
  readonly texts: Texts;
  constructor(spent: boolean, options: GatewayErrorOptions = {}) {
    const texts = spent ? VerificationCodeRefused.spent : VerificationCodeRefused.wrong;
    super(spent ? 'ERR_VERIFICATION_CODE_SPENT' : 'ERR_VERIFICATION_CODE_REFUSED', 400, texts.en, options);
    this.texts = texts;
  }
}

/**
 * ERR_ACCOUNT_EXISTS (409): a registration names the e-mail address of an existing account with
 * another password. A page must not show this as such (it tells that the address has an account):
 * see README.md, "Enumeration".
 */
export class AccountExists extends GatewayError {
  constructor(options: GatewayErrorOptions = {}) {
    super('ERR_ACCOUNT_EXISTS', 409, 'this e-mail address cannot be registered with this password', options);
  }
}

/** ERR_ACCOUNT_BLOCKED (403): the organisation blocked this account. */
export class AccountBlocked extends GatewayError {
  constructor(options: GatewayErrorOptions = {}) {
    super('ERR_ACCOUNT_BLOCKED', 403, 'this account is blocked', options);
  }
}

/** ERR_ACCOUNT_SECRET (500): the server secret for keyed hashes is missing or too short. */
export class AccountSecretMissing extends GatewayError {
  constructor(detail: string) {
    super('ERR_ACCOUNT_SECRET', 500, 'the account service is not configured', { detail });
  }
}

/** ERR_PASSWORD_HASH (500): a stored password hash is not in a form this code reads (corruption). */
export class PasswordHashUnreadable extends GatewayError {
  constructor(detail: string) {
    super('ERR_PASSWORD_HASH', 500, 'internal error', { detail });
  }
}
