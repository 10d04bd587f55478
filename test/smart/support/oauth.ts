/**
 * The OAuth steps of a SMART launch as plain HTTP, for the checklist's request-level checks: PKCE,
 * the authorize URL, a code through the login forms, and token requests.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Browser } from './browser';
import type { ConformanceGateway, Person } from './gateway';
import { loginThroughForms, type LoginOutcome } from './login';

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state?: string;
  pkce?: Pkce;
  launch?: string;
  /** Extra or overriding parameters; `undefined` removes one (e.g. `{ aud: undefined }`). */
  params?: Record<string, string | undefined>;
}

/** The parameters of an authorize request, SMART-complete unless the test takes some away. */
export function authorizeParams(gw: ConformanceGateway, req: AuthorizeRequest): URLSearchParams {
  const challenge = (req.pkce ?? pkce()).challenge;
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: req.clientId,
    redirect_uri: req.redirectUri,
    scope: req.scope,
    state: req.state ?? randomUUID(),
    aud: gw.fhirBase,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(req.launch !== undefined ? { launch: req.launch } : {}),
    ...req.params,
  };
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out.set(k, v);
  return out;
}

export function authorizeUrl(gw: ConformanceGateway, req: AuthorizeRequest): string {
  const url = new URL(gw.discovery.authorization_endpoint);
  url.search = authorizeParams(gw, req).toString();
  return url.href;
}

export interface Authorized {
  code: string;
  state: string;
  pkce: Pkce;
  redirectUri: string;
  browser: Browser;
}

/** Authorizes and logs in; the outcome as the gateway left it (a redirect to the app, or a page). */
export async function authorize(
  gw: ConformanceGateway,
  person: Person,
  req: AuthorizeRequest,
  options: { method?: 'GET' | 'POST'; browser?: Browser } = {},
): Promise<LoginOutcome> {
  const browser = options.browser ?? new Browser();
  if (options.method === 'POST') {
    const res = await browser.post(gw.discovery.authorization_endpoint, authorizeParams(gw, req));
    return loginThroughForms(browser, res, person, gw.base);
  }
  return loginThroughForms(browser, authorizeUrl(gw, req), person, gw.base);
}

/** A code for this person and client, or a failed test. */
export async function codeFor(
  gw: ConformanceGateway,
  person: Person,
  req: AuthorizeRequest,
  options: { method?: 'GET' | 'POST' } = {},
): Promise<Authorized> {
  const proof = req.pkce ?? pkce();
  const state = req.state ?? randomUUID();
  const browser = new Browser();
  const outcome = await authorize(gw, person, { ...req, pkce: proof, state }, { ...options, browser });
  const code = outcome.redirect?.searchParams.get('code');
  if (!outcome.redirect || !code) {
    throw new Error(
      `no code: ${outcome.redirect?.href ?? `${outcome.status} ${outcome.html?.replace(/\s+/g, ' ').slice(0, 400)}`}`,
    );
  }
  return {
    code,
    state: outcome.redirect.searchParams.get('state') ?? '',
    pkce: proof,
    redirectUri: req.redirectUri,
    browser,
  };
}

export interface TokenAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A token endpoint request with a form body (or another content type when a test says so). */
export async function tokenRequest(
  gw: ConformanceGateway,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<TokenAnswer> {
  const json = headers['content-type'] === 'application/json';
  const res = await fetch(gw.discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: res.status, headers: res.headers, body };
}

/** The authorization_code exchange of a public client. */
export function exchangePublic(
  gw: ConformanceGateway,
  got: Authorized,
  clientId: string,
  override: Record<string, string | undefined> = {},
  headers: Record<string, string> = {},
): Promise<TokenAnswer> {
  const fields: Record<string, string | undefined> = {
    grant_type: 'authorization_code',
    code: got.code,
    redirect_uri: got.redirectUri,
    code_verifier: got.pkce.verifier,
    client_id: clientId,
    ...override,
  };
  return tokenRequest(
    gw,
    Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined)),
    headers,
  );
}

export function basic(clientId: string, secret: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` };
}

/** The payload of a compact JWS, unverified (for looking at claims). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

export function headerOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

export function scopesOf(answer: TokenAnswer): string[] {
  return String(answer.body.scope ?? '')
    .split(' ')
    .filter((s) => s !== '')
    .sort();
}
