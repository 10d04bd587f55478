/**
 * The login interaction's routes. oidc-provider sends the browser to `/auth/interaction/<uid>`; each
 * step is a form posted back to `/auth/interaction/<uid>/<step>` with a CSRF token, and the state
 * between steps is kept in the interaction (see state.ts). The stylesheet has a route of its own.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { GatewayConfig } from '../../config';
import { GatewayError } from '../../errors';
import type { Store } from '../../store';
import { AccountSecret, type MessageSender } from '../accounts';
import type { AuthorizationServer } from '../authorization-server';
import { Interaction, type PagesDeps } from './context';
import { CsrfTokens } from './csrf';
import { grant, render } from './flow';
import { languageOf } from './language';
import { messagePage } from './message-page';
import { postLogin, postPick, postSecondFactor, postTerms } from './login';
import { getRegister, postFactor, postRegister, postResend, postTotp, postVerify } from './register';
import { STYLESHEET_PATH } from './render';
import { stylesheet } from './views/style';

export interface InteractionOptions {
  store: Store;
  server: AuthorizationServer;
  config: GatewayConfig;
  /** Sends the verification and login codes (e-mail and SMS). */
  messageSender: MessageSender;
  /** The server secret of link codes, verification codes and TOTP secrets (default: the environment). */
  accountSecret?: AccountSecret;
  /** Other ways to log in for an interaction, shown as links on the login page (federated login). */
  loginProviders?: (uid: string) => readonly { name: string; href: string }[];
}

type Step = (ix: Interaction) => Promise<void> | void;

const POSTS: Readonly<Record<string, Step>> = {
  login: postLogin,
  'second-factor': postSecondFactor,
  resend: postResend,
  pick: postPick,
  terms: postTerms,
  register: postRegister,
  verify: postVerify,
  factor: postFactor,
  totp: postTotp,
};

export function interactionRouter(options: InteractionOptions): Router {
  const { server, config } = options;
  let secret = options.accountSecret;
  const deps: PagesDeps = {
    store: options.store,
    server,
    config,
    sender: options.messageSender,
    // Read when first needed: a gateway without INZAGE_LINK_CODE_SECRET still starts (and says so on use).
    secret: () => (secret ??= AccountSecret.fromEnvironment()),
    csrf: new CsrfTokens(server.cookieKeys),
    secureCookies: config.server.publicUrl.startsWith('https:'),
    loginProviders: options.loginProviders,
  };
  const router = express.Router();
  const forms = express.urlencoded({ extended: false, limit: '16kb' });

  router.get(STYLESHEET_PATH, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600');
    res.type('text/css').send(stylesheet);
  });

  /** The interaction of this request, or the "login expired" page when its cookie is gone. */
  async function interaction(req: Request, res: Response): Promise<Interaction | undefined> {
    try {
      return new Interaction(deps, req, res, await server.provider.interactionDetails(req, res));
    } catch {
      res
        .status(400)
        .type('html')
        .send(
          messagePage(languageOf(req, res, deps.secureCookies), 'sessionTitle', 'session', {
            path: req.originalUrl,
          }),
        );
      return undefined;
    }
  }

  router.get('/auth/interaction/:uid', async (req, res, next) => {
    try {
      const ix = await interaction(req, res);
      if (ix === undefined) return;
      if (ix.details.prompt.name === 'consent') return await grant(ix);
      await render(ix, ix.state);
    } catch (err) {
      next(err);
    }
  });

  router.get('/auth/interaction/:uid/register', async (req, res, next) => {
    try {
      const ix = await interaction(req, res);
      if (ix === undefined) return;
      getRegister(ix);
    } catch (err) {
      next(err);
    }
  });

  router.post('/auth/interaction/:uid/:step', forms, async (req, res, next) => {
    try {
      const step = POSTS[String(req.params.step)];
      if (step === undefined) return next();
      const ix = await interaction(req, res);
      if (ix === undefined) return;
      if (!ix.csrfOk()) {
        ix.page('message', 'csrfTitle', { message: ix.t.csrf }, { status: 403 });
        return;
      }
      try {
        await step(ix);
      } catch (err) {
        // No code could be sent (no sender configured, or the gateway is down): say so on the page.
        if (!(err instanceof GatewayError && err.status === 503) || res.headersSent) throw err;
        ix.page('message', 'errorHeading', { message: ix.t.sendFailed }, { status: 503 });
      }
    } catch (err) {
      next(err);
    }
  });

  return router;
}
