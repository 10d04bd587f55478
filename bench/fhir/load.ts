import autocannon from 'autocannon';

/** One request of the mix: a path on the target's origin, with its headers. */
export interface MixRequest {
  path: string;
  headers: Record<string, string>;
}

export interface Measured {
  requestsPerSecond: number;
  /** Milliseconds, from every 2xx response's own time (autocannon's histogram keeps whole ms). */
  p50: number;
  p99: number;
  failed: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** autocannon, in this process, over `mix` in turn on every connection. */
export async function load(
  origin: string,
  mix: MixRequest[],
  options: { connections: number; seconds: number; rate?: number },
): Promise<Measured> {
  const times: number[] = [];
  let failed = 0;
  const run = autocannon({
    url: origin,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
    requests: mix.map((r) => ({ method: 'GET', path: r.path, headers: r.headers })),
  });
  run.on('response', (_client: unknown, status: number, _bytes: number, time: number) => {
    if (status >= 200 && status < 300) times.push(time);
    else failed += 1;
  });
  const result = await run;
  times.sort((a, b) => a - b);
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    failed: failed + result.errors + result.timeouts,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
