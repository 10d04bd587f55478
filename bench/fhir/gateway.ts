/**
 * The gateway as the benchmark runs it: PGlite, the sandbox's ECD exports imported, the portal app
 * registered, one client registered with a link code and logged in through the code flow, so every
 * request carries a real token and meets the full pipeline (token check, consent, narrowing, filter,
 * audit).
 */
import {
  AccountSecret,
  issueLinkCode,
  registerAccount,
  type MessageSender,
  type Recipient,
} from '../../src/auth';
import { startGateway, type RunningGateway } from '../../src/commands';
import { resolveConfig, type ConfigFile } from '../../src/config';
import { importEcdExport, patientId, readEcdJsonStream } from '../../src/ecd';
import { createLogger } from '../../src/http';
import type { SandboxData } from '../../src/sandbox';
import { tokenThroughCodeFlow } from './login';

const ORGANISATIONS = [
  { id: 'meerzicht', name: 'Meerzicht', preset: 'meerlanden' as const },
  { id: 'amerhof', name: 'Amerhof', preset: 'amerpoort' as const },
];
const SECRET = AccountSecret.fromText('the benchmark link code secret, thirty-two bytes or more');
const PASSWORD = 'correct horse battery staple';
const APP = 'portal-app';
const REDIRECT = 'http://127.0.0.1:7799/callback';
const SCOPE = 'openid fhirUser launch/patient patient/*.rs';

/** Keeps the last six-digit code sent to each address: the benchmark types it in. */
class LatestCodes implements MessageSender {
  readonly #codes = new Map<string, string>();
  async send(to: Recipient, text: string): Promise<void> {
    const code = /\b(\d{6})\b/.exec(text)?.[1];
    if (code) this.#codes.set(to.address, code);
  }
  latest(address: string): string | undefined {
    return this.#codes.get(address);
  }
}

export interface BenchGateway {
  /** `http://127.0.0.1:<port>` */
  url: string;
  accessToken: string;
  /** The gateway's id of the logged-in client's Patient. */
  patient: string;
  close(): Promise<void>;
}

export async function startBenchGateway(options: {
  data: SandboxData;
  upstreamUrl: string;
  /** The ECD client id (in the sandbox) to log in as. */
  clientId: string;
  /** Step 8 writes nowhere (a sink that resolves at once): the audit benchmark's baseline. */
  auditOff?: boolean;
  /** A PostgreSQL database instead of PGlite in memory. */
  databaseUrl?: string;
  progress: (text: string) => void;
}): Promise<BenchGateway> {
  const config = resolveConfig(
    {
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      upstream: { url: options.upstreamUrl },
      organisations: ORGANISATIONS,
      smart: {
        clients: [{ id: APP, name: 'Portal app', type: 'public', redirectUris: [REDIRECT], scopes: SCOPE }],
      },
    } satisfies ConfigFile,
    'test',
    options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {},
  );
  const messages = new LatestCodes();
  const running: RunningGateway = await startGateway(config, {
    log: createLogger('silent'),
    readinessChecks: [],
    messageSender: messages,
    accountSecret: SECRET,
    ...(options.auditOff ? { fhirAuditSink: { record: async () => undefined } } : {}),
  });
  try {
    for (const exp of options.data.exports) {
      const started = Date.now();
      await importEcdExport(
        running.store,
        readEcdJsonStream([JSON.stringify(exp)], `${exp.organisation.id}.json`),
        { organisations: ORGANISATIONS, source: 'bench' },
      );
      options.progress(
        `imported ${exp.clients.length} clients of ${exp.organisation.id} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    const exp = options.data.exports.find((e) => e.clients.some((c) => c.id === options.clientId));
    if (!exp) throw new Error(`no client ${options.clientId} in the data`);
    const patient = `Patient/${patientId(exp.organisation.id, options.clientId)}` as const;
    const at = new Date();
    const code = await issueLinkCode(
      running.store,
      {
        binding: { organisationId: exp.organisation.id, patient, person: patient as never },
        issuedBy: { kind: 'system', id: 'bench' } as never,
        at,
      },
      SECRET,
    );
    const email = `bench-${process.pid}@example.org`;
    const mobile = '+31610000001';
    await running.store.transaction(async (tx) => {
      const made = await registerAccount(
        tx,
        { linkCode: code.code, email, mobile, password: PASSWORD, at },
        SECRET,
      );
      // Through the pages the address and number would have been verified by code.
      await tx.query('UPDATE account SET email_verified_at = $2, mobile_verified_at = $2 WHERE id = $1', [
        made.account.id,
        at,
      ]);
    });
    const token = await tokenThroughCodeFlow(
      { gatewayBase: running.url, clientId: APP, redirectUri: REDIRECT, scope: SCOPE },
      { email, password: PASSWORD, smsCode: () => messages.latest(mobile) },
    );
    return {
      url: running.url,
      accessToken: token.accessToken,
      patient: token.patient,
      close: () => running.close(),
    };
  } catch (err) {
    await running.close();
    throw err;
  }
}
