/**
 * The suite's form driver (support/login.ts) against pages shaped as the login pages are going to be:
 * a `csrf` hidden field in every form, a language switch form, a terms step (`accept=yes`) and a
 * picker as a <select>. A tiny local server plays the gateway and checks every post; the real
 * gateway's pages are driven by every other file of this suite.
 */
import { createServer, type Server } from 'node:http';
import { Browser } from './support/browser';
import { loginThroughForms } from './support/login';

const CSRF = 'csrf-&-token"1';
const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
const page = (form: string) =>
  `<!doctype html><html><body>
<form method="post" action="/lang"><input type="hidden" name="lang" value="en"><button>English</button></form>
${form}</body></html>`;

describe('loginThroughForms', () => {
  let server: Server;
  let base: string;
  let app: string;
  const posts: Record<string, string>[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const fields = Object.fromEntries(new URLSearchParams(body));
        const url = new URL(req.url ?? '/', base);
        const html = (h: string) => res.writeHead(200, { 'content-type': 'text/html' }).end(h);
        if (req.method === 'POST') {
          posts.push({ path: url.pathname, ...fields });
          if (fields.csrf !== CSRF) return void res.writeHead(403).end('csrf');
        }
        if (url.pathname === '/authorize')
          return void res.writeHead(303, { location: '/interaction/1' }).end();
        if (url.pathname === '/interaction/1')
          return void html(
            page(`<form method="post" action="/interaction/1/login"><input type="hidden" name="csrf" value="${escape(CSRF)}">
<input name="email" type="email"><input name="password" type="password"><button type="submit">Verder</button></form>`),
          );
        if (url.pathname === '/interaction/1/login')
          return void html(
            page(`<form method="post" action="/interaction/1/terms"><input type="hidden" name="csrf" value="${escape(CSRF)}">
<input type="hidden" name="version" value="2026-1"><button name="accept" value="yes">Akkoord</button><button name="accept" value="no">Niet akkoord</button></form>`),
          );
        if (url.pathname === '/interaction/1/terms')
          return void html(
            page(`<form method="post" action="/interaction/1/pick"><input type="hidden" name="csrf" value="${escape(CSRF)}">
<select name="link"><option value="link-a">A</option><option value="link-b">B</option></select><button>Kies</button></form>`),
          );
        if (url.pathname === '/interaction/1/pick')
          return void res.writeHead(303, { location: `${app}/cb?code=c-1&state=s` }).end();
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    app = 'http://localhost:1';
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('SMART-LF1: posts hidden fields back, accepts the terms, picks from a select, and stops at the app', async () => {
    const outcome = await loginThroughForms(
      new Browser(),
      `${base}/authorize`,
      { email: 'a@example.org', password: 'pw', linkId: 'link-b' },
      base,
    );
    expect(outcome.redirect?.href).toBe(`${app}/cb?code=c-1&state=s`);
    expect(posts).toEqual([
      { path: '/interaction/1/login', csrf: CSRF, email: 'a@example.org', password: 'pw' },
      { path: '/interaction/1/terms', csrf: CSRF, version: '2026-1', accept: 'yes' },
      { path: '/interaction/1/pick', csrf: CSRF, link: 'link-b' },
    ]);
  });
});
