import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { default as ProviderType } from 'oidc-provider';

/**
 * A care organisation's own OpenID Connect provider for the console's federated login: oidc-provider
 * (as in test/smart/federated-login.test.ts), with e-mail claims in the id_token and `amr` as the
 * test asks. `/interaction/<uid>?sub=alice` logs alice in; `&mfa=1` says she used two factors.
 */
export class StaffIdp {
  provider: ProviderType | undefined;
  readonly server: Server;
  issuer = '';
  /** sub → e-mail claims. */
  readonly people = new Map<string, { email: string; verified: boolean }>();

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(redirectUri: string): Promise<void> {
    const { default: Provider } = await import('oidc-provider');
    this.provider = new Provider(this.issuer, {
      clients: [
        { client_id: 'inzage-console', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri] },
      ],
      pkce: { required: () => true },
      cookies: { keys: ['staff idp cookie key'] },
      features: { devInteractions: { enabled: false } },
      claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'] },
      conformIdTokenClaims: false,
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, sub) => ({
        accountId: sub,
        claims: () => {
          const person = this.people.get(sub);
          return { sub, ...(person ? { email: person.email, email_verified: person.verified } : {}) };
        },
      }),
      loadExistingGrant: async (ctx) => {
        const grant = new ctx.oidc.provider.Grant({
          clientId: ctx.oidc.client!.clientId,
          accountId: ctx.oidc.session!.accountId!,
        });
        grant.addOIDCScope('openid email');
        await grant.save();
        return grant;
      },
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const provider = this.provider;
    if (!provider) return void res.writeHead(503).end();
    const url = new URL(req.url ?? '/', this.issuer);
    if (!url.pathname.startsWith('/interaction/')) return provider.callback()(req, res);
    try {
      const sub = url.searchParams.get('sub') ?? 'nobody';
      const amr = url.searchParams.has('mfa') ? ['pwd', 'otp', 'mfa'] : ['pwd'];
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: sub, amr } },
        { mergeWithLastSubmission: false },
      );
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
