/**
 * Registration with a link code (A-9, M-14) within a login interaction: link code, e-mail address,
 * mobile number and password → registerAccount in one transaction → the e-mail address and then the
 * mobile number confirmed with codes → the second factor chosen (TOTP confirmed by a first code, or
 * SMS codes) → back to the login step of the same interaction.
 *
 * Enumeration (accounts/README.md): an existing address with another password is answered exactly
 * like a new one ("if this address can be used, we sent a code"), its owner gets a notice instead,
 * and the code is left unused. The e-mail code comes first, so that the person who typed someone
 * else's address cannot tell the two apart by an SMS that does or does not arrive.
 */
import {
  AccountBlocked,
  AccountExists,
  LinkCodeRefused,
  acceptedTotpStep,
  createVerificationCode,
  normaliseEmail,
  normaliseMobile,
  passwordProblems,
  registerAccount,
  setTotpSecret,
  verifyCode,
  verifyTotp,
  VerificationCodeRefused,
} from '../accounts';
import { TOO_MANY_ATTEMPTS } from '../audit';
import type { Interaction } from './context';
import { afterVerification, openTotpSetup, render, show, startTotpSetup, startVerification } from './flow';
import { LIMITS, longestLock, recordFailure, throttleKey } from './limits';

const EXISTING_ADDRESS_NOTICE =
  'Iemand probeerde met een koppelcode een account te maken met dit e-mailadres, dat al een account heeft. ' +
  'Was u dat zelf? Gebruik dan uw bestaande wachtwoord. Zo niet, dan hoeft u niets te doen. / ' +
  'Someone tried to create an account with a link code for this e-mail address, which already has one. ' +
  'Was it you? Then use your existing password. If not, you need not do anything.';

function field(ix: Interaction, name: string): string {
  const value = (ix.req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

function registerPage(
  ix: Interaction,
  values: Record<string, string>,
  status?: number,
  error?: string,
): void {
  ix.page(
    'register',
    'registerTitle',
    { action: ix.action('register'), values },
    {
      status,
      error,
      switchTo: ix.action('register'),
    },
  );
}

/** The record of a link code not used: never the code or the address typed. */
function linkCodeRefused(ix: Interaction, status: number, outcomeText: string): Promise<void> {
  return ix.audit({
    kind: 'link-code',
    action: 'E',
    outcome: 'refused',
    outcomeText,
    status,
    interaction: 'register',
  });
}

export function getRegister(ix: Interaction): void {
  registerPage(ix, {});
}

export async function postRegister(ix: Interaction): Promise<void> {
  const { store, sender } = ix.deps;
  const now = new Date();
  const values = { linkCode: field(ix, 'linkCode'), email: field(ix, 'email'), mobile: field(ix, 'mobile') };
  const password = field(ix, 'password');
  const key = throttleKey(LIMITS.linkCode, ix.req.ip ?? 'unknown');
  const locked = await longestLock(store, [key], now);
  if (locked !== undefined) {
    await linkCodeRefused(ix, 429, TOO_MANY_ATTEMPTS);
    return ix.tooMany(locked);
  }
  if (password !== field(ix, 'password2')) return registerPage(ix, values, 400, ix.t.passwordsDiffer);
  // Before anything touches the account: an existing address must not answer differently.
  if (passwordProblems(password).length > 0) return registerPage(ix, values, 400, ix.t.weakPassword);
  let email: string;
  try {
    email = normaliseEmail(values.email);
  } catch {
    return registerPage(ix, values, 400, ix.t.invalidEmail);
  }
  try {
    normaliseMobile(values.mobile);
  } catch {
    return registerPage(ix, values, 400, ix.t.invalidMobile);
  }
  try {
    // The account, its link and the record of the code that made them commit together.
    const registration = await store.transaction(async (tx) => {
      const made = await registerAccount(
        tx,
        { linkCode: values.linkCode, email, mobile: values.mobile, password, at: now },
        ix.deps.secret(),
      );
      await ix.audit(
        {
          kind: 'link-code',
          action: 'C',
          outcome: 'success',
          interaction: made.outcome === 'created' ? 'registered' : made.outcome,
          account: made.account.id,
          person: made.link.person,
          patient: made.link.patient,
          detail: { link: made.link.id, organisation: made.link.organisationId, account: made.outcome },
        },
        tx,
      );
      return made;
    });
    const { account } = registration;
    if (registration.outcome === 'linked' && account.emailVerifiedAt && account.mobileVerifiedAt) {
      return show(ix, { step: 'login', notice: 'linkAdded' });
    }
    if (account.emailVerifiedAt === undefined)
      return startVerification(ix, 'verify-email', account.id, 'factor');
    return startVerification(ix, 'verify-mobile', account.id, 'factor');
  } catch (err) {
    if (err instanceof LinkCodeRefused) {
      const lockedNow = await recordFailure(store, LIMITS.linkCode, key, now);
      if (lockedNow !== undefined) {
        await linkCodeRefused(ix, 429, TOO_MANY_ATTEMPTS);
        return ix.tooMany(lockedNow);
      }
      await linkCodeRefused(ix, 400, err.code);
      return registerPage(ix, values, 400, ix.t.linkCodeRefused);
    }
    if (err instanceof AccountExists || err instanceof AccountBlocked) {
      // The page answers as if it worked; the record (a reviewer's, with no account or patient
      // named) says why the code was not used, and the code stays usable.
      await linkCodeRefused(ix, 200, err.code);
      await sender.send({ channel: 'email', address: email }, EXISTING_ADDRESS_NOTICE);
      return startVerification(ix, 'verify-email', undefined, 'factor');
    }
    throw err;
  }
}

/** A code confirming the e-mail address or the mobile number. */
export async function postVerify(ix: Interaction): Promise<void> {
  const state = ix.state;
  if (state.step !== 'verify-email' && state.step !== 'verify-mobile') return render(ix, state);
  const now = new Date();
  const key = throttleKey(LIMITS.secondFactor, state.accountId ?? `decoy:${ix.uid}`);
  const locked = await longestLock(ix.deps.store, [key], now);
  if (locked !== undefined) return ix.tooMany(locked);
  try {
    if (state.accountId === undefined) throw new VerificationCodeRefused(false, { detail: 'decoy' });
    await verifyCode(
      ix.deps.store,
      {
        accountId: state.accountId,
        purpose: state.step,
        code: field(ix, 'code').replace(/\s/g, ''),
        at: now,
      },
      ix.deps.secret(),
    );
  } catch (err) {
    if (!(err instanceof VerificationCodeRefused)) throw err;
    const lockedNow = await recordFailure(ix.deps.store, LIMITS.secondFactor, key, now);
    if (lockedNow !== undefined) return ix.tooMany(lockedNow);
    const spent = err.code === 'ERR_VERIFICATION_CODE_SPENT';
    return render(ix, state, { status: 400, error: spent ? ix.t.spentCode : ix.t.wrongCode });
  }
  return afterVerification(ix, state);
}

/** A new code for the step that waits for one (SMS login code, e-mail or mobile verification). */
export async function postResend(ix: Interaction): Promise<void> {
  const state = ix.state;
  const purpose =
    state.step === 'second-factor' && state.method === 'sms'
      ? 'login'
      : state.step === 'verify-email' || state.step === 'verify-mobile'
        ? state.step
        : undefined;
  if (purpose === undefined) return render(ix, state);
  const accountId = 'accountId' in state ? state.accountId : undefined;
  const now = new Date();
  const key = throttleKey(LIMITS.resend, accountId ?? `decoy:${ix.uid}`);
  const lockedNow = await recordFailure(ix.deps.store, LIMITS.resend, key, now);
  if (lockedNow !== undefined) return ix.tooMany(lockedNow);
  if (accountId !== undefined) {
    await createVerificationCode(
      ix.deps.store,
      { accountId, purpose, at: now },
      ix.deps.sender,
      ix.deps.secret(),
    );
  }
  return render(ix, state);
}

export async function postFactor(ix: Interaction): Promise<void> {
  const state = ix.state;
  if (state.step !== 'factor') return render(ix, state);
  if (field(ix, 'factor') === 'totp') return startTotpSetup(ix, state.accountId);
  // SMS codes: nothing to store, an account without a TOTP secret gets them.
  return show(ix, { step: 'login', notice: 'registered' });
}

/** The first code from the authenticator app confirms the secret; only then is it stored. */
export async function postTotp(ix: Interaction): Promise<void> {
  const state = ix.state;
  if (state.step !== 'totp-setup') return render(ix, state);
  const now = new Date();
  const secret = openTotpSetup(ix, state.sealedSecret);
  const code = field(ix, 'code').replace(/\s/g, '');
  if (acceptedTotpStep(secret, code, now, undefined) === undefined) {
    return render(ix, state, { status: 400, error: ix.t.wrongCode });
  }
  const key = ix.deps.secret();
  await ix.deps.store.transaction(async (tx) => {
    await setTotpSecret(tx, state.accountId, secret, key);
    // Records the step, so that this code cannot also be used to log in.
    await verifyTotp(tx, state.accountId, code, now, key);
  });
  return show(ix, { step: 'login', notice: 'registered' });
}
