/**
 * The one place that drives the gateway's login interaction, as a person with a browser would: it
 * reads each page's form, fills what it knows (e-mail and password, second factor, terms, patient
 * picker), posts every hidden field back (a CSRF token, a step marker) and follows the redirects
 * until the gateway sends the browser away, to the app's redirect URI. Nothing else in the suite
 * knows the forms' field names, so the pages may change and only this file follows.
 */
import { Secret, TOTP } from 'otpauth';
import type { Browser } from './browser';
import { locationOf } from './browser';

export interface LoginAs {
  email: string;
  password: string;
  /** Base32 TOTP secret, for an account with a second factor. */
  totpSecret?: string;
  /** Without TOTP: the SMS code the gateway sent for this login. */
  smsCode?: () => string | undefined;
  /** The account link to pick when the account has several (the first otherwise). */
  linkId?: string;
  /** Answer to the terms step: accept (default) or refuse. */
  acceptTerms?: boolean;
}

export interface LoginOutcome {
  /** Where the gateway sent the browser when it left the gateway (the app's redirect URI, with code or error). */
  redirect?: URL;
  /** The last gateway response when the flow stopped on the gateway: an error page or a refused login. */
  status: number;
  html?: string;
}

interface Field {
  name: string;
  type: string;
  value: string;
}

interface Form {
  action: string;
  method: string;
  fields: Field[];
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(
    /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g,
  )) {
    out[m[1]!.toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

/** The forms on a page, with their inputs and named buttons. */
export function formsOf(html: string): Form[] {
  const forms: Form[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = attributes(m[1]!);
    const fields: Field[] = [];
    for (const input of m[2]!.matchAll(/<(input|button)\b([^>]*)>/gi)) {
      const a = attributes(input[2]!);
      if (!a.name) continue;
      const type = (a.type ?? (input[1]!.toLowerCase() === 'button' ? 'submit' : 'text')).toLowerCase();
      fields.push({ name: a.name, type, value: a.value ?? '' });
    }
    // A <select> (a patient picker may be one): each option is a possible value, like a radio.
    for (const select of m[2]!.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
      const name = attributes(select[1]!).name;
      if (!name) continue;
      for (const option of select[2]!.matchAll(/<option\b([^>]*)>/gi)) {
        const value = attributes(option[1]!).value;
        if (value) fields.push({ name, type: 'radio', value });
      }
    }
    forms.push({ action: attrs.action ?? '', method: (attrs.method ?? 'get').toLowerCase(), fields });
  }
  return forms;
}

/** The values to post for a form, or undefined when it is not a form this login knows how to fill. */
function fill(form: Form, as: LoginAs, seen: Set<string>): Record<string, string> | undefined {
  const names = new Set(form.fields.map((f) => f.name));
  const values: Record<string, string> = {};
  for (const f of form.fields) if (f.type === 'hidden') values[f.name] = f.value;
  let step: string;
  const codeField = ['code', 'otp', 'totp'].find((n) => names.has(n));
  if (names.has('password')) {
    step = 'login';
    // The login name is the form's one visible text or e-mail field ('email' today).
    const login = form.fields.find((f) => (f.type === 'email' || f.type === 'text') && f.name !== 'password');
    values[login?.name ?? 'email'] = as.email;
    values.password = as.password;
  } else if (codeField !== undefined) {
    step = 'second-factor';
    const code =
      as.totpSecret !== undefined
        ? new TOTP({ secret: Secret.fromBase32(as.totpSecret) }).generate()
        : as.smsCode?.();
    if (code === undefined) return undefined;
    values[codeField] = code;
  } else if (names.has('accept')) {
    step = 'terms';
    values.accept = as.acceptTerms === false ? 'no' : 'yes';
  } else if (names.has('link')) {
    step = 'pick';
    const links = form.fields.filter((f) => f.name === 'link').map((f) => f.value);
    const chosen = as.linkId !== undefined && links.includes(as.linkId) ? as.linkId : links[0];
    if (chosen === undefined) return undefined;
    values.link = chosen;
  } else {
    return undefined;
  }
  // The same step twice means the gateway refused what was posted (a wrong password): stop there.
  if (seen.has(step)) return undefined;
  seen.add(step);
  return values;
}

/**
 * Starts at a gateway URL (an authorize URL, or a response that redirects into the interaction) and
 * logs in through the forms until the gateway redirects out of itself.
 */
export async function loginThroughForms(
  browser: Browser,
  start: string | Response,
  as: LoginAs,
  gatewayBase: string,
): Promise<LoginOutcome> {
  const gateway = new URL(gatewayBase).origin;
  const seen = new Set<string>();
  let url = typeof start === 'string' ? start : gatewayBase;
  let res = typeof start === 'string' ? await browser.go(url) : start;
  for (let steps = 0; steps < 25; steps++) {
    const location = locationOf(res, url);
    if (location !== undefined) {
      if (new URL(location).origin !== gateway) return { redirect: new URL(location), status: res.status };
      url = location;
      res = await browser.go(url);
      continue;
    }
    const html = await res.text();
    if (res.status !== 200 && res.status !== 401) return { status: res.status, html };
    const form = formsOf(html)
      .filter((f) => f.method === 'post')
      .map((f) => ({ form: f, values: fill(f, as, seen) }))
      .find((f) => f.values !== undefined);
    if (form === undefined) return { status: res.status, html };
    url = new URL(form.form.action || url, url).href;
    res = await browser.post(url, form.values!);
  }
  throw new Error('the login did not finish within 25 steps');
}
