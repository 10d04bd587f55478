/**
 * A SMART app as an app vendor writes one with fhirclient 2 in Node: a small HTTP server on
 * 127.0.0.1 whose launch route calls `smart(req, res).authorize(…)` and whose redirect route calls
 * `.ready()`. fhirclient's session storage is kept in memory. Each registered app has a name; its
 * routes are `/launch/<name>` (launch URI) and `/cb/<name>` (redirect URI).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import smart from 'fhirclient';
import type Client from 'fhirclient/lib/Client';
import type { fhirclient } from 'fhirclient/lib/types';

/** fhirclient's storage interface, in memory. */
class MemoryStorage implements fhirclient.Storage {
  private readonly values = new Map<string, unknown>();
  async set(key: string, value: unknown): Promise<unknown> {
    this.values.set(key, value);
    return value;
  }
  async get(key: string): Promise<unknown> {
    return this.values.get(key);
  }
  async unset(key: string): Promise<boolean> {
    return this.values.delete(key);
  }
}

export interface SmartApp {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  launchUri(name: string): string;
  redirectUri(name: string): string;
  /** What the app passes to `authorize` for this app (redirectUri is added). */
  configure(name: string, options: fhirclient.AuthorizeParams): void;
  /** The fhirclient Client of the last completed launch of this app. */
  client(name: string): Client;
  close(): Promise<void>;
}

export async function startSmartApp(): Promise<SmartApp> {
  const storage = new MemoryStorage();
  const options = new Map<string, fhirclient.AuthorizeParams>();
  const clients = new Map<string, Client>();
  let base = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const [, route, name = ''] = url.pathname.split('/');
    try {
      if (route === 'launch') {
        const configured = options.get(name);
        if (!configured) throw new Error(`no app ${name}`);
        // fhirclient redirects the response to the authorization endpoint.
        await smart(req, res, storage).authorize({ ...configured, redirectUri: `${base}/cb/${name}` });
        return;
      }
      if (route === 'cb') {
        const client = await smart(req, res, storage).ready();
        clients.set(name, client);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(client.state.tokenResponse ?? {}));
        return;
      }
      res.writeHead(404).end();
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(err instanceof Error ? err.message : String(err));
    }
  }

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    base,
    launchUri: (name) => `${base}/launch/${name}`,
    redirectUri: (name) => `${base}/cb/${name}`,
    configure: (name, o) => void options.set(name, o),
    client(name) {
      const found = clients.get(name);
      if (!found) throw new Error(`app ${name} completed no launch`);
      return found;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
