/**
 * The login steps a person posts: password, second factor (TOTP or SMS code), a new SMS code, the
 * patient picker and the terms. Refusals never tell whether an account exists: an unknown address,
 * a wrong password and a blocked account get the same page, status and work (verifyAgainstNoAccount
 * spends what verifyPassword would), and the lockout counts an unknown address like a known one.
 */
import {
  findAccountByEmail,
  accountById,
  hashPassword,
  needsRehash,
  passwordHashOf,
  setPasswordHash,
  verifyAgainstNoAccount,
  verifyCode,
  verifyPassword,
  verifyTotp,
  VerificationCodeRefused,
  type Account,
} from '../accounts';
import { LOGIN_REFUSED, TOO_MANY_ATTEMPTS } from '../audit';
import type { Interaction } from './context';
import { afterPassword, afterSecondFactor, answerTerms, choices, render, startTerms } from './flow';
import { LIMITS, clearFailures, longestLock, recordFailure, throttleKey } from './limits';

type Body = Record<string, unknown>;

function field(ix: Interaction, name: string): string {
  const value = (ix.req.body as Body | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

function clientAddress(ix: Interaction): string {
  return ix.req.ip ?? ix.req.socket.remoteAddress ?? 'unknown';
}

export async function postLogin(ix: Interaction): Promise<void> {
  const { store } = ix.deps;
  const email = field(ix, 'email');
  const password = field(ix, 'password');
  const now = new Date();
  const accountKey = throttleKey(LIMITS.loginAccount, email);
  const addressKey = throttleKey(LIMITS.loginAddress, clientAddress(ix));
  const locked = await longestLock(store, [accountKey, addressKey], now);
  if (locked !== undefined) {
    // The record names the account the address belongs to (for a reviewer); the page does not.
    const known = await findAccountByEmail(store, email).catch(() => undefined);
    await passwordRefused(ix, known, 429, TOO_MANY_ATTEMPTS);
    return ix.tooMany(locked);
  }

  const account = await findAccountByEmail(store, email).catch(() => undefined);
  const hash = account ? await passwordHashOf(store, account.id) : undefined;
  const good = hash ? await verifyPassword(password, hash) : await verifyAgainstNoAccount(password);
  if (!account || !hash || !good || account.blockedAt) {
    const lockedNow = [
      await recordFailure(store, LIMITS.loginAccount, accountKey, now),
      await recordFailure(store, LIMITS.loginAddress, addressKey, now),
    ].filter((s): s is number => s !== undefined);
    if (lockedNow.length > 0) {
      await passwordRefused(ix, account, 429, TOO_MANY_ATTEMPTS);
      return ix.tooMany(Math.max(...lockedNow));
    }
    // Unknown address, wrong password, blocked account: one outcome text, as one page.
    await passwordRefused(ix, account, 401, LOGIN_REFUSED);
    return render(ix, { step: 'login' }, { status: 401, error: ix.t.badLogin, values: { email } });
  }
  await clearFailures(store, accountKey);
  if (needsRehash(hash)) await setPasswordHash(store, account.id, await hashPassword(password));
  await ix.audit({
    kind: 'login',
    action: 'E',
    outcome: 'success',
    interaction: 'password',
    account: account.id,
  });
  return afterPassword(ix, account);
}

/** The record of a refused password step; never the address typed or the password. */
function passwordRefused(
  ix: Interaction,
  account: Account | undefined,
  status: number,
  outcomeText: string,
): Promise<void> {
  return ix.audit({
    kind: 'login',
    action: 'E',
    outcome: 'refused',
    outcomeText,
    status,
    interaction: 'password',
    ...(account ? { account: account.id } : {}),
  });
}

/** The record of a second-factor step. */
function secondFactorEvent(
  ix: Interaction,
  state: Extract<Interaction['state'], { step: 'second-factor' }>,
  outcome: { status: number; outcomeText: string } | undefined,
): Promise<void> {
  return ix.audit({
    kind: 'login',
    action: 'E',
    outcome: outcome === undefined ? 'success' : 'refused',
    ...(outcome ?? {}),
    interaction: 'second-factor',
    account: state.accountId,
    detail: { method: state.method ?? 'totp' },
  });
}

/** The second factor: a TOTP code, or the code sent by SMS. */
export async function postSecondFactor(ix: Interaction): Promise<void> {
  const state = ix.state;
  if (state.step !== 'second-factor') return render(ix, state);
  const { store } = ix.deps;
  const now = new Date();
  const key = throttleKey(LIMITS.secondFactor, state.accountId);
  const locked = await longestLock(store, [key], now);
  if (locked !== undefined) {
    await secondFactorEvent(ix, state, { status: 429, outcomeText: TOO_MANY_ATTEMPTS });
    return ix.tooMany(locked);
  }
  const code = field(ix, 'code').replace(/\s/g, '');
  let account: Account | undefined;
  try {
    if (state.method !== 'sms') await verifyTotp(store, state.accountId, code, now, ix.deps.secret());
    else
      await verifyCode(
        store,
        { accountId: state.accountId, purpose: 'login', code, at: now },
        ix.deps.secret(),
      );
    account = await accountById(store, state.accountId);
  } catch (err) {
    const lockedNow = await recordFailure(store, LIMITS.secondFactor, key, now);
    if (lockedNow !== undefined) {
      await secondFactorEvent(ix, state, { status: 429, outcomeText: TOO_MANY_ATTEMPTS });
      return ix.tooMany(lockedNow);
    }
    const spent = err instanceof VerificationCodeRefused && err.code === 'ERR_VERIFICATION_CODE_SPENT';
    // A spent code the page names as such; anything else is a wrong code.
    await secondFactorEvent(ix, state, {
      status: 401,
      outcomeText: spent ? 'ERR_VERIFICATION_CODE_SPENT' : LOGIN_REFUSED,
    });
    return render(ix, state, { status: 401, error: spent ? ix.t.spentCode : ix.t.badLogin });
  }
  // Blocked between the password and the code: the same answer as a wrong code.
  if (account === undefined || account.blockedAt !== undefined) {
    await secondFactorEvent(ix, state, { status: 401, outcomeText: LOGIN_REFUSED });
    return render(ix, { step: 'login' }, { status: 401, error: ix.t.badLogin });
  }
  await clearFailures(store, key);
  await secondFactorEvent(ix, state, undefined);
  return afterSecondFactor(ix, account.id);
}

export async function postPick(ix: Interaction): Promise<void> {
  const state = ix.state;
  if (state.step !== 'pick') return render(ix, state);
  const chosen = (await choices(ix, state.accountId)).find((l) => l.id === field(ix, 'link'));
  if (chosen === undefined) return render(ix, state, { status: 400 });
  return startTerms(ix, state.accountId, chosen);
}

export async function postTerms(ix: Interaction): Promise<void> {
  const state = ix.state;
  const answer = field(ix, 'accept');
  if (state.step !== 'terms' || (answer !== 'yes' && answer !== 'no')) {
    return render(ix, state, { status: 400 });
  }
  return answerTerms(ix, state, answer === 'yes');
}
