/**
 * The console's federated login through the organisation's own OpenID Connect provider
 * (`admin.identityProviders`). A staff account is found by its linked identity (issuer, subject) or,
 * at the first login, by the provider's verified e-mail address among that organisation's staff
 * (then the identity is linked). The provider's login counts as the second factor only as the
 * configuration says (`mfa`); otherwise the console asks its TOTP code next, as after a password.
 */
import type { StaffIdentityProviderConfig } from '../../../config';
import { cookieValue } from '../../api';
import {
  finishStaffFederatedLogin,
  openPending,
  openStaffSession,
  providerDidMfa,
  sealPending,
  setStaffOidc,
  staffByEmail,
  staffByOidc,
  startStaffFederatedLogin,
  type StaffAccount,
} from '../../staff';
import { html } from '../html';
import { tr } from '../language';
import { CONSOLE_BASE } from '../layout';
import type { ConsoleContext, ConsolePage } from '../page';
import { recordLogin, safeNext, setSessionCookie } from './login';

const PENDING_COOKIE = 'inzage_staff_oidc';
const PENDING_PATH = `${CONSOLE_BASE}/login/oidc`;

function providerOf(ctx: ConsoleContext): StaffIdentityProviderConfig | undefined {
  const id = ctx.req.params.provider;
  return ctx.services.config.admin?.identityProviders.find((p) => p.id === id);
}

function failed(ctx: ConsoleContext, status: number): void {
  const { lang } = ctx;
  ctx.page(
    tr(lang, 'Inloggen niet gelukt', 'Login failed'),
    html`<p>
        ${tr(
          lang,
          'Inloggen via uw organisatie is niet gelukt, of er is geen beheeraccount bij deze identiteit.',
          'Logging in through your organisation failed, or no staff account goes with this identity.',
        )}
      </p>
      <p><a href="${ctx.href('/login')}">${tr(lang, 'Terug naar inloggen', 'Back to the login')}</a></p>`,
    { status },
  );
}

const startPage: ConsolePage = {
  method: 'get',
  path: '/login/oidc/:provider',
  public: true,
  async handle(ctx) {
    const provider = providerOf(ctx);
    if (!provider) return failed(ctx, 404);
    const next = safeNext(ctx.req.query.next);
    let started;
    try {
      started = await startStaffFederatedLogin(provider, ctx.services.publicUrl, next);
    } catch {
      return failed(ctx, 503);
    }
    ctx.res.cookie(PENDING_COOKIE, sealPending(started.pending, ctx.sessionKey), {
      httpOnly: true,
      sameSite: 'lax',
      path: PENDING_PATH,
      secure: ctx.services.publicUrl.startsWith('https:'),
      maxAge: 10 * 60_000,
    });
    ctx.res.redirect(303, started.url.href);
  },
};

const callbackPage: ConsolePage = {
  method: 'get',
  path: '/login/oidc/:provider/callback',
  public: true,
  async handle(ctx) {
    const provider = providerOf(ctx);
    const pending = openPending(cookieValue(ctx.req.get('cookie'), PENDING_COOKIE), ctx.sessionKey);
    // One use: whatever happens next, this browser's pending login is gone.
    ctx.res.clearCookie(PENDING_COOKIE, { path: PENDING_PATH });
    if (!provider || !pending || pending.provider !== provider.id) {
      await recordLogin(
        ctx,
        { interaction: 'federated', outcome: 'refused', status: 400, why: 'ERR_NO_PENDING_LOGIN' },
        undefined,
      );
      return failed(ctx, 400);
    }
    const query = new URL(ctx.req.originalUrl, 'http://console.invalid').searchParams;
    query.delete('lang');
    let identity;
    try {
      identity = await finishStaffFederatedLogin(provider, ctx.services.publicUrl, pending, query);
    } catch (err) {
      await recordLogin(
        ctx,
        {
          interaction: 'federated',
          outcome: 'refused',
          status: 401,
          why: `ERR_FEDERATION (${(err instanceof Error ? err.message : String(err)).slice(0, 200)})`,
        },
        undefined,
      );
      return failed(ctx, 401);
    }
    const store = ctx.services.store;
    let staff: StaffAccount | undefined = await staffByOidc(store, identity.issuer, identity.subject);
    let linked = false;
    if (staff === undefined && identity.emailVerified && identity.email) {
      const byEmail = await staffByEmail(store, identity.email);
      // Only an account of this provider's organisation, and never one linked to another identity.
      if (byEmail && byEmail.organisationId === provider.organisation && byEmail.oidc === undefined) {
        staff = byEmail;
        linked = true;
      }
    }
    if (!staff || staff.organisationId !== provider.organisation || staff.blockedAt) {
      await recordLogin(
        ctx,
        {
          interaction: 'federated',
          outcome: 'refused',
          status: 403,
          why: staff ? 'ERR_LOGIN_REFUSED (blocked or other organisation)' : 'ERR_NO_STAFF_ACCOUNT',
        },
        staff,
      );
      return failed(ctx, 403);
    }
    if (linked) await setStaffOidc(store, staff.id, identity.issuer, identity.subject);
    const mfa = providerDidMfa(provider, identity);
    const token = await openStaffSession(store, staff.id, { secondFactorDone: mfa });
    setSessionCookie(ctx, token);
    await recordLogin(
      ctx,
      {
        interaction: 'federated',
        outcome: 'success',
        status: 303,
        ...(linked ? { why: 'identity linked by verified e-mail' } : {}),
      },
      staff,
    );
    const next = safeNext(pending.next);
    ctx.res.redirect(303, mfa ? next : `${CONSOLE_BASE}/login/code?next=${encodeURIComponent(next)}`);
  },
};

export const OIDC_LOGIN_PAGES: readonly ConsolePage[] = [startPage, callbackPage];
