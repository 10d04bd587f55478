import { randomBytes } from 'node:crypto';
import {
  AccountSecret,
  LINK_CODE_SECRET_VARIABLE,
  createVerificationCode,
  findAccountByEmail,
  issueLinkCode,
  linksOfAccount,
  registerAccount,
  setTotpSecret,
  totpEnrolmentUri,
  verifyCode,
  type MessageSender,
} from '../auth';
import type { Environment } from '../config';
import { patientId, relatedPersonId, type EcdExport, type EcdPersonName } from '../ecd';
import type { SandboxData } from '../sandbox';
import type { Store } from '../store';
import type { Actor, PatientReference, PersonReference } from '../vocabulary';

/**
 * The demo's accounts: seven people from the sandbox data, one of each kind the portal rules know
 * (and two parents whose access the rules limit: to some sections, or to nothing), registered the
 * way a real person is (a link code, then registerAccount), with verified addresses
 * and a TOTP second factor. Passwords and TOTP secrets are fixed and printed: this is synthetic data
 * on 127.0.0.1, and a newcomer (or the README) must be able to log in without reading a log.
 */

/** What a demo account is, for the banner. */
export type DemoAccountKind =
  'client' | 'parent' | 'curator' | 'first-contact' | 'relative' | 'parent-user' | 'parent-refused';

/** One link of a demo account: a person towards a client. */
export interface DemoLink {
  readonly organisationId: string;
  readonly patient: PatientReference;
  readonly person: PersonReference;
  /** The person's name, as in the ECD. */
  readonly name: string;
  /** The client's name, as in the ECD. */
  readonly clientName: string;
}

export interface DemoAccount {
  readonly kind: DemoAccountKind;
  /** What the account is, in a few English words. */
  readonly description: string;
  readonly email: string;
  readonly mobile: string;
  readonly password: string;
  readonly totpSecret: string;
  /** The otpauth:// URI of the secret, for an authenticator app. */
  readonly totpUri: string;
  readonly links: readonly DemoLink[];
}

/** A link code nobody has used, for trying registration. */
export interface DemoFreshLinkCode {
  readonly code: string;
  readonly validThrough: string;
  readonly description: string;
  readonly link: DemoLink;
}

export interface DemoLogins {
  readonly accounts: readonly DemoAccount[];
  readonly freshLinkCode: DemoFreshLinkCode;
}

interface AccountPlan {
  kind: DemoAccountKind;
  description: string;
  email: string;
  mobile: string;
  password: string;
  totpSecret: string;
  links: (data: SandboxData) => DemoLink[];
}

const DEMO_ISSUER: Actor = { kind: 'system', component: 'demo' };

/** The accounts, in the order printed. E-mail domains under .example (RFC 2606): nothing is ever sent. */
const PLANS: readonly AccountPlan[] = [
  {
    kind: 'client',
    description: 'client, logs in for themself (Meerzicht, elderly care)',
    email: 'client@inzage-demo.example',
    mobile: '+31612000001',
    password: 'demo-client-wachtwoord',
    totpSecret: '3IZ6HB76PGF6UCTGW2QRL5JKTCJL574E',
    links: (data) => {
      const clientId = data.scenarios.firstContactAuthorised;
      return [linkOf(data, clientId, undefined)];
    },
  },
  {
    kind: 'parent',
    description: 'parent of two children under 12, administrator of both: picks a child (Amerhof)',
    email: 'ouder@inzage-demo.example',
    mobile: '+31612000002',
    password: 'demo-ouder-wachtwoord',
    totpSecret: 'D2PWLBDSU6R34UZ5GNTEIXB6VFKA5NWQ',
    links: (data) =>
      data.scenarios.siblingsSharedParent.map((clientId) => {
        const registration = exportOf(data, clientId).portalRegistrations.find(
          (r) =>
            r.clientId === clientId && r.requestedRole === 'administrator' && r.person.kind === 'relation',
        );
        if (registration?.person.kind !== 'relation') throw new Error(`no registered parent of ${clientId}`);
        return linkOf(data, clientId, registration.person.relationId);
      }),
  },
  {
    kind: 'curator',
    description: 'curator, portal administrator of an adult client (Amerhof)',
    email: 'curator@inzage-demo.example',
    mobile: '+31612000003',
    password: 'demo-curator-wachtwoord',
    totpSecret: 'MPQDLCWKZ6DVCWS3Z4T3DXNTX3ASYNSJ',
    links: (data) => {
      const clientId = data.scenarios.withCurator;
      return [linkOf(data, clientId, relationWithRole(data, clientId, 'curator'))];
    },
  },
  {
    kind: 'first-contact',
    description: 'first contact person the client authorised for some sections (Meerzicht)',
    email: 'contactpersoon@inzage-demo.example',
    mobile: '+31612000004',
    password: 'demo-contactpersoon-wachtwoord',
    totpSecret: '6YPN5ZVAWXU6NTZO6MBZ6K2IYNALQ4KK',
    links: (data) => {
      const clientId = data.scenarios.firstContactAuthorised;
      return [linkOf(data, clientId, relationWithRole(data, clientId, 'first-contact-person'))];
    },
  },
  {
    kind: 'relative',
    description: 'relative the administrator (the client) admitted to some sections (Amerhof)',
    email: 'familielid@inzage-demo.example',
    mobile: '+31612000005',
    password: 'demo-familielid-wachtwoord',
    totpSecret: '6JPIR5ROUYLINPD2LY5MYHKS3SNZZZIJ',
    links: (data) => {
      const clientId = data.scenarios.administratorGrantedSections;
      const widest = exportOf(data, clientId)
        .portalAuthorisations.filter((a) => a.clientId === clientId && !a.withdrawal)
        .sort((a, b) => b.sections.length - a.sections.length)[0];
      if (!widest) throw new Error(`no relation of ${clientId} was granted access`);
      return [linkOf(data, clientId, widest.granteeRelationId)];
    },
  },
  {
    kind: 'parent-user',
    description:
      'father of a child under 12, admitted by the mother (the administrator) to reports, measurements and appointments (Amerhof)',
    email: 'vader@inzage-demo.example',
    mobile: '+31612000006',
    password: 'demo-vader-wachtwoord',
    totpSecret: 'YMYGC5PNQVW4IT55A4INCW3BLJ2HWLL7',
    links: (data) => {
      const [clientId] = data.scenarios.siblingsSharedParent;
      const registration = exportOf(data, clientId).portalRegistrations.find(
        (r) => r.clientId === clientId && r.requestedRole === 'user' && r.person.kind === 'relation',
      );
      if (registration?.person.kind !== 'relation')
        throw new Error(`no registered second parent of ${clientId}`);
      return [linkOf(data, clientId, registration.person.relationId)];
    },
  },
  {
    kind: 'parent-refused',
    description:
      'mother of a capable child of 12 to 15 who refused parental access: her login finds no dossier (Amerhof, A-8)',
    email: 'moeder@inzage-demo.example',
    mobile: '+31612000007',
    password: 'demo-moeder-wachtwoord',
    totpSecret: 'CDQ3XHKGJGXLOBCFOUCJQMJ3KYT44YAA',
    links: (data) => {
      const clientId = data.scenarios.minorCapableParentalAccessRefused;
      const registration = exportOf(data, clientId).portalRegistrations.find(
        (r) => r.clientId === clientId && r.person.kind === 'relation',
      );
      if (registration?.person.kind !== 'relation') throw new Error(`no registered parent of ${clientId}`);
      return [linkOf(data, clientId, registration.person.relationId)];
    },
  },
];

function exportOf(data: SandboxData, clientId: string): EcdExport {
  const found = data.exports.find((e) => e.clients.some((c) => c.id === clientId));
  if (!found) throw new Error(`the sandbox data has no client ${clientId}`);
  return found;
}

function relationWithRole(data: SandboxData, clientId: string, role: string): string {
  const relation = exportOf(data, clientId).relations.find((r) => r.clientId === clientId && r.role === role);
  if (!relation) throw new Error(`client ${clientId} has no ${role}`);
  return relation.id;
}

function nameText(name: EcdPersonName): string {
  return [...name.given, name.prefix, name.family].filter(Boolean).join(' ');
}

/** The link of a relation (or, without one, of the client themself) to a client. */
function linkOf(data: SandboxData, clientId: string, relationId: string | undefined): DemoLink {
  const e = exportOf(data, clientId);
  const organisationId = e.organisation.id;
  const client = e.clients.find((c) => c.id === clientId)!;
  const patient: PatientReference = `Patient/${patientId(organisationId, clientId)}`;
  if (relationId === undefined) {
    return {
      organisationId,
      patient,
      person: patient,
      name: nameText(client.name),
      clientName: nameText(client.name),
    };
  }
  const relation = e.relations.find((r) => r.id === relationId);
  if (!relation) throw new Error(`the sandbox data has no relation ${relationId}`);
  return {
    organisationId,
    patient,
    person: `RelatedPerson/${relatedPersonId(organisationId, relationId)}`,
    name: nameText(relation.name),
    clientName: nameText(client.name),
  };
}

/**
 * The link-code secret the demo registers with: INZAGE_LINK_CODE_SECRET when set, else one made up
 * for this run (never printed). The gateway reads the variable from its process environment, so a
 * made-up one is put there too, in this process only; `restore` takes it out again.
 */
export function demoAccountSecret(env: Environment): { secret: AccountSecret; restore(): void } {
  const own = env[LINK_CODE_SECRET_VARIABLE];
  if (own) return { secret: AccountSecret.fromText(own, LINK_CODE_SECRET_VARIABLE), restore() {} };
  const made = randomBytes(32).toString('base64url');
  const before = process.env[LINK_CODE_SECRET_VARIABLE];
  process.env[LINK_CODE_SECRET_VARIABLE] = made;
  return {
    secret: AccountSecret.fromText(made),
    restore() {
      if (process.env[LINK_CODE_SECRET_VARIABLE] !== made) return;
      if (before === undefined) delete process.env[LINK_CODE_SECRET_VARIABLE];
      else process.env[LINK_CODE_SECRET_VARIABLE] = before;
    },
  };
}

/** Keeps the codes it is asked to send, for the demo to type them in itself. */
class CapturingSender implements MessageSender {
  readonly codes: string[] = [];
  async send(_to: unknown, text: string): Promise<void> {
    const code = /\b[0-9]{6}\b/.exec(text)?.[0];
    if (code) this.codes.push(code);
  }
}

/**
 * Registers the demo accounts (after the sandbox data is imported), and issues one fresh link code.
 * On a database kept from an earlier run the accounts exist: only missing links are added, and the
 * TOTP secret is set again (the printed one).
 */
export async function registerDemoAccounts(
  store: Store,
  data: SandboxData,
  secret: AccountSecret,
  at: Date = new Date(),
): Promise<DemoLogins> {
  const accounts: DemoAccount[] = [];
  for (const plan of PLANS) accounts.push(await registerPlan(store, data, plan, secret, at));
  const freshLink = linkOf(data, data.scenarios.administratorGrantedSections, undefined);
  const issued = await issueLinkCode(store, { binding: freshLink, issuedBy: DEMO_ISSUER, at }, secret);
  return {
    accounts,
    freshLinkCode: {
      code: issued.code,
      validThrough: issued.validThrough,
      description: 'an adult client at Amerhof who is their own portal administrator',
      link: freshLink,
    },
  };
}

async function registerPlan(
  store: Store,
  data: SandboxData,
  plan: AccountPlan,
  secret: AccountSecret,
  at: Date,
): Promise<DemoAccount> {
  const links = plan.links(data);
  let accountId: string | undefined;
  let verified = false;
  for (const link of links) {
    const registration = await store.transaction(async (tx) => {
      const account = await findAccountByEmail(tx, plan.email);
      const wasVerified = account?.emailVerifiedAt !== undefined && account.mobileVerifiedAt !== undefined;
      if (account) {
        const current = await linksOfAccount(tx, account.id);
        if (current.some((l) => l.person === link.person && l.patient === link.patient)) {
          return { accountId: account.id, verified: wasVerified };
        }
      }
      const code = await issueLinkCode(tx, { binding: link, issuedBy: DEMO_ISSUER, at }, secret);
      const done = await registerAccount(
        tx,
        { linkCode: code.code, email: plan.email, mobile: plan.mobile, password: plan.password, at },
        secret,
      );
      return { accountId: done.account.id, verified: wasVerified };
    });
    accountId = registration.accountId;
    verified = registration.verified;
  }
  if (accountId === undefined) throw new Error(`demo account ${plan.email} has no links`);
  if (!verified) await verifyAddresses(store, accountId, secret, at);
  await setTotpSecret(store, accountId, plan.totpSecret, secret);
  return {
    kind: plan.kind,
    description: plan.description,
    email: plan.email,
    mobile: plan.mobile,
    password: plan.password,
    totpSecret: plan.totpSecret,
    totpUri: totpEnrolmentUri(plan.totpSecret, plan.email, 'Inzage demo'),
    links,
  };
}

/** the e-mail address and mobile number verified through the real codes, typed in by the demo. */
async function verifyAddresses(
  store: Store,
  accountId: string,
  secret: AccountSecret,
  at: Date,
): Promise<void> {
  for (const purpose of ['verify-email', 'verify-mobile'] as const) {
    const sender = new CapturingSender();
    await store.transaction((tx) => createVerificationCode(tx, { accountId, purpose, at }, sender, secret));
    const code = sender.codes[0];
    if (code === undefined) throw new Error('the verification message carried no code');
    await verifyCode(store, { accountId, purpose, code, at }, secret);
  }
}
