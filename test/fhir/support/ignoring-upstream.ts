/**
 * An upstream that ignores the gateway's narrowing: a node:http proxy in front of the sandbox that,
 * while `ignoring` is on, drops the compartment, category and date parameters from every search
 * (except the Patient search of the patient link, which the gateway checks on its own), so that
 * the sandbox answers with every client's resources of the type, and inflates `Bundle.total`. Its
 * answers carry links and headers of its own as well. The filter of the gateway must be right
 * against it: pages full, totals its own, nothing of another client.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Parameters a narrowed search binds the patient, the sections and the period with. */
const DROPPED = new Set([
  'patient',
  'subject',
  'actor',
  'category',
  'date',
  'period',
  'authored',
  'onset-date',
  'recorded-date',
  'effective',
  'issued',
]);

export const INFLATED_TOTAL = 99_999;
/** The text of an Observation the proxy adds without an id. */
export const NAMELESS = 'an observation without an id';
export const FOREIGN_LINK = 'http://upstream.invalid/fhir/Observation?secret=1';

export interface IgnoringUpstream {
  /** The proxy's FHIR base (what the gateway is configured with). */
  readonly url: string;
  /** Whether searches lose their narrowing (off: a faithful proxy, for the answers to compare). */
  ignoring: boolean;
  /**
   * Whether searches (but the patient link's) are answered with pages that hold only another
   * client's resource and always link to one more page: an upstream the gateway must stop reading.
   */
  endless: boolean;
  /** The searches the proxy passed on, as paths and queries after dropping. */
  readonly searches: string[];
  close(): Promise<void>;
}

export async function startIgnoringUpstream(sandboxUrl: string): Promise<IgnoringUpstream> {
  const target = new URL(sandboxUrl);
  let ownBase = '';
  const state = { ignoring: true, endless: false, searches: [] as string[] };
  let endlessPage = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const [type, ...rest] = url.pathname.slice(target.pathname.length).split('/').filter(Boolean);
    const isSearch = req.method === 'GET' && type !== undefined && rest.length === 0;
    let droppedSubject: string | undefined;
    if (isSearch && state.ignoring && type !== 'Patient') {
      for (const name of [...url.searchParams.keys()]) {
        if (name === 'subject' || name === 'patient')
          droppedSubject = url.searchParams.get(name) ?? undefined;
        if (DROPPED.has(name.split(':')[0]!)) url.searchParams.delete(name);
      }
    }
    if (isSearch) state.searches.push(`${url.pathname}${url.search}`);
    if (isSearch && state.endless && type !== 'Patient') {
      endlessPage += 1;
      const foreign = {
        resourceType: type,
        id: `foreign-${endlessPage}`,
        subject: { reference: 'Patient/ah-c001' },
      };
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.end(
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'searchset',
          total: INFLATED_TOTAL,
          link: [{ relation: 'next', url: `${ownBase}/${type}?_count=50&_offset=${endlessPage * 50}` }],
          entry: [
            { fullUrl: `${ownBase}/${type}/${foreign.id}`, resource: foreign, search: { mode: 'match' } },
          ],
        }),
      );
      return;
    }
    const answer = await fetch(`${target.origin}${url.pathname}${url.search}`, {
      method: req.method ?? 'GET',
      headers: { accept: 'application/fhir+json' },
    });
    let text = (await answer.text()).split(sandboxUrl).join(ownBase);
    if (isSearch && state.ignoring && answer.status === 200) {
      const bundle = JSON.parse(text) as { total?: number; link?: { relation: string; url: string }[] };
      bundle.total = INFLATED_TOTAL;
      bundle.link = [...(bundle.link ?? []), { relation: 'last', url: FOREIGN_LINK }];
      // An entry of the client's that the gateway cannot name (no id): it must not be shown or counted.
      if (droppedSubject !== undefined && type === 'Observation')
        (bundle as { entry?: unknown[] }).entry = [
          ...((bundle as { entry?: unknown[] }).entry ?? []),
          {
            resource: {
              resourceType: 'Observation',
              status: 'final',
              category: [{ coding: [{ system: 'http://snomed.info/sct', code: '11591000146107' }] }],
              code: { text: NAMELESS },
              subject: { reference: droppedSubject },
              effectiveDateTime: new Date().toISOString(),
            },
            search: { mode: 'match' },
          },
        ];
      text = JSON.stringify(bundle);
    }
    res.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/fhir+json',
      'x-upstream-secret': 'do-not-forward',
      'content-location': `${ownBase}/secret-location`,
    });
    res.end(text);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('proxy failed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  ownBase = `http://127.0.0.1:${port}${target.pathname}`;
  return {
    url: ownBase,
    get ignoring() {
      return state.ignoring;
    },
    set ignoring(value: boolean) {
      state.ignoring = value;
    },
    get endless() {
      return state.endless;
    },
    set endless(value: boolean) {
      state.endless = value;
    },
    searches: state.searches,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
