import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An upstream of the test's own in front of the sandbox: every request goes on to the sandbox
 * unchanged unless the test's `intercept` answers it otherwise (hides a Patient, invents a second
 * one, ignores a search parameter). Bodies come back with the sandbox's base replaced by the proxy's,
 * as a real upstream would name itself. Every path asked is recorded.
 */
export interface UpstreamAnswer {
  status: number;
  body: unknown;
}

export interface ProxiedRequest {
  /** The path under the FHIR base (`/Patient`). */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Sends the request on to the sandbox (the query as given, or another one). */
  forward(query?: URLSearchParams): Promise<UpstreamAnswer>;
}

export type Intercept = (request: ProxiedRequest) => Promise<UpstreamAnswer>;

export interface UpstreamProxy {
  /** `http://127.0.0.1:<port>/fhir` */
  readonly url: string;
  /** Every path and query asked, in order. */
  readonly asked: string[];
  intercept: Intercept;
  close(): Promise<void>;
}

export async function startUpstreamProxy(target: string): Promise<UpstreamProxy> {
  const asked: string[] = [];
  let url = '';
  const proxy: UpstreamProxy = {
    get url() {
      return url;
    },
    asked,
    intercept: (request) => request.forward(),
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
  const server: Server = createServer((req, res) => {
    const full = new URL(req.url ?? '/', 'http://proxy');
    const path = full.pathname.replace(/^\/fhir/, '');
    asked.push(`${path}${full.search}`);
    const forward = async (query = full.searchParams): Promise<UpstreamAnswer> => {
      const q = query.toString();
      const answer = await fetch(`${target}${path}${q ? `?${q}` : ''}`, {
        headers: { accept: 'application/fhir+json' },
      });
      const text = (await answer.text()).split(target).join(url);
      return { status: answer.status, body: text.length > 0 ? JSON.parse(text) : undefined };
    };
    proxy
      .intercept({ path, query: full.searchParams, forward })
      .then((answer) => {
        res.writeHead(answer.status, { 'content-type': 'application/fhir+json' });
        res.end(JSON.stringify(answer.body));
      })
      .catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  return proxy;
}
