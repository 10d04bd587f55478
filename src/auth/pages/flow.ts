/**
 * The order of the login steps and the moves between them: password, contact verification when a
 * registration was left unfinished, the second factor (always), the patient picker, the terms, and
 * the end of the interaction (a login for one account link, or access_denied).
 */
import type { Patient, RelatedPerson } from '@medplum/fhirtypes';
import { readResource } from '../../resources';
import {
  accountById,
  createTotpSecret,
  createVerificationCode,
  linksOfAccount,
  totpEnrolmentUri,
  type Account,
  type AccountLink,
} from '../accounts';
import { consumeLaunch, findLaunch } from '../launch';
import { revokeAccountTokens } from '../revoke';
import { grantableScopes, scopeList } from '../scopes';
import type { Interaction } from './context';
import type { AfterVerification, LoginState } from './state';
import { currentTermsVersion } from '../terms-versions';
import { recordTermsAnswer } from './terms';
import { roleText } from './texts';

const TOTP_SEAL = 'totp-enrolment';

/** The last two digits of a mobile number: enough to recognise it, not enough to learn it. */
function mobileEnd(account: Account | undefined): string {
  return account ? account.mobile.slice(-2) : '••';
}

/**
 * After the password: the second factor. An account without TOTP gets its codes by SMS, so a
 * registration that left the addresses unverified (made outside the pages) is verified first. An
 * account with TOTP has its second factor already: the pages only enrol TOTP after both addresses
 * were verified, and whoever set it otherwise (the demo, an administrator) vouches for it.
 */
export async function afterPassword(ix: Interaction, account: Account): Promise<void> {
  if (!account.hasTotp) {
    if (account.emailVerifiedAt === undefined) {
      return startVerification(ix, 'verify-email', account.id, 'second-factor');
    }
    if (account.mobileVerifiedAt === undefined) {
      return startVerification(ix, 'verify-mobile', account.id, 'second-factor');
    }
  }
  return startSecondFactor(ix, account);
}

export async function startSecondFactor(ix: Interaction, account: Account): Promise<void> {
  if (account.hasTotp) return show(ix, { step: 'second-factor', accountId: account.id, method: 'totp' });
  await createVerificationCode(
    ix.deps.store,
    { accountId: account.id, purpose: 'login', at: new Date() },
    ix.deps.sender,
    ix.deps.secret(),
  );
  return show(ix, { step: 'second-factor', accountId: account.id, method: 'sms' });
}

/** Sends a verification code (or, for the decoy of an existing address, nothing) and shows its page. */
export async function startVerification(
  ix: Interaction,
  step: 'verify-email' | 'verify-mobile',
  accountId: string | undefined,
  then: AfterVerification,
): Promise<void> {
  if (accountId !== undefined) {
    await createVerificationCode(
      ix.deps.store,
      { accountId, purpose: step, at: new Date() },
      ix.deps.sender,
      ix.deps.secret(),
    );
  }
  if (step === 'verify-mobile') return show(ix, { step, accountId: accountId!, then });
  return show(ix, accountId === undefined ? { step, then } : { step, accountId, then });
}

/** After a verified contact: the next one, or the factor choice (registration) or the second factor (login). */
export async function afterVerification(ix: Interaction, state: LoginState): Promise<void> {
  if (state.step !== 'verify-email' && state.step !== 'verify-mobile') return show(ix, state);
  const account = await accountById(ix.deps.store, state.accountId!);
  if (account === undefined) return show(ix, { step: 'login' });
  if (account.mobileVerifiedAt === undefined) {
    return startVerification(ix, 'verify-mobile', account.id, state.then);
  }
  if (state.then === 'factor') return show(ix, { step: 'factor', accountId: account.id });
  return startSecondFactor(ix, account);
}

/** Enrolment of TOTP: a new secret, kept sealed in the interaction until a first code confirms it. */
export async function startTotpSetup(ix: Interaction, accountId: string): Promise<void> {
  const sealedSecret = ix.deps.secret().seal(TOTP_SEAL, createTotpSecret());
  return show(ix, { step: 'totp-setup', accountId, sealedSecret });
}

export function openTotpSetup(ix: Interaction, sealedSecret: string): string {
  return ix.deps.secret().open(TOTP_SEAL, sealedSecret);
}

/**
 * The links this login may choose from: the launch's one in an EHR launch, else all current ones;
 * only those that may get tokens now (no suspension, care not ended).
 */
export async function choices(ix: Interaction, accountId: string): Promise<AccountLink[]> {
  let links = await linksOfAccount(ix.deps.store, accountId);
  const launch = ix.details.params.launch as string | undefined;
  if (launch !== undefined) {
    const context = await findLaunch(ix.deps.store, launch, ix.clientId);
    links = links.filter((l) => l.id === context?.linkId);
  }
  const usable = await Promise.all(links.map((l) => ix.deps.server.mayLogIn(l.id)));
  return links.filter((_, i) => usable[i]);
}

/** After the second factor: the picker when there is a choice, else the terms of the one link. */
export async function afterSecondFactor(ix: Interaction, accountId: string): Promise<void> {
  const links = await choices(ix, accountId);
  if (links.length === 0) return deny(ix, 'no client dossier is available for this login', accountId);
  if (links.length === 1) return startTerms(ix, accountId, links[0]!);
  return show(ix, { step: 'pick', accountId });
}

export async function startTerms(ix: Interaction, accountId: string, link: AccountLink): Promise<void> {
  // M-12, A-15: the newest published version in effect now, on every instance alike.
  const termsVersion = await currentTermsVersion(
    ix.deps.store,
    link.organisationId,
    new Date(),
    ix.organisation(link.organisationId)?.termsVersion,
  );
  return show(ix, {
    step: 'terms',
    accountId,
    linkId: link.id,
    termsVersion,
    shownAt: new Date().toISOString(),
  });
}

/**
 * The answer to the terms (M-12, A-14), recorded either way. Accepted: the login ends with this link.
 * Refused: access ends, with access_denied for the app, and what the app held for the account is
 * revoked (its refresh tokens from earlier logins too).
 */
export async function answerTerms(
  ix: Interaction,
  state: Extract<LoginState, { step: 'terms' }>,
  accepted: boolean,
): Promise<void> {
  const link = (await linksOfAccount(ix.deps.store, state.accountId)).find((l) => l.id === state.linkId);
  if (link === undefined) return deny(ix, 'the link ended during the login', state.accountId);
  // A new version came into effect while the page was open: an acceptance counts only for the
  // version in effect, so that one is shown instead (a refusal is a refusal of either).
  if (accepted) {
    const current = await currentTermsVersion(
      ix.deps.store,
      link.organisationId,
      new Date(),
      ix.organisation(link.organisationId)?.termsVersion,
    );
    if (current !== state.termsVersion) return startTerms(ix, state.accountId, link);
  }
  // The answer and its audit record commit together.
  await ix.deps.store.transaction(async (tx) => {
    const answer = await recordTermsAnswer(tx, {
      accountId: state.accountId,
      linkId: link.id,
      organisationId: link.organisationId,
      clientId: ix.clientId,
      termsVersion: state.termsVersion,
      accepted,
      shownAt: new Date(state.shownAt),
      answeredAt: new Date(),
    });
    await ix.audit(
      {
        kind: 'terms',
        action: 'E',
        outcome: accepted ? 'success' : 'refused',
        ...(accepted ? {} : { outcomeText: 'the terms were declined' }),
        interaction: accepted ? 'accepted' : 'declined',
        account: state.accountId,
        person: link.person,
        patient: link.patient,
        policy: `terms ${state.termsVersion}`,
        detail: {
          termsVersion: state.termsVersion,
          organisation: link.organisationId,
          link: link.id,
          answer: answer.id,
          shownAt: state.shownAt,
        },
      },
      tx,
    );
  });
  if (!accepted) {
    const revoked = await revokeAccountTokens(ix.deps.store, state.accountId, { clientId: ix.clientId });
    await ix.audit({
      kind: 'token',
      action: 'D',
      outcome: 'success',
      outcomeText: 'the terms were declined',
      interaction: 'revoked',
      account: state.accountId,
      person: link.person,
      patient: link.patient,
      detail: { revoked, scope: 'every grant and token of the account for this app' },
    });
    return deny(ix, 'the terms were not accepted', state.accountId, link);
  }
  return finishLogin(ix, link);
}

async function finishLogin(ix: Interaction, link: AccountLink): Promise<void> {
  const linkId = link.id;
  const launch = ix.details.params.launch as string | undefined;
  if (launch !== undefined) await consumeLaunch(ix.deps.store, launch);
  // The login is complete: for this account, as this person, for this client's dossier.
  await ix.audit({
    kind: 'login',
    action: 'E',
    outcome: 'success',
    interaction: 'completed',
    account: link.accountId,
    person: link.person,
    patient: link.patient,
    detail: { link: linkId, organisation: link.organisationId, ehrLaunch: launch !== undefined },
  });
  await ix.deps.server.provider.interactionFinished(
    ix.req,
    ix.res,
    { login: { accountId: linkId } },
    { mergeWithLastSubmission: false },
  );
}

/** Ends the interaction with access_denied: the app learns that it gets nothing. */
export async function deny(
  ix: Interaction,
  description: string,
  accountId?: string,
  link?: AccountLink,
): Promise<void> {
  // The outcome text is what the app is told (error_description), nothing more.
  await ix.audit({
    kind: 'login',
    action: 'E',
    outcome: 'refused',
    outcomeText: description,
    interaction: 'completed',
    ...(accountId ? { account: accountId } : {}),
    ...(link ? { person: link.person, patient: link.patient } : {}),
  });
  await ix.deps.server.provider.interactionFinished(
    ix.req,
    ix.res,
    { error: 'access_denied', error_description: description },
    { mergeWithLastSubmission: false },
  );
}

/**
 * The consent step: the client is registered by the care organisation, so the grant is decided
 * here, from what was asked within the registration (grantableScopes).
 */
export async function grant(ix: Interaction): Promise<void> {
  const { provider, fhirBase } = ix.deps.server;
  const registered = (await ix.deps.server.findClient(ix.clientId))?.scopes ?? [];
  let scopes = grantableScopes(scopeList(ix.details.params.scope as string | undefined), registered);
  // `launch` means an EHR launch: without a launch parameter it grants nothing.
  if (ix.details.params.launch === undefined) scopes = scopes.filter((s) => s !== 'launch');
  const existing = ix.details.grantId ? await provider.Grant.find(ix.details.grantId) : undefined;
  const next =
    existing ?? new provider.Grant({ accountId: ix.details.session!.accountId, clientId: ix.clientId });
  next.addOIDCScope(scopes.filter((s) => !s.includes('/') || s.startsWith('launch')).join(' '));
  next.addResourceScope(fhirBase, scopes.join(' '));
  const grantId = await next.save();
  await provider.interactionFinished(
    ix.req,
    ix.res,
    { consent: { grantId } },
    { mergeWithLastSubmission: true },
  );
}

/** A link as the picker shows it: the client's name and the person's role, from the stored resources. */
async function choiceOf(
  ix: Interaction,
  link: AccountLink,
): Promise<{ id: string; patientName: string; role: string }> {
  const patient = await readResource<Patient>(
    ix.deps.store,
    'Patient',
    link.patient.slice('Patient/'.length),
  );
  const name = patient?.content.name?.[0];
  const patientName =
    name?.text ?? ([...(name?.given ?? []), name?.family].filter(Boolean).join(' ') || link.patient);
  if (link.person === link.patient) return { id: link.id, patientName, role: ix.t.self };
  const related = await readResource<RelatedPerson>(
    ix.deps.store,
    'RelatedPerson',
    link.person.slice('RelatedPerson/'.length),
  );
  const codings = related?.content.relationship?.flatMap((r) => r.coding ?? []) ?? [];
  const texts = codings.map((c) => (c.code ? roleText(ix.language, c.code) : undefined));
  // A family code (mother, parent) says more than COD472's "family or relative".
  const family = codings.findIndex((c, i) => texts[i] !== undefined && !/^[0-9]+$/.test(c.code ?? ''));
  const role =
    (family >= 0 ? texts[family] : texts.find(Boolean)) ??
    related?.content.relationship?.[0]?.text ??
    codings[0]?.display ??
    link.person;
  return { id: link.id, patientName, role };
}

/** Saves the state and shows its page. */
export async function show(
  ix: Interaction,
  state: LoginState,
  options: { status?: number; error?: string; values?: Record<string, string> } = {},
): Promise<void> {
  await ix.save(state);
  return render(ix, state, options);
}

/** The page of a state (GET, or a refused POST that shows the same step again). */
export async function render(
  ix: Interaction,
  state: LoginState,
  options: { status?: number; error?: string; values?: Record<string, string> } = {},
): Promise<void> {
  const { t } = ix;
  const opts = { status: options.status, error: options.error };
  switch (state.step) {
    case 'login':
      return ix.page(
        'login',
        'loginTitle',
        {
          action: ix.action('login'),
          registerUrl: ix.action('register'),
          email: options.values?.email,
          providers: ix.deps.loginProviders?.(ix.uid) ?? [],
        },
        { ...opts, notice: state.notice ? t[state.notice] : undefined },
      );
    case 'second-factor': {
      const account = state.method === 'sms' ? await accountById(ix.deps.store, state.accountId) : undefined;
      return ix.page(
        'secondFactor',
        'secondFactorTitle',
        {
          action: ix.action('second-factor'),
          sms: state.method === 'sms',
          mobileEnd: mobileEnd(account),
          resendAction: state.method === 'sms' ? ix.action('resend') : undefined,
        },
        opts,
      );
    }
    case 'verify-email':
      return ix.page(
        'verify',
        'verifyEmailTitle',
        {
          action: ix.action('verify'),
          intro: t.verifyEmailIntro,
          // Also for the decoy of an existing address: the page must look the same.
          resendAction: ix.action('resend'),
        },
        opts,
      );
    case 'verify-mobile': {
      const account = await accountById(ix.deps.store, state.accountId);
      return ix.page(
        'verify',
        'verifyMobileTitle',
        {
          action: ix.action('verify'),
          intro: t.verifyMobileIntro,
          mobileEnd: mobileEnd(account),
          resendAction: ix.action('resend'),
        },
        opts,
      );
    }
    case 'factor':
      return ix.page('factor', 'factorTitle', { action: ix.action('factor') }, opts);
    case 'totp-setup': {
      const secret = openTotpSetup(ix, state.sealedSecret);
      const account = await accountById(ix.deps.store, state.accountId);
      return ix.page(
        'totpSetup',
        'totpTitle',
        { action: ix.action('totp'), secret, uri: totpEnrolmentUri(secret, account?.email ?? 'account') },
        opts,
      );
    }
    case 'pick': {
      const links = await choices(ix, state.accountId);
      // Nothing to choose (a handed-over login with one link, or none left): on to the terms, or out.
      if (links.length === 0)
        return deny(ix, 'no client dossier is available for this login', state.accountId);
      if (links.length === 1 && options.error === undefined)
        return startTerms(ix, state.accountId, links[0]!);
      const list = await Promise.all(links.map((l) => choiceOf(ix, l)));
      return ix.page('pick', 'pickTitle', { action: ix.action('pick'), choices: list }, opts);
    }
    case 'terms': {
      const link = (await linksOfAccount(ix.deps.store, state.accountId)).find((l) => l.id === state.linkId);
      const organisation = link ? ix.organisation(link.organisationId) : undefined;
      return ix.page(
        'terms',
        'termsTitle',
        {
          action: ix.action('terms'),
          organisationName: organisation?.name ?? link?.organisationId ?? '',
          termsVersion: state.termsVersion,
          termsUrl: organisation?.termsUrl,
        },
        opts,
      );
    }
  }
}
