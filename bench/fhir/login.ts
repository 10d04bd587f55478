/**
 * A token through the gateway's authorization code flow, as a portal app gets one: authorize with
 * PKCE, the login forms (e-mail and password, the SMS code, terms, the patient picker) posted back
 * with their hidden fields by a cookie-keeping client, the code exchanged at the token endpoint.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export interface Credentials {
  email: string;
  password: string;
  smsCode: () => string | undefined;
}

/** Follows no redirect by itself and keeps the cookies the gateway sets. */
class CookieClient {
  readonly #jar = new Map<string, string>();

  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#jar.size > 0) headers.set('cookie', [...this.#jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) this.#jar.delete(pair.slice(0, eq).trim());
      else this.#jar.set(pair.slice(0, eq).trim(), value);
    }
    return res;
  }

  post(url: string, fields: Record<string, string>): Promise<Response> {
    return this.go(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

interface Form {
  action: string;
  fields: { name: string; type: string; value: string }[];
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'))?/g)) {
    out[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  }
  return out;
}

function postForms(html: string): Form[] {
  const forms: Form[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = attributes(m[1]!);
    if ((attrs.method ?? 'get').toLowerCase() !== 'post') continue;
    const fields: Form['fields'] = [];
    for (const input of m[2]!.matchAll(/<(input|button)\b([^>]*)>/gi)) {
      const a = attributes(input[2]!);
      if (a.name) fields.push({ name: a.name, type: (a.type ?? 'text').toLowerCase(), value: a.value ?? '' });
    }
    for (const select of m[2]!.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
      const name = attributes(select[1]!).name;
      const first = /<option\b([^>]*)>/i.exec(select[2]!);
      if (name && first) fields.push({ name, type: 'radio', value: attributes(first[1]!).value ?? '' });
    }
    forms.push({ action: attrs.action ?? '', fields });
  }
  return forms;
}

/** The values for one of the login steps, or undefined for a form the flow does not fill. */
function fill(form: Form, as: Credentials): Record<string, string> | undefined {
  const names = new Set(form.fields.map((f) => f.name));
  const values: Record<string, string> = {};
  for (const f of form.fields) if (f.type === 'hidden') values[f.name] = f.value;
  const codeField = ['code', 'otp', 'totp'].find((n) => names.has(n));
  if (names.has('password')) {
    const login = form.fields.find((f) => (f.type === 'email' || f.type === 'text') && f.name !== 'password');
    values[login?.name ?? 'email'] = as.email;
    values.password = as.password;
  } else if (codeField) {
    const code = as.smsCode();
    if (!code) return undefined;
    values[codeField] = code;
  } else if (names.has('accept')) {
    values.accept = 'yes';
  } else if (names.has('link')) {
    values.link = form.fields.find((f) => f.name === 'link')!.value;
  } else {
    return undefined;
  }
  return values;
}

export interface TokenRequest {
  gatewayBase: string;
  clientId: string;
  redirectUri: string;
  scope: string;
}

/** Logs in and exchanges the code: the access token and the token response's `patient`. */
export async function tokenThroughCodeFlow(
  request: TokenRequest,
  as: Credentials,
): Promise<{ accessToken: string; patient: string }> {
  const discovery = (await (
    await fetch(`${request.gatewayBase}/fhir/.well-known/smart-configuration`)
  ).json()) as { authorization_endpoint: string; token_endpoint: string };
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scope,
    state: randomUUID(),
    aud: `${request.gatewayBase}/fhir`,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();

  const client = new CookieClient();
  const gateway = new URL(request.gatewayBase).origin;
  let url = authorize.href;
  let res = await client.go(url);
  let code: string | null = null;
  for (let step = 0; step < 25 && code === null; step++) {
    const location = res.headers.get('location');
    if (location !== null) {
      const next = new URL(location, url);
      if (next.origin !== gateway) {
        code = next.searchParams.get('code');
        if (code === null) throw new Error(`login refused: ${next.href}`);
        break;
      }
      url = next.href;
      res = await client.go(url);
      continue;
    }
    const html = await res.text();
    const form = postForms(html)
      .map((f) => ({ f, values: fill(f, as) }))
      .find((f) => f.values !== undefined);
    if (!form) throw new Error(`login stopped at ${res.status}: ${html.replace(/\s+/g, ' ').slice(0, 300)}`);
    url = new URL(form.f.action || url, url).href;
    res = await client.post(url, form.values!);
  }
  if (code === null) throw new Error('the login did not finish');
  const token = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: request.redirectUri,
      code_verifier: verifier,
      client_id: request.clientId,
    }).toString(),
  });
  const body = (await token.json()) as { access_token?: string; patient?: string };
  if (!body.access_token) throw new Error(`no token: ${token.status} ${JSON.stringify(body)}`);
  return { accessToken: body.access_token, patient: String(body.patient) };
}
