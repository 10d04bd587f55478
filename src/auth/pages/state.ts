/**
 * Where a login stands between two requests. It is kept in the interaction itself (oidc-provider's
 * `interactionResult`, so in the store), never in the process: any instance can take the next step.
 */

/** Where the contact verification of a registration (or of an unfinished one, at login) goes next. */
export type AfterVerification = 'factor' | 'second-factor';

export type LoginState =
  | { readonly step: 'login'; readonly notice?: 'registered' | 'linkAdded' }
  /** `method` absent (a state written by another login, e.g. federated) means TOTP. */
  | { readonly step: 'second-factor'; readonly accountId: string; readonly method?: 'totp' | 'sms' }
  /**
   * `accountId` absent: a registration named the address of an existing account with another
   * password. The page answers as if it worked (no enumeration) and no code will ever fit.
   */
  | { readonly step: 'verify-email'; readonly accountId?: string; readonly then: AfterVerification }
  | { readonly step: 'verify-mobile'; readonly accountId: string; readonly then: AfterVerification }
  | { readonly step: 'factor'; readonly accountId: string }
  /** The new TOTP secret, sealed with the account secret, until a first code confirms it. */
  | { readonly step: 'totp-setup'; readonly accountId: string; readonly sealedSecret: string }
  /**
   * The account is known and its second factor done: the picker, or with one link straight to the
   * terms. Other logins (federated) hand over with this state too.
   */
  | { readonly step: 'pick'; readonly accountId: string }
  | {
      readonly step: 'terms';
      readonly accountId: string;
      readonly linkId: string;
      readonly termsVersion: string;
      readonly shownAt: string;
    };

export type Step = LoginState['step'];
