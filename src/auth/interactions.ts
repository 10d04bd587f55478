/**
 * The login interaction of an authorization request: password, second factor, patient picker, and
 * the grant. oidc-provider sends the browser to `/auth/interaction/<uid>`; each step is a form posted
 * back to `/auth/interaction/<uid>/<step>`, and the state between steps is kept in the interaction
 * itself (in the store), never in the process.
 *
 * Form contract (tests and the browser drive these names):
 *   POST …/login          email, password
 *   POST …/second-factor  code
 *   POST …/pick           link   (an account link id)
 */
import express, { type Request, type Response, type Router } from 'express';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Store } from '../store';
import {
  findAccountByEmail,
  linksOfAccount,
  passwordHashOf,
  verifyAgainstNoAccount,
  verifyPassword,
  verifyTotp,
  type AccountLink,
} from './accounts';
import type { AuthorizationServer } from './authorization-server';
import { clientOrigins } from './clients';
import { identityProviderChoices } from './federation';
import { consumeLaunch, findLaunch } from './launch';
import { grantableScopes, scopeList } from './scopes';

/** Where a login stands between steps. */
interface LoginState {
  step: 'second-factor' | 'pick';
  accountId: string;
}

type Details = Awaited<ReturnType<AuthorizationServer['provider']['interactionDetails']>>;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><main><h1>${escapeHtml(title)}</h1>
<p>Dit portaal is niet bedoeld voor spoedeisende zaken. Bel bij spoed 112 of uw zorgverlener.</p>
${body}</main></body></html>`;
}

function form(uid: string, step: string, fields: string, error?: string): string {
  return `${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(step)}">${fields}<button type="submit">Verder</button></form>`.replace(
    'action="',
    `action="/auth/interaction/${escapeHtml(uid)}/`,
  );
}

const LOGIN_FIELDS = `<label>E-mailadres <input name="email" type="email" autocomplete="username" required></label>
<label>Wachtwoord <input name="password" type="password" autocomplete="current-password" required></label>`;

export interface InteractionOptions {
  store: Store;
  server: AuthorizationServer;
}

export function interactionRouter({ store, server }: InteractionOptions): Router {
  const { provider, fhirBase } = server;
  const router = express.Router();
  const forms = express.urlencoded({ extended: false, limit: '16kb' });

  // Chromium applies form-action to the redirects after a POST too: the last step's form ends in a
  // redirect to the app's redirect_uri, which 'self' alone would block. (Interim: the login pages
  // replace this file.)
  router.use('/auth/interaction', async (req, res, next) => {
    const policy = res.getHeader('Content-Security-Policy');
    const details = await provider.interactionDetails(req, res).catch(() => undefined);
    const client = details && server.client(String(details.params.client_id));
    if (typeof policy === 'string' && client) {
      const origins = clientOrigins(client).join(' ');
      res.setHeader(
        'Content-Security-Policy',
        policy.replace("form-action 'self'", `form-action 'self' ${origins}`),
      );
    }
    next();
  });
  /** A button per configured external identity provider (federated login). */
  function federated(uid: string): string {
    return identityProviderChoices(server.identityProviders, uid)
      .map((c) => `<p><a href="${escapeHtml(c.href)}">Inloggen met ${escapeHtml(c.name)}</a></p>`)
      .join('\n');
  }

  function stateOf(details: Details): LoginState | undefined {
    return (details.result as { inzage?: LoginState } | undefined)?.inzage;
  }

  async function saveState(req: Request, res: Response, state: LoginState): Promise<void> {
    await provider.interactionResult(req, res, { inzage: state }, { mergeWithLastSubmission: false });
  }

  /** The links this login may choose from: the launch's one in an EHR launch, else the account's. */
  async function choices(details: Details, accountId: string): Promise<AccountLink[]> {
    const links = await linksOfAccount(store, accountId);
    const launch = details.params.launch as string | undefined;
    if (launch === undefined) return links;
    const context = await findLaunch(store, launch, String(details.params.client_id));
    return links.filter((l) => l.id === context?.linkId);
  }

  async function finishLogin(req: Request, res: Response, details: Details, linkId: string): Promise<void> {
    const launch = details.params.launch as string | undefined;
    if (launch !== undefined) await consumeLaunch(store, launch);
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: linkId } },
      { mergeWithLastSubmission: false },
    );
  }

  /** The consent step: the client is registered by the care organisation, so the grant is decided here. */
  async function grant(req: Request, res: Response, details: Details): Promise<void> {
    const clientId = String(details.params.client_id);
    const registered = server.client(clientId)?.scopes ?? [];
    let scopes = grantableScopes(scopeList(details.params.scope as string | undefined), registered);
    // `launch` means an EHR launch: without a launch parameter it grants nothing.
    if (details.params.launch === undefined) scopes = scopes.filter((s) => s !== 'launch');
    const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    const next = existing ?? new provider.Grant({ accountId: details.session!.accountId, clientId });
    next.addOIDCScope(scopes.filter((s) => !s.includes('/') || s.startsWith('launch')).join(' '));
    next.addResourceScope(fhirBase, scopes.join(' '));
    const grantId = await next.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  async function afterAccount(
    req: Request,
    res: Response,
    details: Details,
    accountId: string,
  ): Promise<void> {
    const links = await choices(details, accountId);
    if (links.length === 1) return finishLogin(req, res, details, links[0]!.id);
    if (links.length === 0) {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'no client dossier is available for this login' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    await saveState(req, res, { step: 'pick', accountId });
    res.type('html').send(picker(details.uid, links));
  }

  function picker(uid: string, links: AccountLink[]): string {
    const options = links
      .map(
        (l) =>
          `<label><input type="radio" name="link" value="${escapeHtml(l.id)}" required> ${escapeHtml(l.patient)} (${escapeHtml(l.person)})</label>`,
      )
      .join('\n');
    return page('Kies een dossier', form(uid, 'pick', options));
  }

  router.get('/auth/interaction/:uid', async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'consent') return await grant(req, res, details);
      const state = stateOf(details);
      if (state?.step === 'second-factor') {
        return void res
          .type('html')
          .send(page('Tweede stap', form(details.uid, 'second-factor', CODE_FIELD)));
      }
      if (state?.step === 'pick')
        return void res.type('html').send(picker(details.uid, await choices(details, state.accountId)));
      res
        .type('html')
        .send(page('Inloggen', form(details.uid, 'login', LOGIN_FIELDS) + federated(details.uid)));
    } catch (err) {
      next(err);
    }
  });

  router.post('/auth/interaction/:uid/login', forms, async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      const email = String(req.body?.email ?? '');
      const password = String(req.body?.password ?? '');
      const account = await findAccountByEmail(store, email).catch(() => undefined);
      const hash = account ? await passwordHashOf(store, account.id) : undefined;
      const good = hash ? await verifyPassword(password, hash) : await verifyAgainstNoAccount(password);
      if (!account || !good || account.blockedAt) {
        return void res
          .status(401)
          .type('html')
          .send(
            page(
              'Inloggen',
              form(details.uid, 'login', LOGIN_FIELDS, 'E-mailadres of wachtwoord klopt niet.') +
                federated(details.uid),
            ),
          );
      }
      if (account.hasTotp) {
        await saveState(req, res, { step: 'second-factor', accountId: account.id });
        return void res
          .type('html')
          .send(page('Tweede stap', form(details.uid, 'second-factor', CODE_FIELD)));
      }
      await afterAccount(req, res, details, account.id);
    } catch (err) {
      next(err);
    }
  });

  router.post('/auth/interaction/:uid/second-factor', forms, async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      const state = stateOf(details);
      if (state?.step !== 'second-factor') return void res.redirect(303, `/auth/interaction/${details.uid}`);
      try {
        await verifyTotp(store, state.accountId, String(req.body?.code ?? ''), new Date());
      } catch {
        return void res
          .status(401)
          .type('html')
          .send(page('Tweede stap', form(details.uid, 'second-factor', CODE_FIELD, 'De code klopt niet.')));
      }
      await afterAccount(req, res, details, state.accountId);
    } catch (err) {
      next(err);
    }
  });

  router.post('/auth/interaction/:uid/pick', forms, async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      const state = stateOf(details);
      if (state?.step !== 'pick') return void res.redirect(303, `/auth/interaction/${details.uid}`);
      const chosen = (await choices(details, state.accountId)).find(
        (l) => l.id === String(req.body?.link ?? ''),
      );
      if (!chosen) return void res.redirect(303, `/auth/interaction/${details.uid}`);
      await finishLogin(req, res, details, chosen.id);
    } catch (err) {
      next(err);
    }
  });

  return router;
}

const CODE_FIELD = `<label>Code uit uw app <input name="code" inputmode="numeric" autocomplete="one-time-code" required></label>`;

export type { KoaContextWithOIDC };
