/**
 * A running gateway for black-box SMART tests: listening on 127.0.0.1 port 0, PGlite, the sandbox's
 * data imported through the ECD link, the test's clients registered, and people registered with link
 * codes as a real person would be (no rows written behind the gateway's back, except where a test
 * says so: blocking an account, ending a link).
 */
import './realm';
import { AccountSecret, issueLinkCode, registerAccount } from '../../../src/auth';
import { CapturedMessages } from './messages';
import { startGateway, type RunningGateway } from '../../../src/commands';
import { resolveConfig, type ConfigFile } from '../../../src/config';
import {
  importEcdExport,
  patientId,
  readEcdJsonStream,
  relatedPersonId,
  type EcdExport,
  type EcdRelationRole,
} from '../../../src/ecd';
import { createLogger } from '../../../src/http';
import { generateSandboxData, type SandboxData } from '../../../src/sandbox';

export const ORGANISATIONS = [
  { id: 'meerzicht', name: 'Meerzicht', preset: 'meerlanden' as const },
  { id: 'amerhof', name: 'Amerhof', preset: 'amerpoort' as const },
];
export const LINK_CODE_SECRET = AccountSecret.fromText('a link code secret of at least thirty-two bytes');
export const PASSWORD = 'correct horse battery staple';

export type ClientRegistration = NonNullable<NonNullable<ConfigFile['smart']>['clients']>[number];

/** What SMART discovery answers, as the tests read it. */
export interface Discovery {
  issuer: string;
  jwks_uri: string;
  authorization_endpoint: string;
  token_endpoint: string;
  introspection_endpoint?: string;
  revocation_endpoint?: string;
  capabilities: string[];
  [field: string]: unknown;
}

/** A person with an account: one link (one person's relation to one client). */
export interface Person {
  email: string;
  password: string;
  accountId: string;
  linkId: string;
  /** 'Patient/…': whose dossier. */
  patient: `Patient/${string}`;
  /** 'Patient/…' (the client) or 'RelatedPerson/…' (a relative). */
  person: string;
  /** Base32 TOTP secret, once a test gives the account a second factor. */
  totpSecret?: string;
  /** Without TOTP the second factor is a code by SMS: the latest one sent to this person. */
  smsCode?: () => string | undefined;
}

export interface ConformanceGateway {
  readonly running: RunningGateway;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** `<base>/fhir`: `aud` and the EHR launch `iss`. */
  readonly fhirBase: string;
  readonly discovery: Discovery;
  readonly data: SandboxData;
  /** The reference of a sandbox client ('Patient/…'). */
  patientOf(clientId: string): `Patient/${string}`;
  /** The reference of a sandbox client's relation in a role ('RelatedPerson/…'). */
  relationOf(clientId: string, role: EcdRelationRole): string;
  /** Registers a person with a link code for `patient` as `person` (the client themself when absent). */
  register(email: string, patient: `Patient/${string}`, person?: string): Promise<Person>;
  /** The latest six-digit code the gateway sent to an address (e-mail, or a mobile number in E.164). */
  latestCode(address: string): string | undefined;
  /** Imports an ECD export again (the ECD reporting a change). */
  importExport(exp: EcdExport): Promise<void>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  clients: ClientRegistration[];
  /** Changes the sandbox data before the first import (the ECD's state at the start of the test). */
  adjust?: (data: SandboxData) => SandboxData;
  /** The sandbox data (default: 30 clients, seed 1); give the data an upstream serves. */
  data?: SandboxData;
  /** The upstream FHIR server (default: nothing listens; the SMART suites never read the dossier). */
  upstreamUrl?: string;
  /** Configuration sections beside `smart.clients` (e.g. `fhir`, `upstream` timeouts). */
  config?: Partial<Omit<ConfigFile, 'smart' | 'organisations'>>;
}

let emails = 0;
/** A fresh e-mail address per call, so that registrations never meet an existing account. */
export function freshEmail(label: string): string {
  emails += 1;
  return `${label}-${emails}-${process.pid}@example.org`;
}

export async function startConformanceGateway(options: GatewayOptions): Promise<ConformanceGateway> {
  const data = options.data ?? generateSandboxData({ clients: 30, seed: 1 });
  const config = resolveConfig(
    {
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      ...options.config,
      upstream: { ...options.config?.upstream, url: options.upstreamUrl ?? 'http://127.0.0.1:9/fhir' },
      organisations: ORGANISATIONS,
      smart: { clients: options.clients },
    } satisfies ConfigFile,
    'test',
    {},
  );
  const messages = new CapturedMessages();
  const running = await startGateway(config, {
    log: createLogger('silent'),
    readinessChecks: [],
    messageSender: messages,
    accountSecret: LINK_CODE_SECRET,
  });
  let mobiles = 0;
  const base = running.url;
  const importExport = async (exp: EcdExport) => {
    await importEcdExport(
      running.store,
      readEcdJsonStream([JSON.stringify(exp)], `${exp.organisation.id}.json`),
      {
        organisations: ORGANISATIONS,
        source: 'test',
      },
    );
  };
  try {
    for (const exp of (options.adjust ?? ((d) => d))(structuredClone(data)).exports) await importExport(exp);
    const discovery = (await (
      await fetch(`${base}/fhir/.well-known/smart-configuration`)
    ).json()) as Discovery;

    const exportOf = (clientId: string): EcdExport => {
      const found = data.exports.find((e) => e.clients.some((c) => c.id === clientId));
      if (!found) throw new Error(`no sandbox client ${clientId}`);
      return found;
    };
    const organisationOf = (patient: string): string => {
      const found = data.exports.find((e) =>
        e.clients.some((c) => patient === `Patient/${patientId(e.organisation.id, c.id)}`),
      );
      if (!found) throw new Error(`no sandbox client ${patient}`);
      return found.organisation.id;
    };

    return {
      running,
      base,
      fhirBase: `${base}/fhir`,
      discovery,
      data,
      patientOf: (clientId) => `Patient/${patientId(exportOf(clientId).organisation.id, clientId)}`,
      relationOf(clientId, role) {
        const exp = exportOf(clientId);
        const found = exp.relations.find((r) => r.clientId === clientId && r.role === role);
        if (!found) throw new Error(`client ${clientId} has no ${role}`);
        return `RelatedPerson/${relatedPersonId(exp.organisation.id, found.id)}`;
      },
      async register(email, patient, person = patient) {
        const at = new Date();
        const code = await issueLinkCode(
          running.store,
          {
            binding: { organisationId: organisationOf(patient), patient, person: person as never },
            issuedBy: { kind: 'system', id: 'conformance-test' } as never,
            at,
          },
          LINK_CODE_SECRET,
        );
        // One number per person: the second factor's SMS code is read back by number.
        mobiles += 1;
        const mobile = `+316${String(10_000_000 + mobiles)}`;
        const registration = await running.store.transaction(async (tx) => {
          const made = await registerAccount(
            tx,
            { linkCode: code.code, email, mobile, password: PASSWORD, at },
            LINK_CODE_SECRET,
          );
          // Registered through the pages, the address and number would have been verified by code.
          await tx.query('UPDATE account SET email_verified_at = $2, mobile_verified_at = $2 WHERE id = $1', [
            made.account.id,
            at,
          ]);
          return made;
        });
        return {
          email,
          password: PASSWORD,
          smsCode: () => messages.latestCode(mobile),
          accountId: registration.account.id,
          linkId: registration.link.id,
          patient,
          person,
        };
      },
      latestCode: (address) => messages.latestCode(address),
      importExport,
      close: () => running.close(),
    };
  } catch (err) {
    await running.close();
    throw err;
  }
}
