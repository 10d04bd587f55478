/** A browser for the console's tests: fetch with manual redirects and a cookie jar. */
export class ConsoleBrowser {
  readonly cookies = new Map<string, string>();
  /** The raw Set-Cookie headers of the last answer. */
  lastSetCookies: string[] = [];

  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  #take(res: Response): void {
    this.lastSetCookies = res.headers.getSetCookie();
    for (const line of this.lastSetCookies) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string): Promise<{ res: Response; text: string }> {
    const res = await fetch(`${this.base}${path}`, {
      redirect: 'manual',
      headers: { ...this.headers, cookie: this.cookieHeader },
    });
    this.#take(res);
    return { res, text: await res.text() };
  }

  async post(path: string, fields: Record<string, string>): Promise<{ res: Response; text: string }> {
    const res = await fetch(`${this.base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        ...this.headers,
        cookie: this.cookieHeader,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(fields).toString(),
    });
    this.#take(res);
    return { res, text: await res.text() };
  }
}

/** The value of the hidden `_csrf` field of a page (the first form's). */
export function csrfOf(page: string): string {
  const found = /name="_csrf"\s+value="([^"]*)"/.exec(page);
  if (!found) throw new Error('no _csrf field on the page');
  return found[1]!;
}
