/**
 * The routes of federated login (see README.md for the flow):
 *   GET  /auth/interaction/:uid/federated/:idp         → 303 to the provider
 *   GET  /auth/federation/:idp/callback                → 303 to …/return under the interaction
 *   GET  /auth/interaction/:uid/federated/:idp/return  → the code exchange; login or link page
 *   GET  /auth/interaction/:uid/federated/:idp/link    → the link-code page
 *   POST /auth/interaction/:uid/federated/:idp/link    code, email, mobile
 * The callback is a bounce because oidc-provider's interaction cookie is scoped to
 * /auth/interaction/<uid>: under that path the browser proves it is the one that started the login.
 */
import express, { type Request, type Response, type Router } from 'express';
import { InvalidInput } from '../../errors';
import { contextOf, FailureLimit } from '../../http';
import type { Store } from '../../store';
import { requestFacts, TOO_MANY_ATTEMPTS, type AuthEvent } from '../audit';
import type { AuthorizationServer } from '../authorization-server';
import { CsrfTokens } from '../pages/csrf';
import { continueLoginAsAccount } from './continue-login';
import { findLinkedIdentity } from './identities';
import { linkWithCode } from './link';
import { failurePage, linkPage, type FailureReason, type LinkProblem } from './pages';
import { FederationFailure, RelyingParties } from './relying-party';
import { federationStateOf, saveFederationState, type Details } from './state';

export interface FederationRouterOptions {
  store: Store;
  server: AuthorizationServer;
}

/** oidc-provider's interaction ids are nanoids. */
const UID = /^[A-Za-z0-9_-]{1,128}$/;
const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const LINK_WINDOW_MS = 15 * 60 * 1000;

export function federationRouter({ store, server }: FederationRouterOptions): Router {
  const router = express.Router();
  const forms = express.urlencoded({ extended: false, limit: '8kb' });
  const csrf = new CsrfTokens(server.cookieKeys);
  const parties = new RelyingParties(
    server.identityProviders,
    (id) => `${server.publicUrl}/auth/federation/${id}/callback`,
  );
  // Link-code entry: per external identity and per address (the pages work may replace these).
  const perIdentity = new FailureLimit(5, LINK_WINDOW_MS);
  const perAddress = new FailureLimit(20, LINK_WINDOW_MS);

  // The pages hold a login in progress: no cache may keep them.
  router.use(['/auth/federation', '/auth/interaction/:uid/federated'], (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  /** Writes the record of a federated step, for the interaction's app; resolves when committed. */
  function audit(req: Request, details: Details, event: AuthEvent): Promise<void> {
    return server.audit.record({ clientApp: String(details.params.client_id), ...event }, requestFacts(req));
  }

  function fail(res: Response, status: number, reason: FailureReason, uid?: string): void {
    res.status(status).type('html').send(failurePage(reason, uid));
  }

  /** The interaction of this browser, when it is the one in the URL; else the page is sent. */
  async function interactionOf(req: Request, res: Response): Promise<Details | undefined> {
    try {
      const details = await server.provider.interactionDetails(req, res);
      if (details.uid === req.params.uid && details.prompt.name === 'login') return details;
    } catch (err) {
      contextOf(req)?.log.info({ err }, 'federated login without its interaction');
    }
    fail(res, 400, 'expired');
    return undefined;
  }

  /** Unexpected failures: logged, and a page rather than a stack trace. */
  function guarded(handler: (req: Request, res: Response) => Promise<void>) {
    return async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } catch (err) {
        contextOf(req)?.log.error({ err }, 'federated login failed');
        const uid = String(req.params.uid ?? '');
        if (!res.headersSent) fail(res, 500, 'unavailable', UID.test(uid) ? uid : undefined);
      }
    };
  }

  router.get(
    '/auth/interaction/:uid/federated/:idp',
    guarded(async (req, res) => {
      const details = await interactionOf(req, res);
      if (!details) return;
      const provider = parties.provider(String(req.params.idp));
      if (!provider) return fail(res, 404, 'rejected', details.uid);
      let started;
      try {
        started = await parties.start(provider.id, details.uid);
      } catch (err) {
        contextOf(req)?.log.warn({ err, provider: provider.id }, 'identity provider unavailable');
        return fail(res, 502, 'unavailable', details.uid);
      }
      await saveFederationState(server, req, res, details, { pending: started.pending });
      res.redirect(303, started.url.href);
    }),
  );

  router.get('/auth/federation/:idp/callback', (req, res) => {
    const idp = String(req.params.idp);
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    const uid = state.split('.')[0] ?? '';
    if (!PROVIDER_ID.test(idp) || !parties.provider(idp) || !UID.test(uid) || !state.includes('.')) {
      contextOf(req)?.log.info({ provider: idp }, 'federation callback without a usable state');
      return fail(res, 400, typeof req.query.error === 'string' ? 'provider-error' : 'expired');
    }
    const query = new URL(req.originalUrl, 'http://x').search;
    res.redirect(303, `/auth/interaction/${uid}/federated/${idp}/return${query}`);
  });

  router.get(
    '/auth/interaction/:uid/federated/:idp/return',
    guarded(async (req, res) => {
      const details = await interactionOf(req, res);
      if (!details) return;
      const { pending } = federationStateOf(details);
      const provider = parties.provider(String(req.params.idp));
      if (!pending || !provider || pending.providerId !== provider.id) {
        return fail(res, 400, 'rejected', details.uid);
      }
      // Used once: a replayed callback finds nothing pending.
      await saveFederationState(server, req, res, details, {});
      let identity;
      try {
        identity = await parties.finish(pending, new URL(req.originalUrl, 'http://x').searchParams);
      } catch (err) {
        if (!(err instanceof FederationFailure)) throw err;
        contextOf(req)?.log.info({ provider: provider.id, detail: err.detail }, err.message);
        const status = err.kind === 'unavailable' ? 502 : 400;
        await audit(req, details, {
          kind: 'login',
          action: 'E',
          outcome: err.kind === 'unavailable' ? 'failed' : 'refused',
          outcomeText: `ERR_FEDERATION_${err.kind.toUpperCase().replaceAll('-', '_')}`,
          status,
          interaction: 'federated',
          detail: { provider: provider.id },
        });
        return fail(res, status, err.kind, details.uid);
      }
      const linked = await findLinkedIdentity(store, identity);
      if (linked) {
        // The provider proved an identity linked to this account; the account's own steps follow.
        await audit(req, details, {
          kind: 'login',
          action: 'E',
          outcome: 'success',
          interaction: 'federated',
          account: linked.accountId,
          detail: { provider: provider.id },
        });
        return continueLoginAsAccount(req, res, details, linked.accountId, {
          store,
          server,
          secondFactor: provider.secondFactor,
        });
      }
      // Proved, but linked to no account: a link code is asked next (the page says as much).
      await audit(req, details, {
        kind: 'login',
        action: 'E',
        outcome: 'refused',
        outcomeText: 'ERR_IDENTITY_NOT_LINKED',
        status: 303,
        interaction: 'federated',
        detail: { provider: provider.id },
      });
      await saveFederationState(server, req, res, details, {
        unlinked: { ...identity, providerId: provider.id },
      });
      res.redirect(303, `/auth/interaction/${details.uid}/federated/${provider.id}/link`);
    }),
  );

  /** The identity waiting for a link code in this interaction, for this provider. */
  function unlinkedOf(req: Request, details: Details) {
    const { unlinked } = federationStateOf(details);
    const provider = parties.provider(String(req.params.idp));
    return unlinked && provider && unlinked.providerId === provider.id ? { unlinked, provider } : undefined;
  }

  router.get(
    '/auth/interaction/:uid/federated/:idp/link',
    guarded(async (req, res) => {
      const details = await interactionOf(req, res);
      if (!details) return;
      const waiting = unlinkedOf(req, details);
      if (!waiting) return res.redirect(303, `/auth/interaction/${details.uid}`);
      res.type('html').send(linkPage(details.uid, waiting.provider, csrf.tokenFor(details.uid)));
    }),
  );

  router.post(
    '/auth/interaction/:uid/federated/:idp/link',
    forms,
    guarded(async (req, res) => {
      const details = await interactionOf(req, res);
      if (!details) return;
      const waiting = unlinkedOf(req, details);
      if (!waiting) return res.redirect(303, `/auth/interaction/${details.uid}`);
      const { unlinked, provider } = waiting;
      const show = (status: number, problem: LinkProblem): void =>
        void res
          .status(status)
          .type('html')
          .send(linkPage(details.uid, provider, csrf.tokenFor(details.uid), problem));
      // The same CSRF token as the login pages' forms: a form posted from elsewhere cannot know it.
      if (!csrf.matches(details.uid, (req.body as Record<string, unknown> | undefined)?.csrf)) {
        return show(403, 'forged');
      }
      const identityKey = `${unlinked.issuer} ${unlinked.subject}`;
      const addressKey = req.ip ?? 'unknown';
      const refused = (status: number, outcomeText: string) =>
        audit(req, details, {
          kind: 'link-code',
          action: 'E',
          outcome: 'refused',
          outcomeText,
          status,
          interaction: 'federated-link',
          detail: { provider: provider.id },
        });
      if (perIdentity.retryAfter(identityKey) > 0 || perAddress.retryAfter(addressKey) > 0) {
        await refused(429, TOO_MANY_ATTEMPTS);
        return show(429, 'too-many');
      }
      const text = (name: string) => {
        const value: unknown = (req.body as Record<string, unknown> | undefined)?.[name];
        return typeof value === 'string' && value.trim() !== '' ? value : undefined;
      };
      let accountId: string;
      try {
        const registration = await linkWithCode(store, {
          identity: unlinked,
          providerId: provider.id,
          linkCode: text('code') ?? '',
          email: text('email'),
          mobile: text('mobile'),
          at: new Date(),
        });
        accountId = registration.account.id;
        contextOf(req)?.log.info(
          { provider: provider.id, account: accountId, outcome: registration.outcome },
          'external identity linked',
        );
        await audit(req, details, {
          kind: 'link-code',
          action: 'C',
          outcome: 'success',
          interaction: 'federated-link',
          account: accountId,
          person: registration.binding.person,
          patient: registration.binding.patient,
          detail: {
            provider: provider.id,
            organisation: registration.binding.organisationId,
            account: registration.outcome,
          },
        });
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code === 'ERR_REGISTRATION_INCOMPLETE') {
          await refused(400, String(code));
          return show(400, 'incomplete');
        }
        if (err instanceof InvalidInput) {
          await refused(400, String(code ?? 'ERR_INVALID_INPUT'));
          return show(400, 'invalid');
        }
        if (
          ![
            'ERR_LINK_CODE_REFUSED',
            'ERR_ACCOUNT_EXISTS',
            'ERR_ACCOUNT_BLOCKED',
            'ERR_IDENTITY_LINKED',
          ].includes(String(code))
        ) {
          throw err;
        }
        perIdentity.fail(identityKey);
        perAddress.fail(addressKey);
        contextOf(req)?.log.info({ provider: provider.id, err }, 'link code refused');
        await refused(400, String(code));
        return show(400, 'refused');
      }
      await saveFederationState(server, req, res, details, {});
      await continueLoginAsAccount(req, res, details, accountId, {
        store,
        server,
        secondFactor: provider.secondFactor,
      });
    }),
  );

  return router;
}
