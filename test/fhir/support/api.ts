/**
 * The FHIR API under test, as a portal app meets it: the sandbox upstream (a real FHIR server,
 * @medplum/fhir-router) with the generated dossiers, the gateway in front of it with the same
 * clients imported from the ECD exports, and tokens from the real authorization server, got through
 * its login forms with PKCE. Every FHIR suite starts one of these.
 */
import {
  startSandboxServer,
  generateSandboxData,
  type SandboxData,
  type SandboxServer,
} from '../../../src/sandbox';
import {
  startConformanceGateway,
  freshEmail,
  type ConformanceGateway,
  type GatewayOptions,
  type Person,
} from '../../smart/support/gateway';
import { codeFor, exchangePublic } from '../../smart/support/oauth';

/** The portal app the suites log in with (public, PKCE), and what it is registered for. */
export const PORTAL_APP = 'portal-app';
export const PORTAL_REDIRECT = 'http://127.0.0.1:7799/callback';
export const PORTAL_ORIGIN = 'http://127.0.0.1:7799';
export const PORTAL_SCOPES =
  'openid fhirUser launch/patient offline_access patient/*.rs patient/*.read patient/Task.c';

export interface FhirApiUnderTest {
  readonly gateway: ConformanceGateway;
  readonly sandbox: SandboxServer;
  readonly data: SandboxData;
  /** `<gateway>/fhir` */
  readonly fhirBase: string;
  /** Registers a person for a client (as the client, or as a relation) and logs them in. */
  login(patient: `Patient/${string}`, person?: string, scope?: string): Promise<LoggedIn>;
  /** GET (or another method) on the FHIR API with a token; the body parsed when it is JSON. */
  fhir(token: string | undefined, path: string, init?: RequestInit): Promise<FhirAnswer>;
  close(): Promise<void>;
}

export interface LoggedIn {
  readonly person: Person;
  readonly accessToken: string;
  /** The token response's `patient`: the gateway's id of the client. */
  readonly patientId: string;
  readonly scope: string;
}

export interface FhirAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- FHIR JSON of any shape
}

export interface FhirApiOptions extends Omit<GatewayOptions, 'clients' | 'data' | 'upstreamUrl'> {
  /** Sandbox size (default 30 clients, seed 1). */
  clients?: number;
  /** Further registered apps beside the portal app. */
  apps?: GatewayOptions['clients'];
  /** An upstream of the test's own instead of the sandbox (a hostile or failing one); the sandbox still starts. */
  upstreamUrl?: (sandbox: SandboxServer) => string | Promise<string>;
}

export async function startFhirApi(options: FhirApiOptions = {}): Promise<FhirApiUnderTest> {
  const data = generateSandboxData({ clients: options.clients ?? 30, seed: 1 });
  const sandbox = await startSandboxServer({ data });
  let gateway: ConformanceGateway;
  try {
    gateway = await startConformanceGateway({
      ...options,
      data,
      upstreamUrl: options.upstreamUrl ? await options.upstreamUrl(sandbox) : sandbox.url,
      clients: [
        {
          id: PORTAL_APP,
          name: 'Portal app',
          type: 'public',
          redirectUris: [PORTAL_REDIRECT],
          scopes: PORTAL_SCOPES,
        },
        ...(options.apps ?? []),
      ],
    });
  } catch (err) {
    await sandbox.close();
    throw err;
  }
  const fhirBase = gateway.fhirBase;
  return {
    gateway,
    sandbox,
    data,
    fhirBase,
    async login(patient, person = patient, scope = PORTAL_SCOPES) {
      const registered = await gateway.register(freshEmail('fhir'), patient, person);
      const got = await codeFor(gateway, registered, {
        clientId: PORTAL_APP,
        redirectUri: PORTAL_REDIRECT,
        scope,
      });
      const token = await exchangePublic(gateway, got, PORTAL_APP);
      if (token.status !== 200) throw new Error(`no token: ${token.status} ${JSON.stringify(token.body)}`);
      return {
        person: registered,
        accessToken: String(token.body.access_token),
        patientId: String(token.body.patient),
        scope: String(token.body.scope),
      };
    },
    async fhir(token, path, init = {}) {
      const headers = new Headers(init.headers);
      if (token !== undefined && !headers.has('authorization'))
        headers.set('authorization', `Bearer ${token}`);
      const res = await fetch(`${fhirBase}${path.startsWith('/') ? path : `/${path}`}`, { ...init, headers });
      const text = await res.text();
      let body: unknown;
      try {
        body = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.status, headers: res.headers, text, body };
    },
    async close() {
      await gateway.close();
      await sandbox.close();
    },
  };
}
