import { Router } from 'express';
import { assessReadiness, failureReason, READINESS_TIMEOUT_MS, type ReadinessCheck } from './readiness';
import { contextOf } from './request-context';
import type { Drain } from './shutdown';

export interface HealthRoutesOptions {
  checks: readonly ReadinessCheck[];
  drain: Drain;
  /** How long one check may take; default READINESS_TIMEOUT_MS. */
  timeoutMs?: number;
}

/**
 * GET /healthz (the process is alive) and GET /readyz (its dependencies answer; 503 while shutting
 * down, so a load balancer stops sending before the drain refuses).
 */
export function healthRoutes(options: HealthRoutesOptions): Router {
  const timeoutMs = options.timeoutMs ?? READINESS_TIMEOUT_MS;
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'alive' });
  });
  router.get('/readyz', async (req, res) => {
    if (options.drain.draining) {
      res.status(503).json({ status: 'shutting-down', checks: {} });
      return;
    }
    const { report, failures } = await assessReadiness(options.checks, timeoutMs);
    // One line per failing check, without a stack: a load balancer polls this every few seconds.
    for (const f of failures)
      contextOf(req).log.warn({ check: f.name, reason: failureReason(f.error) }, 'readiness check failed');
    res
      .status(report.ready ? 200 : 503)
      .json({ status: report.ready ? 'ready' : 'not-ready', checks: report.checks });
  });
  return router;
}
