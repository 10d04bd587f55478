/**
 * What the access tests (test/admin/access*.test.ts) share: the admin API called as a staff member,
 * a portal person logged in through the gateway's forms with a refresh token, and their reads.
 */
import type { ConformanceGateway, Person } from '../../smart/support/gateway';
import { codeFor, exchangePublic, tokenRequest } from '../../smart/support/oauth';
import type { StaffLogin } from './staff';

export const APP = 'access-portal-app';
export const REDIRECT = 'http://127.0.0.1:7798/callback';
export const SCOPE = 'openid fhirUser launch/patient offline_access patient/*.rs';
export const PORTAL_APP_REGISTRATION = {
  id: APP,
  name: 'Access test portal app',
  type: 'public' as const,
  redirectUris: [REDIRECT],
  scopes: SCOPE,
};

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any shape
  body: any;
}

/** One admin API call with a staff session (a change carries the session's CSRF token). */
export async function adminCall(
  base: string,
  staff: StaffLogin,
  method: 'GET' | 'POST',
  path: string,
  body?: Record<string, unknown>,
): Promise<Answer> {
  const headers: Record<string, string> = { cookie: staff.cookie };
  if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    headers['x-csrf-token'] = await staff.csrf(base);
  }
  const res = await fetch(`${base}/admin${path}`, {
    method,
    headers,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export interface PortalSession {
  accessToken: string;
  refreshToken: string;
}

/** Logs a person in through the forms (PKCE), with a refresh token. */
export async function portalLogin(
  gateway: Pick<ConformanceGateway, 'base' | 'fhirBase' | 'discovery'>,
  person: Person & { totpSecret?: string },
): Promise<PortalSession> {
  const got = await codeFor(gateway as ConformanceGateway, person, {
    clientId: APP,
    redirectUri: REDIRECT,
    scope: SCOPE,
  });
  const token = await exchangePublic(gateway as ConformanceGateway, got, APP);
  if (token.status !== 200) throw new Error(`no token: ${token.status} ${JSON.stringify(token.body)}`);
  return { accessToken: String(token.body.access_token), refreshToken: String(token.body.refresh_token) };
}

/** The refresh token grant: the status and the body. */
export function refresh(
  gateway: Pick<ConformanceGateway, 'discovery'>,
  refreshToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return tokenRequest(gateway as ConformanceGateway, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: APP,
  });
}

/** GET /fhir/<path> with a token: the status and the body. */
export async function fhirRead(base: string, token: string, path: string): Promise<Answer> {
  const res = await fetch(`${base}/fhir/${path}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** The discovery of a gateway at `base` (for the OAuth helpers). */
export async function discoveryOf(
  base: string,
): Promise<Pick<ConformanceGateway, 'base' | 'fhirBase' | 'discovery'>> {
  const discovery = (await (await fetch(`${base}/fhir/.well-known/smart-configuration`)).json()) as object;
  return { base, fhirBase: `${base}/fhir`, discovery } as Pick<
    ConformanceGateway,
    'base' | 'fhirBase' | 'discovery'
  >;
}
