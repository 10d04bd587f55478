/** How long /readyz waits for one dependency: short, because load balancers poll it. */
export const READINESS_TIMEOUT_MS = 2_000;

export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency is usable; rejects otherwise. */
  check(): Promise<void>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'ok' | 'failing'>;
}

/** The database answers a trivial query. */
export function databaseCheck(store: { ping(): Promise<void> }): ReadinessCheck {
  return { name: 'database', check: () => store.ping() };
}

/**
 * The upstream FHIR server answers its capability statement. Any answer below 500 counts: an upstream
 * that wants authentication is still up. A plain fetch for now; it will go through the pooled upstream
 * client of the FHIR pipeline once that exists, so that readiness sees what requests see.
 */
export function upstreamCheck(upstreamUrl: string, timeoutMs: number): ReadinessCheck {
  return {
    name: 'upstream',
    async check() {
      const res = await fetch(`${upstreamUrl}/metadata`, {
        headers: { accept: 'application/fhir+json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      if (res.status >= 500) throw new Error(`upstream answered ${res.status}`);
    },
  };
}

/**
 * Runs every check at once, each bounded by its own timeout. The report says which failed (never
 * why: it is public); the failures carry the errors, for the log.
 */
export async function assessReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs: number,
): Promise<{
  report: ReadinessReport;
  failures: Array<{ name: string; error: unknown }>;
}> {
  const failures: Array<{ name: string; error: unknown }> = [];
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        await withTimeout(c.check(), timeoutMs);
        return [c.name, 'ok'] as const;
      } catch (error) {
        failures.push({ name: c.name, error });
        return [c.name, 'failing'] as const;
      }
    }),
  );
  return { report: { ready: failures.length === 0, checks: Object.fromEntries(results) }, failures };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    // A check that never answers must not keep a stopping process alive.
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** One line's worth of why a check failed: the message and the cause's code, never a stack. */
export function failureReason(error: unknown): string {
  // Duck-typed: fetch's errors come from another realm than ours under a test runner.
  const { message, cause } = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  if (typeof message !== 'string') return String(error);
  const why =
    typeof cause?.code === 'string'
      ? cause.code
      : typeof cause?.message === 'string'
        ? cause.message
        : undefined;
  return why ? `${message} (${why})` : message;
}
