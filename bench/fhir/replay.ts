/**
 * The fast upstream: the sandbox's own answers, served from memory. The first time a path and query
 * is asked for, it is fetched from the sandbox and kept (with the sandbox's base URL in links and
 * fullUrls rewritten to this server's, so that `next` links come back here); after the warm-up every
 * answer is a map lookup and a write. Against it, a proxy's cost is the proxy's, not the upstream's.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Kept {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const PASSED = ['content-type', 'etag', 'last-modified'];

export interface ReplayUpstream {
  /** `http://127.0.0.1:<port>/fhir` */
  url: string;
  /** Answers kept so far, and how many requests had to go to the sandbox. */
  stats(): { kept: number; misses: number };
  close(): Promise<void>;
}

export async function startReplayUpstream(sandboxUrl: string): Promise<ReplayUpstream> {
  const kept = new Map<string, Kept>();
  let misses = 0;
  let ownUrl = '';
  const sandbox = new URL(sandboxUrl);
  const fetchAndKeep = async (pathAndQuery: string): Promise<Kept> => {
    misses += 1;
    const answer = await fetch(`${sandbox.origin}${pathAndQuery}`, {
      headers: { accept: 'application/fhir+json' },
    });
    const text = (await answer.text()).replaceAll(sandboxUrl, ownUrl);
    const headers: Record<string, string> = {};
    for (const name of PASSED) {
      const value = answer.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const entry = { status: answer.status, headers, body: Buffer.from(text) };
    kept.set(pathAndQuery, entry);
    return entry;
  };
  const server = createServer((req, res) => {
    const key = req.url ?? '/';
    const found = kept.get(key);
    const send = (entry: Kept) => {
      res.writeHead(entry.status, { ...entry.headers, 'content-length': String(entry.body.length) });
      res.end(entry.body);
    };
    if (found) send(found);
    else
      fetchAndKeep(key).then(send, () => {
        res.writeHead(502).end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ownUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${sandbox.pathname.replace(/\/$/, '')}`;
  return {
    url: ownUrl,
    stats: () => ({ kept: kept.size, misses }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
