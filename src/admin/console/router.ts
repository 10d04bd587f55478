import express, { Router, type Request, type Response } from 'express';
import { isGatewayError } from '../../errors';
import { contextOf } from '../../http';
import { cookieValue } from '../api';
import { invokeOperation, mayRun } from '../invoke';
import type { AdminServices, AnyAdminOperation } from '../operation';
import { csrfMatches, csrfTokenOf, staffOfSession, STAFF_SESSION_COOKIE } from '../staff';
import { html } from './html';
import { LANGUAGE_COOKIE, tr, type ConsoleLanguage } from './language';
import { CONSOLE_BASE, CONSOLE_CSS, consoleLayout } from './layout';
import type { ConsoleContext, ConsolePage } from './page';

export interface ConsoleRouterOptions {
  readonly services: AdminServices;
  readonly operations: readonly AnyAdminOperation[];
  readonly pages: readonly ConsolePage[];
  readonly sessionKey: Buffer;
}

const NOTICE_COOKIE = 'inzage_console_notice';

/**
 * The console: server-rendered pages under /admin/console in Dutch (English with ?lang=en). Every
 * page but the login needs a staff session with the second factor done; every POST needs the
 * session's CSRF token. Pages act only through the admin operations (ctx.run).
 */
export function consoleRouter(options: ConsoleRouterOptions): Router {
  const router = Router();
  const byId = new Map(options.operations.map((op) => [op.id, op]));
  const form = express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 100 });
  router.get(`${CONSOLE_BASE}/style.css`, (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=3600').send(CONSOLE_CSS);
  });
  for (const page of options.pages) {
    const path = `${CONSOLE_BASE}${page.path === '/' ? '' : page.path}`;
    const handler = async (req: Request, res: Response) => {
      const lang = languageOf(req, res);
      const sessionToken = cookieValue(req.get('cookie'), STAFF_SESSION_COOKIE);
      const staff = sessionToken ? await staffOfSession(options.services.store, sessionToken) : undefined;
      if (!page.public && staff === undefined) {
        res.redirect(303, `${CONSOLE_BASE}/login?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      if (page.method === 'post' && !page.public) {
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (!sessionToken || !csrfMatches(sessionToken, options.sessionKey, body._csrf)) {
          res
            .status(403)
            .type('html')
            .send(
              consoleLayout({
                lang,
                title: tr(lang, 'Formulier verlopen', 'Form expired'),
                body: html`<p>
                  ${tr(lang, 'Open de pagina opnieuw en probeer het nog eens.', 'Open the page again and try once more.')}
                </p>`,
                staff,
                menu: [],
                switchUrl: switchUrlOf(req, lang),
              }),
            );
          return;
        }
      }
      const csrf = sessionToken && staff ? csrfTokenOf(sessionToken, options.sessionKey) : undefined;
      const notice = cookieValue(req.get('cookie'), NOTICE_COOKIE);
      if (notice !== undefined) res.clearCookie(NOTICE_COOKIE, { path: CONSOLE_BASE });
      const ctx: ConsoleContext = {
        req,
        res,
        lang,
        staff,
        csrf,
        sessionToken,
        services: options.services,
        sessionKey: options.sessionKey,
        async run<O>(operationId: string, fields: Readonly<Record<string, unknown>>): Promise<O> {
          const operation = byId.get(operationId);
          if (operation === undefined) throw new Error(`no admin operation ${operationId}`);
          if (staff === undefined) throw new Error('no staff member on this page');
          const { _csrf, ...rest } = fields as Record<string, unknown>;
          void _csrf;
          return (await invokeOperation(operation, {
            caller: staff,
            services: options.services,
            fields: withoutEmpty(rest),
            fromText: true,
            requestId: contextOf(req)?.id,
            address: req.ip,
            channel: 'console',
          })) as O;
        },
        may(operationId: string): boolean {
          const operation = byId.get(operationId);
          return operation !== undefined && staff !== undefined && mayRun(operation, staff);
        },
        page(title, body, pageOptions = {}) {
          res
            .status(pageOptions.status ?? 200)
            .type('html')
            .set('Cache-Control', 'no-store')
            .send(
              consoleLayout({
                lang,
                title,
                body,
                staff,
                csrf,
                menu: staff ? menuOf(options.pages, staff.role, lang, req.path) : [],
                switchUrl: switchUrlOf(req, lang),
                ...((pageOptions.notice ?? notice) ? { notice: pageOptions.notice ?? notice } : {}),
                ...(pageOptions.error ? { error: pageOptions.error } : {}),
              }),
            );
        },
        redirect(target, text) {
          if (text)
            res.cookie(NOTICE_COOKIE, text, {
              path: CONSOLE_BASE,
              httpOnly: true,
              sameSite: 'lax',
              maxAge: 60_000,
            });
          res.redirect(303, target.startsWith('/') ? target : `${CONSOLE_BASE}/${target}`);
        },
        href(target) {
          return `${CONSOLE_BASE}${target === '/' ? '' : target}`;
        },
      };
      try {
        await page.handle(ctx);
      } catch (err) {
        if (res.headersSent) throw err;
        // A refusal (bad input, a role that may not) is shown on a page; a failure goes to the
        // error handler, which logs it and says nothing about it.
        if (isGatewayError(err) && err.expose) {
          ctx.page(
            tr(lang, 'Niet gelukt', 'Not done'),
            html`<p>
              <a href="${ctx.href('/')}">${tr(lang, 'Terug naar het overzicht', 'Back to the overview')}</a>
            </p>`,
            {
              status: err.status,
              error: err.message,
            },
          );
          return;
        }
        throw err;
      }
    };
    if (page.method === 'post') router.post(path, form, handler);
    else router.get(path, handler);
  }
  return router;
}

/** Empty form fields are absent fields (an optional end date left blank). */
function withoutEmpty(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== '' && v !== undefined));
}

function languageOf(req: Request, res: Response): ConsoleLanguage {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : undefined;
  if (asked === 'en' || asked === 'nl') {
    res.cookie(LANGUAGE_COOKIE, asked, { path: CONSOLE_BASE, sameSite: 'lax', httpOnly: true });
    return asked;
  }
  return cookieValue(req.get('cookie'), LANGUAGE_COOKIE) === 'en' ? 'en' : 'nl';
}

function switchUrlOf(req: Request, lang: ConsoleLanguage): string {
  // The answer to a form (a letter, an error) has no address of its own to show again: the switch
  // goes to the console's start page instead of re-sending the form as a GET.
  if (req.method !== 'GET') return `${CONSOLE_BASE}?lang=${lang === 'nl' ? 'en' : 'nl'}`;
  const url = new URL(req.originalUrl, 'http://console.invalid');
  url.searchParams.set('lang', lang === 'nl' ? 'en' : 'nl');
  return `${url.pathname}${url.search}`;
}

function menuOf(pages: readonly ConsolePage[], role: string, lang: ConsoleLanguage, current: string) {
  return pages
    .filter((p) => p.menu && p.method === 'get' && (!p.menu.roles || p.menu.roles.some((r) => r === role)))
    .sort((a, b) => a.menu!.order - b.menu!.order)
    .map((p) => {
      const href = `${CONSOLE_BASE}${p.path === '/' ? '' : p.path}`;
      return { href, label: lang === 'en' ? p.menu!.en : p.menu!.nl, current: current === href };
    });
}
