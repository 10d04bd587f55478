/**
 * What every step of the login interaction shares: the interaction and its state, the language,
 * rendering a page with its security headers, and the CSRF check.
 */
import type { Request, Response } from 'express';
import type { GatewayConfig, OrganisationConfig } from '../../config';
import type { Queryable, Store } from '../../store';
import type { AccountSecret, MessageSender } from '../accounts';
import { requestFacts, type AuthEvent } from '../audit';
import type { AuthorizationServer } from '../authorization-server';
import { clientOrigins } from '../clients';
import type { CsrfTokens } from './csrf';
import { languageOf, switchUrl } from './language';
import { renderPage, type PageName } from './render';
import type { LoginState } from './state';
import { textsOf, type Language, type Texts } from './texts';

export type Details = Awaited<ReturnType<AuthorizationServer['provider']['interactionDetails']>>;

/** Everything the steps need, made once per router. */
export interface PagesDeps {
  readonly store: Store;
  readonly server: AuthorizationServer;
  readonly config: GatewayConfig;
  readonly sender: MessageSender;
  readonly secret: () => AccountSecret;
  readonly csrf: CsrfTokens;
  readonly secureCookies: boolean;
  /** Other ways to log in, shown as links on the login page (federated login's providers). */
  readonly loginProviders?: (uid: string) => readonly { name: string; href: string }[];
}

/** The CSP of the login pages: helmet's, with `form-action` also allowing the app's redirect origins. */
function pagePolicy(formTargets: readonly string[]): string {
  return [
    "default-src 'self'",
    "base-uri 'none'",
    // Chromium applies form-action to the redirects after a POST too: the last step's form ends in a
    // redirect to the app's redirect_uri, which 'self' alone would block.
    `form-action 'self'${formTargets.map((o) => ` ${o}`).join('')}`,
    "frame-ancestors 'none'",
    "object-src 'none'",
    "img-src 'self' data:",
    "script-src 'self'",
    "style-src 'self'",
  ].join('; ');
}

/** One request within a login interaction. */
export class Interaction {
  readonly language: Language;
  readonly t: Texts;
  /** When the request came: the `at` of its audit records. */
  readonly at = new Date();

  constructor(
    readonly deps: PagesDeps,
    readonly req: Request,
    readonly res: Response,
    readonly details: Details,
  ) {
    this.language = languageOf(req, res, deps.secureCookies);
    this.t = textsOf(this.language);
  }

  get uid(): string {
    return this.details.uid;
  }

  get clientId(): string {
    return String(this.details.params.client_id);
  }

  get state(): LoginState {
    return (this.details.result as { inzage?: LoginState } | undefined)?.inzage ?? { step: 'login' };
  }

  /** The path of a step's form. */
  action(step: string): string {
    return `/auth/interaction/${this.uid}/${step}`;
  }

  /** Saves where the login stands; the next request (on any instance) reads it. */
  async save(state: LoginState): Promise<void> {
    await this.deps.server.provider.interactionResult(
      this.req,
      this.res,
      { inzage: state },
      { mergeWithLastSubmission: false },
    );
  }

  /**
   * Writes this step's audit record (for this interaction's app), and resolves when it is committed:
   * await it before the page answers. In `tx`, it commits with that transaction's change.
   */
  async audit(event: AuthEvent, tx?: Queryable): Promise<void> {
    const { audit } = this.deps.server;
    const full: AuthEvent = { clientApp: this.clientId, ...event };
    const facts = requestFacts(this.req, this.at);
    await (tx === undefined ? audit.record(full, facts) : audit.recordIn(tx, full, facts));
  }

  /** Whether the posted form carries this interaction's CSRF token. */
  csrfOk(): boolean {
    return this.deps.csrf.matches(this.uid, (this.req.body as Record<string, unknown> | undefined)?.csrf);
  }

  organisation(id: string): OrganisationConfig | undefined {
    return this.deps.config.organisations.find((o) => o.id === id);
  }

  /** Renders a page of this interaction with its status and headers. */
  page(
    name: PageName,
    title: keyof Texts,
    data: Record<string, unknown> = {},
    options: { status?: number; error?: string; notice?: string; switchTo?: string } = {},
  ): void {
    const client = this.deps.server.client(this.clientId);
    const html = renderPage(
      name,
      {
        lang: this.language,
        t: this.t,
        title: this.t[title],
        switchUrl: switchUrl(options.switchTo ?? `/auth/interaction/${this.uid}`, this.language),
        clientName: client?.name,
        error: options.error,
        notice: options.notice,
        csrf: this.deps.csrf.tokenFor(this.uid),
      },
      data,
    );
    this.res.setHeader('Content-Security-Policy', pagePolicy(client ? clientOrigins(client) : []));
    this.res
      .status(options.status ?? 200)
      .type('html')
      .send(html);
  }

  /** 429: the limit's message, with Retry-After. */
  tooMany(seconds: number): void {
    this.res.setHeader('Retry-After', String(seconds));
    this.page(
      'message',
      'tooManyTitle',
      { message: `${this.t.tooMany} ${Math.max(1, Math.ceil(seconds / 60))} ${this.t.minutes}.` },
      { status: 429 },
    );
  }
}
