/**
 * The console's login (issue 12, item 1): e-mail and password, then the TOTP second factor (with
 * an enrolment step for a staff member who has none yet), the one-time enrolment code a new staff
 * member sets their password with, and logout. A federated login through the organisation's own
 * OpenID Connect provider is in login-oidc.ts and ends in the same steps.
 *
 * - One answer (401, same text, same scrypt work) for an unknown e-mail address, a wrong password
 *   and a blocked account; the lockout counts them alike, in the database (every instance agrees).
 * - Every form carries a CSRF token: before the session a random pre-session cookie HMACed under
 *   the console's key; after the password the session's own token.
 * - `?next=` is followed only to a path under /admin/console.
 * - Every attempt, refused or not, is recorded in the audit trail (kind 'login').
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuditEntry } from '../../../audit';
import { totpEnrolmentUri, acceptedTotpStep } from '../../../auth';
import { InvalidInput } from '../../../errors';
import { contextOf } from '../../../http';
import { cookieValue } from '../../api';
import {
  checkStaffPassword,
  checkStaffTotp,
  completeSecondFactor,
  csrfMatches,
  csrfTokenOf,
  endStaffSession,
  enrolmentRefused,
  enrolWithCode,
  enrolmentTotpSecret,
  openStaffSession,
  setStaffTotp,
  staffById,
  staffOfEnrolmentCode,
  staffSessionState,
  STAFF_SESSION_COOKIE,
  STAFF_SESSION_HOURS,
  type StaffAccount,
} from '../../staff';
import { html, type SafeHtml } from '../html';
import { tr, type ConsoleLanguage } from '../language';
import { CONSOLE_BASE, csrfField } from '../layout';
import type { ConsoleContext, ConsolePage } from '../page';

/** The pre-session cookie whose HMAC is the login form's CSRF token. */
export const LOGIN_CSRF_COOKIE = 'inzage_staff_login';

/** Where a login may go on to: a path under /admin/console, nothing else (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return CONSOLE_BASE;
  if (!next.startsWith('/') || next.startsWith('//') || /[\\\s]/.test(next)) return CONSOLE_BASE;
  let url: URL;
  try {
    url = new URL(next, 'http://console.invalid');
  } catch {
    return CONSOLE_BASE;
  }
  if (url.origin !== 'http://console.invalid') return CONSOLE_BASE;
  if (url.pathname !== CONSOLE_BASE && !url.pathname.startsWith(`${CONSOLE_BASE}/`)) return CONSOLE_BASE;
  if (url.pathname.startsWith(`${CONSOLE_BASE}/login`) || url.pathname === `${CONSOLE_BASE}/logout`)
    return CONSOLE_BASE;
  return `${url.pathname}${url.search}`;
}

function secure(ctx: ConsoleContext): boolean {
  return ctx.services.publicUrl.startsWith('https:');
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Path=/admin, Secure behind https. */
export function setSessionCookie(ctx: ConsoleContext, token: string): void {
  ctx.res.cookie(STAFF_SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/admin',
    secure: secure(ctx),
    maxAge: STAFF_SESSION_HOURS * 3600_000,
  });
}

function clearSessionCookie(ctx: ConsoleContext): void {
  ctx.res.clearCookie(STAFF_SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/admin',
    secure: secure(ctx),
  });
}

function preTokenOf(pre: string, key: Buffer): string {
  return createHmac('sha256', key).update(`staff-login-csrf:${pre}`).digest('base64url');
}

/** The login form's CSRF token, setting the pre-session cookie when there is none yet. */
export function loginCsrf(ctx: ConsoleContext): string {
  let pre = cookieValue(ctx.req.get('cookie'), LOGIN_CSRF_COOKIE);
  if (!pre || !/^[A-Za-z0-9_-]{20,64}$/.test(pre)) {
    pre = randomBytes(24).toString('base64url');
    ctx.res.cookie(LOGIN_CSRF_COOKIE, pre, {
      httpOnly: true,
      sameSite: 'lax',
      path: CONSOLE_BASE,
      secure: secure(ctx),
    });
  }
  return preTokenOf(pre, ctx.sessionKey);
}

function loginCsrfMatches(ctx: ConsoleContext, presented: unknown): boolean {
  const pre = cookieValue(ctx.req.get('cookie'), LOGIN_CSRF_COOKIE);
  if (!pre || typeof presented !== 'string') return false;
  const expected = Buffer.from(preTokenOf(pre, ctx.sessionKey));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function field(ctx: ConsoleContext, name: string): string {
  const value = (ctx.req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

function nextOf(ctx: ConsoleContext): string {
  const fromBody = field(ctx, 'next');
  return safeNext(fromBody || ctx.req.query.next);
}

/** Records one login step in the audit trail (kind 'login'). */
export async function recordLogin(
  ctx: ConsoleContext,
  step: { interaction: string; outcome: AuditEntry['outcome']; status: number; why?: string },
  staff: StaffAccount | undefined,
): Promise<void> {
  await ctx.services.trail.record({
    kind: 'login',
    action: 'E',
    at: new Date(),
    outcome: step.outcome,
    ...(step.why ? { outcomeText: step.why } : {}),
    status: step.status,
    ...(contextOf(ctx.req)?.id ? { requestId: contextOf(ctx.req)!.id } : {}),
    actor: {
      ...(staff
        ? {
            account: `staff:${staff.id}`,
            name: staff.name,
            role: staff.role,
            onBehalfOf: `Organization/${staff.organisationId}`,
          }
        : {}),
      ...(ctx.req.ip ? { address: ctx.req.ip } : {}),
    },
    interaction: step.interaction,
    detail: { channel: 'console' },
  });
}

function lockedPage(ctx: ConsoleContext, seconds: number): void {
  const { lang } = ctx;
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  ctx.res.set('Retry-After', String(seconds));
  ctx.page(
    tr(lang, 'Even geduld', 'Please wait'),
    html`<p>
      ${tr(
        lang,
        `Er is te vaak verkeerd ingelogd. Probeer het over ${minutes} minuten opnieuw.`,
        `Too many failed attempts. Try again in ${minutes} minutes.`,
      )}
    </p>`,
    { status: 429 },
  );
}

function loginForm(ctx: ConsoleContext, next: string, email = ''): SafeHtml {
  const { lang } = ctx;
  const providers = (ctx.services.config.admin?.identityProviders ?? []).map(
    (p) =>
      html`<li>
        <a href="${ctx.href(`/login/oidc/${encodeURIComponent(p.id)}?next=${encodeURIComponent(next)}`)}"
          >${tr(lang, `Inloggen met ${p.name}`, `Log in with ${p.name}`)}</a
        >
      </li>`,
  );
  return html`<form method="post" action="${ctx.href('/login')}">
      <input type="hidden" name="_csrf" value="${loginCsrf(ctx)}" />
      <input type="hidden" name="next" value="${next}" />
      <div class="field">
        <label for="email">${tr(lang, 'E-mailadres', 'E-mail address')}</label>
        <input id="email" name="email" type="email" autocomplete="username" required value="${email}" />
      </div>
      <div class="field">
        <label for="password">${tr(lang, 'Wachtwoord', 'Password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
      </div>
      <button type="submit">${tr(lang, 'Inloggen', 'Log in')}</button>
    </form>
    ${
      providers.length > 0
        ? html`<h2>${tr(lang, 'Of via uw organisatie', 'Or through your organisation')}</h2>
            <ul>
              ${providers}
            </ul>`
        : ''
    }`;
}

const loginPage: ConsolePage = {
  method: 'get',
  path: '/login',
  public: true,
  async handle(ctx) {
    const next = nextOf(ctx);
    if (ctx.staff) return ctx.redirect(next);
    ctx.page(tr(ctx.lang, 'Inloggen', 'Log in'), loginForm(ctx, next));
  },
};

const refusedText = (lang: ConsoleLanguage) =>
  tr(lang, 'Het e-mailadres of het wachtwoord klopt niet.', 'The e-mail address or the password is wrong.');

const loginPost: ConsolePage = {
  method: 'post',
  path: '/login',
  public: true,
  async handle(ctx) {
    const { lang } = ctx;
    const next = nextOf(ctx);
    if (!loginCsrfMatches(ctx, field(ctx, '_csrf'))) return expired(ctx, '/login');
    const email = field(ctx, 'email');
    const now = new Date();
    const check = await checkStaffPassword(ctx.services.store, {
      email,
      password: field(ctx, 'password'),
      address: ctx.req.ip ?? 'unknown',
      now,
    });
    if (check.kind === 'locked') {
      await recordLogin(
        ctx,
        { interaction: 'password', outcome: 'refused', status: 429, why: 'ERR_LOCKED' },
        check.staff,
      );
      return lockedPage(ctx, check.seconds);
    }
    if (check.kind === 'refused') {
      await recordLogin(
        ctx,
        { interaction: 'password', outcome: 'refused', status: 401, why: `ERR_LOGIN_REFUSED (${check.why})` },
        check.staff,
      );
      return ctx.page(tr(lang, 'Inloggen', 'Log in'), loginForm(ctx, next, email.slice(0, 320)), {
        status: 401,
        error: refusedText(lang),
      });
    }
    const token = await openStaffSession(ctx.services.store, check.staff.id, {
      secondFactorDone: false,
      now,
    });
    setSessionCookie(ctx, token);
    await recordLogin(ctx, { interaction: 'password', outcome: 'success', status: 303 }, check.staff);
    ctx.res.redirect(303, `${CONSOLE_BASE}/login/code?next=${encodeURIComponent(next)}`);
  },
};

function expired(ctx: ConsoleContext, again: string): void {
  const { lang } = ctx;
  ctx.page(
    tr(lang, 'Formulier verlopen', 'Form expired'),
    html`<p>
      <a href="${ctx.href(again)}"
        >${tr(lang, 'Open de pagina opnieuw en probeer het nog eens.', 'Open the page again and try once more.')}</a
      >
    </p>`,
    { status: 403 },
  );
}

/** The half-logged-in session (password or provider done, code not yet) of this request. */
async function pendingOf(ctx: ConsoleContext): Promise<{ token: string; staff: StaffAccount } | undefined> {
  const token = ctx.sessionToken;
  if (!token) return undefined;
  const state = await staffSessionState(ctx.services.store, token);
  if (!state || state.secondFactorDone) return undefined;
  const staff = await staffById(ctx.services.store, state.staffId);
  if (!staff || staff.blockedAt) return undefined;
  return { token, staff };
}

function codeForm(ctx: ConsoleContext, token: string, next: string, staff: StaffAccount): SafeHtml {
  const { lang } = ctx;
  const enrol = !staff.hasSecondFactor;
  const secret = enrol ? enrolmentTotpSecret(token, ctx.sessionKey) : '';
  return html`${
      enrol
        ? html`<p>
              ${tr(
                lang,
                'U hebt nog geen tweede factor. Voeg deze sleutel toe aan een authenticator-app en typ de code die de app toont.',
                'You have no second factor yet. Add this key to an authenticator app and type the code it shows.',
              )}
            </p>
            <dl>
              <dt>${tr(lang, 'Sleutel', 'Key')}</dt>
              <dd><code>${secret}</code></dd>
              <dt>${tr(lang, 'Of als URI (QR-code)', 'Or as a URI (QR code)')}</dt>
              <dd><code>${totpEnrolmentUri(secret, staff.email, 'Inzage beheer')}</code></dd>
            </dl>`
        : html`<p>
            ${tr(lang, 'Typ de code uit uw authenticator-app.', 'Type the code from your authenticator app.')}
          </p>`
    }
    <form method="post" action="${ctx.href('/login/code')}">
      ${csrfField(csrfTokenOf(token, ctx.sessionKey))}
      <input type="hidden" name="next" value="${next}" />
      <div class="field">
        <label for="code">${tr(lang, 'Code (6 cijfers)', 'Code (6 digits)')}</label>
        <input
          id="code"
          name="code"
          inputmode="numeric"
          autocomplete="one-time-code"
          required
          pattern="[0-9 ]{6,8}"
        />
      </div>
      <button type="submit">
        ${enrol ? tr(lang, 'Bevestigen', 'Confirm') : tr(lang, 'Inloggen', 'Log in')}
      </button>
    </form>`;
}

const codePage: ConsolePage = {
  method: 'get',
  path: '/login/code',
  public: true,
  async handle(ctx) {
    const next = nextOf(ctx);
    if (ctx.staff) return ctx.redirect(next);
    const pending = await pendingOf(ctx);
    if (!pending) return ctx.redirect(`${CONSOLE_BASE}/login?next=${encodeURIComponent(next)}`);
    const title = pending.staff.hasSecondFactor
      ? tr(ctx.lang, 'Tweede stap', 'Second step')
      : tr(ctx.lang, 'Tweede factor instellen', 'Set up a second factor');
    ctx.page(title, codeForm(ctx, pending.token, next, pending.staff));
  },
};

const codePost: ConsolePage = {
  method: 'post',
  path: '/login/code',
  public: true,
  async handle(ctx) {
    const { lang } = ctx;
    const next = nextOf(ctx);
    const pending = await pendingOf(ctx);
    if (!pending) return ctx.redirect(`${CONSOLE_BASE}/login?next=${encodeURIComponent(next)}`);
    if (!csrfMatches(pending.token, ctx.sessionKey, field(ctx, '_csrf'))) return expired(ctx, '/login/code');
    const { staff, token } = pending;
    const store = ctx.services.store;
    const now = new Date();
    const code = field(ctx, 'code').replace(/\s+/g, '');
    let ok: boolean;
    if (staff.hasSecondFactor) {
      const check = await checkStaffTotp(store, staff.id, code, now, ctx.services.accountSecret);
      if (check.result === 'locked') {
        await recordLogin(
          ctx,
          { interaction: 'second-factor', outcome: 'refused', status: 429, why: 'ERR_LOCKED' },
          staff,
        );
        return lockedPage(ctx, check.seconds ?? 900);
      }
      ok = check.result === 'ok';
      if (!ok) {
        await recordLogin(
          ctx,
          {
            interaction: 'second-factor',
            outcome: 'refused',
            status: 401,
            why: `ERR_CODE_REFUSED (${check.result})`,
          },
          staff,
        );
      }
    } else {
      const secret = enrolmentTotpSecret(token, ctx.sessionKey);
      const step = acceptedTotpStep(secret, code, now, undefined);
      ok = step !== undefined;
      if (step !== undefined) await setStaffTotp(store, staff.id, secret, step, ctx.services.accountSecret);
      await recordLogin(
        ctx,
        ok
          ? { interaction: 'totp-enrolment', outcome: 'success', status: 303 }
          : {
              interaction: 'totp-enrolment',
              outcome: 'refused',
              status: 401,
              why: 'ERR_CODE_REFUSED (wrong)',
            },
        staff,
      );
    }
    if (!ok) {
      const fresh = (await staffById(store, staff.id)) ?? staff;
      return ctx.page(tr(lang, 'Tweede stap', 'Second step'), codeForm(ctx, token, next, fresh), {
        status: 401,
        error: tr(
          lang,
          'Deze code klopt niet (of is al gebruikt).',
          'This code is wrong (or was used already).',
        ),
      });
    }
    await completeSecondFactor(store, token, now);
    if (staff.hasSecondFactor)
      await recordLogin(ctx, { interaction: 'second-factor', outcome: 'success', status: 303 }, staff);
    ctx.res.redirect(303, next);
  },
};

const logoutPost: ConsolePage = {
  method: 'post',
  path: '/logout',
  async handle(ctx) {
    if (ctx.sessionToken) await endStaffSession(ctx.services.store, ctx.sessionToken);
    const staff = ctx.staff ? await staffById(ctx.services.store, ctx.staff.staffId) : undefined;
    await recordLogin(ctx, { interaction: 'logout', outcome: 'success', status: 303 }, staff);
    clearSessionCookie(ctx);
    ctx.res.redirect(303, `${CONSOLE_BASE}/login`);
  },
};

function enrolForm(ctx: ConsoleContext, code: string): SafeHtml {
  const { lang } = ctx;
  return html`<p>
      ${tr(
        lang,
        'Kies een wachtwoord van minstens 12 tekens. Daarna logt u in en stelt u een tweede factor in.',
        'Choose a password of at least 12 characters. Then log in and set up a second factor.',
      )}
    </p>
    <form method="post" action="${ctx.href('/enrol')}">
      <input type="hidden" name="_csrf" value="${loginCsrf(ctx)}" />
      <div class="field">
        <label for="code">${tr(lang, 'Aanmeldcode', 'Enrolment code')}</label>
        <input id="code" name="code" required autocomplete="off" value="${code}" />
      </div>
      <div class="field">
        <label for="password">${tr(lang, 'Nieuw wachtwoord', 'New password')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          minlength="12"
        />
      </div>
      <div class="field">
        <label for="again">${tr(lang, 'Nog een keer', 'Once more')}</label>
        <input id="again" name="again" type="password" autocomplete="new-password" required minlength="12" />
      </div>
      <button type="submit">${tr(lang, 'Wachtwoord instellen', 'Set password')}</button>
    </form>`;
}

const enrolPage: ConsolePage = {
  method: 'get',
  path: '/enrol',
  public: true,
  async handle(ctx) {
    const code = typeof ctx.req.query.code === 'string' ? ctx.req.query.code.slice(0, 100) : '';
    ctx.page(tr(ctx.lang, 'Account activeren', 'Activate your account'), enrolForm(ctx, code));
  },
};

const enrolPost: ConsolePage = {
  method: 'post',
  path: '/enrol',
  public: true,
  async handle(ctx) {
    const { lang } = ctx;
    if (!loginCsrfMatches(ctx, field(ctx, '_csrf'))) return expired(ctx, '/enrol');
    const code = field(ctx, 'code').trim();
    const password = field(ctx, 'password');
    const title = tr(lang, 'Account activeren', 'Activate your account');
    const address = ctx.req.ip ?? 'unknown';
    const now = new Date();
    // A wrong code counts like a wrong password of the client address.
    const staffOfCode = await staffOfEnrolmentCode(ctx.services.store, code, now);
    if (!staffOfCode) {
      const locked = await enrolmentRefused(ctx.services.store, address, now);
      if (locked !== undefined) return lockedPage(ctx, locked);
      return ctx.page(title, enrolForm(ctx, ''), {
        status: 400,
        error: tr(
          lang,
          'Deze aanmeldcode is onbekend of verlopen.',
          'This enrolment code is unknown or has expired.',
        ),
      });
    }
    if (password !== field(ctx, 'again'))
      return ctx.page(title, enrolForm(ctx, code), {
        status: 400,
        error: tr(lang, 'De twee wachtwoorden zijn niet gelijk.', 'The two passwords differ.'),
      });
    let staff: StaffAccount | undefined;
    try {
      staff = await enrolWithCode(ctx.services.store, code, password, now);
    } catch (err) {
      if (!(err instanceof InvalidInput)) throw err;
      return ctx.page(title, enrolForm(ctx, code), { status: 400, error: err.message });
    }
    if (!staff)
      return ctx.page(title, enrolForm(ctx, ''), {
        status: 400,
        error: tr(
          lang,
          'Deze aanmeldcode is onbekend of verlopen.',
          'This enrolment code is unknown or has expired.',
        ),
      });
    await recordLogin(ctx, { interaction: 'enrolment', outcome: 'success', status: 303 }, staff);
    ctx.redirect(
      `${CONSOLE_BASE}/login`,
      tr(lang, 'Uw wachtwoord is ingesteld. Log nu in.', 'Your password is set. Log in now.'),
    );
  },
};

/** The login pages, public (no session needed); logout needs one. */
export const LOGIN_PAGES: readonly ConsolePage[] = [
  loginPage,
  loginPost,
  codePage,
  codePost,
  logoutPost,
  enrolPage,
  enrolPost,
];
