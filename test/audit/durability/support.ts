/**
 * What the durability and multi-instance tests of the audit trail share: a gateway database with a
 * few ECD clients and one person who can log in (a TOTP second factor, so that no message sender is
 * needed and a gateway started from the command line can be logged in to), the login through the
 * gateway's forms, and a load of concurrent FHIR requests that keeps the X-Request-Id of every
 * answer it received completely.
 */
import { writeFileSync } from 'node:fs';
import {
  AccountSecret,
  createTotpSecret,
  issueLinkCode,
  registerAccount,
  setTotpSecret,
} from '../../../src/auth';
import { importEcdExport, patientId, readEcdJsonStream } from '../../../src/ecd';
import { generateSandboxData } from '../../../src/sandbox';
import { migrate, type Store } from '../../../src/store';
import type { ConformanceGateway, Person } from '../../smart/support/gateway';
import { codeFor, exchangePublic } from '../../smart/support/oauth';

export const ORGANISATIONS = [
  { id: 'meerzicht', name: 'Meerzicht', preset: 'meerlanden' as const },
  { id: 'amerhof', name: 'Amerhof', preset: 'amerpoort' as const },
];
/** INZAGE_LINK_CODE_SECRET of every gateway in these tests. */
export const SECRET_TEXT = 'the durability tests link code secret, 32 bytes or more';
export const SECRET = AccountSecret.fromText(SECRET_TEXT);
export const APP = 'portal-app';
export const REDIRECT = 'http://127.0.0.1:7799/callback';
export const SCOPE = 'openid fhirUser launch/patient patient/*.rs';
/** Nothing listens there: the load reads only what the gateway serves from its own database. */
export const NO_UPSTREAM = 'http://127.0.0.1:9/fhir';

/** The configuration file's sections beside `server` and `database`. */
export const CONFIG_SECTIONS = {
  log: { level: 'warn' as const },
  upstream: { url: NO_UPSTREAM },
  organisations: ORGANISATIONS,
  smart: {
    clients: [
      { id: APP, name: 'Portal app', type: 'public' as const, redirectUris: [REDIRECT], scopes: SCOPE },
    ],
  },
};

/** A configuration file for `inzage serve` on a fixed port (so that a token outlives a restart). */
export function writeConfig(path: string, port: number, pgliteDataDir?: string): void {
  const file = {
    server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}`, shutdownGraceMs: 1000 },
    ...(pgliteDataDir === undefined ? {} : { database: { pgliteDataDir } }),
    ...CONFIG_SECTIONS,
  };
  // JSON is YAML: the loader reads either.
  writeFileSync(path, JSON.stringify(file, null, 2));
}

/** Migrates, imports three sandbox clients, and registers the client of the first with TOTP. */
export async function seedGatewayDatabase(store: Store): Promise<Person & { totpSecret: string }> {
  await migrate(store);
  const data = generateSandboxData({ clients: 3, seed: 1 });
  for (const exp of data.exports)
    await importEcdExport(store, readEcdJsonStream([JSON.stringify(exp)], `${exp.organisation.id}.json`), {
      organisations: ORGANISATIONS,
      source: 'test',
    });
  const exp = data.exports.find((e) => e.clients.length > 0)!;
  const patient = `Patient/${patientId(exp.organisation.id, exp.clients[0]!.id)}` as const;
  const at = new Date();
  const code = await issueLinkCode(
    store,
    {
      binding: { organisationId: exp.organisation.id, patient, person: patient as never },
      issuedBy: { kind: 'system', id: 'durability-test' } as never,
      at,
    },
    SECRET,
  );
  const email = `durability-${process.pid}@example.org`;
  const password = 'correct horse battery staple';
  const totpSecret = createTotpSecret();
  const made = await store.transaction(async (tx) => {
    const registration = await registerAccount(
      tx,
      { linkCode: code.code, email, mobile: '+31610000001', password, at },
      SECRET,
    );
    await tx.query('UPDATE account SET email_verified_at = $2, mobile_verified_at = $2 WHERE id = $1', [
      registration.account.id,
      at,
    ]);
    await setTotpSecret(tx, registration.account.id, totpSecret, SECRET);
    return registration;
  });
  return {
    email,
    password,
    totpSecret,
    accountId: made.account.id,
    linkId: made.link.id,
    patient,
    person: patient,
  };
}

/** An access token through the gateway's login forms (PKCE, TOTP), as a portal app gets one. */
export async function logIn(base: string, person: Person): Promise<string> {
  const discovery = (await (await fetch(`${base}/fhir/.well-known/smart-configuration`)).json()) as object;
  // The OAuth helpers read only these three of a conformance gateway.
  const gateway = { base, fhirBase: `${base}/fhir`, discovery } as unknown as ConformanceGateway;
  const got = await codeFor(gateway, person, { clientId: APP, redirectUri: REDIRECT, scope: SCOPE });
  const token = await exchangePublic(gateway, got, APP);
  if (token.status !== 200) throw new Error(`no token: ${token.status} ${JSON.stringify(token.body)}`);
  return String(token.body.access_token);
}

export interface Answered {
  readonly requestId: string;
  readonly status: number;
  /** Which gateway answered (the multi-instance test). */
  readonly base: string;
}

export interface RunningLoad {
  /** Every answer received completely (headers and the whole body), in order of arrival. */
  readonly answered: Answered[];
  /** Requests that failed in flight (a connection cut by the kill). */
  readonly broken: number;
  /** Resolves once `answered` has grown by `n` since the call. */
  answeredMore(n: number, timeoutMs?: number): Promise<void>;
  /** Stops sending and waits for the requests in flight to end either way. */
  stop(): Promise<void>;
}

/**
 * `concurrency` workers sending FHIR requests back to back to the gateways given (round robin): the
 * client's Patient (read and search) and Consents with the token, and the Patient without one (401:
 * refused, and audited too).
 */
export function startLoad(
  bases: readonly string[],
  token: string,
  patient: string,
  concurrency: number,
): RunningLoad {
  const paths: { path: string; authorised: boolean }[] = [
    { path: `/fhir/${patient}`, authorised: true },
    { path: `/fhir/Patient?_id=${patient.slice('Patient/'.length)}`, authorised: true },
    { path: `/fhir/Consent?patient=${patient}`, authorised: true },
    { path: `/fhir/${patient}`, authorised: false },
  ];
  const answered: Answered[] = [];
  let broken = 0;
  let stopped = false;
  let sent = 0;
  const worker = async () => {
    while (!stopped) {
      const n = sent++;
      const { path, authorised } = paths[n % paths.length]!;
      const base = bases[Math.floor(n / paths.length) % bases.length]!;
      try {
        const res = await fetch(`${base}${path}`, {
          headers: {
            accept: 'application/fhir+json',
            ...(authorised ? { authorization: `Bearer ${token}` } : {}),
          },
        });
        await res.arrayBuffer();
        const requestId = res.headers.get('x-request-id');
        if (requestId === null) throw new Error(`no X-Request-Id on ${res.status} ${path}`);
        answered.push({ requestId, status: res.status, base });
      } catch {
        broken += 1;
        // Refused connections fail at once: do not spin while the gateway is down.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    answered,
    get broken() {
      return broken;
    },
    async answeredMore(n, timeoutMs = 30_000) {
      const target = answered.length + n;
      const until = Date.now() + timeoutMs;
      while (answered.length < target) {
        if (Date.now() > until)
          throw new Error(`only ${answered.length} answers within ${timeoutMs} ms (${broken} broken)`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      stopped = true;
      await Promise.all(workers);
    },
  };
}
