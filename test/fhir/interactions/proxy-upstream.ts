/**
 * An upstream of the tests' own in front of the sandbox: it forwards every request to the sandbox
 * (the sandbox's URLs in the answers turned into its own), counts what it was asked, and fails the
 * requests a test names (an error answer, or a connection cut half way), so that a test can prove
 * that nothing reached the upstream, or what the gateway does when the upstream breaks mid-answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'error' | 'reset';

export interface ProxyUpstream {
  /** `http://127.0.0.1:<port>/fhir` */
  readonly url: string;
  /** Method and path with query of every request, in order. */
  readonly calls: string[];
  /** The fault for a request (by its path and query), or undefined to forward it. */
  fault: (pathAndQuery: string) => Fault | undefined;
  /** What is forwarded instead of the request's path and query (a hostile upstream ignoring parameters). */
  rewrite: (pathAndQuery: string) => string;
  /** What is answered instead of the upstream's JSON body (the request's path and query as asked). */
  transform: (pathAndQuery: string, body: unknown) => unknown;
  close(): Promise<void>;
}

export async function startProxyUpstream(target: string): Promise<ProxyUpstream> {
  let base = '';
  const proxy: ProxyUpstream = {
    url: '',
    calls: [],
    fault: () => undefined,
    rewrite: (p) => p,
    transform: (_p, body) => body,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').replace(/^\/fhir/, '');
    proxy.calls.push(`${req.method} ${path}`);
    const fault = proxy.fault(path);
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'error') {
      res.writeHead(500, { 'content-type': 'application/fhir+json' });
      res.end(
        JSON.stringify({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'exception' }],
        }),
      );
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = await fetch(`${target}${proxy.rewrite(path)}`, {
      method: req.method,
      headers: {
        accept: 'application/fhir+json',
        'content-type': req.headers['content-type'] ?? 'application/fhir+json',
      },
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    const raw = (await answer.text()).split(target).join(base);
    let text = raw;
    try {
      text = JSON.stringify(proxy.transform(path, JSON.parse(raw)));
    } catch {
      // Not JSON: passed on as it is.
    }
    res.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/fhir+json',
    });
    res.end(text);
  };
  const server = createServer((req, res) => {
    forward(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  return Object.assign(proxy, { url: base });
}
