// A real gateway for the page tests: PGlite, the sandbox's ECD data imported like the ECD pushes
// it, an outbox file for the codes it sends, and a small browser (fetch with a cookie jar) that
// drives the login forms by their field names.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOTP, Secret } from 'otpauth';
import {
  AccountSecret,
  OutboxFileSender,
  createTotpSecret,
  issueLinkCode,
  registerAccount,
  setTotpSecret,
} from '../../../src/auth';
import { createVerificationCode, verifyCode } from '../../../src/auth/accounts';
import { resolveConfig } from '../../../src/config';
import { startGateway, type RunningGateway } from '../../../src/commands';
import {
  importEcdExport,
  patientId,
  readEcdJsonStream,
  relatedPersonId,
  type EcdExport,
} from '../../../src/ecd';
import { createLogger } from '../../../src/http';
import { generateSandboxData } from '../../../src/sandbox';
import type { PatientReference, PersonReference } from '../../../src/vocabulary';

export const SECRET = AccountSecret.fromText('a link code secret of at least thirty-two bytes');
export const PASSWORD = 'correct horse battery staple';
export const REDIRECT = 'http://127.0.0.1:7777/cb';
export const ORGANISATIONS = [
  { id: 'meerzicht', name: 'Zorgcentrum Meerzicht', preset: 'meerlanden' as const },
  { id: 'amerhof', name: 'Stichting Amerhof', preset: 'amerpoort' as const },
];

export interface Binding {
  organisationId: string;
  patient: PatientReference;
  person: PersonReference;
}

export interface PagesGateway {
  gateway: RunningGateway;
  base: string;
  outbox: string;
  exports: EcdExport[];
  /** The latest six-digit code sent to this address (e-mail or E.164 mobile). */
  lastCode(address: string): string;
  /** How many messages went to this address. */
  messagesTo(address: string): string[];
  issue(binding: Binding, at?: Date, validDays?: number): Promise<string>;
  /** A registered account with verified contacts, its links, and a TOTP secret when asked. */
  account(email: string, mobile: string, bindings: Binding[], totp?: boolean): Promise<TestAccount>;
  selfBinding(exportIndex: number, clientIndex: number): Binding;
  /** The n-th relation of a client (by its ECD id) as a link binding. */
  relationBinding(exportIndex: number, clientId: string, n?: number): Binding;
  close(): Promise<void>;
}

export interface TestAccount {
  id: string;
  email: string;
  /** E.164, as the outbox names it. */
  mobile: string;
  totpSecret?: string;
}

export interface PagesGatewayOptions {
  dataDir?: string;
  termsVersion?: string;
  termsUrl?: string;
  /** Import the sandbox data (once per data directory). */
  importData?: boolean;
}

export async function startPagesGateway(options: PagesGatewayOptions = {}): Promise<PagesGateway> {
  const data = generateSandboxData({ clients: 10, seed: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'inzage-pages-'));
  const outbox = join(dir, 'outbox.jsonl');
  const config = resolveConfig(
    {
      server: { host: '127.0.0.1', port: 0 },
      upstream: { url: 'http://127.0.0.1:9/fhir' },
      ...(options.dataDir ? { database: { pgliteDataDir: options.dataDir } } : {}),
      organisations: ORGANISATIONS.map((o) => ({
        ...o,
        ...(options.termsVersion ? { termsVersion: options.termsVersion } : {}),
        ...(options.termsUrl ? { termsUrl: options.termsUrl } : {}),
      })),
      smart: {
        clients: [
          {
            id: 'app',
            name: 'Mijn Dossier <App>',
            type: 'public',
            redirectUris: [REDIRECT],
            scopes: 'launch/patient openid fhirUser offline_access patient/*.rs',
          },
        ],
      },
      log: { level: 'silent' },
    },
    'test',
    {},
  );
  const gateway = await startGateway(config, {
    log: createLogger(process.env.PAGES_LOG === '1' ? 'error' : 'silent'),
    readinessChecks: [],
    messageSender: new OutboxFileSender(outbox),
    accountSecret: SECRET,
  });
  if (options.importData !== false) {
    for (const exp of data.exports) {
      await importEcdExport(gateway.store, readEcdJsonStream([JSON.stringify(exp)], 'x.json'), {
        organisations: ORGANISATIONS,
        source: 'test',
      });
    }
  }
  const store = gateway.store;
  const messagesTo = (address: string): string[] =>
    existsSync(outbox)
      ? readFileSync(outbox, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as { to: string; text: string })
          .filter((m) => m.to === address)
          .map((m) => m.text)
      : [];
  const lastCode = (address: string): string => {
    const texts = messagesTo(address);
    const match = /\b([0-9]{6})\b/.exec(texts[texts.length - 1] ?? '');
    if (!match) throw new Error(`no code was sent to ${address}`);
    return match[1]!;
  };
  const issue = async (binding: Binding, at = new Date(), validDays?: number) =>
    (
      await issueLinkCode(
        store,
        {
          binding,
          issuedBy: { kind: 'system', id: 'test' } as never,
          at,
          ...(validDays !== undefined ? { validDays } : {}),
        },
        SECRET,
      )
    ).code;
  return {
    gateway,
    base: gateway.url,
    outbox,
    exports: data.exports,
    lastCode,
    messagesTo,
    issue,
    async account(email, mobile, bindings, totp = false) {
      let id = '';
      for (const binding of bindings) {
        const linkCode = await issue(binding);
        const registration = await store.transaction((tx) =>
          registerAccount(tx, { linkCode, email, mobile, password: PASSWORD, at: new Date() }, SECRET),
        );
        id = registration.account.id;
      }
      const sender = new OutboxFileSender(outbox);
      for (const [purpose, address] of [
        ['verify-email', email],
        ['verify-mobile', registrationMobile(mobile)],
      ] as const) {
        await createVerificationCode(store, { accountId: id, purpose, at: new Date() }, sender, SECRET);
        await verifyCode(store, { accountId: id, purpose, code: lastCode(address), at: new Date() }, SECRET);
      }
      if (!totp) return { id, email, mobile: registrationMobile(mobile) };
      const totpSecret = createTotpSecret();
      await store.transaction((tx) => setTotpSecret(tx, id, totpSecret, SECRET));
      return { id, email, mobile: registrationMobile(mobile), totpSecret };
    },
    selfBinding(e, c) {
      const exp = data.exports[e]!;
      const patient: PatientReference = `Patient/${patientId(exp.organisation.id, exp.clients[c]!.id)}`;
      return { organisationId: exp.organisation.id, patient, person: patient };
    },
    relationBinding(e, clientId, n = 0) {
      const exp = data.exports[e]!;
      const relation = exp.relations.filter((r) => r.clientId === clientId)[n]!;
      return {
        organisationId: exp.organisation.id,
        patient: `Patient/${patientId(exp.organisation.id, relation.clientId)}`,
        person: `RelatedPerson/${relatedPersonId(exp.organisation.id, relation.id)}`,
      };
    },
    close: () => gateway.close(),
  };
}

/** The E.164 form of a Dutch 06 number, as the outbox names it. */
export function registrationMobile(mobile: string): string {
  const compact = mobile.replace(/[\s-]/g, '');
  return compact.startsWith('06') ? `+31${compact.slice(1)}` : compact;
}

/** The current TOTP code of a secret. */
export function totpCode(secret: string, at = new Date()): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: at.getTime(),
  });
}

/** A page as the browser got it. */
export interface Page {
  status: number;
  html: string;
  location?: string;
  headers: Headers;
}

/** fetch with a cookie jar, following nothing, and the CSRF field of the last page in every form. */
export class Browser {
  cookies = new Map<string, string>();
  csrf = '';
  interaction = '';
  readonly verifier = randomBytes(32).toString('base64url');

  constructor(readonly base: string) {}

  async go(url: string, init: RequestInit = {}): Promise<Page> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(new URL(url, this.base), { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const html = await res.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html);
    if (csrf) this.csrf = csrf[1]!;
    return {
      status: res.status,
      html,
      location: res.headers.get('location') ?? undefined,
      headers: res.headers,
    };
  }

  /** Starts an authorization (standalone launch) and opens the login page. */
  async start(extra: Record<string, string> = {}): Promise<Page> {
    const authorize = new URL('/auth/authorize', this.base);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'app',
      redirect_uri: REDIRECT,
      scope: 'launch/patient openid fhirUser offline_access patient/*.rs',
      state: 'state-1',
      aud: `${this.base}/fhir`,
      code_challenge: createHash('sha256').update(this.verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...extra,
    }).toString();
    const res = await this.go(authorize.href);
    if (res.status !== 303 || !res.location) throw new Error(`authorize answered ${res.status}: ${res.html}`);
    this.interaction = new URL(res.location, this.base).pathname;
    return this.go(this.interaction);
  }

  /** Posts a step's form with the CSRF token of the last page (unless `csrf` is given). */
  post(step: string, fields: Record<string, string>): Promise<Page> {
    return this.go(`${this.interaction}/${step}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: this.csrf, ...fields }).toString(),
    });
  }

  /** Follows redirects (through consent) until the app's redirect URI; returns it. */
  async follow(page: Page): Promise<URL> {
    let location = page.location;
    for (let i = 0; i < 8 && location && !location.startsWith(REDIRECT); i++) {
      const next = await this.go(new URL(location, this.base).href);
      location = next.location;
    }
    if (!location?.startsWith(REDIRECT)) throw new Error(`no redirect to the app (last: ${location})`);
    return new URL(location);
  }

  /** Exchanges the code at the token endpoint. */
  async token(callback: URL): Promise<{ status: number; body: Record<string, string> }> {
    const res = await fetch(`${this.base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: REDIRECT,
        code_verifier: this.verifier,
        client_id: 'app',
      }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }
}

/** The visible text of a page's main element, tags removed, for matching messages. */
export function mainText(html: string): string {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? html;
  return main
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
