/**
 * A cookie-jar browser for black-box SMART tests: it follows no redirect by itself, so each step of a
 * launch can be looked at, and it keeps the cookies every server sets (the gateway's session and
 * interaction cookies) per host, as a browser would.
 */
export class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  /** One request; `url` is absolute. Redirects are returned, not followed. */
  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const host = new URL(url).host;
    const jar = this.jars.get(host) ?? new Map<string, string>();
    this.jars.set(host, jar);
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1);
      // An expired or emptied cookie is a deletion.
      if (value === '' || /;\s*max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line))
        jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /** A form post (`application/x-www-form-urlencoded`). */
  post(
    url: string,
    fields: Record<string, string> | URLSearchParams,
    headers: HeadersInit = {},
  ): Promise<Response> {
    const all = new Headers(headers);
    all.set('content-type', 'application/x-www-form-urlencoded');
    return this.go(url, { method: 'POST', headers: all, body: new URLSearchParams(fields).toString() });
  }
}

/** The absolute target of a redirect response, or undefined when it is not one. */
export function locationOf(res: Response, base: string): string | undefined {
  const location = res.headers.get('location');
  return location === null ? undefined : new URL(location, base).href;
}
