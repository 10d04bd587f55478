import { Pool, errors as undiciErrors } from 'undici';
import type { UpstreamConfig } from '../config';
import { upstreamFailed, upstreamTimedOut } from './errors';

/**
 * Step 6's one HTTP client to the upstream FHIR server: a keep-alive pool (undici), a connect
 * timeout and a whole-call timeout, a cap on the size of an answer, no redirects followed, and FHIR
 * JSON only. What it returns is the upstream's status, a few named headers and the parsed body; the
 * pipeline decides what of it anyone sees. It never passes an upstream error body on: a failure is a
 * 502 or 504 that names the upstream, with what the upstream said in the log detail only.
 */

export interface UpstreamAnswer {
  readonly status: number;
  /** Only the headers the pipeline may use (lower-case names); nothing else of the upstream's. */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body (undefined for an empty body). */
  readonly body: unknown;
}

/** Headers read from an upstream answer. None of them is passed on as it is. */
const READ_HEADERS = ['etag', 'last-modified', 'content-type'] as const;

export class UpstreamClient {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #origin: string;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  /** The upstream's base URL, without a trailing slash (for recognising its absolute references). */
  readonly baseUrl: string;

  constructor(config: UpstreamConfig) {
    const url = new URL(config.url);
    this.#origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.baseUrl = `${url.origin}${this.#basePath}`;
    this.#timeoutMs = config.timeoutMs;
    this.#maxBytes = config.maxResponseBytes;
    this.#pool = new Pool(this.#origin, {
      connections: config.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: config.connectTimeoutMs },
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
    });
  }

  /** GET a path under the upstream's base (`/Observation?subject=…`). */
  async get(pathAndQuery: string, signal?: AbortSignal): Promise<UpstreamAnswer> {
    if (!pathAndQuery.startsWith('/')) throw new TypeError('an upstream path starts with /');
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    const abort = signal ? AbortSignal.any([signal, deadline]) : deadline;
    let answer;
    try {
      answer = await this.#pool.request({
        method: 'GET',
        path: this.#basePath + pathAndQuery,
        headers: { accept: 'application/fhir+json', 'accept-encoding': 'identity' },
        signal: abort,
      });
    } catch (err) {
      throw this.#failure(err, deadline, `GET ${pathAndQuery.slice(0, 200)}`);
    }
    const headers: Record<string, string> = {};
    for (const name of READ_HEADERS) {
      const value = answer.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    let text: string;
    try {
      text = await this.#readBody(answer.body, answer.headers['content-length']);
    } catch (err) {
      throw this.#failure(err, deadline, `reading the answer to GET ${pathAndQuery.slice(0, 200)}`);
    }
    if (answer.statusCode >= 300 && answer.statusCode < 400)
      throw upstreamFailed(`the upstream answered ${answer.statusCode} (redirects are not followed)`);
    const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (text.length === 0) return { status: answer.statusCode, headers, body: undefined };
    if (type !== 'application/fhir+json' && type !== 'application/json')
      throw upstreamFailed(
        `the upstream answered ${answer.statusCode} with content-type '${type.slice(0, 80)}'`,
      );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw upstreamFailed(`the upstream answered ${answer.statusCode} with a body that is not JSON`);
    }
    return { status: answer.statusCode, headers, body };
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  async #readBody(
    body: AsyncIterable<Buffer> & { destroy(err?: Error): void },
    declared: unknown,
  ): Promise<string> {
    if (typeof declared === 'string' && Number(declared) > this.#maxBytes) {
      body.destroy();
      throw new TooLarge(Number(declared));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      if (size > this.#maxBytes) {
        body.destroy();
        throw new TooLarge(size);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, size).toString('utf8');
  }

  #failure(err: unknown, deadline: AbortSignal, what: string): Error {
    if (err instanceof TooLarge)
      return upstreamFailed(
        `${what}: the answer is larger than ${this.#maxBytes} bytes (${err.size} so far)`,
      );
    const code = (err as { code?: unknown } | null)?.code;
    const timedOut =
      deadline.aborted ||
      err instanceof undiciErrors.ConnectTimeoutError ||
      err instanceof undiciErrors.HeadersTimeoutError ||
      err instanceof undiciErrors.BodyTimeoutError ||
      code === 'UND_ERR_CONNECT_TIMEOUT' ||
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT';
    const detail = `${what}: ${String((err as Error)?.message ?? err)}`;
    return timedOut ? upstreamTimedOut(detail, err) : upstreamFailed(detail, err);
  }
}

class TooLarge extends Error {
  constructor(readonly size: number) {
    super('upstream answer too large');
  }
}
