import type { DemoLogins } from './demo-accounts';
import type { DemoPortal } from './demo-portal';

/** What the banner says about logging in: the portal apps, the accounts, a fresh link code. */
export interface DemoLoginFacts {
  readonly logins: DemoLogins;
  readonly portal: Pick<DemoPortal, 'publicAppUrl' | 'confidentialAppUrl'>;
  /** Where e-mail and SMS codes the login pages send are written. */
  readonly outboxFile: string;
  /** Put before each printed `npx inzage` command. */
  readonly commandPrefix: string;
}

/** The banner's lines about the portal apps and the demo accounts. */
export function demoLoginLines(f: DemoLoginFacts): string[] {
  const npx = `${f.commandPrefix}npx inzage`;
  const [first] = f.logins.accounts;
  const fresh = f.logins.freshLinkCode;
  return [
    `  Portal apps        ${f.portal.publicAppUrl}   (public: fhirclient in the browser)`,
    `                     ${f.portal.confidentialAppUrl}   (confidential: openid-client on a server)`,
    '                     click "Inloggen met Inzage", log in with an account below, type its current TOTP code.',
    '                     The public app then shows the dossier sections the account may see (through the',
    '                     gateway\'s FHIR API) and files requests to the organisation ("Verzoek indienen").',
    '',
    '  Demo accounts      (demo only: fixed passwords and TOTP secrets)',
    ...f.logins.accounts.flatMap((a) => [
      `    ${a.description}`,
      `      e-mail ${a.email}   password ${a.password}   TOTP secret ${a.totpSecret}`,
      ...a.links.map(
        (l) =>
          `      ${l.person === l.patient ? `${l.name} (${l.patient})` : `${l.name} (${l.person}) for ${l.clientName} (${l.patient})`}`,
      ),
    ]),
    '',
    '  TOTP code          the code of the moment, as an authenticator app would show it:',
    `      ${npx} demo-totp ${first?.totpSecret ?? 'SECRET'}`,
    '                     or add the secret to an authenticator app, e.g. with this URI (as a QR code):',
    `      ${first?.totpUri ?? ''}`,
    `  Outbox             ${f.outboxFile} (e-mail and SMS the login pages send are written here)`,
    '',
    `  Fresh link code    ${fresh.code} (valid through ${fresh.validThrough}) to register a new account as`,
    `                     ${fresh.link.name} (${fresh.link.patient}), ${fresh.description}`,
  ];
}
